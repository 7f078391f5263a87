package arazzo

import (
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// A reuse is a place where YAML brings in content written elsewhere: an alias
// (*step) or a merge key (<<: *defaults). A problem in the reused content
// shows once per place it is used; the ones found through a reuse are
// reported at the reuse, naming where the content is written.
type reuse struct {
	path  string // the document path of what the reuse stands for
	site  Pos    // the alias, or the merge key
	start Pos    // the span of the reused content
	end   Pos
	label string // "the alias *step", "the merge key <<"
}

// reuses lists the aliases and merge keys of a node tree, each with the
// document path it stands at (as the decoder names paths).
func reuses(root *yaml.Node, merged map[*yaml.Node][]mergedPair) []reuse {
	var out []reuse
	spans := map[*yaml.Node][2]Pos{} // an anchor's span, once however many aliases
	spanOf := func(n *yaml.Node) (Pos, Pos) {
		sp, ok := spans[n]
		if !ok {
			sp[0], sp[1] = span(n)
			spans[n] = sp
		}
		return sp[0], sp[1]
	}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		for _, m := range merged[n] {
			start, _ := spanOf(m.key)
			_, end := spanOf(m.val)
			out = append(out, reuse{path: joinPath(path, m.key.Value), site: posOf(m.site), start: start, end: end,
				label: "the merge key <<"})
		}
		switch n.Kind {
		case yaml.AliasNode:
			if t := resolveAlias(n); t != nil {
				start, end := spanOf(t)
				out = append(out, reuse{path: path, site: posOf(n), start: start, end: end, label: "the alias *" + n.Value})
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, indexPath(path, i))
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], joinPath(path, n.Content[i].Value))
			}
		}
	}
	walk(root, "")
	return out
}

// span is the first and last position inside a node, aliases not followed.
func span(n *yaml.Node) (start, end Pos) {
	start, end = posOf(n), posOf(n)
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if p := posOf(n); before(end, p) {
			end = p
		}
		if p := posOf(n); before(p, start) {
			start = p
		}
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(n)
	// A scalar's last position is where it starts; its text runs on.
	end.Col = 1 << 30
	return start, end
}

func before(a, b Pos) bool { return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col) }

// placeReused moves each diagnostic found through a reuse (its path is under
// the reuse's, its position inside the reused content) to the reuse, and
// says where the content is written.
func placeReused(ds Diagnostics, rs []reuse) Diagnostics {
	if len(rs) == 0 {
		return ds
	}
	byPath := make(map[string][]*reuse, len(rs))
	for i := range rs {
		byPath[rs[i].path] = append(byPath[rs[i].path], &rs[i])
	}
	for i := range ds {
		d := &ds[i]
		if r := reuseOf(d, byPath); r != nil {
			d.Message += fmt.Sprintf(" (in the content written at %d:%d, brought here by %s)", d.Pos.Line, d.Pos.Col, r.label)
			d.Pos = r.site
		}
	}
	return ds
}

// reuseOf finds the reuse a diagnostic was found through: the nearest one
// whose path holds the diagnostic's and whose content holds its position.
func reuseOf(d *Diagnostic, byPath map[string][]*reuse) *reuse {
	for p := d.Path; p != ""; p = parentPath(p) {
		for _, r := range byPath[p] {
			if !before(d.Pos, r.start) && !before(r.end, d.Pos) {
				return r
			}
		}
	}
	return nil
}

// parentPath drops the last segment of a document path: a.b[2] → a.b → a.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// A mergedPair is a field a merge key brought into a mapping.
type mergedPair struct {
	key, val *yaml.Node
	site     *yaml.Node // the << key
}

// resolveMerges applies the merge keys of YAML 1.1 (<<: *defaults, or a list
// of them), which YAML 1.2 dropped but many files use: the fields of the
// merged mappings join the mapping, its own fields first, then those of each
// merged mapping in order, a field already there kept. The first merge key
// gets a warning; the fields merged are recorded in d.merged.
func (d *decoder) resolveMerges(root *yaml.Node) {
	state := map[*yaml.Node]int{} // 1 resolving, 2 resolved
	budget := d.limits.MaxNodes
	var resolve func(m *yaml.Node)
	resolve = func(m *yaml.Node) {
		merges := false
		for i := 0; i+1 < len(m.Content) && !merges; i += 2 {
			merges = isMergeKey(m.Content[i])
		}
		if !merges || state[m] != 0 {
			// Nothing to merge (a mapping without merge keys is left as it
			// is, so it needs no state), resolved, or a merge of itself (YAML
			// refuses such aliases).
			return
		}
		state[m] = 1
		has := map[string]bool{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !isMergeKey(m.Content[i]) {
				has[m.Content[i].Value] = true
			}
		}
		var content []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if !isMergeKey(k) {
				content = append(content, k, v)
				continue
			}
			if d.mergeWarned == nil {
				d.mergeWarned = k
				d.warnf(posOf(k), "", RuleYAMLMergeKey, "merge keys (<<) are YAML 1.1, not YAML 1.2: arazzo merges the fields as YAML 1.1 did, other tools may read a field named \"<<\"; write the fields out to be read the same everywhere")
			}
			for _, src := range mergeSources(v) {
				if src.Kind != yaml.MappingNode {
					d.errorf(posOf(src), "", RuleType, "a merge key (<<) merges an object or a list of objects, got %s", kindName(src))
					continue
				}
				resolve(src)
				for j := 0; j+1 < len(src.Content); j += 2 {
					sk := src.Content[j]
					if has[sk.Value] {
						continue
					}
					if budget--; budget < 0 {
						d.errorf(posOf(k), "", RuleDocumentLimits, "merge keys (<<) expand to more than %d fields", d.limits.MaxNodes)
						m.Content = content
						state[m] = 2
						return
					}
					has[sk.Value] = true
					content = append(content, sk, src.Content[j+1])
					if d.merged == nil {
						d.merged = map[*yaml.Node][]mergedPair{}
					}
					d.merged[m] = append(d.merged[m], mergedPair{key: sk, val: src.Content[j+1], site: k})
				}
			}
		}
		m.Content = content
		state[m] = 2
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			resolve(n)
		case yaml.AliasNode:
			d.aliases = true
		}
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode || n.Kind == yaml.DocumentNode {
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(root)
}

// isMergeKey tells the merge key << (plain, so tagged !!merge) from a key
// written "<<", which is a string.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// mergeSources are the mappings a merge key's value names: one, or a list.
func mergeSources(v *yaml.Node) []*yaml.Node {
	v = resolveAlias(v)
	if v.Kind != yaml.SequenceNode {
		return []*yaml.Node{v}
	}
	out := make([]*yaml.Node, 0, len(v.Content))
	for _, c := range v.Content {
		out = append(out, resolveAlias(c))
	}
	return out
}
