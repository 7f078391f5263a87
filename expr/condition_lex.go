package expr

import (
	"strconv"
	"strings"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tNot
	tAnd
	tOr
	tEq
	tNe
	tLt
	tLe
	tGt
	tGe
	tLiteral
	tOperand
)

var opText = [...]string{tEq: "==", tNe: "!=", tLt: "<", tLe: "<=", tGt: ">", tGe: ">="}

func (k tokKind) isComparison() bool { return k >= tEq && k <= tGe }

type token struct {
	kind     tokKind
	off, end int
	lit      cval     // tLiteral
	dquoted  bool     // tLiteral: a double-quoted string (compatibility)
	operand  *operand // tOperand
}

// operand is a runtime expression inside a condition, with optional
// navigation into its value:
//
//	operand = expression *( "." member / "[" index "]" / "[" quoted-name "]" )
type operand struct {
	expr *Expression
	nav  pointer
	text string
	// length is set when the navigation ended in ".length" (a compatibility
	// reading, see lengthOf); nav then stops before it.
	length bool
}

// lexer splits src[pos:end] into condition tokens.
type lexer struct {
	src      string
	pos, end int
	toks     []token
	warnings []Warning
}

func (l *lexer) errAt(off int, msg string) error { return syntaxErr(l.src, off, msg) }

func (l *lexer) charAt(i int) string {
	if i >= l.end {
		return "end of input"
	}
	return quoteChar(l.src, i)
}

// lex tokenizes the whole range.
func (l *lexer) lex() error {
	for {
		for l.pos < l.end && isSpace(l.src[l.pos]) {
			l.pos++
		}
		if l.pos >= l.end {
			l.toks = append(l.toks, token{kind: tEOF, off: l.end, end: l.end})
			return nil
		}
		t, err := l.next()
		if err != nil {
			return err
		}
		l.toks = append(l.toks, t)
	}
}

func (l *lexer) peekIs(c byte) bool { return l.pos+1 < l.end && l.src[l.pos+1] == c }

func (l *lexer) next() (token, error) {
	s := l.pos
	c := l.src[s]
	op := func(k tokKind, n int) (token, error) {
		l.pos += n
		return token{kind: k, off: s, end: l.pos}, nil
	}
	switch c {
	case '(':
		return op(tLParen, 1)
	case ')':
		return op(tRParen, 1)
	case '!':
		if l.peekIs('=') {
			return op(tNe, 2)
		}
		return op(tNot, 1)
	case '&':
		if l.peekIs('&') {
			return op(tAnd, 2)
		}
		return token{}, fixErr(l.src, s, s+1, "&&", "unexpected '&' (did you mean '&&'?)")
	case '|':
		if l.peekIs('|') {
			return op(tOr, 2)
		}
		return token{}, fixErr(l.src, s, s+1, "||", "unexpected '|' (did you mean '||'?)")
	case '=':
		if l.peekIs('=') {
			return op(tEq, 2)
		}
		return token{}, fixErr(l.src, s, s+1, "==", "unexpected '=' (did you mean '=='?)")
	case '<':
		if l.peekIs('=') {
			return op(tLe, 2)
		}
		return op(tLt, 1)
	case '>':
		if l.peekIs('=') {
			return op(tGe, 2)
		}
		return op(tGt, 1)
	case '\'':
		return l.singleQuoted()
	case '"':
		return l.doubleQuoted()
	case '$':
		return l.operand()
	}
	switch {
	case c == '-' || '0' <= c && c <= '9':
		return l.number()
	case isLetter(c):
		return l.keyword()
	}
	return token{}, l.errAt(s, "unexpected character "+l.charAt(s))
}

// singleQuoted implements string-literal = "'" *( not-quote / "”" ) "'".
func (l *lexer) singleQuoted() (token, error) {
	s := l.pos
	str, next, err := scanQuoted(l.src, l.pos, l.end)
	if err != nil {
		return token{}, err
	}
	l.pos = next
	return token{kind: tLiteral, off: s, end: next, lit: stringVal(str)}, nil
}

// doubleQuoted reads a compatibility double-quoted string with RFC 8259
// backslash escapes.
func (l *lexer) doubleQuoted() (token, error) {
	s := l.pos
	i := s + 1
	escaped := false
	for i < l.end {
		switch l.src[i] {
		case '"':
			str := l.src[s+1 : i]
			if escaped {
				str = unescapeChars(str)
			}
			l.pos = i + 1
			return token{kind: tLiteral, off: s, end: l.pos, lit: stringVal(str), dquoted: true}, nil
		case '\\':
			n, ok := escapeLen(l.src[i:l.end])
			if !ok {
				return token{}, l.errAt(i, "invalid escape sequence in string literal")
			}
			escaped = true
			i += n
		default:
			i++
		}
	}
	return token{}, l.errAt(s, "unterminated string literal")
}

