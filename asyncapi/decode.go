package asyncapi

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/internal/yamlblock"
)

// file is one file of a description: the document or one a $ref brought in.
type file struct {
	u     *url.URL
	key   string // u as a string, the identity of the file
	name  string // for positions
	root  *yaml.Node
	value any // the whole file as a JSON-compatible value, made on first use
	made  bool
	// where maps each node to its pointer, made on first use (see locate).
	where map[*yaml.Node]string
}

// ref is a node and where it is: its file and its JSON pointer there.
type ref struct {
	f   *file
	n   *yaml.Node
	ptr string
}

func (r ref) pos() Pos { return Pos{File: r.f.name, Line: r.n.Line, Col: r.n.Column} }
func (r ref) loc() string {
	return r.f.key + "#" + r.ptr
}

// loader holds the state of one Load.
type loader struct {
	ctx     context.Context
	cfg     loadConfig
	files   map[string]*file
	entry   *file
	errs    []Problem
	warns   []Problem
	readErr error
	nodes   int
	major   int
	// objs are the objects decoded so far, by canonical location (file#pointer),
	// so that every reference to one object yields the same value.
	objs map[string]any
	doc  *Document
}

func newLoader(ctx context.Context, cfg loadConfig) *loader {
	return &loader{ctx: ctx, cfg: cfg, files: map[string]*file{}, objs: map[string]any{}}
}

