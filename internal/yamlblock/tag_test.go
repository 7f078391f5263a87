package yamlblock

import (
	"math"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// Scalar reads each scalar of a document as YAML's core schema types it,
// whichever parser made the node.
func TestScalar(t *testing.T) {
	src := `a: ~
b: null
c: true
d: FALSE
e: 0x1F
f: 1_000
g: -17
h: 99999999999999999999
i: 3.5
j: -.inf
k: .NaN
l: 1_0.5e1
m: "12"
n: '~'
o: text
p: 2026-12-04
q: !!str 7
`
	want := []any{nil, nil, true, false, int64(31), int64(1000), int64(-17), 1e20, 3.5, math.Inf(-1), math.NaN(), 105.0, "12", "~", "text", "2026-12-04", "7"}
	var fast yaml.Node
	if err := Unmarshal([]byte(src), &fast); err != nil {
		t.Fatal(err)
	}
	var general yaml.Node
	if err := yaml.Unmarshal([]byte(src), &general); err != nil {
		t.Fatal(err)
	}
	for name, root := range map[string]*yaml.Node{"yamlblock": &fast, "yaml/v4": &general} {
		m := root.Content[0]
		if len(m.Content) != 2*len(want) {
			t.Fatalf("%s: %d nodes", name, len(m.Content))
		}
		for i, w := range want {
			k, v := m.Content[2*i].Value, m.Content[2*i+1]
			got := Scalar(v)
			same := got == w
			if f, ok := w.(float64); ok && math.IsNaN(f) {
				g, isFloat := got.(float64)
				same = isFloat && math.IsNaN(g)
			}
			if !same {
				t.Errorf("%s: %s: %q (%s) reads as %#v, want %#v", name, k, v.Value, v.ShortTag(), got, w)
			}
		}
	}
}
