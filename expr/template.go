package expr

import (
	"slices"
	"strings"
)

// Template is a string with embedded "{$...}" runtime expressions
// (Arazzo 1.1 expression-string). It is immutable and safe for concurrent use.
//
// A '{' opens an embedded expression only when it is followed by '$' and an
// ASCII letter; the expression then ends at the next '}'. Every other '{' or
// '}' is literal text, so JSON text and OpenAPI path templates ("/pets/{id}")
// pass through untouched.
type Template struct {
	src      string
	parts    []tmplPart
	refs     []*Expression
	warnings []Warning
	litLen   int
}

type tmplPart struct {
	lit  string
	expr *Expression
}

// ParseTemplate parses s as an expression-string:
//
//	expression-string   = *( literal-char / embedded-expression )
//	embedded-expression = "{" expression "}"
func ParseTemplate(s string) (*Template, error) {
	t := &Template{src: s}
	litStart, i := 0, 0
	for {
		j := strings.Index(s[i:], "{$")
		if j < 0 {
			break
		}
		j += i
		if j+2 >= len(s) || !isLetter(s[j+2]) {
			i = j + 1
			continue
		}
		end := strings.IndexByte(s[j+2:], '}')
		if end < 0 {
			return nil, syntaxErr(s, j, "unterminated embedded expression: missing '}'")
		}
		end += j + 2
		p := exprParser{src: s, pos: j + 1, end: end}
		e, err := p.parseExpression()
		if err != nil {
			return nil, err
		}
		if j > litStart {
			t.parts = append(t.parts, tmplPart{lit: s[litStart:j]})
			t.litLen += j - litStart
		}
		t.parts = append(t.parts, tmplPart{expr: e})
		t.refs = append(t.refs, e)
		t.warnings = append(t.warnings, e.warnings...)
		litStart, i = end+1, end+1
	}
	if litStart < len(s) {
		t.parts = append(t.parts, tmplPart{lit: s[litStart:]})
		t.litLen += len(s) - litStart
	}
	return t, nil
}

// String returns the template source.
func (t *Template) String() string { return t.src }

// Refs lists the embedded expressions in order.
func (t *Template) Refs() []*Expression { return append([]*Expression(nil), t.refs...) }

// IsLiteral reports whether the template embeds no expression.
func (t *Template) IsLiteral() bool { return len(t.refs) == 0 }

// Warnings lists compatibility readings applied to embedded expressions.
func (t *Template) Warnings() []Warning { return append([]Warning(nil), t.warnings...) }

// Eval substitutes every embedded expression, converted to text by the
// Arazzo 1.1 rules (see the package documentation), and returns the string.
func (t *Template) Eval(r Resolver) (string, error) {
	if len(t.refs) == 0 {
		return t.src, nil
	}
	buf := make([]byte, 0, t.litLen+16*len(t.refs))
	for _, p := range t.parts {
		if p.expr == nil {
			buf = append(buf, p.lit...)
			continue
		}
		v, err := p.expr.Eval(r)
		if err != nil {
			return "", err
		}
		if buf, err = appendText(buf, v); err != nil {
			return "", &EvalError{Expr: p.expr.Text, Msg: "cannot convert the value to text: " + err.Error(), Err: err}
		}
	}
	return string(buf), nil
}

// hasPlaceholder reports whether s contains an embedded-expression opener.
func hasPlaceholder(s string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], "{$")
		if j < 0 {
			return false
		}
		j += i
		if j+2 < len(s) && isLetter(s[j+2]) {
			return true
		}
		i = j + 1
	}
}

// Rewrite returns the template with every embedded expression e replaced by
// f(e) (see Value.Rewrite); t itself when nothing changes.
func (t *Template) Rewrite(f func(*Expression) *Expression) *Template {
	out := *t
	out.parts = slices.Clone(t.parts)
	out.refs = out.refs[:0:0]
	changed := false
	for i, p := range out.parts {
		if p.expr == nil {
			continue
		}
		e := f(p.expr)
		changed = changed || e != p.expr
		out.parts[i].expr = e
		out.refs = append(out.refs, e)
	}
	if !changed {
		return t
	}
	return &out
}
