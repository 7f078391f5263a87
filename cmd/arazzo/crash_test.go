package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/journal"
)

var rotateFile = filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")

// buildArazzo builds the command into a temporary directory.
func buildArazzo(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not in PATH; the crash test needs to build the binary")
	}
	bin := filepath.Join(t.TempDir(), "arazzo")
	cmd := exec.Command(goTool, "build", "-buildvcs=false", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// blockedStdout returns a pipe whose buffer is already full: the first write
// of a process given it as stdout blocks until the test reads it (it never does).
func blockedStdout(t *testing.T) *os.File {
	t.Helper()
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		t.Skip("no pipe2:", err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := syscall.Write(fds[1], chunk); err != nil {
			break // EAGAIN: full
		}
	}
	if err := syscall.SetNonblock(fds[1], false); err != nil {
		t.Fatal(err)
	}
	r, w := os.NewFile(uintptr(fds[0]), "stdout-r"), os.NewFile(uintptr(fds[1]), "stdout-w")
	t.Cleanup(func() { r.Close(); w.Close() })
	return w
}

// TestCrashAfterRenewal: the process is killed (SIGKILL) after the server
// renewed the token and answered, before the process handed the token over
// (with --output json it writes the outputs at the end, to a stdout that is
// blocked). The journal shows the new token; --resume finishes the run, hands
// the token over, and does not renew again.
func TestCrashAfterRenewal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildArazzo(t)
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	renewed := make(chan struct{})
	var once sync.Once
	api.AfterRenew = func(w http.ResponseWriter, r *http.Request) { once.Do(func() { close(renewed) }) }
	state := filepath.Join(t.TempDir(), "state")
	env := append(os.Environ(), "WORKATO_TOKEN="+apiToken, "NO_COLOR=1")
	args := []string{"run", rotateFile, "--input", "search=sales", "--auth", "bearerAuth=env:WORKATO_TOKEN",
		"--server", "mcpServerApi=" + api.URL, "--state", state, "--output", "json"}

	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = blockedStdout(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	select {
	case <-renewed:
	case <-time.After(20 * time.Second):
		t.Fatalf("the renewal never came\nstderr:\n%s", stderr.String())
	}
	// Wait until the journal holds the renewal and the run's end (the process
	// then blocks handing the outputs over), then kill the process.
	id := waitForStep(t, state, "renewToken", 20*time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed = true
	err := cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		// It exited by itself: it was not held before handing the token over.
		t.Fatalf("the process was not killed: %v\nstderr:\n%s", err, stderr.String())
	}
	token := api.Token("sales-assistant-7f3a")
	requests := len(api.Requests())

	// runs show: the new token, masked unless --reveal.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"runs", "show", id, "--state", state}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("runs show: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if strings.Contains(out.String(), token) || !strings.Contains(out.String(), "token: ***") ||
		!strings.Contains(out.String(), ": passed, but its outputs were not handed over: its process stopped before it printed them") ||
		!strings.Contains(out.String(), "hand the outputs over with: arazzo run --resume "+id) {
		t.Errorf("runs show without --reveal:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"runs", "show", id, "--state", state, "--reveal"}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("runs show --reveal: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), "token: "+token) {
		t.Errorf("runs show --reveal does not show the server's current token %s:\n%s", token, out.String())
	}

	// --resume (the real binary again) hands the token over without renewing.
	res := exec.Command(bin, "run", "--resume", id, "--auth", "bearerAuth=env:WORKATO_TOKEN", "--state", state, "--output", "json")
	res.Env = env
	var rout, rerr bytes.Buffer
	res.Stdout, res.Stderr = &rout, &rerr
	if err := res.Run(); err != nil {
		t.Fatalf("resume: %v\nstdout:\n%s\nstderr:\n%s", err, rout.String(), rerr.String())
	}
	var result struct {
		Status  string         `json:"status"`
		Outputs map[string]any `json:"outputs"`
	}
	if err := json.Unmarshal(rout.Bytes(), &result); err != nil {
		t.Fatalf("resume output is not JSON: %v\n%s", err, rout.String())
	}
	if result.Status != "passed" || result.Outputs["token"] != token {
		t.Errorf("resumed run %s with token %v, want the renewed token %s", result.Status, result.Outputs["token"], token)
	}
	if n := api.Renewals("sales-assistant-7f3a"); n != 1 {
		t.Errorf("the token was renewed %d times", n)
	}
	if n := len(api.Requests()); n != requests {
		t.Errorf("the resumed run sent %d requests; it should replay all three steps", n-requests)
	}
}

// waitForStep polls the journal until the latest run has a passed step and
// has ended, and returns the run's ID.
func waitForStep(t *testing.T, state, step string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if id, ok := stepRecorded(state, step); ok {
			return id
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the journal in %s never recorded step %s", state, step)
	return ""
}

func stepRecorded(state, step string) (string, bool) {
	ctx := context.Background()
	st, err := journal.Open(ctx, state)
	if err != nil {
		return "", false
	}
	defer st.Close()
	r, err := st.Run(ctx, journal.Last)
	if err != nil || r.Status == journal.StatusRunning {
		return "", false
	}
	steps, err := st.Steps(ctx, r.ID)
	if err != nil {
		return "", false
	}
	for _, s := range steps {
		if s.StepID == step && s.Status == "passed" {
			return r.ID, true
		}
	}
	return "", false
}

// TestSignalJournalsWhatCompleted: SIGINT while the renewal is in flight stops
// the request, prints and journals the steps that completed, and exits 130; a
// resumed run warns that it sends the renewal again (it is not idempotent),
// sends only that, and passes.
func TestSignalJournalsWhatCompleted(t *testing.T) {
	state := t.TempDir()
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	t.Setenv("WORKATO_TOKEN", apiToken)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	api.AfterRenew = func(w http.ResponseWriter, r *http.Request) {
		cancel(&signalError{sig: syscall.SIGINT})
		<-r.Context().Done()
	}
	args := []string{"run", rotateFile, "--input", "search=support", "--auth", "bearerAuth=env:WORKATO_TOKEN", "--server", "mcpServerApi=" + api.URL, "--state", state}
	var out, errb bytes.Buffer
	if code := run(ctx, args, strings.NewReader(""), &out, &errb); code != ExitSIGINT {
		t.Fatalf("exit %d, want %d\n%s%s", code, ExitSIGINT, out.String(), errb.String())
	}
	for _, want := range []string{"✓ findServer", "✓ confirmServer", "✗ renewToken"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the output:\n%s", want, out.String())
		}
	}
	api.AfterRenew = nil

	out.Reset()
	if code := run(context.Background(), []string{"runs", "show", "last", "--state", state}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("runs show: exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{": interrupted\n", "✓ findServer", "✓ confirmServer", "… POST " + api.URL + "/api/mcp/mcp_servers/support-desk-91bc/token_renew: sent, no answer recorded"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in runs show:\n%s", want, out.String())
		}
	}

	before := len(api.Requests())
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"run", "--resume", "last", "--auth", "bearerAuth=env:WORKATO_TOKEN", "--state", state},
		strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("resume: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "not idempotent") {
		t.Errorf("no warning before sending the renewal again:\n%s", errb.String())
	}
	if sent := api.Requests()[before:]; len(sent) != 1 || !strings.HasPrefix(sent[0], "POST ") {
		t.Errorf("the resumed run sent %v", sent)
	}
	if !strings.Contains(out.String(), "token: "+api.Token("support-desk-91bc")) {
		t.Errorf("the resumed run does not hand over the current token:\n%s", out.String())
	}
}
