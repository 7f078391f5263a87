package main

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// gatedReader passes the server's output to the client until shut is
// closed; from then on nothing more reaches the client (what the server
// writes is read and dropped, so the server never blocks on it), as when a
// client's connection is cut.
type gatedReader struct {
	r    io.Reader
	shut <-chan struct{}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	for {
		n, err := g.r.Read(p)
		select {
		case <-g.shut:
			if err != nil {
				return 0, err
			}
			continue // dropped: it never reaches the client
		default:
		}
		return n, err
	}
}

func (g *gatedReader) Close() error { return nil }

// TestMCPCrashAfterRenewal: the server is killed after the API renewed the
// token and before the result reached the client. A new server's list_runs
// and get_run show the run with its token held, and resume_run hands the
// token over without renewing it again.
func TestMCPCrashAfterRenewal(t *testing.T) {
	e := newMCPEnv(t)
	renewed := make(chan struct{})
	var once sync.Once
	// The renewal is committed: from here on the client hears nothing more.
	e.api.AfterRenew = func(http.ResponseWriter, *http.Request) { once.Do(func() { close(renewed) }) }

	cmd := exec.Command(e.bin, e.args()...)
	cmd.Env = e.env
	var stderr syncBuffer
	stdin, stdout := startPiped(t, cmd, &stderr)
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).
		Connect(ctx, &mcp.IOTransport{Reader: &gatedReader{r: stdout, shut: renewed}, Writer: stdin}, nil)
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res *mcp.CallToolResult
		err error
	}
	results := make(chan outcome, 1)
	go func() {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: rotateTool, Arguments: map[string]any{"search": "sales"}})
		results <- outcome{res, err}
	}()
	select {
	case <-renewed:
	case <-time.After(30 * time.Second):
		t.Fatalf("the renewal never came\nstderr:\n%s", stderr.String())
	}
	id := waitForStep(t, e.state, "renewToken", 20*time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed = true
	cmd.Wait()
	if o := <-results; o.err == nil {
		t.Fatalf("the result reached the client: %s", text(o.res))
	}
	cs.Close()
	token := e.api.Token(salesHandle)
	if e.api.Renewals(salesHandle) != 1 {
		t.Fatalf("%d renewals", e.api.Renewals(salesHandle))
	}

	// A new server: the agent finds the run instead of renewing again.
	cs2, stderr2 := e.stdio(t, nil)
	res := call(t, cs2, toolListRuns, nil)
	runs, _ := structured(t, res)["runs"].([]any)
	if res.IsError || len(runs) != 1 {
		t.Fatalf("list_runs: %s", text(res))
	}
	if r := runs[0].(map[string]any); r["runId"] != id || r["resumable"] != true {
		t.Errorf("list_runs: %v, want run %s, resumable", r, id)
	}
	res = call(t, cs2, toolGetRun, map[string]any{"runId": id})
	got := structured(t, res)
	outs, _ := got["outputs"].(map[string]any)
	if res.IsError || outs["token"] != "***" || !strings.Contains(text(res), "resume_run") {
		t.Errorf("get_run: %s\n%s", jsonOf(t, got), text(res))
	}
	if strings.Contains(jsonOf(t, got)+text(res), token) {
		t.Errorf("get_run shows the token unmasked")
	}

	res = call(t, cs2, toolResumeRun, map[string]any{"runId": id})
	if res.IsError {
		t.Fatalf("resume_run: %s\nstderr:\n%s", text(res), stderr2)
	}
	if out := structured(t, res); out["token"] != token || out["handle"] != salesHandle {
		t.Errorf("resume_run handed over %v, want the token %s", out, token)
	}
	if n := e.api.Renewals(salesHandle); n != 1 || !e.api.Accepts(salesHandle, token) {
		t.Errorf("after resume_run: %d renewals, the token is accepted: %v", n, e.api.Accepts(salesHandle, token))
	}
	// Resumed once: a second resume_run points at the run that resumed it.
	res = call(t, cs2, toolResumeRun, map[string]any{"runId": id})
	if !res.IsError || !strings.Contains(text(res), "resumed already") || e.api.Renewals(salesHandle) != 1 {
		t.Errorf("second resume_run: isError %v, %q", res.IsError, text(res))
	}
}
