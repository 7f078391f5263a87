package expr

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"
)

const versionGoessner = "draft-goessner-dispatch-jsonpath-00"

// jsonPathParser parses RFC 9535 queries with the standard function
// extensions. jsonpath.Parse builds a new function registry on every call,
// a third of the cost of compiling a short query; this parser is built once,
// is never changed and is safe for concurrent use.
var jsonPathParser = sync.OnceValue(func() *jsonpath.Parser { return jsonpath.NewParser() })

// jsonPathQuery is a compiled jsonpath condition: either an RFC 9535 query
// (passes iff its nodelist is non-empty) or the Goessner compatibility
// reading "PATH OP LITERAL".
type jsonPathQuery struct {
	src    string
	path   *jsonpath.Path
	compat *goessnerCmp
}

// goessnerCmp is the compatibility reading of a Goessner-style comparison
// such as "$.items.length > 0": select PATH (RFC 9535, with a trailing
// ".length" read as the length of the selected value), then compare the
// single selected value with the literal by the simple-condition rules.
type goessnerCmp struct {
	pathText string // PATH as written, including ".length"
	baseText string // PATH without ".length"
	base     *jsonpath.Path
	length   bool
	op       tokKind
	lit      cval
	litText  string
}

// compileJSONPath compiles a jsonpath condition. RFC 9535 is tried first
// (unless version selects Goessner); a condition that is not RFC 9535 but
// has the Goessner shape PATH OP LITERAL gets the compatibility reading and
// a "jsonpath-goessner" warning.
func compileJSONPath(src, version string) (*jsonPathQuery, []Warning, error) {
	if version == versionGoessner {
		if g := parseGoessner(src); g != nil {
			return &jsonPathQuery{src: src, compat: g}, []Warning{g.warning()}, nil
		}
	}
	p, err := jsonPathParser().Parse(src)
	if err == nil {
		return &jsonPathQuery{src: src, path: p}, rootFilterWarnings(src, p), nil
	}
	if g := parseGoessner(src); g != nil {
		return &jsonPathQuery{src: src, compat: g}, []Warning{g.warning()}, nil
	}
	return nil, nil, jsonPathSyntaxError(src, err)
}

// jsonPathSyntaxError converts the library's error ("jsonpath: <msg> at
// position N", N 1-based) into a *SyntaxError with a byte offset.
func jsonPathSyntaxError(src string, err error) *SyntaxError {
	msg := strings.TrimPrefix(err.Error(), "jsonpath: ")
	off := len(src)
	if i := strings.LastIndex(msg, " at position "); i >= 0 {
		if n, e := strconv.Atoi(msg[i+len(" at position "):]); e == nil {
			off, msg = n-1, msg[:i]
		}
	} else if i := strings.LastIndex(msg, " at "); i >= 0 {
		if n, e := strconv.Atoi(msg[i+len(" at "):]); e == nil {
			off, msg = n, msg[:i]
		}
	}
	off = min(max(off, 0), len(src))
	return syntaxErr(src, off, "invalid JSONPath (RFC 9535): "+msg)
}

// parseGoessner recognises PATH OP LITERAL, where OP is a comparison outside
// brackets, parentheses and quotes, LITERAL a simple-condition literal and
// PATH an RFC 9535 query optionally followed by ".length". It returns nil
// when src does not have that shape.
func parseGoessner(src string) *goessnerCmp {
	i, opLen, op := findTopLevelComparison(src)
	if i < 0 {
		return nil
	}
	l := lexer{src: src, pos: i + opLen, end: len(src)}
	if l.lex() != nil || len(l.toks) != 2 || l.toks[0].kind != tLiteral {
		return nil
	}
	g := &goessnerCmp{pathText: strings.TrimSpace(src[:i]), op: op, lit: l.toks[0].lit,
		litText: src[l.toks[0].off:l.toks[0].end]}
	g.baseText = g.pathText
	if b, ok := strings.CutSuffix(g.pathText, ".length"); ok {
		g.baseText, g.length = b, true
	}
	if !strings.HasPrefix(g.baseText, "$") {
		return nil
	}
	p, err := jsonPathParser().Parse(g.baseText)
	if err != nil {
		return nil
	}
	g.base = p
	return g
}

