package suggest

import "testing"

func TestClosest(t *testing.T) {
	for _, c := range []struct {
		name  string
		cands []string
		want  string
	}{
		{"limt", []string{"offset", "limit"}, "limit"},
		{"stepid", []string{"stepId", "description"}, "stepId"},
		{"sucessCriteria", []string{"successCriteria", "onSuccess"}, "successCriteria"},
		{"x", []string{"y", "z"}, ""},
		{"paramters", []string{"parameters"}, "parameters"},
		{"rot", []string{"rotate", "list"}, "rotate"},
		{"token", []string{"token"}, ""},
		{"abcdef", []string{"uvwxyz"}, ""},
		{"handel", []string{"handle", "handles"}, "handle"},
		{"kye", []string{"key", "other"}, "key"},
	} {
		if got := Closest(c.name, c.cands); got != c.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", c.name, c.cands, got, c.want)
		}
	}
}
