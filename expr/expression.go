package expr

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/internal/parsecount"
)

// Kind is the source a runtime expression reads from.
type Kind int

// Kinds of runtime expression, one per source in the Arazzo 1.0.1 and 1.1.0
// grammars.
const (
	KindURL               Kind = iota + 1 // $url
	KindMethod                            // $method
	KindStatusCode                        // $statusCode
	KindRequestHeader                     // $request.header.<token>
	KindRequestQuery                      // $request.query.<name>
	KindRequestPath                       // $request.path.<name>
	KindRequestBody                       // $request.body[#ptr]
	KindResponseHeader                    // $response.header.<token>
	KindResponseQuery                     // $response.query.<name> (grammatical, meaningless; kept for validation)
	KindResponsePath                      // $response.path.<name>
	KindResponseBody                      // $response.body[#ptr]
	KindMessageHeader                     // $message.header.<token> (1.1)
	KindMessagePayload                    // $message.payload[#ptr] (1.1)
	KindInputs                            // $inputs.<name>[#ptr]
	KindOutputs                           // $outputs.<name>[#ptr]
	KindStepOutputs                       // $steps.<id>.outputs.<name>[#ptr]
	KindWorkflowInputs                    // $workflows.<id>.inputs.<name>[#ptr]
	KindWorkflowOutputs                   // $workflows.<id>.outputs.<name>[#ptr]
	KindSourceDescription                 // $sourceDescriptions.<name>.<ref>
	KindComponent                         // $components.<parameters|successActions|failureActions|inputs>.<name>
	KindSelf                              // $self (1.1)
	// KindWorkflowStepOutputs is $workflows.<id>.steps.<stepId>.outputs.<name>,
	// which no grammar has (1.1 uses $workflows.<id>.steps.<stepId> in step
	// dependsOn only); Step holds the step id.
	KindWorkflowStepOutputs
)

var kindNames = [...]string{
	KindURL:                 "$url",
	KindMethod:              "$method",
	KindStatusCode:          "$statusCode",
	KindRequestHeader:       "$request.header",
	KindRequestQuery:        "$request.query",
	KindRequestPath:         "$request.path",
	KindRequestBody:         "$request.body",
	KindResponseHeader:      "$response.header",
	KindResponseQuery:       "$response.query",
	KindResponsePath:        "$response.path",
	KindResponseBody:        "$response.body",
	KindMessageHeader:       "$message.header",
	KindMessagePayload:      "$message.payload",
	KindInputs:              "$inputs",
	KindOutputs:             "$outputs",
	KindStepOutputs:         "$steps.outputs",
	KindWorkflowInputs:      "$workflows.inputs",
	KindWorkflowOutputs:     "$workflows.outputs",
	KindSourceDescription:   "$sourceDescriptions",
	KindComponent:           "$components",
	KindSelf:                "$self",
	KindWorkflowStepOutputs: "$workflows.steps.outputs",
}

// String names the kind by its expression prefix, e.g. "$response.body".
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// navigable reports whether a value of this kind may carry a JSON pointer or
// condition navigation (it yields structured data).
func (k Kind) navigable() bool {
	switch k {
	case KindRequestBody, KindResponseBody, KindMessagePayload, KindInputs, KindOutputs,
		KindStepOutputs, KindWorkflowInputs, KindWorkflowOutputs:
		return true
	}
	return false
}

// Expression is one parsed runtime expression. It is immutable and safe for
// concurrent use.
type Expression struct {
	Kind Kind
	// ID is the step id (KindStepOutputs), workflow id (KindWorkflowInputs,
	// KindWorkflowOutputs), source description name (KindSourceDescription)
	// or component type (KindComponent).
	ID string
	// Name is the input, output, header or parameter name, the source
	// description reference, or the component key.
	Name string
	// Step is the step id of KindWorkflowStepOutputs.
	Step string
	// Pointer is the JSON pointer after '#' as written ("/items/0/handle"),
	// "" when absent. For a compatibility reading (body-dot) it is the
	// standard pointer the expression was read as.
	Pointer    string
	HasPointer bool
	// Text is the expression in canonical form: the text as written, or the
	// standard form of a compatibility reading.
	Text string
	// Offset is the byte offset of the expression's '$' in the text it was
	// parsed from: 0 for Parse, its place inside a template or a condition.
	Offset int

	ptr      pointer
	warnings []Warning
}

