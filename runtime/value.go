package runtime

import (
	"sort"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
)

// valueExpr is a compiled field value (a parameter value, a payload, a
// replacement value, an output). Most are an expr.Value; in an Arazzo 1.1
// document any part of them may be a Selector Object (§4.6.13), which selects
// from structured data instead of being data itself.
//
// The embedded expr.Value always holds the whole value as written, so Refs
// lists every runtime expression, the contexts of selectors included.
type valueExpr struct {
	*expr.Value
	sel   *expr.Selector
	keys  []string
	elems []*valueExpr // members (parallel to keys) or items, when the tree holds a selector
	isMap bool
	tree  bool // evaluate node by node: some part is a selector
}

// Eval evaluates the value against r.
func (v *valueExpr) Eval(r expr.Resolver) (any, error) {
	switch {
	case v.sel != nil:
		return v.sel.Eval(r)
	case !v.tree:
		return v.Value.Eval(r)
	case v.isMap:
		out := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			x, err := v.elems[i].Eval(r)
			if err != nil {
				if v.elems[i].omittable(r, err) {
					continue
				}
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	out := make([]any, len(v.elems))
	for i, e := range v.elems {
		x, err := e.Eval(r)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// omittable reports whether a member that failed with err may be left out of
// its object (expr.Omitter).
func (v *valueExpr) omittable(r expr.Resolver, err error) bool {
	return v.sel == nil && !v.tree && v.Value != nil && v.Value.Omittable(r, err)
}

// selectorSpec recognises a Selector Object inside a free-form value, as the
// validator does: an object with a string selector and a string context. Its
// type is a string or an Expression Type Object {type, version}.
func selectorSpec(m map[string]any) (expr.SelectorSpec, bool) {
	sel, ok1 := m["selector"].(string)
	ctx, ok2 := m["context"].(string)
	if !ok1 || !ok2 {
		return expr.SelectorSpec{}, false
	}
	spec := expr.SelectorSpec{Context: ctx, Selector: sel}
	switch t := m["type"].(type) {
	case string:
		spec.Type = t
	case map[string]any:
		spec.Type, _ = t["type"].(string)
		spec.Version, _ = t["version"].(string)
	}
	return spec, true
}

// hasSelector reports whether a value tree holds a Selector Object.
func hasSelector(v any, depth int) bool {
	if depth > 64 {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if _, ok := selectorSpec(x); ok {
			return true
		}
		for _, e := range x {
			if hasSelector(e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasSelector(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// compileValue compiles a value, reporting a syntax error at the position of
// the offending string.
func (c *compiler) compileValue(doc *arazzo.Document, v *arazzo.Value, path string) *valueExpr {
	if v == nil {
		return nil
	}
	whole, err := expr.CompileValue(v.V)
	if err != nil {
		c.valueError(doc, v, "", path, err)
		return nil
	}
	if doc.Version() == "1.0" || !hasSelector(v.V, 0) {
		return &valueExpr{Value: whole}
	}
	out, ok := c.selectorTree(doc, v, v.V, "", path, 0)
	if !ok {
		return nil
	}
	out.Value = whole
	return out
}

func (c *compiler) selectorTree(doc *arazzo.Document, root *arazzo.Value, v any, ptr, path string, depth int) (*valueExpr, bool) {
	if !hasSelector(v, depth) {
		cv, err := expr.CompileValue(v)
		if err != nil {
			c.valueError(doc, root, ptr, path, err)
			return nil, false
		}
		return &valueExpr{Value: cv}, true
	}
	switch x := v.(type) {
	case map[string]any:
		if spec, ok := selectorSpec(x); ok {
			s, err := expr.CompileSelector(spec)
			if err != nil {
				c.valueError(doc, root, ptr, path, err)
				return nil, false
			}
			return &valueExpr{sel: s}, true
		}
		out := &valueExpr{isMap: true, tree: true}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			tok := strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
			e, ok := c.selectorTree(doc, root, x[k], ptr+"/"+tok, path+"."+k, depth+1)
			if !ok {
				return nil, false
			}
			out.keys = append(out.keys, k)
			out.elems = append(out.elems, e)
		}
		return out, true
	case []any:
		out := &valueExpr{tree: true}
		for i, item := range x {
			e, ok := c.selectorTree(doc, root, item, ptr+"/"+strconv.Itoa(i), path+"["+strconv.Itoa(i)+"]", depth+1)
			if !ok {
				return nil, false
			}
			out.elems = append(out.elems, e)
		}
		return out, true
	}
	return nil, false // unreachable: hasSelector holds only for maps and slices
}

// valueError reports a compile error of a value at the position of the part at fault.
func (c *compiler) valueError(doc *arazzo.Document, root *arazzo.Value, ptr, path string, err error) {
	pos := root.PosAt(ptr)
	if fe, ok := err.(*expr.FieldError); ok && fe.Field != "" {
		p := ptr + fe.Field
		if !strings.HasPrefix(fe.Field, "/") {
			p = ptr + "/" + fe.Field
		}
		pos = root.PosAt(p)
	}
	c.errorf(doc, pos, path, RuleExpression, "%v", err)
}
