package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// BenchmarkRunCommand runs `arazzo run` in process against a loopback server:
// load, compile, run, print — everything but the process start and package
// initialisation (see BENCHMARKS.md for those). With -cpuprofile it shows
// where a whole run goes, not only the executor's share.
//
//	go test ./cmd/arazzo -run '^$' -bench RunCommand -benchmem -cpuprofile cpu.prof
func BenchmarkRunCommand(b *testing.B) {
	b.Run("rotate", func(b *testing.B) {
		w := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
		defer w.Close()
		b.Setenv("BENCH_API_TOKEN", apiToken)
		rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
		benchRun(b, 3, "run", rotate, "--no-journal", "-o", "json", "--input", "search=sales",
			"--auth", "bearerAuth=env:BENCH_API_TOKEN", "--server", "mcpServerApi="+w.URL)
	})
	// A journaled batch of rotate runs, 32 at a time: what the journal costs
	// per line (BENCHMARKS.md's batch target runs the same through bench/run.sh).
	b.Run("batch-journaled", func(b *testing.B) {
		const lines = 500
		w := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
		defer w.Close()
		b.Setenv("BENCH_API_TOKEN", apiToken)
		rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
		inputs := filepath.Join(b.TempDir(), "runs.jsonl")
		if err := os.WriteFile(inputs, []byte(strings.Repeat(`{"search":"sales"}`+"\n", lines)), 0o644); err != nil {
			b.Fatal(err)
		}
		benchRun(b, 3*lines, "run", rotate, "--inputs-file", inputs, "--parallel", "32", "--state", b.TempDir(), "-o", "json",
			"--auth", "bearerAuth=env:BENCH_API_TOKEN", "--server", "mcpServerApi="+w.URL)
	})
	b.Run("chain-1000", func(b *testing.B) {
		const steps = 1000
		srv := chainServer()
		defer srv.Close()
		dir := b.TempDir()
		writeChain(b, dir, steps)
		b.Run("run", func(b *testing.B) {
			benchRun(b, steps, "run", filepath.Join(dir, "chain.arazzo.yaml"), "--no-journal", "-o", "json", "--server", "items="+srv.URL)
		})
		b.Run("run-journaled", func(b *testing.B) {
			benchRun(b, steps, "run", filepath.Join(dir, "chain.arazzo.yaml"), "--state", b.TempDir(), "-o", "json", "--server", "items="+srv.URL)
		})
		b.Run("validate", func(b *testing.B) {
			benchRun(b, steps, "validate", filepath.Join(dir, "chain.arazzo.yaml"))
		})
	})
}

// BenchmarkValidateFile runs `arazzo validate` in process on the document
// ARAZZO_BENCH_VALIDATE names (bench/run.sh gives it the generated 1,000-step
// chain): the in-process figure of the validate target in BENCHMARKS.md.
//
//	ARAZZO_BENCH_VALIDATE=$PWD/bench/out/wf/chain-1000.arazzo.yaml go test ./cmd/arazzo -run '^$' -bench ValidateFile
func BenchmarkValidateFile(b *testing.B) {
	doc := os.Getenv("ARAZZO_BENCH_VALIDATE")
	if doc == "" {
		b.Skip("ARAZZO_BENCH_VALIDATE names no document")
	}
	benchRun(b, 1, "validate", doc)
}

func benchRun(b *testing.B, steps int, args ...string) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(steps), "ns/step")
}

// chainServer serves chainItem.
func chainServer() *httptest.Server { return httptest.NewServer(http.HandlerFunc(chainItem)) }

// chainItem answers GET /items/{n} with item n, which names item n+1 (1 KiB of JSON).
func chainItem(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/items/"))
	body := fmt.Sprintf(`{"id":%d,"next":%d,"items":[{"handle":"item-%d","ok":true}],"note":%q}`, n, n+1, n, strings.Repeat("lorem ipsum ", 70))
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, body)
}

// writeChain writes chain.arazzo.yaml into dir: steps GETs of chainServer,
// each reading the item the one before names, and its OpenAPI description
// (items.yaml, server items).
func writeChain(tb testing.TB, dir string, steps int) string {
	tb.Helper()
	var doc strings.Builder
	doc.WriteString("arazzo: 1.0.1\ninfo: {title: chain, version: 1.0.0}\nsourceDescriptions: [{name: items, url: items.yaml, type: openapi}]\nworkflows:\n  - workflowId: chain\n    steps:\n")
	for i := range steps {
		v := "0"
		if i > 0 {
			v = fmt.Sprintf("$steps.s%d.outputs.next", i-1)
		}
		fmt.Fprintf(&doc, "      - {stepId: s%d, operationId: getItem, parameters: [{name: n, in: path, value: %s}], successCriteria: [{condition: $statusCode == 200}, {context: $response.body, condition: \"$.items[?@.ok == true]\", type: jsonpath}], outputs: {next: $response.body#/next}}\n", i, v)
	}
	fmt.Fprintf(&doc, "    outputs: {first: $steps.s0.outputs.next, last: $steps.s%d.outputs.next}\n", steps-1)
	files := map[string]string{
		"chain.arazzo.yaml": doc.String(),
		"items.yaml": `openapi: 3.1.0
info: {title: items, version: 1.0.0}
servers: [{url: "http://items.invalid"}]
paths:
  /items/{n}:
    get:
      operationId: getItem
      parameters: [{name: n, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return filepath.Join(dir, "chain.arazzo.yaml")
}
