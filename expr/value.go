package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/internal/suggest"
)

// Value is a compiled Arazzo "Any | {expression}" field value (parameter
// values, request body payloads, replacement values, outputs). It is
// immutable and safe for concurrent use. Each string inside it is one of:
//
//   - exactly one runtime expression ("$inputs.order"): evaluates to the
//     referenced value, keeping its type;
//   - a template with embedded "{$...}" expressions: evaluates to a string;
//   - a string meant as a runtime expression that does not parse: an error
//     (it starts with "$" and an expression root such as "$inputs." or
//     "$steps.", or a misspelling of one such as "$input."); it is never used
//     as literal text;
//   - "$$" followed by such a string: the literal text without the first
//     "$" ("$$inputs.id" is the text "$inputs.id");
//   - anything else: literal text, including strings that start with "$" but
//     no expression root ("$.items[*]", "$5", "$ref").
//
// With WithSelectors, an object with a string selector, a string context and
// a type is an Arazzo 1.1 Selector Object, which selects from the value of
// its context instead of being data.
type Value struct {
	root     vnode
	refs     []*Expression
	warnings []Warning
	parts    []Part
	err      error
}

// Part is one string or Selector Object of a value that holds runtime
// expressions.
type Part struct {
	// Pointer locates the part inside the value (JSON pointer, "" for the
	// value itself).
	Pointer string
	// Exprs are the part's expressions in order: the one a string is, those
	// a template embeds, or a selector's context.
	Exprs []*Expression
	// Template is set for a string with embedded expressions.
	Template bool
	// Selector is set for a Selector Object.
	Selector *Selector
}

type vkind uint8

const (
	vLiteral vkind = iota
	vExpr
	vTemplate
	vMap
	vSlice
	vSelector
	vError
)

type vnode struct {
	kind vkind
	path string
	lit  any // vLiteral: a scalar or a structure without expressions
	expr *Expression
	tmpl *Template
	sel  *Selector
	err  error // vError
	// escaped marks a literal string written with the "$$" escape: the
	// structure holding it cannot be used as written.
	escaped bool
	keys    []string // vMap, sorted
	elems   []vnode  // vMap values (parallel to keys) or vSlice items
}

// ValueOption configures CompileValue.
type ValueOption func(*valueConfig)

type valueConfig struct {
	selectors bool
}

// WithSelectors makes CompileValue read Arazzo 1.1 Selector Objects: an
// object whose selector and context are strings and that has a type (a
// string, or an Expression Type Object).
func WithSelectors() ValueOption { return func(c *valueConfig) { c.selectors = true } }

// ValueError lists every string (or Selector Object) of a value that does
// not compile, each as a *FieldError whose Field is its JSON pointer.
type ValueError struct {
	Errs []*FieldError
}

