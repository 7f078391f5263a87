package arazzo

import (
	yaml "go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/internal/yamlblock"
)

// value decodes any YAML node into a JSON-like tree, remembering positions.
func (d *decoder) value(n *yaml.Node, path string) (*Value, bool) {
	v := &Value{Pos: posOf(n), block: d.blockOf(n)}
	if n.Kind == yaml.ScalarNode {
		v.Quoted = n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0
	}
	var ok bool
	v.V, ok = d.convert(n, v, "", path, 0)
	return v, ok
}

func (d *decoder) convert(n *yaml.Node, root *Value, ptr, path string, depth int) (any, bool) {
	if !d.visit(n, path) {
		return nil, false
	}
	if d.limits.MaxDepth > 0 && depth > d.limits.MaxDepth {
		d.over = true
		d.errorf(posOf(n), path, RuleDocumentLimits, "document nests deeper than %d levels", d.limits.MaxDepth)
		return nil, false
	}
	if ptr != "" {
		if root.inner == nil {
			root.inner = map[string]innerPos{}
		}
		root.inner[ptr] = innerPos{pos: posOf(n), quoted: n.Kind == yaml.ScalarNode && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0, block: d.blockOf(n)}
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, false
		}
		d.aliasDepth++
		defer func() { d.aliasDepth-- }()
		return d.convert(n.Alias, root, ptr, path, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := resolveAlias(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				d.errorf(posOf(k), path, RuleType, "object keys must be strings")
				continue
			}
			if k.Value == "<<" && k.ShortTag() == "!!merge" {
				d.errorf(posOf(k), path, RuleType, "YAML merge keys (<<) are not part of JSON; write the fields out")
				continue
			}
			if _, dup := m[k.Value]; dup {
				d.errorf(posOf(k), joinPath(path, k.Value), RuleYAMLDuplicateKey, "duplicate key %q", k.Value)
				continue
			}
			val, _ := d.convert(n.Content[i+1], root, pointerJoin(ptr, k.Value), d.join(path, k.Value), depth+1)
			m[k.Value] = val
		}
		return m, true
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i], _ = d.convert(c, root, ptr+"/"+indexToken(i), d.index(path, i), depth+1)
		}
		return s, true
	case yaml.ScalarNode:
		return yamlblock.Scalar(n), true
	}
	return nil, true
}
