package arazzo

import (
	"testing"

	"github.com/arazzo-run/arazzo/internal/benchdoc"
)

// BenchmarkChain1000 splits loading the 1,000-step chain of the end-to-end
// benchmark into its phases: YAML to model (parse), then the checks without
// the source descriptions (validate), and both.
func BenchmarkChain1000(b *testing.B) {
	data := []byte(benchdoc.Chain(1000, false))
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, ds := Parse("chain.arazzo.yaml", data); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
	doc, ds := Parse("chain.arazzo.yaml", data)
	if ds.HasErrors() {
		b.Fatal(ds.Err())
	}
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ds := Validate(doc); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
	b.Run("parse+validate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			doc, ds := Parse("chain.arazzo.yaml", data)
			if ds = append(ds, Validate(doc)...); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
}
