package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// faultsWorkflow runs getFault once (fetch), or with a retry on any failure,
// transport failures included (fetch-retrying).
const faultsWorkflow = `arazzo: 1.0.1
info: {title: Faults, version: 1.0.0}
sourceDescriptions:
  - {name: faults, url: faults.openapi.yaml, type: openapi}
workflows:
  - workflowId: fetch
    inputs:
      type: object
      required: [kind]
      properties:
        kind: {type: string}
        times: {type: integer, default: 1000}
    steps:
      - stepId: fetch
        operationId: getFault
        parameters:
          - {name: kind, in: path, value: $inputs.kind}
          - {name: times, in: query, value: $inputs.times}
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          ok: $response.body#/ok
    outputs:
      ok: $steps.fetch.outputs.ok
  - workflowId: fetch-retrying
    inputs:
      type: object
      required: [kind]
      properties:
        kind: {type: string}
        times: {type: integer, default: 1000}
    steps:
      - stepId: fetch
        operationId: getFault
        parameters:
          - {name: kind, in: path, value: $inputs.kind}
          - {name: times, in: query, value: $inputs.times}
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          ok: $response.body#/ok
        onFailure:
          - {name: again, type: retry, retryAfter: 0, retryLimit: 2}
    outputs:
      ok: $steps.fetch.outputs.ok
`

// writeFaultsWorkflow writes the workflow and its OpenAPI description.
func writeFaultsWorkflow(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "faults.openapi.yaml"), []byte(testserver.FaultsOpenAPI), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := filepath.Join(dir, "faults.arazzo.yaml")
	if err := os.WriteFile(doc, []byte(faultsWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestFaults runs a workflow against each fault of the fault server: each
// ends with the exit code and a message that says what happened, never
// hanging and never panicking. The faults that only a timeout ends run with
// --timeout 300ms; the others with 30s, so that a loaded machine that takes
// long to connect (or to complete a TLS handshake) sees the fault, not a
// timeout. A run that the timeouts do not bound is caught by the test's
// context (10 s, ten times the slowest case).
func TestFaults(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	doc := writeFaultsWorkflow(t)
	srv := testserver.NewFaults()
	defer srv.Close()
	tlsSrv := testserver.NewFaultsTLS()
	defer tlsSrv.Close()
	closed := closedURL(t)

	tests := []struct {
		name     string
		server   string
		workflow string
		inputs   []string
		want     int
		msg      string // in stdout or stderr
		timeout  string // --timeout; 30s when empty
		kind     string // the fault server's request count for kind...
		requests int    // ...must be this (0: not checked)
	}{
		{name: "ok", inputs: []string{"kind=ok"}, want: ExitOK, msg: "ok: true"},
		{name: "connection refused", server: closed, inputs: []string{"kind=ok"}, want: ExitIncomplete, msg: "connection refused"},
		{name: "connection dropped", inputs: []string{"kind=drop"}, want: ExitIncomplete, msg: "connection closed before the response was complete"},
		{name: "stalled server", inputs: []string{"kind=stall"}, want: ExitIncomplete, msg: "timed out after 300ms", timeout: "300ms"},
		{name: "body trickles slower than the timeout", inputs: []string{"kind=slow-body"}, want: ExitIncomplete, msg: "timed out after 300ms", timeout: "300ms"},
		{name: "503 without a retry action", inputs: []string{"kind=unavailable"}, want: ExitFailed, msg: "criterion `$statusCode == 200` not met"},
		{name: "503 with Retry-After, retried", workflow: "fetch-retrying", inputs: []string{"kind=unavailable", "times=1"}, want: ExitOK,
			msg: "waiting 50ms before retrying", kind: "unavailable", requests: 2},
		{name: "garbage body", inputs: []string{"kind=garbage"}, want: ExitIncomplete, msg: "the response body is not valid JSON, though its Content-Type is application/json"},
		{name: "truncated JSON", inputs: []string{"kind=truncated"}, want: ExitIncomplete, msg: "the response body is truncated JSON"},
		{name: "wrong content type", inputs: []string{"kind=wrong-type"}, want: ExitIncomplete, msg: "the response is text/html, not JSON"},
		{name: "huge body", inputs: []string{"kind=huge"}, want: ExitIncomplete, msg: "response body is larger than 1048576 bytes (raise it with --max-body)"},
		{name: "reset mid-body", inputs: []string{"kind=reset"}, want: ExitIncomplete, msg: "reading the response body: connection failed"},
		{name: "untrusted TLS certificate", server: tlsSrv.URL, inputs: []string{"kind=ok"}, want: ExitIncomplete, msg: "TLS error: tls: failed to verify certificate"},
		{name: "dropped connection, retried", workflow: "fetch-retrying", inputs: []string{"kind=drop", "times=1"}, want: ExitOK,
			msg: "retry again (1/2)", kind: "drop", requests: 2},
		{name: "stall, retries exhausted", workflow: "fetch-retrying", inputs: []string{"kind=stall"}, want: ExitIncomplete,
			msg: "(3 attempts)", kind: "stall", requests: 3, timeout: "300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := tt.server
			if server == "" {
				server = srv.URL
			}
			srv.Reset()
			tlsSrv.Reset()
			timeout := tt.timeout
			if timeout == "" {
				timeout = "30s"
			}
			args := []string{"run", doc, "--server", "faults=" + server, "--timeout", timeout, "--max-body", "1048576", "--max-retry-wait", "50ms"}
			wf := tt.workflow
			if wf == "" {
				wf = "fetch"
			}
			args = append(args, "--workflow", wf)
			for _, in := range tt.inputs {
				args = append(args, "--input", in)
			}
			// A guard against a hang, far above what the step timeouts allow
			// (three 300 ms attempts at most): the timeouts, not this, end a run.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out, errb bytes.Buffer
			start := time.Now()
			got := run(ctx, args, strings.NewReader(""), &out, &errb)
			elapsed := time.Since(start)
			all := out.String() + errb.String()
			t.Logf("exit %d in %s:\n%s", got, elapsed.Round(time.Millisecond), all)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\n%s", got, tt.want, all)
			}
			if !strings.Contains(all, tt.msg) {
				t.Errorf("no %q in the output:\n%s", tt.msg, all)
			}
			if ctx.Err() != nil {
				t.Errorf("took %s: the timeouts do not bound it", elapsed)
			}
			if tt.requests > 0 {
				if n := srv.Count(tt.kind) + tlsSrv.Count(tt.kind); n != tt.requests {
					t.Errorf("%d requests for %s, want %d", n, tt.kind, tt.requests)
				}
			}
			if strings.Contains(all, "panic") || strings.Contains(all, "goroutine ") {
				t.Errorf("panic:\n%s", all)
			}
		})
	}
}
