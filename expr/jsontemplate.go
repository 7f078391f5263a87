package expr

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Sentinels stand for embedded expressions while a JSON text template is
// parsed: private-use characters, which a payload does not hold.
const (
	sentinelOpen  = '\uE000'
	sentinelClose = '\uE001'
)

// JSONValue reads the template as JSON text with embedded expressions, the
// way a request body payload written as a string ('{"name": "{$inputs.name}"}')
// is meant when its content type is JSON. The result is a Value holding the
// parsed JSON: an expression embedded inside a JSON string is substituted as
// text into that string (so quotes and backslashes in the value are escaped
// when the value is encoded), and one standing where a JSON value goes
// ({"age": {$inputs.age}}) is that value, with its type. Nothing is parsed
// again: the Value holds the template's own expressions.
//
// The error says where the text is not JSON (an offset into the template).
func (t *Template) JSONValue() (*Value, error) {
	var b strings.Builder
	var segs []segment
	inString, escaped := false, false
	bare := map[int]bool{} // expression index → written where a JSON value goes
	n, src := 0, 0
	for _, p := range t.parts {
		if p.expr == nil {
			if strings.ContainsRune(p.lit, sentinelOpen) || strings.ContainsRune(p.lit, sentinelClose) {
				return nil, syntaxErr(t.src, src, "the JSON text holds the private-use characters U+E000/U+E001, which cannot be used with embedded expressions")
			}
			for i := 0; i < len(p.lit); i++ {
				c := p.lit[i]
				switch {
				case escaped:
					escaped = false
				case inString && c == '\\':
					escaped = true
				case c == '"':
					inString = !inString
				}
			}
			segs = append(segs, segment{text: b.Len(), src: src, lit: true})
			b.WriteString(p.lit)
			src += len(p.lit)
			continue
		}
		open := p.expr.Offset - 1 // the '{'
		segs = append(segs, segment{text: b.Len(), src: open})
		if !inString {
			bare[n] = true
			b.WriteByte('"')
		}
		b.WriteRune(sentinelOpen)
		b.WriteString(strconv.Itoa(n))
		b.WriteRune(sentinelClose)
		if !inString {
			b.WriteByte('"')
		}
		src = open + strings.IndexByte(t.src[open:], '}') + 1
		n++
	}
	text := b.String()
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var tree any
	err := d.Decode(&tree)
	if err == nil && d.More() {
		err = errors.New("unexpected text after the JSON value")
	}
	if err != nil {
		off := len(text) // unexpected EOF
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			off = int(se.Offset) - 1 // the offset is after the byte at fault
		case !errors.Is(err, io.ErrUnexpectedEOF):
			off = int(d.InputOffset())
		}
		at := srcOffset(segs, off, len(t.src))
		if off == len(text) {
			at = len(t.src)
		}
		return nil, syntaxErr(t.src, at, "not JSON text (embedded expressions aside): "+err.Error())
	}
	v := &Value{}
	v.root = v.jsonNode(tree, "", t, bare)
	if errs := nodeErrors(v.root); len(errs) > 0 {
		v.err = &ValueError{Errs: errs}
		return v, v.err
	}
	return v, nil
}

// segment maps a stretch of the sentinel text back to the template.
type segment struct {
	text, src int
	lit       bool // literal text (offsets map one to one); else an expression
}

func srcOffset(segs []segment, off, limit int) int {
	for i := len(segs) - 1; i >= 0; i-- {
		if s := segs[i]; off >= s.text {
			if s.lit {
				return min(s.src+off-s.text, limit)
			}
			return s.src
		}
	}
	return 0
}

// nodeErrors collects the error nodes of a tree.
func nodeErrors(n vnode) []*FieldError {
	var out []*FieldError
	if n.kind == vError {
		var fe *FieldError
		if errors.As(n.err, &fe) {
			out = append(out, fe)
		}
	}
	for _, e := range n.elems {
		out = append(out, nodeErrors(e)...)
	}
	return out
}

// jsonNode turns the decoded tree back into value nodes, with the template's
// expressions where the sentinels are.
func (c *Value) jsonNode(x any, path string, t *Template, bare map[int]bool) vnode {
	switch v := x.(type) {
	case string:
		if !strings.ContainsRune(v, sentinelOpen) {
			return vnode{kind: vLiteral, path: path, lit: v}
		}
		parts, whole := t.splitSentinels(v)
		if whole >= 0 && bare[whole] {
			e := t.refs[whole]
			c.refs = append(c.refs, e)
			c.parts = append(c.parts, Part{Pointer: path, Exprs: []*Expression{e}})
			return vnode{kind: vExpr, path: path, expr: e}
		}
		sub := &Template{src: t.src, parts: parts}
		for _, p := range parts {
			if p.expr != nil {
				sub.refs = append(sub.refs, p.expr)
			} else {
				sub.litLen += len(p.lit)
			}
		}
		c.refs = append(c.refs, sub.refs...)
		c.parts = append(c.parts, Part{Pointer: path, Exprs: sub.Refs(), Template: true})
		return vnode{kind: vTemplate, path: path, tmpl: sub}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			if strings.ContainsRune(k, sentinelOpen) {
				return vnode{kind: vError, path: path, err: &FieldError{Field: path, Err: errors.New("an embedded expression cannot be a member name of a JSON payload")}}
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		n := vnode{kind: vMap, path: path, keys: keys, elems: make([]vnode, len(keys))}
		literal := true
		for i, k := range keys {
			n.elems[i] = c.jsonNode(v[k], path+"/"+escapePtrToken(k), t, bare)
			literal = literal && n.elems[i].kind == vLiteral
		}
		if literal {
			return vnode{kind: vLiteral, path: path, lit: v}
		}
		return n
	case []any:
		n := vnode{kind: vSlice, path: path, elems: make([]vnode, len(v))}
		literal := true
		for i, item := range v {
			n.elems[i] = c.jsonNode(item, path+"/"+strconv.Itoa(i), t, bare)
			literal = literal && n.elems[i].kind == vLiteral
		}
		if literal {
			return vnode{kind: vLiteral, path: path, lit: v}
		}
		return n
	}
	return vnode{kind: vLiteral, path: path, lit: x}
}

// splitSentinels splits a decoded string at its sentinels. whole is the
// expression index when the string is exactly one sentinel, else -1.
func (t *Template) splitSentinels(s string) ([]tmplPart, int) {
	var parts []tmplPart
	whole := -1
	for s != "" {
		i := strings.IndexRune(s, sentinelOpen)
		if i < 0 {
			parts = append(parts, tmplPart{lit: s})
			break
		}
		if i > 0 {
			parts = append(parts, tmplPart{lit: s[:i]})
		}
		rest := s[i+len(string(sentinelOpen)):]
		j := strings.IndexRune(rest, sentinelClose)
		n, _ := strconv.Atoi(rest[:j])
		parts = append(parts, tmplPart{expr: t.refs[n]})
		if len(parts) == 1 && j+len(string(sentinelClose)) == len(rest) {
			whole = n
		}
		s = rest[j+len(string(sentinelClose)):]
	}
	if len(parts) != 1 {
		whole = -1
	}
	return parts, whole
}

// IsJSONText reports whether s is meant as JSON text: it starts with '{' or
// '[' once leading white space is removed.
func IsJSONText(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n")
	return s != "" && (s[0] == '{' || s[0] == '[')
}