func (e *ValueError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, fe := range e.Errs {
		msgs[i] = fe.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap returns the field errors, so that errors.As finds the first.
func (e *ValueError) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, fe := range e.Errs {
		out[i] = fe
	}
	return out
}

// CompileValue compiles a YAML/JSON-decoded tree: nil, bool, string, int,
// int64, float64, json.Number (other Go integer and float types too),
// []any and map[string]any. Every string is compiled, also after an error:
// the error is a *ValueError listing each string that does not compile.
// The value returned with an error still lists the parts that compiled
// (Parts, Refs, Warnings), for checking, but evaluating it returns the error.
func CompileValue(v any, opts ...ValueOption) (*Value, error) {
	var cfg valueConfig
	for _, o := range opts {
		o(&cfg)
	}
	c := &Value{}
	var errs []*FieldError
	c.root = c.compile(v, "", cfg, &errs, 0)
	if len(errs) > 0 {
		c.err = &ValueError{Errs: errs}
		return c, c.err
	}
	return c, nil
}

// maxValueDepth bounds the nesting CompileValue follows.
const maxValueDepth = 512

func (c *Value) compile(v any, path string, cfg valueConfig, errs *[]*FieldError, depth int) vnode {
	fail := func(err error) vnode {
		fe := &FieldError{Field: path, Err: err}
		*errs = append(*errs, fe)
		return vnode{kind: vError, path: path, err: fe}
	}
	if depth > maxValueDepth {
		return fail(errors.New("value nests too deeply"))
	}
	switch x := v.(type) {
	case string:
		n, err := c.compileString(x, path)
		if err != nil {
			return fail(err)
		}
		return n
	case map[string]any:
		if cfg.selectors {
			if spec, ok := selectorShape(x); ok {
				s, err := CompileSelector(spec)
				if err != nil {
					var fe *FieldError
					if !errors.As(err, &fe) {
						return fail(err)
					}
					first := &FieldError{Field: path + "/" + fe.Field, Err: fe.Err}
					*errs = append(*errs, first)
					if fe.Field == "context" {
						// Report the selector's own problems too.
						spec.Context = defaultContext
						if _, err := CompileSelector(spec); errors.As(err, &fe) {
							*errs = append(*errs, &FieldError{Field: path + "/" + fe.Field, Err: fe.Err})
						}
					}
					return vnode{kind: vError, path: path, err: first}
				}
				c.refs = append(c.refs, s.ctx)
				c.warnings = append(c.warnings, withField(path+"/context", s.ctx.Warnings())...)
				c.parts = append(c.parts, Part{Pointer: path, Exprs: []*Expression{s.ctx}, Selector: s})
				return vnode{kind: vSelector, path: path, sel: s}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		n := vnode{kind: vMap, path: path, keys: keys, elems: make([]vnode, len(keys))}
		literal := true
		for i, k := range keys {
			n.elems[i] = c.compile(x[k], path+"/"+escapePtrToken(k), cfg, errs, depth+1)
			literal = literal && n.elems[i].kind == vLiteral && !n.elems[i].escaped
		}
		if literal {
			return vnode{kind: vLiteral, path: path, lit: x}
		}
		n.escaped = slices.ContainsFunc(n.elems, func(e vnode) bool { return e.escaped })
		return n
	case []any:
		n := vnode{kind: vSlice, path: path, elems: make([]vnode, len(x))}
		literal := true
		for i, item := range x {
			n.elems[i] = c.compile(item, path+"/"+strconv.Itoa(i), cfg, errs, depth+1)
			literal = literal && n.elems[i].kind == vLiteral && !n.elems[i].escaped
		}
		if literal {
			return vnode{kind: vLiteral, path: path, lit: x}
		}
		n.escaped = slices.ContainsFunc(n.elems, func(e vnode) bool { return e.escaped })
		return n
	case nil, bool, json.Number:
		return vnode{kind: vLiteral, path: path, lit: v}
	}
	if _, ok := toNumber(v); ok {
		return vnode{kind: vLiteral, path: path, lit: v}
	}
	return fail(fmt.Errorf("unsupported value type %T", v))
}

// selectorShape recognises a Selector Object: a string selector, a string
// context, and a type that is a string or an Expression Type Object.
func selectorShape(m map[string]any) (SelectorSpec, bool) {
	sel, ok1 := m["selector"].(string)
	ctx, ok2 := m["context"].(string)
	if !ok1 || !ok2 {
		return SelectorSpec{}, false
	}
	spec := SelectorSpec{Context: ctx, Selector: sel}
	switch t := m["type"].(type) {
	case string:
		spec.Type = t
	case map[string]any:
		spec.Type, _ = t["type"].(string)
		spec.Version, _ = t["version"].(string)
	default:
		return SelectorSpec{}, false
	}
	return spec, true
}

func (c *Value) compileString(s, path string) (vnode, error) {
	if strings.HasPrefix(s, "$") {
		if rest := s[1:]; strings.HasPrefix(rest, "$") && looksLikeExpression(rest) {
			// "$$inputs.id": the escape for literal text that would be an expression.
			return vnode{kind: vLiteral, path: path, lit: rest, escaped: true}, nil
		}
		e, err := Parse(s)
		if err == nil {
			c.refs = append(c.refs, e)
			c.warnings = append(c.warnings, withField(path, e.Warnings())...)
			c.parts = append(c.parts, Part{Pointer: path, Exprs: []*Expression{e}})
			return vnode{kind: vExpr, path: path, expr: e}, nil
		}
		if looksLikeExpression(s) {
			return vnode{}, err
		}
	}
	if hasPlaceholder(s) {
		t, err := ParseTemplate(s)
		if err != nil {
			return vnode{}, err
		}
		c.refs = append(c.refs, t.refs...)
		c.warnings = append(c.warnings, withField(path, t.Warnings())...)
		c.parts = append(c.parts, Part{Pointer: path, Exprs: t.Refs(), Template: true})
		return vnode{kind: vTemplate, path: path, tmpl: t}, nil
	}
	return vnode{kind: vLiteral, path: path, lit: s}, nil
}

// LooksLikeExpression reports whether s is meant as a runtime expression:
// it starts with "$" and an expression root ("$inputs", "$statusCode", ...)
// or a misspelling of one ("$input", "$Steps"), followed by '.', '#' or the
// end. Such a string that does not parse is an error, never literal text.
func LooksLikeExpression(s string) bool { return looksLikeExpression(s) }

func looksLikeExpression(s string) bool {
	if !strings.HasPrefix(s, "$") {
		return false
	}
	i := 1
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	if i < len(s) && s[i] != '.' && s[i] != '#' {
		return false
	}
	word := s[1:i]
	return slices.Contains(roots, word) || closestRoot(word) != ""
}

// closestRoot returns the expression root a misspelt one was probably meant
// as ("input" → "inputs", "statuscode" → "statusCode"), or "".
func closestRoot(word string) string {
	for _, r := range roots {
		if strings.EqualFold(r, word) {
			return r
		}
	}
	if len(word) < 4 {
		return ""
	}
	return suggest.Closest(word, roots)
}

// ExpressionValue is the value that is exactly the expression e, parsed
// elsewhere: it evaluates to what e refers to, keeping its type.
func ExpressionValue(e *Expression) *Value {
	return &Value{root: vnode{kind: vExpr, expr: e}, refs: []*Expression{e}, parts: []Part{{Exprs: []*Expression{e}}}}
}

// Refs lists every expression inside the value in document order (object
// members in key order, since decoded maps carry no order).
func (c *Value) Refs() []*Expression { return append([]*Expression(nil), c.refs...) }

// Parts lists the strings and Selector Objects of the value that hold
// expressions, in the order of Refs.
func (c *Value) Parts() []Part { return append([]Part(nil), c.parts...) }

// AllParts yields each of Parts, without a copy of the list.
func (c *Value) AllParts() iter.Seq[Part] { return slices.Values(c.parts) }

// IsLiteral reports whether the value contains no expression.
func (c *Value) IsLiteral() bool { return len(c.refs) == 0 }

// Err returns the compile error of the value, nil when it compiled.
func (c *Value) Err() error { return c.err }

// Warnings lists the compatibility readings applied. Field is the JSON
// pointer of the string.
func (c *Value) Warnings() []Warning { return append([]Warning(nil), c.warnings...) }

// Eval evaluates the value and returns a fresh tree: maps and slices are
// new, including those copied out of resolved values, so the caller may
// mutate the result. Errors are wrapped in a *FieldError locating the string
// inside the value (unless it is the root).
func (c *Value) Eval(r Resolver) (any, error) {
	if c.err != nil {
		return nil, c.err
	}
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
	case vSelector:
		v, err := n.sel.Eval(r)
		if err != nil {
			return nil, n.locate(err)
		}
		return v, nil
	case vError:
		return nil, n.err
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

// Template returns the template when the whole value is a string with
// embedded expressions, else nil.
func (c *Value) Template() *Template {
	if c.root.kind == vTemplate {
		return c.root.tmpl
	}
	return nil
}

func (n *vnode) locate(err error) error {
	if n.path == "" {
		return err
	}
	return &FieldError{Field: n.path, Err: err}
}

// Rewrite returns the value with every expression e replaced by f(e), for
// the readings a checker decides (f returns e itself to keep it). Nothing is
// parsed again; when f changes nothing, c itself is returned.
func (c *Value) Rewrite(f func(*Expression) *Expression) *Value {
	if !rewrites(c.refs, f) {
		return c
	}
	out := &Value{warnings: c.warnings, err: c.err}
	out.root = out.rewrite(c.root, f)
	return out
}

// rewrites reports whether f replaces any of refs.
func rewrites(refs []*Expression, f func(*Expression) *Expression) bool {
	return slices.ContainsFunc(refs, func(e *Expression) bool { return f(e) != e })
}

func (c *Value) rewrite(n vnode, f func(*Expression) *Expression) vnode {
	switch n.kind {
	case vExpr:
		n.expr = f(n.expr)
		c.refs = append(c.refs, n.expr)
		c.parts = append(c.parts, Part{Pointer: n.path, Exprs: []*Expression{n.expr}})
	case vTemplate:
		n.tmpl = n.tmpl.Rewrite(f)
		c.refs = append(c.refs, n.tmpl.refs...)
		c.parts = append(c.parts, Part{Pointer: n.path, Exprs: n.tmpl.Refs(), Template: true})
	case vSelector:
		n.sel = n.sel.Rewrite(f)
		c.refs = append(c.refs, n.sel.ctx)
		c.parts = append(c.parts, Part{Pointer: n.path, Exprs: []*Expression{n.sel.ctx}, Selector: n.sel})
	case vMap, vSlice:
		elems := make([]vnode, len(n.elems))
		for i := range n.elems {
			elems[i] = c.rewrite(n.elems[i], f)
		}
		n.elems = elems
	}
	return n
}
