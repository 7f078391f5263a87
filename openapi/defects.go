package openapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// Defect is a problem of one part of a description that otherwise loads: a
// $ref that does not resolve, a path parameter an operation does not declare,
// a schema that does not validate. Where is the part ("components.schemas.Pet",
// "paths./pets/{id}.get"); Location, Line and Col say where it is written.
type Defect struct {
	Location  string
	Line, Col int
	Where     string
	Msg       string
}

func (d Defect) Error() string {
	var b strings.Builder
	b.WriteString(d.Location)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, d.Col)
	}
	b.WriteString(": ")
	if d.Where != "" {
		b.WriteString(d.Where + ": ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// danglingRefs finds the local $refs ("#/...") of a description that point at
// nothing, and returns the document with each of them disabled (the "$ref"
// key renamed to the extension "x-rf", of the same length, so that every
// other position stays where it was) and a defect for each. A part holding a
// dangling $ref loads as an empty object; the operations that need it are
// marked (markDanglingRefs). It returns nil data when there is none.
func danglingRefs(u *url.URL, data []byte) ([]byte, []danglingRef) {
	tree, err := parseTree(u, data)
	if err != nil || tree == nil {
		return nil, nil
	}
	var found []danglingRef
	var walk func(n *yaml.Node, path []string, depth int)
	walk = func(n *yaml.Node, path []string, depth int) {
		if n == nil || depth > 256 {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "$ref" && v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Value, "#") {
					if resolveNode(tree, v.Value[1:]) == nil {
						found = append(found, danglingRef{key: k, ref: v.Value, path: append([]string(nil), path...)})
					}
					continue
				}
				walk(v, append(path, k.Value), depth+1)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, append(path, strconv.Itoa(i)), depth+1)
			}
		}
	}
	walk(tree, nil, 0)
	if len(found) == 0 {
		return nil, nil
	}
	lines := lineStarts(data)
	patched := bytes.Clone(data)
	for _, d := range found {
		if d.key.Line < 1 || d.key.Line > len(lines) {
			return nil, nil
		}
		start := lines[d.key.Line-1]
		end := len(data)
		if d.key.Line < len(lines) {
			end = lines[d.key.Line]
		}
		i := bytes.Index(data[start:end], []byte("$ref"))
		if i < 0 {
			return nil, nil // cannot disable it in place
		}
		copy(patched[start+i:], "x-rf")
	}
	return patched, found
}

// danglingRef is a $ref that points at nothing.
type danglingRef struct {
	key  *yaml.Node
	ref  string
	path []string // the object holding the $ref
}

func (d danglingRef) defect(loc string) Defect {
	return Defect{Location: loc, Line: d.key.Line, Col: d.key.Column, Where: dotted(d.path),
		Msg: fmt.Sprintf("$ref %q does not resolve: the description has nothing there", d.ref)}
}

