package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// retryDoc writes a workflow whose one step calls METHOD /big, retried up
// to 30 times while the server answers 503, and returns its plan.
func retryDoc(t *testing.T, method, server string) (*runtime.Plan, string) {
	t.Helper()
	dir := t.TempDir()
	doc := `arazzo: 1.0.1
info: {title: retries, version: 1.0.0}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: retries
    steps:
      - stepId: big
        operationId: big
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 0, retryLimit: 30}]
        outputs: {n: $response.body#/n}
    outputs: {n: $steps.big.outputs.n}
`
	api := fmt.Sprintf(`openapi: 3.1.0
info: {title: api, version: 1.0.0}
servers: [{url: "http://api.invalid"}]
paths:
  /big:
    %s:
      operationId: big
      responses: {"200": {description: ok}, "503": {description: busy}}
`, method)
	for name, text := range map[string]string{"retries.arazzo.yaml": doc, "api.yaml": api} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	loc := filepath.Join(dir, "retries.arazzo.yaml")
	plan, _, err := runtime.Load(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	return plan, loc
}

// journalBytes is the size of the journal's files.
func journalBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	for _, name := range []string{FileName, FileName + "-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// A step retried 24 times on a 2 MiB answer keeps at most MaxStepBody of
// response bodies in the journal, not 24 × 2 MiB: the bodies of its earlier
// attempts are dropped, each record saying so. Measured in bytes on disk.
// With 2 KiB answers the same, on records that share their rows (see
// kindChunk); and with every answer slow (each request's record written
// before its answer), so that a response opens the row it shares.
func TestJournalBoundedAcrossRetries(t *testing.T) {
	const attempts = 24
	for _, tt := range []struct {
		name   string
		size   int
		budget int64
		slow   time.Duration
	}{{"2MiB", 2 << 20, 5 << 20, 0}, {"2KiB", 2 << 10, 5 << 10, 0}, {"2KiB-slow", 2 << 10, 5 << 10, time.Nanosecond}} {
		for _, method := range []string{"get", "post"} {
			t.Run(method+"/"+tt.name, func(t *testing.T) { testJournalBoundedAcrossRetries(t, method, attempts, tt.size, tt.budget, tt.slow) })
		}
	}
}

func testJournalBoundedAcrossRetries(t *testing.T, method string, attempts, size int, budget int64, slow time.Duration) {
	var calls atomic.Int64
	big := bytes.Repeat([]byte("x"), size)
	server := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) < int64(attempts) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"busy":"%s"}`, big)
			return
		}
		fmt.Fprintf(w, `{"n":%d,"pad":"%s"}`, calls.Load(), big)
	})
	plan, loc := retryDoc(t, method, server)
	dir := t.TempDir()
	st, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := SessionOptions{MaxStepBody: budget, slowAnswer: slow}
	sess, err := st.Begin(context.Background(), NewRun{WorkflowID: "retries", Location: loc, Digest: plan.SourceDigest(), Inputs: map[string]any{}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(context.Background(), "", nil, runtime.WithServer("api", server), runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Finish(res, nil, false); err != nil {
		t.Fatal(err)
	}
	if res.Status != runtime.StatusPassed || calls.Load() != int64(attempts) {
		t.Fatalf("run %s after %d calls: %v", res.Status, calls.Load(), res.Err)
	}
	ex, err := st.Exchanges(context.Background(), sess.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	kept, superseded := 0, 0
	for _, e := range ex {
		switch e.Omitted {
		case "":
			kept += len(e.Body)
		case omittedSuperseded:
			superseded++
		}
	}
	if len(ex) != attempts || int64(kept) > budget || superseded < attempts-3 {
		t.Errorf("%d exchanges, %d bytes of bodies kept, %d superseded", len(ex), kept, superseded)
	}
	id := sess.Run().ID
	st.Close()
	// On disk: the bodies kept, and what SQLite reuses for the next
	// ones — bounded by the budget, not by the attempts.
	if n := journalBytes(t, dir); size > 1<<20 && n > 4*budget {
		t.Errorf("the journal takes %d bytes after %d attempts of a %d-byte answer (budget %d)", n, attempts, size, budget)
	} else {
		t.Logf("%d attempts of %d bytes: the journal takes %d bytes", attempts, size, n)
	}

	// Resumed as if the process had died: the superseded answer of a
	// GET is asked for again; that of a POST is not, and the run says so.
	st, err = Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.db.Exec("UPDATE runs SET status = 'running', finished_at = 0, pid = ? WHERE id = ?", deadPID(t), id); err != nil {
		t.Fatal(err)
	}
	r, err := st.Run(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	resumed, err := st.Resume(context.Background(), r, plan.SourceDigest(), nil, SessionOptions{MaxStepBody: budget, Warn: func(m string) { warns = append(warns, m) }})
	if err != nil {
		t.Fatal(err)
	}
	before := calls.Load()
	res, err = plan.Run(context.Background(), "", nil, runtime.WithServer("api", server), runtime.WithEffects(resumed.Effects), runtime.WithObserver(resumed.Observer()))
	if err != nil {
		t.Fatal(err)
	}
	_ = resumed.Finish(res, nil, false)
	sent := calls.Load() - before
	var nk *NotKeptError
	switch method {
	case "get":
		if res.Status != runtime.StatusPassed || sent == 0 || len(warns) == 0 {
			t.Errorf("resumed GET: %s, %d sent, warnings %q", res.Status, sent, warns)
		}
	case "post":
		if sent != 0 || res.Status == runtime.StatusPassed || !errors.As(resumed.Err(), &nk) {
			t.Errorf("resumed POST: %s, %d sent, %v", res.Status, sent, resumed.Err())
		}
	}
}
