package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is one request as an API under test saw it.
type received struct {
	Method     string
	RequestURI string // the raw request target: path and query as sent
	Path       string // decoded path
	RawQuery   string
	Header     http.Header
	Body       []byte
}

// api is an httptest server that records every request and answers with
// handle (200 {} when nil). n counts requests from 1.
type api struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []received
	handle func(w http.ResponseWriter, r *http.Request, n int)
}

func newAPI(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *api {
	t.Helper()
	a := &api{handle: handle}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		a.mu.Lock()
		a.reqs = append(a.reqs, received{Method: r.Method, RequestURI: r.RequestURI, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		n := len(a.reqs)
		a.mu.Unlock()
		if a.handle == nil {
			writeJSON(w, 200, map[string]any{})
			return
		}
		a.handle(w, r, n)
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *api) requests() []received {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]received(nil), a.reqs...)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeFiles writes files into a new temporary directory, replacing $URL with
// url in each, and returns the directory.
func writeFiles(t *testing.T, url string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(text, "$URL", url)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mustLoad loads dir/name and fails the test with every diagnostic when it cannot.
func mustLoad(t *testing.T, dir, name string, opts ...PlanOption) *Plan {
	t.Helper()
	plan, diags, err := Load(context.Background(), filepath.Join(dir, name), opts...)
	if err != nil {
		var b strings.Builder
		for _, d := range diags {
			b.WriteString(d.Error() + "\n")
		}
		t.Fatalf("load %s: %v\n%s", name, err, b.String())
	}
	return plan
}

// loadFiles writes files (with $URL replaced) and loads the one named
// "arazzo.yaml".
func loadFiles(t *testing.T, url string, files map[string]string, opts ...PlanOption) *Plan {
	t.Helper()
	return mustLoad(t, writeFiles(t, url, files), "arazzo.yaml", opts...)
}

func mustRun(t *testing.T, plan *Plan, wf string, inputs map[string]any, opts ...RunOption) *Result {
	t.Helper()
	res, err := plan.Run(context.Background(), wf, inputs, opts...)
	if err != nil {
		t.Fatalf("run %s: %v", wf, err)
	}
	return res
}

// fakeClock is a Clock whose Sleep returns at once and advances Now.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// stepTrail renders the executed steps as "id:status[:action]" for comparisons.
func stepTrail(res *Result) []string {
	var out []string
	for _, s := range res.Steps {
		e := s.StepID + ":" + string(s.Status)
		if s.Action != "" {
			e += ":" + s.Action
		}
		out = append(out, e)
	}
	return out
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