func (l *loader) errorf(r ref, format string, args ...any) {
	l.errs = append(l.errs, Problem{Pos: r.pos(), Path: r.ptr, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) warnf(r ref, format string, args ...any) {
	l.warns = append(l.warns, Problem{Pos: r.pos(), Path: r.ptr, Msg: fmt.Sprintf(format, args...)})
}

// addFile parses the data of the file at u.
func (l *loader) addFile(u *url.URL, data []byte, at Pos) *file {
	f := &file{u: u, key: u.String(), name: display(u)}
	root, pos, err := parseYAML(data, l.cfg.limits.MaxDepth)
	if err != nil {
		pos.File = f.name
		l.errs = append(l.errs, Problem{Pos: pos, Msg: err.Error()})
		return nil
	}
	f.root = root
	l.files[f.key] = f
	return f
}

// fileAt returns the file at u, reading it on first use.
func (l *loader) fileAt(u *url.URL, from ref) *file {
	if f, ok := l.files[u.String()]; ok {
		return f
	}
	if len(l.files) >= l.cfg.limits.MaxFiles {
		l.errorf(from, "more than %d files are referenced; %s is not read", l.cfg.limits.MaxFiles, display(u))
		return nil
	}
	if err := l.ctx.Err(); err != nil {
		l.errorf(from, "%v", err)
		return nil
	}
	data, err := l.cfg.read(l.ctx, u)
	if err != nil {
		if l.readErr == nil {
			l.readErr = err
		}
		l.errorf(from, "cannot read %s: %v", display(u), err)
		l.files[u.String()] = nil // report it once
		return nil
	}
	return l.addFile(u, data, from.pos())
}

// refOf returns the $ref of a Reference Object node.
func refOf(n *yaml.Node) (string, *yaml.Node, bool) {
	if n.Kind != yaml.MappingNode {
		return "", nil, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "$ref" {
			v := n.Content[i+1]
			return v.Value, v, v.Kind == yaml.ScalarNode
		}
	}
	return "", nil, false
}

// deref follows the $refs of r to the object it stands for. The second result
// is every location passed through, r's own first.
func (l *loader) deref(r ref) (ref, []ref, bool) {
	chain := []ref{r}
	seen := map[string]bool{}
	first := ""
	for {
		for r.n.Kind == yaml.AliasNode {
			r.n = r.n.Alias
		}
		s, at, ok := refOf(r.n)
		if !ok {
			if at != nil {
				l.errorf(ref{r.f, at, r.ptr + "/$ref"}, "$ref must be a string")
				return r, chain, false
			}
			return r, chain, true
		}
		if first == "" {
			first = s
		}
		if seen[r.loc()] || len(chain) > 64 {
			l.errorf(chain[0], "$ref %q leads to a cycle of references", first)
			return r, chain, false
		}
		seen[r.loc()] = true
		next, ok := l.follow(ref{r.f, at, r.ptr + "/$ref"}, s)
		if !ok {
			return r, chain, false
		}
		r = next
		chain = append(chain, r)
	}
}

// rootFields are the fields of an AsyncAPI document, for reading a $ref
// written as a bare pointer (/components/messages/x, as in an example of the
// 3.0 specification) as the fragment it stands for.
var rootFields = []string{"/components/", "/channels/", "/operations/", "/servers/"}

// follow resolves the reference s written at from.
func (l *loader) follow(from ref, s string) (ref, bool) {
	if !strings.Contains(s, "#") {
		for _, p := range rootFields {
			if strings.HasPrefix(s, p) {
				l.warnf(from, "$ref %q is read as %q: a reference inside the document is a fragment, starting with #", s, "#"+s)
				s = "#" + s
				break
			}
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		l.errorf(from, "$ref %q is not a URI reference: %v", s, err)
		return ref{}, false
	}
	frag := u.Fragment
	abs := from.f.u.ResolveReference(u)
	abs.Fragment, abs.RawFragment = "", ""
	f := from.f
	if abs.String() != f.key {
		if f = l.fileAt(abs, from); f == nil {
			return ref{}, false
		}
	}
	if frag != "" && !strings.HasPrefix(frag, "/") {
		l.errorf(from, "$ref %q: the fragment %q is not a JSON pointer (#/components/...)", s, frag)
		return ref{}, false
	}
	if err := checkPointer(frag); err != nil {
		l.errorf(from, "$ref %q: %v", s, err)
		return ref{}, false
	}
	n, err := navigate(f.root, frag)
	if err != nil {
		where := ""
		if f != from.f {
			where = " in " + f.name
		}
		l.errorf(from, "$ref %q: %v%s", s, err, where)
		return ref{}, false
	}
	return ref{f, n, frag}, true
}

// navigate follows a JSON pointer through a node tree.
func navigate(n *yaml.Node, ptr string) (*yaml.Node, error) {
	if ptr == "" {
		return n, nil
	}
	done := ""
	for _, tok := range strings.Split(ptr[1:], "/") {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		key := unescapeToken(tok)
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				if done == "" {
					return nil, fmt.Errorf("there is no %s at the root", key)
				}
				return nil, fmt.Errorf("%s has no %s", done, key)
			}
			n = next
		case yaml.SequenceNode:
			i, ok := arrayIndex(tok, len(n.Content))
			if !ok {
				return nil, fmt.Errorf("%s has no element %s (it has %d)", done, tok, len(n.Content))
			}
			n = n.Content[i]
		default:
			return nil, fmt.Errorf("%s is not an object or an array", done)
		}
		done += "/" + tok
	}
	return n, nil
}

// value converts the node of r into a JSON-compatible value.
func (l *loader) value(r ref) any {
	v, _ := l.convert(r, r.n, 0)
	return v
}

func (l *loader) convert(r ref, n *yaml.Node, depth int) (any, bool) {
	l.nodes++
	if l.nodes > l.cfg.limits.MaxNodes {
		if l.nodes == l.cfg.limits.MaxNodes+1 {
			l.errorf(r, "the description has more than %d nodes, aliases expanded", l.cfg.limits.MaxNodes)
		}
		return nil, false
	}
	if depth > l.cfg.limits.MaxDepth {
		l.errorf(r, "aliases nest deeper than %d levels", l.cfg.limits.MaxDepth)
		return nil, false
	}
	switch n.Kind {
	case yaml.AliasNode:
		return l.convert(r, n.Alias, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, ok := l.convert(r, n.Content[i+1], depth+1)
			if !ok {
				return nil, false
			}
			m[n.Content[i].Value] = v
		}
		return m, true
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, ok := l.convert(r, c, depth+1)
			if !ok {
				return nil, false
			}
			s[i] = v
		}
		return s, true
	case yaml.ScalarNode:
		return yamlblock.Scalar(n), true
	}
	return nil, true
}

// fileValue is the whole file as a JSON-compatible value (for schemas).
func (l *loader) fileValue(f *file) any {
	if !f.made {
		f.made = true
		f.value = l.value(ref{f, f.root, ""})
	}
	return f.value
}

// obj reads the fields of a mapping node.
type obj struct {
	l    *loader
	r    ref
	what string
}