// number reads a JSON number literal.
func (l *lexer) number() (token, error) {
	s := l.pos
	i := s
	for i < l.end && (isLetter(l.src[i]) || '0' <= l.src[i] && l.src[i] <= '9' ||
		strings.IndexByte(".+-", l.src[i]) >= 0) {
		i++
	}
	text := l.src[s:i]
	n, ok := parseNumber(text)
	if !ok {
		if text == "-" {
			return token{}, l.errAt(s, "unexpected '-' (negative numbers are written -1; there is no subtraction)")
		}
		return token{}, l.errAt(s, "invalid number literal "+strconv.Quote(text))
	}
	l.pos = i
	return token{kind: tLiteral, off: s, end: i, lit: cval{k: cNum, n: n}}, nil
}

// keyword reads true, false or null.
func (l *lexer) keyword() (token, error) {
	s := l.pos
	i := s
	for i < l.end && (isLetter(l.src[i]) || '0' <= l.src[i] && l.src[i] <= '9' || l.src[i] == '_') {
		i++
	}
	w := l.src[s:i]
	var v cval
	switch w {
	case "true":
		v = cval{k: cBool, b: true}
	case "false":
		v = cval{k: cBool}
	case "null":
		v = cval{k: cNull}
	default:
		msg := "unexpected word " + strconv.Quote(w)
		var fix string
		switch lw := strings.ToLower(w); lw {
		case "true", "false", "null":
			fix, msg = lw, msg+" (did you mean "+lw+"?)"
		case "and", "or", "not":
			fix = map[string]string{"and": "&&", "or": "||", "not": "!"}[lw]
			msg += " (did you mean '" + fix + "'?)"
		default:
			msg += " (string literals need single quotes: '" + w + "')"
			return token{}, l.errAt(s, msg)
		}
		return token{}, fixErr(l.src, s, i, fix, msg)
	}
	l.pos = i
	return token{kind: tLiteral, off: s, end: i, lit: v}, nil
}

// operand reads a runtime expression followed by optional navigation. The
// expression ends at whitespace or an operator character; a '.' or '['
// directly after a value-producing expression without JSON pointer starts
// navigation into the value.
func (l *lexer) operand() (token, error) {
	s := l.pos
	p := exprParser{src: l.src, pos: s, end: l.end, cond: true}
	e, err := p.parseExpression()
	if err != nil {
		return token{}, err
	}
	l.warnings = append(l.warnings, e.warnings...)
	i := p.pos
	var nav pointer
	if i < l.end && (l.src[i] == '.' || l.src[i] == '[') {
		if !e.Kind.navigable() || e.HasPointer {
			return token{}, l.errAt(i, "unexpected "+l.charAt(i)+" after "+e.Text)
		}
		nav, i, err = parseNav(l.src, i, l.end, true)
		if err != nil {
			return token{}, err
		}
	}
	if i < l.end && !isCondBoundary(l.src[i]) {
		return token{}, l.errAt(i, "unexpected "+l.charAt(i)+" after "+l.src[s:i])
	}
	l.pos = i
	op := &operand{expr: e, nav: nav, text: l.src[s:i]}
	if n := len(nav); n > 0 && nav[n-1].key == "length" && strings.HasSuffix(op.text, ".length") {
		// "$response.body.items.length": JavaScript's length, which simple
		// conditions do not have; one reading (lengthOf), with a warning.
		op.nav, op.length = nav[:n-1], true
		base := strings.TrimSuffix(op.text, ".length")
		l.warnings = append(l.warnings, Warning{
			Offset:     i - len(".length"),
			Rule:       "condition-length",
			Message:    "simple conditions have no .length; " + op.text + " is read as the number of elements of the array (or characters of the string) at " + base,
			Suggestion: "a jsonpath criterion with context " + e.Text + " and the function length(" + jsonPathOf(op.nav) + ")",
		})
	}
	return token{kind: tOperand, off: s, end: i, operand: op}, nil
}

// describe renders a token for error messages.
func (t token) describe(src string) string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tOperand:
		return t.operand.text
	case tLiteral:
		return src[t.off:t.end]
	}
	return "'" + src[t.off:t.end] + "'"
}

// jsonPathOf writes navigation as an RFC 9535 singular query from the root.
func jsonPathOf(nav pointer) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, t := range nav {
		switch {
		case t.index >= 0:
			b.WriteString("[" + strconv.Itoa(t.index) + "]")
		case isPlainMember(t.key):
			b.WriteString("." + t.key)
		default:
			b.WriteString("[" + rfcLiteral(cval{k: cStr, s: t.key}, "") + "]")
		}
	}
	return b.String()
}

// isPlainMember reports whether a member name can follow a dot in RFC 9535.
func isPlainMember(k string) bool {
	for i, c := range k {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return k != ""
}
