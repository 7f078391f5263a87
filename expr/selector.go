package expr

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// SelectorSpec is the source of an Arazzo 1.1 Selector Object: a context
// runtime expression, a selector, and the selector's type.
type SelectorSpec struct {
	// Context is the runtime expression that yields the data to select from.
	Context string
	// Selector is a JSONPath query, a JSON Pointer or an XPath expression.
	Selector string
	// Type is "jsonpath", "jsonpointer" or "xpath" (the Expression Type
	// Object's type when the object form is used).
	Type string
	// Version is the Expression Type Object version, "" for the default.
	Version string
}

// Selector is a compiled Selector Object (Arazzo 1.1 §4.6.13). It is
// immutable and safe for concurrent use.
//
// What a selector evaluates to, where the specification is silent:
//
//   - jsonpath: a singular query (RFC 9535 §2.3.5.1: name and index
//     selectors only) yields the one value it selects, and is an error when
//     it selects nothing; any other query yields the array of every value it
//     selects, possibly empty.
//   - jsonpointer: the value the pointer designates (RFC 6901); an error
//     when there is none.
//   - xpath: a node-set of one node yields that node's string value, of
//     several the array of their string values, of none an error; a string,
//     number or boolean result is returned as it is (numbers that are whole
//     as integers).
//
// For jsonpath and jsonpointer, a context that is a string holding JSON text
// (a body served without a JSON media type) is parsed first. For xpath the
// context must be XML text.
type Selector struct {
	spec SelectorSpec
	ctx  *Expression
	jp   *jsonPathQuery
	ptr  pointer
	xp   *xpathQuery
}

// CompileSelector compiles a Selector Object. Errors are *FieldError values
// whose Field is "context", "selector" or "type".
func CompileSelector(spec SelectorSpec) (*Selector, error) {
	s := &Selector{spec: spec}
	ctx, err := Parse(spec.Context)
	if err != nil {
		return nil, &FieldError{Field: "context", Err: err}
	}
	s.ctx = ctx
	switch spec.Type {
	case "jsonpath":
		if spec.Version == versionGoessner {
			return nil, &FieldError{Field: "type", Err: &SyntaxError{Input: spec.Version, Msg: "a selector needs RFC 9535 JSONPath; " + versionGoessner + " only reads comparisons"}}
		}
		jp, _, err := compileJSONPath(spec.Selector, "")
		if err != nil {
			return nil, &FieldError{Field: "selector", Err: err}
		}
		if jp.path == nil {
			return nil, &FieldError{Field: "selector", Err: &SyntaxError{Input: spec.Selector, Msg: "a selector must be a JSONPath query (RFC 9535), not a comparison"}}
		}
		s.jp = jp
	case "jsonpointer", "rfc6901":
		src := strings.TrimPrefix(spec.Selector, "#")
		p, end, err := parsePointer(src, 0, len(src), nil)
		if err != nil {
			return nil, &FieldError{Field: "selector", Err: err}
		}
		if end != len(src) {
			return nil, &FieldError{Field: "selector", Err: syntaxErr(src, end, "invalid JSON pointer: unexpected "+quoteChar(src, end))}
		}
		s.ptr = p
	case "xpath":
		xp, err := compileXPath(spec.Selector)
		if err != nil {
			return nil, &FieldError{Field: "selector", Err: err}
		}
		s.xp = xp
	default:
		return nil, &FieldError{Field: "type", Err: &SyntaxError{Input: spec.Type, Msg: "selector type must be jsonpath, jsonpointer or xpath, got " + strconv.Quote(spec.Type)}}
	}
	return s, nil
}

// Context returns the compiled context expression.
func (s *Selector) Context() *Expression { return s.ctx }

// String returns the selector as written.
func (s *Selector) String() string { return s.spec.Selector }

// Type returns "jsonpath", "jsonpointer" or "xpath".
func (s *Selector) Type() string {
	if s.ptr != nil || s.spec.Type == "rfc6901" {
		return "jsonpointer"
	}
	return s.spec.Type
}

// Eval resolves the context and applies the selector to it. The result is a
// fresh tree the caller may mutate.
func (s *Selector) Eval(r Resolver) (any, error) {
	v, err := s.ctx.Eval(r)
	if err != nil {
		return nil, err
	}
	switch {
	case s.jp != nil:
		v = parseJSONText(v)
		if s.jp.path.Query().Singular() != nil {
			nodes := s.jp.path.Select(v)
			if len(nodes) == 0 {
				return nil, &EvalError{Expr: s.spec.Selector, Msg: "no such value: jsonpath " + s.spec.Selector + " selected no node in " + s.ctx.Text, Err: ErrMissing}
			}
			return deepCopy(nodes[0]), nil
		}
		out := []any{}
		for n := range s.jp.path.Select(v).All() {
			out = append(out, deepCopy(n))
		}
		return out, nil
	case s.xp != nil:
		return s.evalXPath(v)
	}
	v = parseJSONText(v)
	x, failed := s.ptr.resolve(v)
	if failed >= 0 {
		return nil, &EvalError{Expr: s.spec.Selector, Msg: "no such value: " + s.ptr.describe(v, failed) + " of " + s.ctx.Text, Err: ErrMissing}
	}
	return deepCopy(x), nil
}

// parseJSONText returns the JSON value a string or []byte holds, or v itself.
func parseJSONText(v any) any {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return v
	}
	t := bytes.TrimSpace(b)
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return v
	}
	d := json.NewDecoder(bytes.NewReader(t))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil || d.More() {
		return v
	}
	return out
}

func (s *Selector) evalXPath(v any) (any, error) {
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case []byte:
		text = string(x)
	default:
		return nil, &EvalError{Expr: s.ctx.Text, Msg: "an xpath selector needs XML text as context, got " + typeName(v)}
	}
	doc, err := xmlquery.Parse(strings.NewReader(text))
	if err != nil {
		return nil, &EvalError{Expr: s.ctx.Text, Msg: "the context is not well-formed XML: " + err.Error(), Err: err}
	}
	e := s.xp.expr()
	defer s.xp.pool.Put(e)
	switch r := e.Evaluate(xmlquery.CreateXPathNavigator(doc)).(type) {
	case bool:
		return r, nil
	case float64:
		if r == math.Trunc(r) && math.Abs(r) < 1<<53 {
			return int64(r), nil
		}
		return r, nil
	case string:
		return r, nil
	case *xpath.NodeIterator:
		var vals []any
		for r.MoveNext() {
			vals = append(vals, r.Current().Value())
		}
		switch len(vals) {
		case 0:
			return nil, &EvalError{Expr: s.spec.Selector, Msg: "no such value: xpath " + s.spec.Selector + " selected no node in " + s.ctx.Text, Err: ErrMissing}
		case 1:
			return vals[0], nil
		}
		return vals, nil
	}
	return nil, &EvalError{Expr: s.spec.Selector, Msg: "xpath " + s.spec.Selector + " returned an unsupported result"}
}

// Rewrite returns the selector with its context replaced by f(context) (see
// Value.Rewrite); s itself when it does not change.
func (s *Selector) Rewrite(f func(*Expression) *Expression) *Selector {
	ctx := f(s.ctx)
	if ctx == s.ctx {
		return s
	}
	out := *s
	out.ctx = ctx
	return &out
}