// findTopLevelComparison finds the first comparison operator outside
// brackets, parentheses and string literals.
func findTopLevelComparison(s string) (int, int, tokKind) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '=', '!', '<', '>':
			if depth != 0 {
				continue
			}
			two := i+1 < len(s) && s[i+1] == '='
			switch {
			case c == '=' && two:
				return i, 2, tEq
			case c == '!' && two:
				return i, 2, tNe
			case c == '<' && two:
				return i, 2, tLe
			case c == '>' && two:
				return i, 2, tGe
			case c == '<':
				return i, 1, tLt
			case c == '>':
				return i, 1, tGt
			}
		}
	}
	return -1, 0, 0
}

func (g *goessnerCmp) warning() Warning {
	msg := "not an RFC 9535 query; read as the Goessner-style comparison " + strconv.Quote(g.pathText+" "+opText[g.op]+" "+g.litText) +
		" (select the value, then compare it)"
	if g.length {
		msg += "; \".length\" is the length of the selected array or string"
	}
	if g.lit.k == cStr {
		msg += "; note that RFC 9535 compares strings case-sensitively"
	}
	if g.length && g.op == tGt && g.litText == "0" {
		msg += "; for a non-empty array, " + g.baseText + "[0] also works"
	}
	return Warning{Offset: 0, Rule: "jsonpath-goessner", Message: msg, Suggestion: g.suggestion()}
}

// suggestion builds an RFC 9535 query that passes (selects a node) exactly
// when the comparison holds: a filter on the root whose test uses absolute
// queries ($...), so it does not depend on which child it is applied to.
// Returns "" when no such query can be written (non-singular PATH).
func (g *goessnerCmp) suggestion() string {
	arg := g.baseText
	if g.length {
		arg = "length(" + g.baseText + ")"
	}
	test := arg + " " + opText[g.op] + " " + rfcLiteral(g.lit, g.litText)
	if g.op == tNe {
		// Nothing != x is true in RFC 9535: require the value to exist.
		test = g.baseText + " && " + test
	}
	s := "$[?" + test + "]"
	if _, err := jsonPathParser().Parse(s); err != nil {
		return ""
	}
	return s
}

// rfcLiteral renders a literal in RFC 9535 syntax.
func rfcLiteral(v cval, text string) string {
	if v.k != cStr {
		return text
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range v.s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// rootFilterWarnings flags a filter selector applied directly at the root
// whose test uses "@.member": RFC 9535 applies it to each child of the root,
// so "$[?count(@.pets) > 0]" selects nothing on {"pets": [...]}.
func rootFilterWarnings(src string, p *jsonpath.Path) []Warning {
	segs := p.Query().Segments()
	if len(segs) == 0 || segs[0].IsDescendant() {
		return nil
	}
	for _, sel := range segs[0].Selectors() {
		fs, ok := sel.(*spec.FilterSelector)
		if !ok || !refersToCurrentMember(fs.String()) {
			continue
		}
		msg := "a filter at the root tests each child of the root value, not the root itself: on an object such as {\"pets\": [...]}, @ is each member value, so @.pets selects nothing. To test the root, use $ inside the filter"
		if strings.Contains(fs.String(), "count(") {
			msg += "; count() counts nodes, not array elements: for a non-empty array select an element, e.g. $.pets[0]"
		}
		return []Warning{{
			Offset:     max(strings.IndexByte(src, '?'), 0),
			Rule:       "jsonpath-root-filter",
			Message:    msg + " (ignore this if the context is an array)",
			Suggestion: rootFilterSuggestion(src, segs),
		}}
	}
	return nil
}

// refersToCurrentMember reports whether a filter's canonical text contains
// "@." or "@[" outside string literals.
func refersToCurrentMember(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '@':
			if i+1 < len(s) && (s[i+1] == '.' || s[i+1] == '[') {
				return true
			}
		}
	}
	return false
}

