package arazzo

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
)

// FuzzParseValidate checks that no input makes Parse or Validate panic or hang,
// and that every diagnostic is well formed. The seed corpus is under
// testdata/fuzz/FuzzParseValidate; the rule fixtures are added as seeds too.
func FuzzParseValidate(f *testing.F) {
	files, _ := filepath.Glob("testdata/rules/*.arazzo.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, ds := Parse("fuzz.arazzo.yaml", data, WithLimits(Limits{MaxBytes: 1 << 20, MaxDepth: 100, MaxNodes: 200_000}))
		ds = append(ds, Validate(doc)...)
		for _, d := range ds {
			if d.Rule == "" || d.Message == "" || (d.Severity != SeverityError && d.Severity != SeverityWarning) {
				t.Fatalf("malformed diagnostic %#v", d)
			}
		}
		if doc == nil && !ds.HasErrors() {
			t.Fatalf("no document and no error")
		}
	})
}

// TestDocumentLimits feeds hostile documents: each must be rejected, with bounded work, with a
// document-limits error, whatever the YAML parser does on its own.
func TestDocumentLimits(t *testing.T) {
	head := "arazzo: 1.1.0\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\n" +
		"workflows: [{workflowId: w, steps: [{stepId: s, operationId: o}]}]\n"
	var laughs strings.Builder
	laughs.WriteString(head + "x-lol:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	prev := "a"
	for _, c := range "bcdefghij" {
		n := string(c)
		laughs.WriteString("  " + n + ": &" + n + " [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "]\n")
		prev = n
	}
	var block strings.Builder
	block.WriteString(head + "x-deep:\n")
	for i := range 10_000 {
		block.WriteString(strings.Repeat(" ", i+1) + "-\n")
	}
	// Aliases in the structure itself: 2,000 workflows that each list 2,000 steps.
	var structural strings.Builder
	structural.WriteString("arazzo: 1.1.0\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: a.yaml}]\n")
	structural.WriteString("x-step: &s {stepId: s, operationId: o}\nx-steps: &steps [" + strings.Repeat("*s, ", 1999) + "*s]\n")
	structural.WriteString("x-wf: &w {workflowId: w, steps: *steps}\nworkflows: [" + strings.Repeat("*w, ", 1999) + "*w]\n")
	tests := []struct {
		name string
		doc  string
	}{
		{"billion laughs", laughs.String()},
		{"aliases in the structure", structural.String()},
		{"10,000-deep flow nesting", head + "x-deep: " + strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000) + "\n"},
		{"20,000-deep flow nesting", head + "x-deep: " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + "\n"},
		{"10,000-deep block nesting", block.String()},
		{"over the size limit", head + "x-big: '" + strings.Repeat("a", DefaultLimits().MaxBytes) + "'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after goruntime.MemStats
			goruntime.ReadMemStats(&before)
			doc, ds := Parse("hostile.arazzo.yaml", []byte(tt.doc))
			ds = append(ds, Validate(doc)...)
			goruntime.ReadMemStats(&after)
			// The work is bounded by what was allocated, not by the clock: an
			// expansion the limits did not stop allocates gigabytes.
			if got, max := after.TotalAlloc-before.TotalAlloc, uint64(64<<20+2*len(tt.doc)); got > max {
				t.Errorf("allocated %d bytes, want at most %d", got, max)
			}
			found := false
			for _, d := range ds {
				found = found || d.Rule == RuleDocumentLimits && d.Severity == SeverityError
			}
			if !found {
				t.Errorf("no document-limits error; got:\n%s", render(ds))
			}
		})
	}
}
