package temporal

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/arazzo-run/arazzo/runtime"
)

// rotateDocuments records the bundled rotate workflow and its OpenAPI source.
func rotateDocuments(b *testing.B) *Documents {
	var rec Recorder
	name := filepath.Join("..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	if _, _, err := runtime.Load(context.Background(), name, runtime.WithReadFunc(rec.Wrap(runtime.DefaultReader(runtime.ReaderOptions{})))); err != nil {
		b.Fatal(err)
	}
	docs, err := rec.Documents(name)
	if err != nil {
		b.Fatal(err)
	}
	return docs
}

// BenchmarkCompileRunDocuments measures what a worker does once per document
// (then the plan is cached): unpack the documents a run carries and compile
// them. It runs inside a workflow task, which Temporal aborts after 1 s.
func BenchmarkCompileRunDocuments(b *testing.B) {
	docs := rotateDocuments(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compile(docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(docs.Archive)), "archive-bytes")
}

// BenchmarkPackDocuments measures recording and packing the documents of a run on submission.
func BenchmarkPackDocuments(b *testing.B) {
	docs := rotateDocuments(b)
	files, err := docs.unpack()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := Recorder{docs: files}
		if _, err := rec.Documents(docs.Name); err != nil {
			b.Fatal(err)
		}
	}
}
