package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Value is a compiled Arazzo "Any | {expression}" field value (parameter
// values, request body payloads, replacement values). It is immutable and
// safe for concurrent use. Each string inside it is one of:
//
//   - exactly one runtime expression ("$inputs.order"): evaluates to the
//     referenced value, keeping its type;
//   - a template with embedded "{$...}" expressions: evaluates to a string;
//   - anything else: literal text, including strings that merely look like
//     expressions ("$.items[*]").
type Value struct {
	root     vnode
	refs     []*Expression
	warnings []Warning
}

type vkind uint8

const (
	vLiteral vkind = iota
	vExpr
	vTemplate
	vMap
	vSlice
)

type vnode struct {
	kind  vkind
	path  string
	lit   any // vLiteral: a scalar or a structure without expressions
	expr  *Expression
	tmpl  *Template
	keys  []string // vMap, sorted
	elems []vnode  // vMap values (parallel to keys) or vSlice items
}

// CompileValue compiles a YAML/JSON-decoded tree: nil, bool, string, int,
// int64, float64, json.Number (other Go integer and float types too),
// []any and map[string]any. Errors are *FieldError values whose Field is the
// JSON pointer of the offending string.
func CompileValue(v any) (*Value, error) {
	c := &Value{}
	n, err := c.compile(v, "")
	if err != nil {
		return nil, err
	}
	c.root = n
	return c, nil
}

func (c *Value) compile(v any, path string) (vnode, error) {
	switch x := v.(type) {
	case string:
		return c.compileString(x, path)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		n := vnode{kind: vMap, path: path, keys: keys, elems: make([]vnode, len(keys))}
		literal := true
		for i, k := range keys {
			e, err := c.compile(x[k], path+"/"+escapePtrToken(k))
			if err != nil {
				return vnode{}, err
			}
			n.elems[i] = e
			literal = literal && e.kind == vLiteral
		}
		if literal {
			return vnode{kind: vLiteral, path: path, lit: x}, nil
		}
		return n, nil
	case []any:
		n := vnode{kind: vSlice, path: path, elems: make([]vnode, len(x))}
		literal := true
		for i, item := range x {
			e, err := c.compile(item, path+"/"+strconv.Itoa(i))
			if err != nil {
				return vnode{}, err
			}
			n.elems[i] = e
			literal = literal && e.kind == vLiteral
		}
		if literal {
			return vnode{kind: vLiteral, path: path, lit: x}, nil
		}
		return n, nil
	case nil, bool, json.Number:
		return vnode{kind: vLiteral, path: path, lit: v}, nil
	}
	if _, ok := toNumber(v); ok {
		return vnode{kind: vLiteral, path: path, lit: v}, nil
	}
	return vnode{}, &FieldError{Field: path, Err: fmt.Errorf("unsupported value type %T", v)}
}

func (c *Value) compileString(s, path string) (vnode, error) {
	if strings.HasPrefix(s, "$") {
		e, err := Parse(s)
		if err == nil {
			c.refs = append(c.refs, e)
			c.warnings = append(c.warnings, withField(path, e.Warnings())...)
			return vnode{kind: vExpr, path: path, expr: e}, nil
		}
		var se *SyntaxError
		if looksLikeExpression(s) && errors.As(err, &se) {
			c.warnings = append(c.warnings, Warning{
				Offset:  se.Offset,
				Rule:    "value-not-expression",
				Message: "string starts like a runtime expression but is not one (" + se.Msg + "); it is used as literal text",
				Field:   path,
			})
		}
	}
	if hasPlaceholder(s) {
		t, err := ParseTemplate(s)
		if err != nil {
			return vnode{}, &FieldError{Field: path, Err: err}
		}
		c.refs = append(c.refs, t.refs...)
		c.warnings = append(c.warnings, withField(path, t.Warnings())...)
		return vnode{kind: vTemplate, path: path, tmpl: t}, nil
	}
	return vnode{kind: vLiteral, path: path, lit: s}, nil
}

// looksLikeExpression reports whether s starts with a runtime expression
// root ("$inputs.", "$statusCode", ...).
func looksLikeExpression(s string) bool {
	i := 1
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	return slices.Contains(roots, s[1:i]) && (i == len(s) || s[i] == '.' || s[i] == '#' || isSpace(s[i]))
}

// Refs lists every expression inside the value in document order (object
// members in key order, since decoded maps carry no order).
func (c *Value) Refs() []*Expression { return append([]*Expression(nil), c.refs...) }

// IsLiteral reports whether the value contains no expression.
func (c *Value) IsLiteral() bool { return len(c.refs) == 0 }

// Warnings lists compatibility readings and strings that look like, but are
// not, runtime expressions. Field is the JSON pointer of the string.
func (c *Value) Warnings() []Warning { return append([]Warning(nil), c.warnings...) }

// Eval evaluates the value and returns a fresh tree: maps and slices are
// new, including those copied out of resolved values, so the caller may
// mutate the result. Errors are wrapped in a *FieldError locating the string
// inside the value (unless it is the root).
func (c *Value) Eval(r Resolver) (any, error) {
	return c.root.eval(r)
}

func (n *vnode) eval(r Resolver) (any, error) {
	switch n.kind {
	case vExpr:
		v, err := n.expr.Eval(r)
		if err != nil {
			return nil, n.locate(err)
		}
		return deepCopy(v), nil
	case vTemplate:
		s, err := n.tmpl.Eval(r)
		if err != nil {
			return nil, n.locate(err)
		}
		return s, nil
	case vMap:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := n.elems[i].eval(r)
			if err != nil {
				if n.elems[i].omittable(r, err) {
					continue
				}
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case vSlice:
		s := make([]any, len(n.elems))
		for i := range n.elems {
			v, err := n.elems[i].eval(r)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	}
	return deepCopy(n.lit), nil
}

// Omitter is implemented by resolvers whose absent values may be left out of
// the object that holds them: an object member whose value is exactly one such
// expression is omitted instead of failing the evaluation (an optional input
// the caller did not give, say).
type Omitter interface {
	Omittable(e *Expression) bool
}

// omittable reports whether a member that failed with err may be left out.
func (n *vnode) omittable(r Resolver, err error) bool {
	o, ok := r.(Omitter)
	return ok && n.kind == vExpr && errors.Is(err, ErrMissing) && o.Omittable(n.expr)
}

// Omittable reports whether the value, whose evaluation failed with err, may
// be left out of the object that holds it: it is exactly one expression whose
// absent value r (an Omitter) says may be omitted.
func (c *Value) Omittable(r Resolver, err error) bool { return c.root.omittable(r, err) }

// Expr returns the expression when the whole value is exactly one runtime
// expression, else nil.
func (c *Value) Expr() *Expression {
	if c.root.kind == vExpr {
		return c.root.expr
	}
	return nil
}

func (n *vnode) locate(err error) error {
	if n.path == "" {
		return err
	}
	return &FieldError{Field: n.path, Err: err}
}