// String returns e.Text.
func (e *Expression) String() string { return e.Text }

// Warnings lists the compatibility readings applied while parsing e.
func (e *Expression) Warnings() []Warning { return append([]Warning(nil), e.warnings...) }

// Resolver supplies the values expressions refer to; the runtime implements it.
type Resolver interface {
	// Resolve returns the value named by e BEFORE e's JSON pointer is
	// applied (e.g. the whole response body for $response.body#/a), and
	// whether it exists. Header lookups are the resolver's job
	// (case-insensitive).
	Resolve(e *Expression) (any, bool)
}

// ResolverFunc adapts a function to the Resolver interface.
type ResolverFunc func(e *Expression) (any, bool)

// Resolve calls f(e).
func (f ResolverFunc) Resolve(e *Expression) (any, bool) { return f(e) }

// MissingExplainer is implemented by resolvers that can say why a value is
// absent ("step \"find\" declares no output \"id\""); Eval adds the reason to
// its error.
type MissingExplainer interface {
	Missing(e *Expression) string
}

// Eval resolves e and applies its JSON pointer. An absent value (the
// resolver says !ok, or the pointer does not resolve) yields an *EvalError
// naming the expression and wrapping ErrMissing.
func (e *Expression) Eval(r Resolver) (any, error) {
	v, ok := r.Resolve(e)
	if !ok {
		msg := "no such value"
		if me, ok := r.(MissingExplainer); ok {
			if why := me.Missing(e); why != "" {
				msg += ": " + why
			}
		}
		return nil, &EvalError{Expr: e.Text, Msg: msg, Err: ErrMissing}
	}
	if len(e.ptr) == 0 {
		return v, nil
	}
	out, failed := e.ptr.resolve(v)
	if failed < 0 {
		return out, nil
	}
	return nil, &EvalError{Expr: e.Text, Msg: "no such value: " + e.ptr.describe(v, failed), Err: ErrMissing}
}

// Parse parses src, which must be exactly one runtime expression (no
// surrounding braces, no leading or trailing space).
func Parse(src string) (*Expression, error) {
	p := exprParser{src: src, pos: 0, end: len(src)}
	e, err := p.parseExpression()
	if err != nil {
		return nil, err
	}
	return e, nil
}