// object checks that r is a mapping and returns its reader.
func (l *loader) object(r ref, what string) (obj, bool) {
	if r.n.Kind != yaml.MappingNode {
		l.errorf(r, "%s must be an object, not %s", what, kindName(r.n))
		return obj{}, false
	}
	return obj{l: l, r: r, what: what}, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "an array"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "null"
		}
		return fmt.Sprintf("the %s %q", map[string]string{"!!str": "string", "!!int": "number", "!!float": "number", "!!bool": "boolean"}[n.ShortTag()], n.Value)
	}
	return "a " + n.Tag
}

// get returns the field key.
func (o obj) get(key string) (ref, bool) {
	n := o.r.n
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			for v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			return ref{o.r.f, v, o.r.ptr + "/" + escapeToken(key)}, true
		}
	}
	return ref{}, false
}

func (o obj) has(key string) bool { _, ok := o.get(key); return ok }

// str reads a string field; a number or boolean is taken as written.
func (o obj) str(key string) string {
	r, ok := o.get(key)
	if !ok {
		return ""
	}
	if r.n.Kind != yaml.ScalarNode || r.n.ShortTag() == "!!null" {
		if r.n.Kind == yaml.ScalarNode {
			return ""
		}
		o.l.errorf(r, "%s of %s must be a string, not %s", key, o.what, kindName(r.n))
		return ""
	}
	return r.n.Value
}

func (o obj) boolp(key string) *bool {
	r, ok := o.get(key)
	if !ok {
		return nil
	}
	if r.n.Kind != yaml.ScalarNode || r.n.ShortTag() != "!!bool" {
		o.l.errorf(r, "%s of %s must be true or false, not %s", key, o.what, kindName(r.n))
		return nil
	}
	b := strings.EqualFold(r.n.Value, "true")
	return &b
}

func (o obj) intp(key string) *int {
	r, ok := o.get(key)
	if !ok {
		return nil
	}
	i, err := strconv.Atoi(r.n.Value)
	if r.n.Kind != yaml.ScalarNode || r.n.ShortTag() != "!!int" || err != nil {
		o.l.errorf(r, "%s of %s must be an integer, not %s", key, o.what, kindName(r.n))
		return nil
	}
	return &i
}

func (o obj) int(key string) int {
	if p := o.intp(key); p != nil {
		return *p
	}
	return 0
}

// strs reads an array of strings.
func (o obj) strs(key string) []string {
	r, ok := o.get(key)
	if !ok {
		return nil
	}
	if r.n.Kind != yaml.SequenceNode {
		o.l.errorf(r, "%s of %s must be an array of strings, not %s", key, o.what, kindName(r.n))
		return nil
	}
	out := make([]string, 0, len(r.n.Content))
	for _, c := range r.n.Content {
		if c.Kind != yaml.ScalarNode {
			o.l.errorf(ref{r.f, c, r.ptr}, "%s of %s must be an array of strings", key, o.what)
			continue
		}
		out = append(out, c.Value)
	}
	return out
}

// each calls fn for every entry of the map field key, in document order.
func (o obj) each(key string, fn func(k string, r ref)) {
	r, ok := o.get(key)
	if !ok || (r.n.Kind == yaml.ScalarNode && r.n.ShortTag() == "!!null") {
		return
	}
	if r.n.Kind != yaml.MappingNode {
		o.l.errorf(r, "%s of %s must be an object, not %s", key, o.what, kindName(r.n))
		return
	}
	eachEntry(r, fn)
}

func eachEntry(r ref, fn func(k string, r ref)) {
	for i := 0; i+1 < len(r.n.Content); i += 2 {
		k := r.n.Content[i].Value
		v := r.n.Content[i+1]
		for v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		fn(k, ref{r.f, v, r.ptr + "/" + escapeToken(k)})
	}
}

// items calls fn for every element of the array field key.
func (o obj) items(key string, fn func(r ref)) {
	r, ok := o.get(key)
	if !ok || (r.n.Kind == yaml.ScalarNode && r.n.ShortTag() == "!!null") {
		return
	}
	if r.n.Kind != yaml.SequenceNode {
		o.l.errorf(r, "%s of %s must be an array, not %s", key, o.what, kindName(r.n))
		return
	}
	for i, c := range r.n.Content {
		for c.Kind == yaml.AliasNode {
			c = c.Alias
		}
		fn(ref{r.f, c, r.ptr + "/" + strconv.Itoa(i)})
	}
}

