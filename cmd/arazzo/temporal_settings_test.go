//go:build temporal

package main

import (
	"bytes"
	"context"

	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/arazzo-run/arazzo/runtime"
	"github.com/arazzo-run/arazzo/temporal"
)

// A worker's --auth that names no security scheme of a run's document, or an
// unqualified one that two sources declare, refuses the run before anything
// is sent: the run's client exits 2 with the message and suggestion of a
// local run, for a single run and for each line of a batch. Credentials
// bound as the local rules bind them run.
func TestTemporalWorkerRefusesUnboundAuth(t *testing.T) {
	addr := temporalServer(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	var requests atomic.Int64
	api := func() *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items": []}`))
		}))
		t.Cleanup(s.Close)
		return s
	}
	good, other := api(), api()
	spec := func(id, server string) string {
		return `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: '` + server + `'}]
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
security: [{bearerAuth: []}]
paths:
  /items:
    get: {operationId: ` + id + `, responses: {'200': {description: ok}}}
`
	}
	dir := t.TempDir()
	for name, text := range map[string]string{
		"good.yaml":  spec("list", good.URL),
		"other.yaml": spec("collect", other.URL),
		"wf.arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: good, url: good.yaml, type: openapi}
  - {name: other, url: other.yaml, type: openapi}
workflows:
  - workflowId: w
    inputs: {type: object, properties: {n: {type: integer}}}
    steps:
      - {stepId: list, operationId: $sourceDescriptions.good.list}
      - {stepId: collect, operationId: $sourceDescriptions.other.collect}
`,
		"lines.jsonl": "{\"n\": 1}\n{\"n\": 2}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc, lines := filepath.Join(dir, "wf.arazzo.yaml"), filepath.Join(dir, "lines.jsonl")

	for _, tc := range []struct {
		auth []string // the worker's
		want string   // in the local run's message
	}{
		{[]string{"bearerAuht"}, `--auth bearerAuht: no source description declares a security scheme named "bearerAuht"; did you mean "bearerAuth"?`},
		{[]string{"bearerAuth"}, `--auth bearerAuth: security scheme "bearerAuth" is declared by sources "good" and "other"`},
		{[]string{"good.bearerAuth", "othr.bearerAuth"}, `--auth othr.bearerAuth: no source description declares a security scheme named "othr.bearerAuth", and none is named "othr"; did you mean "other"?`},
	} {
		t.Run(strings.Join(tc.auth, ","), func(t *testing.T) {
			// What a local run with the same --auth says.
			var largs []string
			for _, k := range tc.auth {
				largs = append(largs, "--auth", k+"=secret-value")
			}
			var lout, lerr bytes.Buffer
			if code := run(context.Background(), append([]string{"run", doc, "--no-journal"}, largs...), strings.NewReader(""), &lout, &lerr); code != ExitUsage ||
				!strings.Contains(lerr.String(), tc.want) {
				t.Fatalf("local run: exit %d, want %d with %q\n%s", code, ExitUsage, tc.want, lerr.String())
			}
			localMsg := strings.TrimSpace(lerr.String())
			if requests.Load() != 0 {
				t.Fatalf("the local run sent %d requests", requests.Load())
			}

			queue := randomName("arazzo-test-")
			logs := startWorkerWith(t, addr, queue, tc.auth)
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"run", doc, "--temporal", addr, "--task-queue", queue}, strings.NewReader(""), &out, &errb)
			if code != ExitUsage || !strings.Contains(errb.String(), localMsg) {
				t.Errorf("on Temporal: exit %d, want %d with the local run's message %q\nstdout:\n%s\nstderr:\n%s", code, ExitUsage, localMsg, out.String(), errb.String())
			}
			if !strings.Contains(errb.String(), "refused by the worker that took it, before anything was sent") {
				t.Errorf("stderr does not say the worker refused the run:\n%s", errb.String())
			}

			// A batch: every line refused with the same message.
			out.Reset()
			errb.Reset()
			code = run(context.Background(), []string{"run", doc, "--inputs-file", lines, "--temporal", addr, "--task-queue", queue}, strings.NewReader(""), &out, &errb)
			got := parseBatch(t, out.Bytes())
			if code != ExitFailed || len(got) != 2 {
				t.Fatalf("batch on Temporal: exit %d, %d lines, want %d and 2\n%s%s", code, len(got), ExitFailed, out.String(), errb.String())
			}
			for _, l := range got {
				if l.Status != "error" || !strings.Contains(l.Error, "was refused by its worker, before anything was sent: "+strings.TrimPrefix(localMsg, "arazzo: ")) {
					t.Errorf("batch line %d: %s: %s", l.Line, l.Status, l.Error)
				}
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("%d requests sent by refused runs", n)
			}
			if !strings.Contains(logs.String(), "refused") {
				t.Errorf("the worker did not say it refused runs:\n%s", logs.String())
			}
			if strings.Contains(out.String()+errb.String()+logs.String(), "secret-value") {
				t.Error("a credential was printed")
			}

			// The refusal is in the history: a worker whose credentials
			// would bind replays it to the same end.
			cl := dialTemporal(t, addr, 10*time.Second)
			defer cl.Close()
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflowWithOptions(temporal.NewWorker(temporal.WithCredentials(runtime.CredentialMap{"good.bearerAuth": "x", "other.bearerAuth": "y"})).Workflow,
				workflow.RegisterOptions{Name: temporal.WorkflowName})
			id := batchIDOf(t, errb.String()) + "-1"
			h := &historypb.History{}
			it := cl.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				h.Events = append(h.Events, ev)
			}
			if err := replayer.ReplayWorkflowHistory(nil, h); err != nil {
				t.Errorf("the history of %s does not replay on a worker with other credentials: %v", id, err)
			}
		})
	}

	// Credentials bound to their sources, as a local run binds them: the run goes ahead.
	queue := randomName("arazzo-test-")
	startWorkerWith(t, addr, queue, []string{"good.bearerAuth", "other.bearerAuth"})
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", doc, "--temporal", addr, "--task-queue", queue}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("bound credentials: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// startWorkerWith starts an 'arazzo worker' on the queue with a credential
// for each of the scheme keys given; its stderr goes to the returned buffer.
func startWorkerWith(t *testing.T, addr, queue string, keys []string) *lockedBuffer {
	t.Helper()
	args := []string{"worker", "--temporal", addr, "--task-queue", queue}
	for _, k := range keys {
		args = append(args, "--auth", k+"=secret-value")
	}
	cmd := exec.Command(arazzoBin(t), args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("worker %v:\n%s", keys, logs.String())
		}
	})
	return &logs
}