// rootFilterSuggestion rewrites a single root filter to test the root: every
// "@" outside strings becomes "$". It gives up ("") on nested filters, where
// an inner "@" means something else.
func rootFilterSuggestion(src string, segs []*spec.Segment) string {
	if len(segs) != 1 || len(segs[0].Selectors()) != 1 {
		return ""
	}
	var b strings.Builder
	filters := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\'', '"':
			j := i + 1
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			j = min(j, len(src)-1)
			b.WriteString(src[i : j+1])
			i = j
			continue
		case '?':
			filters++
		case '@':
			b.WriteByte('$')
			continue
		}
		b.WriteByte(src[i])
	}
	s := b.String()
	if filters != 1 {
		return ""
	}
	if _, err := jsonPathParser().Parse(s); err != nil {
		return ""
	}
	return s
}

// selected counts the nodes the query selects; it gives up when done closes
// (see Stopper).
func (q *jsonPathQuery) selected(v any, done <-chan struct{}) (int, error) {
	return stoppable(done, true, "jsonpath "+q.src, func() int { return len(q.path.Select(v)) })
}

func (q *jsonPathQuery) match(v any, done <-chan struct{}) (bool, error) {
	if q.compat != nil {
		return stoppableResult(done, "jsonpath "+q.src, func() (bool, error) { return q.compat.eval(v) })
	}
	n, err := q.selected(v, done)
	return n > 0, err
}

func (q *jsonPathQuery) explain(v any, done <-chan struct{}) verdict {
	if q.compat != nil {
		vd, err := stoppable(done, true, "jsonpath "+q.src, func() verdict { return q.compat.explain(v) })
		if err != nil {
			return errVerdict(err)
		}
		return vd
	}
	n, err := q.selected(v, done)
	if err != nil {
		return errVerdict(err)
	}
	switch n {
	case 0:
		return verdict{reason: "jsonpath " + q.src + " selected no node"}
	case 1:
		return verdict{pass: true, reason: "jsonpath " + q.src + " selected 1 node"}
	}
	return verdict{pass: true, reason: "jsonpath " + q.src + " selected " + strconv.Itoa(n) + " nodes"}
}

// value selects the single value the comparison applies to.
func (g *goessnerCmp) value(v any) (any, error) {
	nodes := g.base.Select(v)
	switch len(nodes) {
	case 0:
		return nil, &EvalError{Expr: g.pathText, Msg: "no such value: jsonpath " + g.baseText + " selected no node", Err: ErrMissing}
	case 1:
	default:
		return nil, &EvalError{Expr: g.pathText, Msg: "jsonpath " + g.baseText + " selected " + strconv.Itoa(len(nodes)) + " nodes; a comparison needs exactly one"}
	}
	x := nodes[0]
	if !g.length {
		return x, nil
	}
	return lengthOf(x, g.pathText, g.baseText)
}

// lengthOf is the reading of a trailing ".length" (JavaScript's, in Goessner
// JSONPath and in simple conditions): the number of elements of an array, of
// characters of a string, or an object's own "length" member. expr and at name
// the operand and the value's place for the error.
func lengthOf(x any, expr, at string) (any, error) {
	switch t := x.(type) {
	case []any:
		return len(t), nil
	case string:
		return utf8.RuneCountInString(t), nil
	case map[string]any:
		if m, ok := t["length"]; ok {
			return m, nil
		}
		return nil, &EvalError{Expr: expr, Msg: "no such value: the object at " + at + " has no member \"length\"", Err: ErrMissing}
	}
	return nil, &EvalError{Expr: expr, Msg: "the " + typeName(x) + " at " + at + " has no length"}
}

func (g *goessnerCmp) eval(v any) (bool, error) {
	x, err := g.value(v)
	if err != nil {
		return false, err
	}
	a := classify(x)
	res, ok := compare(g.op, a, g.lit)
	if !ok {
		return false, &EvalError{Expr: g.pathText + " " + opText[g.op] + " " + g.litText, Msg: incompatibleMsg(g.op, a, g.lit)}
	}
	return res, nil
}

func (g *goessnerCmp) explain(v any) verdict {
	ok, err := g.eval(v)
	if err != nil {
		return errVerdict(err)
	}
	x, _ := g.value(v)
	seen := g.pathText + " is " + describeValue(x) + ", "
	if ok {
		return verdict{pass: true, reason: seen + opText[g.op] + " " + g.litText + " holds"}
	}
	return verdict{reason: seen + "expected " + opText[g.op] + " " + g.litText}
}