// dotted renders a path inside a description: paths./pets.get.parameters[0].
func dotted(path []string) string {
	var b strings.Builder
	for i, p := range path {
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// resolveNode follows a JSON pointer (RFC 6901, URI fragment form) in a tree.
func resolveNode(n *yaml.Node, ptr string) *yaml.Node {
	if p, err := url.PathUnescape(ptr); err == nil {
		ptr = p
	}
	if ptr == "" {
		return n
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		switch {
		case n == nil:
			return nil
		case n.Kind == yaml.MappingNode:
			_, n = lookupKey(n, tok)
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return n
}

// markDanglingRefs gives each operation whose request needs a dangling $ref
// (through its parameters, its path item's, or its request body, following
// local $refs) the defect. Responses are not requests: a dangling $ref there
// is a defect of the description only.
func (d *Document) markDanglingRefs(tree *yaml.Node, refs []danglingRef) {
	byPath := map[string]danglingRef{}
	for _, r := range refs {
		byPath["/"+strings.Join(escapeAll(r.path), "/")] = r
	}
	for _, op := range d.operations {
		var roots []string
		for _, part := range []string{"parameters", "requestBody"} {
			roots = append(roots, op.Pointer+"/"+part)
		}
		roots = append(roots, strings.TrimSuffix(op.Pointer, "/"+strings.ToLower(op.Method))+"/parameters")
		if r, ok := reachesDangling(tree, roots, byPath); ok {
			op.Defects = append(op.Defects, r.defect(d.URL))
		}
	}
}

func escapeAll(path []string) []string {
	out := make([]string, len(path))
	for i, p := range path {
		out[i] = escapePointerToken(p)
	}
	return out
}

// reachesDangling walks the parts at roots and the local $refs they hold,
// transitively, and reports the first dangling $ref met.
func reachesDangling(tree *yaml.Node, roots []string, dangling map[string]danglingRef) (danglingRef, bool) {
	seen := map[string]bool{}
	todo := append([]string(nil), roots...)
	for len(todo) > 0 {
		ptr := todo[0]
		todo = todo[1:]
		if seen[ptr] || len(seen) > 10_000 {
			continue
		}
		seen[ptr] = true
		n := resolveNode(tree, ptr)
		if n == nil {
			continue
		}
		var found *danglingRef
		var walk func(n *yaml.Node, ptr string, depth int)
		walk = func(n *yaml.Node, ptr string, depth int) {
			if n == nil || found != nil || depth > 256 {
				return
			}
			if r, ok := dangling[ptr]; ok {
				found = &r
				return
			}
			switch n.Kind {
			case yaml.MappingNode:
				for i := 0; i+1 < len(n.Content); i += 2 {
					k, v := n.Content[i], n.Content[i+1]
					if (k.Value == "$ref" || k.Value == "x-rf") && v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Value, "#") {
						todo = append(todo, v.Value[1:])
						continue
					}
					walk(v, ptr+"/"+escapePointerToken(k.Value), depth+1)
				}
			case yaml.SequenceNode:
				for i, c := range n.Content {
					walk(c, ptr+"/"+strconv.Itoa(i), depth+1)
				}
			}
		}
		walk(n, ptr, 0)
		if found != nil {
			return *found, true
		}
	}
	return danglingRef{}, false
}

// validationDefects turns what kin-openapi's validation found (every
// problem, in multi-error mode) into defects, each at its place and, when it
// is in an operation, given to that operation.
func (d *Document) validationDefects(r *reader, u *url.URL, tree *yaml.Node, errs []error) {
	for _, err := range errs {
		le := r.loadError(u, tree, err).(*LoadError)
		def := Defect{Location: le.Location, Line: le.Line, Col: le.Col, Msg: le.Msg}
		if d.disabledAt(def) {
			continue // what a disabled $ref left behind (an empty object): reported as that $ref
		}
		var ops []*Operation
		var pv *openapi3.PathValidationError
		var ov *openapi3.OperationValidationError
		var cv *openapi3.ComponentValidationError
		switch {
		case errors.As(err, &pv):
			def.Where = "paths." + pv.Path
			for _, op := range d.operations {
				if op.Path == pv.Path && (!errors.As(err, &ov) || strings.EqualFold(op.Method, ov.Method)) {
					ops = append(ops, op)
				}
			}
			if errors.As(err, &ov) {
				def.Where += "." + strings.ToLower(ov.Method)
			}
		case errors.As(err, &cv):
			def.Where = "components." + componentSection(cv.Section) + "." + cv.Name
		default:
			// "operation GET /a/{id} must define exactly all path parameters":
			// kin-openapi names the operation only in its message.
			for _, m := range opInMessage.FindAllStringSubmatch(err.Error(), -1) {
				for _, op := range d.operations {
					if op.Method == m[1] && op.Path == m[2] {
						ops = append(ops, op)
					}
				}
			}
		}
		d.Defects = append(d.Defects, def)
		for _, op := range ops {
			op.Defects = append(op.Defects, def)
		}
	}
}

// disabledAt reports whether a defect is where a dangling $ref was disabled.
func (d *Document) disabledAt(def Defect) bool {
	for _, x := range d.Defects {
		if x.Location == def.Location && x.Line == def.Line && x.Line > 0 && strings.HasPrefix(x.Msg, "$ref ") {
			return true
		}
	}
	return false
}

var opInMessage = regexp.MustCompile(`\b([A-Z]+) (/[^\s"]*)`)

// leaves lists the problems of a validation error: the leaves of a
// multi-error, each wrapped in its context.
func leaves(err error) []error {
	if me, ok := err.(openapi3.MultiError); ok {
		var out []error
		for _, e := range me {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}
