package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/internal/benchdoc"
	"github.com/arazzo-run/arazzo/workflows"
)

// The per-step path: build the request, send it, decode the body, evaluate
// the criteria and outputs, pick the next step. BenchmarkChainStep runs a
// 100-step chain (benchdoc.Chain, as bench/gen writes it) against an in-memory transport, so
// only the runtime's own cost is measured; BenchmarkChainStepLoopback goes
// through a real loopback server, next to BenchmarkBaselineStepLoopback, the
// same requests made and decoded by a plain http.Client.
//
//	go test ./runtime -run '^$' -bench 'Step|Load|Compile' -benchmem

const benchChainSteps = 100

// benchItem is the body of item n, as the bench mock sends it.
func benchItem(n int64) []byte { return []byte(benchdoc.Item(n)) }

func itemNumber(path string) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(path, "/items/"), 10, 64)
	return n
}

// memTransport answers every request in memory with the item it names.
type memTransport struct{}

func (memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body := benchItem(itemNumber(r.URL.Path))
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}, nil
}

func itemsServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := benchItem(itemNumber(r.URL.Path))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func loadChain(tb testing.TB, n int, jsonPath bool, opts ...PlanOption) *Plan {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "openapi"), 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, text := range map[string]string{"openapi/items.openapi.yaml": benchdoc.ItemsOpenAPI, "chain.arazzo.yaml": benchdoc.Chain(n, !jsonPath)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	plan, diags, err := Load(context.Background(), filepath.Join(dir, "chain.arazzo.yaml"), opts...)
	if err != nil {
		tb.Fatalf("%v\n%v", err, diags)
	}
	return plan
}

func runChain(b *testing.B, plan *Plan, opts ...RunOption) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		res, err := plan.Run(context.Background(), "chain", nil, opts...)
		if err != nil || res.Status != StatusPassed {
			b.Fatalf("run: %v %v", err, res.Err)
		}
	}
	perStep(b)
}

// perStep reports the figures per step as well as per run.
func perStep(b *testing.B) {
	if b.N == 0 {
		return
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchChainSteps, "ns/step")
}

func BenchmarkChainStep(b *testing.B) {
	for _, jp := range []bool{true, false} {
		name := "jsonpath"
		if !jp {
			name = "simple"
		}
		b.Run(name, func(b *testing.B) {
			client := &http.Client{Transport: memTransport{}}
			plan := loadChain(b, benchChainSteps, jp)
			runChain(b, plan, WithServer("items", "http://items.invalid"), WithHTTPClient(client))
		})
	}
}

func BenchmarkChainStepLoopback(b *testing.B) {
	srv := itemsServer(b)
	plan := loadChain(b, benchChainSteps, true)
	runChain(b, plan, WithServer("items", srv.URL), WithHTTPClient(NewHTTPClient()))
}

// BenchmarkBaselineStepLoopback makes the chain's requests with a plain
// client: one GET, the body read and decoded, next taken from it.
func BenchmarkBaselineStepLoopback(b *testing.B) {
	srv := itemsServer(b)
	client := NewHTTPClient()
	b.ReportAllocs()
	for b.Loop() {
		next := int64(0)
		for range benchChainSteps {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/items/"+strconv.FormatInt(next, 10), nil)
			req.Header.Set("Accept", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			d := json.NewDecoder(bytes.NewReader(data))
			d.UseNumber()
			var v map[string]any
			if err := d.Decode(&v); err != nil {
				b.Fatal(err)
			}
			next, _ = v["next"].(json.Number).Int64()
		}
	}
	perStep(b)
}

// BenchmarkLoadRotate loads the bundled rotate workflow: parse, load and
// validate its OpenAPI 3.1 description, validate, compile.
func BenchmarkLoadRotate(b *testing.B) {
	bw, ok := workflows.Find("workato/rotate-mcp-server-token")
	if !ok {
		b.Fatal("bundled rotate workflow not found")
	}
	read := WithReadFunc(ReadFunc(workflows.ReadFunc(nil)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags, err := Load(context.Background(), bw.Location, read); err != nil {
			b.Fatalf("%v\n%v", err, diags)
		}
	}
}

// BenchmarkCompile1000Steps compiles (validation included) a parsed
// 1,000-step chain whose OpenAPI description is already in memory.
func BenchmarkCompile1000Steps(b *testing.B) {
	doc, ds := arazzo.Parse("chain.arazzo.yaml", []byte(benchdoc.Chain(1000, false)), arazzo.WithLocation("file:///bench/chain.arazzo.yaml"))
	if ds.HasErrors() {
		b.Fatal(ds.Err())
	}
	read := WithReadFunc(func(ctx context.Context, u *url.URL) ([]byte, error) { return []byte(benchdoc.ItemsOpenAPI), nil })
	// One sub-benchmark, named as BENCHMARKS.md quotes it: a plan is always
	// compiled from the checker's reading of the document.
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, diags, err := Compile(context.Background(), doc, read); err != nil {
				b.Fatalf("%v\n%v", err, diags)
			}
		}
	})
}
