package openapi

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLoad loads OpenAPI descriptions from memory: parse (twice: our
// YAML tree for positions and order, then kin-openapi's), resolve, validate.
// The Workato description is the 3.1 one the rotate workflow uses.
func BenchmarkLoad(b *testing.B) {
	for _, f := range []string{"../workflows/workato/openapi/workato-mcp-server-openapi.yml", "testdata/petstore.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(f), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(context.Background(), abs, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
