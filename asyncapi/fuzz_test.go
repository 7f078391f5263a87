package asyncapi

import (
	"context"
	"net/url"
	"os"
	"testing"
)

// FuzzLoad: whatever the bytes, Load returns a document or a *LoadError and
// never panics; the reader serves nothing but the document itself.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/pet-asyncapi.yaml", "testdata/v2.yaml", "testdata/multi/asyncapi.yaml", "testdata/multi/messages.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("asyncapi: 3.0.0\nchannels: {a: {$ref: '#/channels/a'}}\n"))
	f.Add([]byte(`{"asyncapi":"3.0.0","operations":{"o":{"action":"send","channel":{"$ref":"#/components/x"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		none := func(ctx context.Context, u *url.URL) ([]byte, error) { return nil, os.ErrNotExist }
		lim := DefaultLimits()
		lim.MaxNodes = 100_000
		doc, err := Load(context.Background(), "/fuzz/a.yaml", data, WithReadFunc(none), WithLimits(lim))
		if (doc == nil) == (err == nil) {
			t.Fatalf("doc %v, err %v", doc, err)
		}
		if doc != nil {
			for _, op := range doc.Operations {
				for _, m := range op.Messages {
					_ = m.Payload.Validate(map[string]any{"a": int64(1)})
					_ = m.Payload.Sample()
				}
			}
		}
	})
}
