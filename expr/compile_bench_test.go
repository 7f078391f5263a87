package expr

import "testing"

// BenchmarkCompileCriterion is the compile-time cost of a criterion: a
// document is compiled once, but a 1,000-step document compiles thousands,
// twice (the validator checks each, then the runtime compiles it).
func BenchmarkCompileCriterion(b *testing.B) {
	for _, bm := range []struct {
		name string
		spec CriterionSpec
	}{
		{"simple", CriterionSpec{Condition: "$statusCode == 200"}},
		{"jsonpath", CriterionSpec{Type: "jsonpath", Context: "$response.body", Condition: "$.items[?@.ok == true]"}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CompileCriterion(bm.spec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