// lastToken is the last reference token of a pointer, unescaped.
func lastToken(ptr string) string {
	return unescapeToken(ptr[strings.LastIndexByte(ptr, '/')+1:])
}

// withTraits applies the traits of a message or operation (Traits Merge
// Mechanism: JSON Merge Patch in the order given, "A property on a trait MUST
// NOT override the same property on the target object") and returns the
// merged object.
func (l *loader) withTraits(o obj) obj {
	if !o.has("traits") {
		return o
	}
	var traits []*yaml.Node
	o.items("traits", func(r ref) {
		t, _, ok := l.deref(r)
		if !ok {
			return
		}
		if t.n.Kind != yaml.MappingNode {
			l.errorf(t, "a trait must be an object, not %s", kindName(t.n))
			return
		}
		traits = append(traits, t.n)
	})
	if len(traits) == 0 {
		return o
	}
	merged := &yaml.Node{Kind: yaml.MappingNode}
	for _, t := range traits {
		merged = mergePatch(merged, t)
	}
	merged = mergePatch(merged, o.r.n)
	merged.Line, merged.Column = o.r.n.Line, o.r.n.Column
	return obj{l: l, r: ref{o.r.f, merged, o.r.ptr}, what: o.what}
}

// mergePatch applies patch to target (RFC 7386) on mapping nodes; both are left
// unchanged. A null is kept as a value: the patch applied last is the object
// itself, whose own null (an unknown address) stays.
func mergePatch(target, patch *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Line: target.Line, Column: target.Column}
	idx := map[string]int{}
	for i := 0; i+1 < len(target.Content); i += 2 {
		idx[target.Content[i].Value] = len(out.Content)
		out.Content = append(out.Content, target.Content[i], target.Content[i+1])
	}
	for i := 0; i+1 < len(patch.Content); i += 2 {
		k, v := patch.Content[i], patch.Content[i+1]
		if k.Value == "traits" {
			continue
		}
		j, ok := idx[k.Value]
		switch {
		case ok && v.Kind == yaml.MappingNode && out.Content[j+1].Kind == yaml.MappingNode:
			if _, _, isRef := refOf(v); isRef {
				out.Content[j+1] = v
			} else {
				out.Content[j+1] = mergePatch(out.Content[j+1], v)
			}
		case ok:
			out.Content[j+1] = v
		default:
			idx[k.Value] = len(out.Content)
			out.Content = append(out.Content, k, v)
		}
	}
	return out
}

// locate returns where the node of r really is. A node brought in by a trait
// has the pointer of the object it was merged into, perhaps in another file;
// its own place is found here.
func (l *loader) locate(r ref) ref {
	if n, err := navigate(r.f.root, r.ptr); err == nil && n == r.n {
		return r
	}
	if ptr, ok := l.pointerOf(r.f, r.n); ok {
		return ref{r.f, r.n, ptr}
	}
	for _, f := range l.files {
		if f != nil && f != r.f {
			if ptr, ok := l.pointerOf(f, r.n); ok {
				return ref{f, r.n, ptr}
			}
		}
	}
	return r
}

// pointerOf finds the pointer of a node in a file.
func (l *loader) pointerOf(f *file, n *yaml.Node) (string, bool) {
	if f.where == nil {
		f.where = map[*yaml.Node]string{}
		var walk func(n *yaml.Node, ptr string, depth int)
		walk = func(n *yaml.Node, ptr string, depth int) {
			if _, seen := f.where[n]; seen || depth > l.cfg.limits.MaxDepth {
				return
			}
			f.where[n] = ptr
			switch n.Kind {
			case yaml.MappingNode:
				for i := 0; i+1 < len(n.Content); i += 2 {
					walk(n.Content[i+1], ptr+"/"+escapeToken(n.Content[i].Value), depth+1)
				}
			case yaml.SequenceNode:
				for i, c := range n.Content {
					walk(c, ptr+"/"+strconv.Itoa(i), depth+1)
				}
			}
		}
		walk(f.root, "", 0)
	}
	ptr, ok := f.where[n]
	return ptr, ok
}