// exprParser parses one runtime expression inside src[pos:end].
//
// In whole mode (cond == false) the expression must span the whole range:
// greedy parts (parameter names, source references, JSON pointers) run to
// end. In condition mode they stop at whitespace or at one of ! & ( ) < = > {
// | }, and the caller handles what follows (navigation, operators).
type exprParser struct {
	src      string
	start    int // offset of the '$'
	pos, end int
	cond     bool
	warnings []Warning
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isStrictIdentChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isCondBoundary reports whether c ends an operand inside a simple condition.
func isCondBoundary(c byte) bool {
	return isSpace(c) || strings.IndexByte("!&()<=>{|}", c) >= 0
}

// quoteChar describes the character at src[i] for error messages.
func quoteChar(src string, i int) string {
	if i >= len(src) {
		return "end of input"
	}
	c := src[i]
	if c >= 0x20 && c < 0x7f {
		if c == '\'' {
			return `"'"`
		}
		return "'" + string(c) + "'"
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return strconv.QuoteRune(r)
}

func (p *exprParser) errAt(off int, msg string) error { return syntaxErr(p.src, off, msg) }

func (p *exprParser) charAt(i int) string {
	if i >= p.end {
		return "end of input"
	}
	return quoteChar(p.src, i)
}

func (p *exprParser) stop(c byte) bool { return p.cond && isCondBoundary(c) }

func (p *exprParser) stopFunc() func(byte) bool {
	if p.cond {
		return isCondBoundary
	}
	return nil
}

// word reads ASCII letters.
func (p *exprParser) word() string {
	s := p.pos
	for p.pos < p.end && isLetter(p.src[p.pos]) {
		p.pos++
	}
	return p.src[s:p.pos]
}

// sofar is the expression text read so far (used in messages; no copy).
func (p *exprParser) sofar() string { return p.src[p.start:p.pos] }

func (p *exprParser) expect(lit string) error {
	if strings.HasPrefix(p.src[p.pos:p.end], lit) {
		p.pos += len(lit)
		return nil
	}
	return p.errAt(p.pos, "expected "+strconv.Quote(lit)+" after "+p.sofar()+", found "+p.charAt(p.pos))
}

// finish checks, in whole mode, that nothing follows the expression.
func (p *exprParser) finish(what string) error {
	if p.cond || p.pos >= p.end {
		return nil
	}
	return p.errAt(p.pos, "unexpected "+p.charAt(p.pos)+" after "+what)
}

var roots = []string{"url", "method", "statusCode", "request", "response", "message", "inputs",
	"outputs", "steps", "workflows", "sourceDescriptions", "components", "self"}

// parseExpression implements
//
//	expression = "$url" / "$method" / "$statusCode" / "$request." source /
//	             "$response." source / "$message." source /
//	             "$inputs." inputs-reference / "$outputs." outputs-reference /
//	             "$steps." steps-reference / "$workflows." workflows-reference /
//	             "$sourceDescriptions." source-reference /
//	             "$components." components-reference / "$self"
func (p *exprParser) parseExpression() (*Expression, error) {
	start := p.pos
	p.start = start
	if p.pos >= p.end || p.src[p.pos] != '$' {
		msg := "expected a runtime expression starting with '$', found " + p.charAt(p.pos)
		if strings.HasPrefix(p.src[p.pos:p.end], "{$") {
			msg += " (braces embed an expression in text; here write it without them)"
		}
		return nil, p.errAt(p.pos, msg)
	}
	parsecount.Add()
	p.pos++
	root := p.word()
	e := &Expression{Offset: start}
	var err error
	switch root {
	case "url", "method", "statusCode", "self":
		switch root {
		case "url":
			e.Kind = KindURL
		case "method":
			e.Kind = KindMethod
		case "statusCode":
			e.Kind = KindStatusCode
		default:
			e.Kind = KindSelf
		}
		err = p.finish(p.sofar())
	case "request", "response", "message":
		if err = p.expect("."); err == nil {
			err = p.parseSource(e, root)
		}
	case "inputs", "outputs":
		if err = p.expect("."); err == nil {
			e.Kind = KindInputs
			what := "input name"
			if root == "outputs" {
				e.Kind, what = KindOutputs, "output name"
			}
			err = p.parseNamedValue(e, what)
		}
	case "steps":
		err = p.parseSteps(e)
	case "workflows":
		err = p.parseWorkflows(e)
	case "sourceDescriptions":
		err = p.parseSourceReference(e)
	case "components":
		err = p.parseComponents(e, start)
	case "":
		return nil, p.errAt(p.pos, "expected an expression name after '$', found "+p.charAt(p.pos))
	default:
		msg := "unknown runtime expression \"$" + root + "\""
		if r := closestRoot(root); r != "" {
			return nil, fixErr(p.src, start, start+1+len(root), "$"+r, msg+" (did you mean \"$"+r+"\"?)")
		}
		return nil, p.errAt(start, msg)
	}
	if err != nil {
		return nil, err
	}
	if e.Text == "" {
		e.Text = p.src[start:p.pos]
	}
	e.warnings = p.warnings
	return e, nil
}

// parseSource implements
//
//	source           = header-reference / query-reference / path-reference /
//	                   body-reference / payload-reference
//	header-reference = "header." token
//	query-reference  = "query." name
//	path-reference   = "path." name
//	body-reference   = "body" ["#" json-pointer]
//	payload-reference = "payload" ["#" json-pointer]
func (p *exprParser) parseSource(e *Expression, root string) error {
	srcStart := p.pos
	src := p.word()
	switch {
	case src == "header" || src == "headers":
		if err := p.expect("."); err != nil {
			return err
		}
		if src == "headers" {
			// "$response.headers.Location" (the official bnpl example): the
			// plural has one reading.
			std := p.src[p.start:srcStart] + "header." + p.src[p.pos:p.end]
			if p.cond {
				std = p.src[p.start:srcStart] + "header.<name>"
			}
			p.warnings = append(p.warnings, Warning{
				Offset:     srcStart,
				Rule:       "expr-headers",
				Message:    "\"headers\" is not a source of " + p.src[p.start:srcStart-1] + "; read as \"header\" (one header by name)",
				Suggestion: std,
			})
		}
		switch root {
		case "request":
			e.Kind = KindRequestHeader
		case "response":
			e.Kind = KindResponseHeader
		default:
			e.Kind = KindMessageHeader
		}
		return p.parseToken(e)
	case (src == "query" || src == "path") && root != "message":
		if err := p.expect("."); err != nil {
			return err
		}
		switch {
		case root == "request" && src == "query":
			e.Kind = KindRequestQuery
		case root == "request":
			e.Kind = KindRequestPath
		case src == "query":
			e.Kind = KindResponseQuery
		default:
			e.Kind = KindResponsePath
		}
		name, err := p.parseName("parameter name")
		e.Name = name
		return err
	case src == "body" && root != "message":
		e.Kind = KindRequestBody
		if root == "response" {
			e.Kind = KindResponseBody
		}
		return p.parseBodyTail(e)
	case src == "payload" && root == "message":
		e.Kind = KindMessagePayload
		return p.parseBodyTail(e)
	case src == "":
		return p.errAt(p.pos, "expected a source name after \""+p.sofar()+"\", found "+p.charAt(p.pos))
	}
	prefix := p.src[p.start:srcStart]
	switch {
	case root == "message" && (src == "query" || src == "path" || src == "body"):
		return p.errAt(srcStart, "$message has no "+src+" (want $message.header or $message.payload)")
	case root != "message" && src == "payload":
		return p.errAt(srcStart, "$"+root+" has no payload (want $"+root+".body)")
	}
	want := "header, query, path or body"
	if root == "message" {
		want = "header or payload"
	}
	msg := "unknown source \"" + src + "\" after \"" + prefix + "\" (want " + want + ")"
	return p.errAt(srcStart, msg)
}

// parseToken implements token = 1*tchar (RFC 9110 §5.6.2). In condition
// mode the operator characters '!', '&' and '|' end the token.
func (p *exprParser) parseToken(e *Expression) error {
	s := p.pos
	for p.pos < p.end && isTchar(p.src[p.pos]) && !p.stop(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == s {
		return p.errAt(p.pos, "expected a header name, found "+p.charAt(p.pos))
	}
	e.Name = p.src[s:p.pos]
	if !p.cond && p.pos < p.end {
		return p.errAt(p.pos, "invalid character "+p.charAt(p.pos)+" in header name")
	}
	return nil
}

// parseName implements name = 1*CHAR (RFC 8259 char without '{' and '}'),
// decoding backslash escapes. The spec allows an empty name; we do not.
func (p *exprParser) parseName(what string) (string, error) {
	s := p.pos
	escaped := false
	for p.pos < p.end {
		c := p.src[p.pos]
		if p.stop(c) {
			break
		}
		switch {
		case c == '{' || c == '}' || c == '"' || c < 0x20:
			return "", p.errAt(p.pos, "invalid character "+p.charAt(p.pos)+" in "+what)
		case c == '\\':
			n, ok := escapeLen(p.src[p.pos:p.end])
			if !ok {
				return "", p.errAt(p.pos, "invalid escape sequence in "+what)
			}
			escaped = true
			p.pos += n
		default:
			p.pos++
		}
	}
	if p.pos == s {
		return "", p.errAt(p.pos, "expected "+article(what)+" after \""+p.sofar()+"\", found "+p.charAt(p.pos))
	}
	name := p.src[s:p.pos]
	if escaped {
		name = unescapeChars(name)
	}
	return name, nil
}

// escapeLen returns the length of the RFC 8259 escape at the start of s.
func escapeLen(s string) (int, bool) {
	if len(s) < 2 {
		return 0, false
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
		if len(s) < 6 {
			return 0, false
		}
		for _, c := range []byte(s[2:6]) {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return 0, false
			}
		}
		return 6, true
	}
	return 0, false
}

func unescapeChars(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			n, _ := strconv.ParseUint(s[i+1:i+5], 16, 32)
			b.WriteRune(rune(n))
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// parseBodyTail reads what may follow "body"/"payload": ["#" json-pointer].
// In whole mode it also accepts dotted or bracketed navigation
// ("body.items.0.id", "body.items[0].id") as a compatibility reading of
// "body#/items/0/id" and records an "expr-body-dot" warning.
func (p *exprParser) parseBodyTail(e *Expression) error {
	if p.pos >= p.end {
		return nil
	}
	what, navStart := p.sofar(), p.pos
	switch c := p.src[p.pos]; {
	case c == '#':
		return p.parsePointerPart(e)
	case p.cond:
		return nil // navigation and operators are the condition lexer's job
	case c == '.' || c == '[':
		ptr, end, err := parseNav(p.src, p.pos, p.end, false)
		if err != nil {
			return err
		}
		if end < p.end {
			return p.errAt(end, "unexpected "+p.charAt(end)+" after "+what+" navigation")
		}
		p.pos = end
		e.ptr = ptr
		e.Pointer = ptr.String()
		e.HasPointer = true
		e.Text = what + "#" + e.Pointer
		p.warnings = append(p.warnings, Warning{
			Offset:     navStart,
			Rule:       "expr-body-dot",
			Message:    "dotted access after " + what + " is not a runtime expression; read as the JSON pointer " + strconv.Quote(e.Pointer),
			Suggestion: e.Text,
		})
		return nil
	}
	return p.errAt(p.pos, "unexpected "+p.charAt(p.pos)+" after "+what+" (want '#' and a JSON pointer)")
}

// parsePointerPart reads "#" json-pointer at p.pos.
func (p *exprParser) parsePointerPart(e *Expression) error {
	p.pos++ // '#'
	s := p.pos
	ptr, end, err := parsePointer(p.src, p.pos, p.end, p.stopFunc())
	if err != nil {
		return err
	}
	p.pos = end
	e.ptr = ptr
	e.Pointer = p.src[s:end]
	e.HasPointer = true
	return nil
}

// parseIdentifier implements identifier = 1*( ALPHA / DIGIT / "." / "-" / "_" )
// (strict: identifier-strict = 1*( ALPHA / DIGIT / "-" / "_" )).
func (p *exprParser) parseIdentifier(strict bool, what string) (string, error) {
	s := p.pos
	for p.pos < p.end && (isStrictIdentChar(p.src[p.pos]) || !strict && p.src[p.pos] == '.') {
		p.pos++
	}
	if p.pos == s {
		return "", p.errAt(p.pos, "expected "+article(what)+" after \""+p.sofar()+"\", found "+p.charAt(p.pos))
	}
	return p.src[s:p.pos], nil
}

// parseNamedValue implements
//
//	inputs-reference = input-name [ "#" json-pointer ]
//
// and the same shape for outputs, step outputs and workflow inputs/outputs.
func (p *exprParser) parseNamedValue(e *Expression, what string) error {
	name, err := p.parseIdentifier(false, what)
	if err != nil {
		return err
	}
	if !p.cond && p.pos < p.end && p.src[p.pos] != '#' {
		// The 1.0.1 grammar's name is any run of CHAR: "$inputs.first name"
		// names the input "first name". Outside a condition (where a space
		// ends an operand) such a name has that one reading.
		s := p.pos - len(name)
		for p.pos < p.end && isNameChar(p.src[p.pos]) {
			p.pos++
		}
		if p.pos < p.end && p.src[p.pos] != '#' {
			return p.errAt(p.pos, "invalid character "+p.charAt(p.pos)+" in "+what)
		}
		if isSpace(p.src[p.pos-1]) {
			return p.errAt(p.pos-1, what+" ends with a space")
		}
		name = p.src[s:p.pos]
	}
	e.Name = name
	if p.pos < p.end && p.src[p.pos] == '#' {
		return p.parsePointerPart(e)
	}
	return nil
}

// isNameChar reports whether c may appear in a 1.0.1 name outside the
// identifier set: any character but braces, '#' (which starts a pointer),
// '/', '[' and ']' (navigation written the JavaScript way is an error, not
// part of a name), '"', '\\' and control characters.
func isNameChar(c byte) bool {
	return c >= 0x20 && c != 0x7f && strings.IndexByte("{}#/[]\"\\", c) < 0
}

// parseSteps implements
//
//	steps-reference = step-id ".outputs." output-name [ "#" json-pointer ]
//
// and two readings of what the 1.0.1 grammar's `"$steps." name` allows: a
// step id with characters outside identifier-strict ("$steps.Search
// Stations.outputs.x": the id is everything before ".outputs"), and the
// shorthand "$steps.<id>.<name>" without ".outputs" (warned, and an error
// for the checker unless the step declares the output).
func (p *exprParser) parseSteps(e *Expression) error {
	if err := p.expect("."); err != nil {
		return err
	}
	e.Kind = KindStepOutputs
	idStart := p.pos
	if at := p.outputsAt(); at >= 0 {
		id := p.src[idStart:at]
		switch {
		case id == "":
			return p.errAt(idStart, "expected a step id after \"$steps.\", found "+p.charAt(idStart))
		case isSpace(id[0]) || isSpace(id[len(id)-1]):
			return p.errAt(idStart, "step id "+strconv.Quote(id)+" starts or ends with a space")
		case !isStrictID(id):
			p.warnings = append(p.warnings, Warning{
				Offset:  idStart,
				Rule:    "expr-step-id",
				Message: "step id " + strconv.Quote(id) + " has characters outside [A-Za-z0-9_-] (the 1.0.1 grammar allows them); read as that step",
			})
		}
		e.ID = id
		p.pos = at
		return p.parseStepOutputs(e)
	}
	id, err := p.parseIdentifier(true, "step id")
	if err != nil {
		return err
	}
	e.ID = id
	if p.pos >= p.end || p.src[p.pos] != '.' {
		return p.errAt(p.pos, "expected \".outputs.\" after step id \""+id+"\", found "+p.charAt(p.pos))
	}
	p.pos++
	nameStart := p.pos
	if err := p.parseNamedValue(e, "output name"); err != nil {
		return err
	}
	std := "$steps." + id + ".outputs." + p.src[nameStart:p.pos]
	p.warnings = append(p.warnings, Warning{
		Offset:     p.start,
		Rule:       "expr-steps-shorthand",
		Message:    "$steps." + id + "." + e.Name + " has no \".outputs.\"; read as output " + strconv.Quote(e.Name) + " of step " + strconv.Quote(id),
		Suggestion: std,
	})
	e.Text = std
	return nil
}

// parseStepOutputs reads what follows the step id at ".outputs".
func (p *exprParser) parseStepOutputs(e *Expression) error {
	id := e.ID
	if rest := p.src[p.pos:p.end]; !strings.HasPrefix(rest, ".outputs.") {
		// "$steps.<id>.outputs" names no output. It has one reading, the
		// object of all the step's outputs (the 1.0 grammar's "$steps." name
		// allows it); a pointer may follow.
		p.pos += len(".outputs")
		p.warnings = append(p.warnings, Warning{
			Offset:     p.start,
			Rule:       "expr-step-outputs",
			Message:    "$steps." + id + ".outputs names no output; it is read as the object of all the outputs of step \"" + id + "\"",
			Suggestion: "$steps." + id + ".outputs.<name>",
		})
		if p.pos < p.end && p.src[p.pos] == '#' {
			return p.parsePointerPart(e)
		}
		return nil
	}
	p.pos += len(".outputs.")
	return p.parseNamedValue(e, "output name")
}

// outputsAt finds the ".outputs" that ends the step id starting at p.pos: one
// followed by '.', '#', the end or (in a condition) an operator. It returns
// -1 when a character that no step id can hold comes first: a brace, '#',
// '"', a control character, or in a condition an operator character.
func (p *exprParser) outputsAt() int {
	for i := p.pos; i < p.end; i++ {
		c := p.src[i]
		if c == '.' && strings.HasPrefix(p.src[i:p.end], ".outputs") {
			at := i + len(".outputs")
			if at == p.end || p.src[at] == '.' || p.src[at] == '#' || p.stop(p.src[at]) {
				return i
			}
		}
		if c < 0x20 || c == 0x7f || strings.IndexByte("{}#\"\\", c) >= 0 || p.cond && c != ' ' && isCondBoundary(c) {
			return -1
		}
	}
	return -1
}

func isStrictID(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isStrictIdentChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// parseWorkflows implements
//
//	workflows-reference = workflow-id "." workflow-field "." workflow-field-name [ "#" json-pointer ]
//	workflow-field      = "inputs" / "outputs"
func (p *exprParser) parseWorkflows(e *Expression) error {
	if err := p.expect("."); err != nil {
		return err
	}
	id, err := p.parseIdentifier(true, "workflow id")
	if err != nil {
		return err
	}
	e.ID = id
	fieldStart := p.pos
	if p.pos < p.end && p.src[p.pos] == '.' {
		p.pos++
		switch p.word() {
		case "inputs":
			e.Kind = KindWorkflowInputs
		case "outputs":
			e.Kind = KindWorkflowOutputs
		}
	}
	if e.Kind == 0 && strings.HasPrefix(p.src[fieldStart:p.end], ".steps.") {
		p.pos = fieldStart + len(".steps.")
		return p.parseWorkflowSteps(e)
	}
	if e.Kind == 0 || p.pos >= p.end || p.src[p.pos] != '.' {
		return p.errAt(fieldStart, "expected \".inputs.\" or \".outputs.\" after workflow id \""+id+"\"")
	}
	p.pos++
	what := "input name"
	if e.Kind == KindWorkflowOutputs {
		what = "output name"
	}
	return p.parseNamedValue(e, what)
}

// parseWorkflowSteps reads "$workflows.<id>.steps.<stepId>.outputs.<name>"
// after the workflow id: no grammar has it, but it has one reading (the
// output of a step of another workflow), with a warning.
func (p *exprParser) parseWorkflowSteps(e *Expression) error {
	step, err := p.parseIdentifier(true, "step id")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(p.src[p.pos:p.end], ".outputs.") {
		return p.errAt(p.pos, "expected \".outputs.\" after step id \""+step+"\", found "+p.charAt(p.pos))
	}
	p.pos += len(".outputs.")
	e.Kind, e.Step = KindWorkflowStepOutputs, step
	if err := p.parseNamedValue(e, "output name"); err != nil {
		return err
	}
	p.warnings = append(p.warnings, Warning{
		Offset:     p.start,
		Rule:       "expr-workflow-steps",
		Message:    "$workflows." + e.ID + ".steps." + step + ".outputs." + e.Name + " is not a runtime expression; read as output " + strconv.Quote(e.Name) + " of step " + strconv.Quote(step) + " of workflow " + strconv.Quote(e.ID) + ", which has a value only if that workflow ran in this run",
		Suggestion: "declare it as an output of workflow " + e.ID + " and use $workflows." + e.ID + ".outputs.<name>",
	})
	return nil
}

// parseSourceReference implements
//
//	source-reference    = source-name "." source-reference-id
//	source-reference-id = 1*CHAR
func (p *exprParser) parseSourceReference(e *Expression) error {
	if err := p.expect("."); err != nil {
		return err
	}
	name, err := p.parseIdentifier(true, "source description name")
	if err != nil {
		return err
	}
	e.Kind, e.ID = KindSourceDescription, name
	if err := p.expect("."); err != nil {
		return err
	}
	e.Name, err = p.parseName("reference")
	return err
}

// parseComponents implements
//
//	components-reference = component-type "." component-name
//	component-type       = "parameters" / "successActions" / "failureActions"
//
// and also accepts "inputs" (1.0.1's looser `"$components." name`), with a warning.
func (p *exprParser) parseComponents(e *Expression, start int) error {
	if err := p.expect("."); err != nil {
		return err
	}
	typStart := p.pos
	typ := p.word()
	switch typ {
	case "parameters", "successActions", "failureActions", "inputs":
	default:
		return p.errAt(typStart, "unknown component type \""+typ+"\" (want parameters, successActions, failureActions or inputs)")
	}
	if err := p.expect("."); err != nil {
		return err
	}
	name, err := p.parseIdentifier(false, "component name")
	if err != nil {
		return err
	}
	if !p.cond && p.pos < p.end && p.src[p.pos] != '#' {
		// A key outside the pattern (the 1.0.1 grammar's name allows it).
		s := p.pos - len(name)
		for p.pos < p.end && isNameChar(p.src[p.pos]) {
			p.pos++
		}
		name = p.src[s:p.pos]
	}
	if !p.cond && p.pos < p.end {
		return p.errAt(p.pos, "invalid character "+p.charAt(p.pos)+" in component name")
	}
	e.Kind, e.ID, e.Name = KindComponent, typ, name
	if typ == "inputs" {
		p.warnings = append(p.warnings, Warning{
			Offset:     start,
			Rule:       "expr-components-inputs",
			Message:    "$components.inputs is not a runtime expression in Arazzo 1.1 (component types are parameters, successActions and failureActions); input components are referenced from a schema with $ref",
			Suggestion: "$ref: '#/components/inputs/" + name + "'",
		})
	}
	return nil
}

// article prefixes a noun with "a" or "an".
func article(what string) string {
	if what != "" && strings.IndexByte("aeiou", what[0]) >= 0 {
		return "an " + what
	}
	return "a " + what
}

// isNavMemberChar reports whether c may appear in a ".member" navigation step.
func isNavMemberChar(c byte, cond bool) bool {
	if c < 0x20 || isSpace(c) || strings.IndexByte(".[]{}'\"#", c) >= 0 {
		return false
	}
	return !cond || !isCondBoundary(c)
}

// parseNav implements
//
//	navigation = *( "." member / "[" ( index / quoted-name ) "]" )
//	index      = 1*DIGIT
//	quoted-name = "'" *( not-quote / "''" ) "'" / DQUOTE *( not-dquote / 2DQUOTE ) DQUOTE
//
// returning the steps as pointer tokens.
func parseNav(src string, pos, end int, cond bool) (pointer, int, error) {
	var p pointer
	for pos < end {
		switch src[pos] {
		case '.':
			pos++
			s := pos
			for pos < end && isNavMemberChar(src[pos], cond) {
				pos++
			}
			if pos == s {
				return nil, pos, syntaxErr(src, pos, "expected a member name after '.', found "+quoteChar(src[:end], pos))
			}
			p = append(p, newPtrToken(src[s:pos]))
		case '[':
			pos++
			switch {
			case pos < end && '0' <= src[pos] && src[pos] <= '9':
				s := pos
				for pos < end && '0' <= src[pos] && src[pos] <= '9' {
					pos++
				}
				tok := newPtrToken(src[s:pos])
				if tok.index < 0 {
					return nil, s, syntaxErr(src, s, "invalid array index "+strconv.Quote(tok.key))
				}
				p = append(p, tok)
			case pos < end && (src[pos] == '\'' || src[pos] == '"'):
				key, next, err := scanQuoted(src, pos, end)
				if err != nil {
					return nil, next, err
				}
				if i := strings.IndexAny(key, "{}"); i >= 0 {
					// A JSON pointer token has no '{' or '}' (see parsePointer), so
					// such a name has no canonical form.
					return nil, pos + 1, syntaxErr(src, pos+1, "a member name cannot hold '{' or '}' (a JSON pointer cannot name it)")
				}
				pos = next
				p = append(p, newPtrToken(key))
			default:
				return nil, pos, syntaxErr(src, pos, "expected an index or a quoted name after '[', found "+quoteChar(src[:end], pos))
			}
			if pos >= end || src[pos] != ']' {
				return nil, pos, syntaxErr(src, pos, "expected ']', found "+quoteChar(src[:end], pos))
			}
			pos++
		default:
			return p, pos, nil
		}
	}
	return p, pos, nil
}

// scanQuoted reads a string quoted with src[pos] (' or "), where a doubled
// quote stands for one quote character.
func scanQuoted(src string, pos, end int) (string, int, error) {
	q := src[pos]
	start := pos
	pos++
	var b strings.Builder
	for pos < end {
		c := src[pos]
		if c == q {
			if pos+1 < end && src[pos+1] == q {
				b.WriteByte(q)
				pos += 2
				continue
			}
			return b.String(), pos + 1, nil
		}
		b.WriteByte(c)
		pos++
	}
	return "", start, syntaxErr(src, start, "unterminated string literal")
}

// WithName returns a copy of an input or output reference (KindInputs,
// KindOutputs, KindStepOutputs, KindWorkflowInputs, KindWorkflowOutputs)
// that names another value and navigates it with pointer (RFC 6901, "" for
// none) before e's own pointer: the reading a checker chose for e
// ("$inputs.a.b" read as "$inputs.a#/b"). Nothing is parsed but the pointer.
func (e *Expression) WithName(name, pointer string) (*Expression, error) {
	var prefix string
	switch e.Kind {
	case KindInputs:
		prefix = "$inputs."
	case KindOutputs:
		prefix = "$outputs."
	case KindStepOutputs:
		prefix = "$steps." + e.ID + ".outputs."
	case KindWorkflowInputs:
		prefix = "$workflows." + e.ID + ".inputs."
	case KindWorkflowOutputs:
		prefix = "$workflows." + e.ID + ".outputs."
	default:
		return nil, errors.New("expr: WithName applies to input and output references, not " + e.Kind.String())
	}
	full := pointer
	if e.HasPointer {
		full += e.Pointer
	}
	ptr, end, err := parsePointer(full, 0, len(full), nil)
	if err != nil {
		return nil, err
	}
	if end != len(full) {
		return nil, syntaxErr(full, end, "invalid JSON pointer")
	}
	out := &Expression{Kind: e.Kind, ID: e.ID, Name: name, Offset: e.Offset, Text: prefix + name, ptr: ptr, warnings: e.warnings}
	if full != "" || e.HasPointer {
		out.Pointer, out.HasPointer = full, true
		out.Text += "#" + full
	}
	return out, nil
}
