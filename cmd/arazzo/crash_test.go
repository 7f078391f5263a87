package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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

var rotateThenCheck = filepath.Join("testdata", "crash", "rotate-then-check.arazzo.yaml")

// Crash windows around a renewal, from the first that can lose nothing to
// the last a step record closes.
const (
	windowBeforeSend    = "before the renewal was sent"
	windowAfterSend     = "after the renewal was sent, before the server acted"
	windowAfterResponse = "after its response was journaled, before its step"
	windowAfterStep     = "after its step was journaled, before the run's end"
)

// renewalWindow reads from the journal where run id stopped around the renewal.
func renewalWindow(t *testing.T, state, id string) string {
	t.Helper()
	ctx := context.Background()
	st, err := journal.Open(ctx, state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex, err := st.Exchanges(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := st.Steps(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var renew *journal.Exchange
	for _, e := range ex {
		if e.StepID == "renewToken" {
			renew = e
		}
	}
	switch {
	case renew == nil:
		return windowBeforeSend
	case !renew.Answered:
		return windowAfterSend
	}
	for _, s := range steps {
		if s.StepID == "renewToken" {
			return windowAfterStep
		}
	}
	return windowAfterResponse
}

// killer arms a server hook that kills the process under test (SIGKILL)
// from inside the request that reaches it, then lets the request end.
type killer struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

func newKiller() *killer { return &killer{done: make(chan struct{})} }

func (k *killer) kill(r *http.Request) {
	k.once.Do(func() {
		k.mu.Lock()
		_ = k.cmd.Process.Signal(syscall.SIGKILL)
		k.mu.Unlock()
		close(k.done)
	})
	select { // the client is gone: the request ends with it
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// crashAt arms api to kill the process in window w, for the server with
// handle. Other runs of the process (a batch's lines) may be anywhere but in
// the one window no client can close — the server renewed a token and the
// response is not on the client's disk yet (see docs/reliability.md): before
// the kill, new renewals are held before the server acts on them, and those
// it acted on are waited for until the journal holds their responses.
func crashAt(t *testing.T, api *testserver.Workato, k *killer, w, handle, state string) {
	server := "/api/mcp/mcp_servers/" + handle
	var gets sync.Map // GETs of the server seen: the first confirms it, the second checks it
	var closing atomic.Bool
	quiesce := func(except string) {
		closing.Store(true)
		deadline := time.Now().Add(10 * time.Second)
		for !renewalsJournaled(state, api, except) && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
	}
	api.BeforeRenew = func(r *http.Request) {
		switch {
		case w == windowAfterSend && strings.HasPrefix(r.URL.Path, server+"/"):
			quiesce(handle)
			k.kill(r)
		case closing.Load():
			<-r.Context().Done() // held until the kill: the server does not act on it
		}
	}
	switch w {
	case windowBeforeSend:
		api.OnRequest = func(r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == server {
				quiesce("")
				k.kill(r)
			}
		}
	case windowAfterResponse, windowAfterStep:
		if w == windowAfterResponse {
			// Before the victim's answer goes out: the kill follows it closely.
			api.AfterRenew = func(_ http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, server+"/") {
					quiesce(handle)
				}
			}
		}
		api.OnRequest = func(r *http.Request) {
			if r.Method != http.MethodGet || r.URL.Path != server {
				return
			}
			if _, again := gets.LoadOrStore(server, true); !again {
				return
			}
			if w == windowAfterStep {
				// The step record is not waited for: wait until it is on the disk.
				deadline := time.Now().Add(10 * time.Second)
				for !renewStepRecorded(state, handle) && time.Now().Before(deadline) {
					time.Sleep(2 * time.Millisecond)
				}
				quiesce("")
			}
			// Else at once: the renewal's step record waits for the writer's
			// next transaction, a few milliseconds away.
			k.kill(r)
		}
	}
}

// renewalsJournaled reports whether the journal holds the response of every
// renewal the server made, but for the server except's.
func renewalsJournaled(state string, api *testserver.Workato, except string) bool {
	ctx := context.Background()
	st, err := journal.Open(ctx, state)
	if err != nil {
		return false
	}
	defer st.Close()
	runs, err := st.Runs(ctx, 0)
	if err != nil {
		return false
	}
	if b, err := st.Batch(ctx, journal.Last); err == nil {
		lines, _ := st.BatchLines(ctx, b.ID, 0, 1<<20)
		runs = append(runs, lines...)
	}
	answered := map[string]bool{}
	for _, r := range runs {
		ex, _ := st.Exchanges(ctx, r.ID)
		for _, e := range ex {
			if e.StepID == "renewToken" && e.Answered {
				answered[e.URL] = true
			}
		}
	}
	for h, n := range api.RenewalCounts() {
		if n > 0 && h != except && !answered[api.URL+"/api/mcp/mcp_servers/"+h+"/token_renew"] {
			return false
		}
	}
	return true
}

// renewStepRecorded reports whether some run's renewToken step for handle is
// in the journal (a run's, or a batch line's).
func renewStepRecorded(state, handle string) bool {
	ctx := context.Background()
	st, err := journal.Open(ctx, state)
	if err != nil {
		return false
	}
	defer st.Close()
	runs, err := st.Runs(ctx, 0)
	if err != nil {
		return false
	}
	if b, err := st.Batch(ctx, journal.Last); err == nil {
		lines, _ := st.BatchLines(ctx, b.ID, 0, 1<<20)
		runs = append(runs, lines...)
	}
	for _, r := range runs {
		steps, _ := st.Steps(ctx, r.ID)
		for _, s := range steps {
			if s.StepID == "renewToken" && strings.Contains(s.URL, handle) {
				return true
			}
		}
	}
	return false
}

// TestCrashWindows kills a run (SIGKILL) in each window around its renewal.
// Whatever the window, the renewed token is never missing: 'runs show
// --reveal' shows it when the server renewed it, and --resume hands it over,
// renewing only when the server had not (a request in flight that the
// server had not acted on is sent again, with a warning).
func TestCrashWindows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildArazzo(t)
	for _, w := range []string{windowBeforeSend, windowAfterSend, windowAfterResponse, windowAfterStep} {
		t.Run(w, func(t *testing.T) {
			// The window after the response lasts until the writer's next
			// transaction (milliseconds): a loaded machine may miss it; try again.
			for try := 1; ; try++ {
				got := crashOnce(t, bin, w)
				if got == w {
					return
				}
				if w != windowAfterResponse || try == 5 {
					t.Fatalf("the kill landed %s, not %s", got, w)
				}
				t.Logf("try %d: the kill landed %s; again", try, got)
			}
		})
	}
}

// crashOnce runs the workflow, kills it in window w, checks what the journal
// and a resumed run hand over, and returns the window the kill landed in.
func crashOnce(t *testing.T, bin, w string) string {
	const handle = "sales-assistant-7f3a"
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	state := filepath.Join(t.TempDir(), "state")
	k := newKiller()
	crashAt(t, api, k, w, handle, state)
	env := append(os.Environ(), "WORKATO_TOKEN="+apiToken, "NO_COLOR=1")
	cmd := exec.Command(bin, "run", rotateThenCheck, "--input", "search=sales", "--auth", "bearerAuth=env:WORKATO_TOKEN",
		"--server", "mcpServerApi="+api.URL, "--state", state, "--output", "json")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	k.mu.Lock()
	k.cmd = cmd
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	k.mu.Unlock()
	select {
	case <-k.done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the process never reached the window\nstderr:\n%s", stderr.String())
	}
	_ = cmd.Wait()
	if ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() {
		t.Fatalf("the process was not killed: %v\nstderr:\n%s", cmd.ProcessState, stderr.String())
	}
	api.OnRequest, api.BeforeRenew, api.AfterRenew = nil, nil, nil

	last := lastRun(t, state)
	landed := renewalWindow(t, state, last.ID)
	renewed := api.Renewals(handle)

	// runs show --reveal: the token, whenever the server renewed it.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"runs", "show", last.ID, "--state", state, "--reveal"}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("runs show: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if renewed == 1 && !strings.Contains(out.String(), api.Token(handle)) {
		t.Errorf("%s: the server renewed the token, and runs show --reveal does not show it:\n%s", landed, out.String())
	}
	if landed == windowAfterSend && !strings.Contains(out.String(), "POST "+api.URL+"/api/mcp/mcp_servers/"+handle+"/token_renew: sent, no answer recorded: it may have been sent") {
		t.Errorf("%s: runs show does not say the renewal may have been sent:\n%s", landed, out.String())
	}
	if renewed == 1 {
		// Masked without --reveal.
		out.Reset()
		run(context.Background(), []string{"runs", "show", last.ID, "--state", state}, strings.NewReader(""), &out, &errb)
		if strings.Contains(out.String(), api.Token(handle)) {
			t.Errorf("%s: runs show prints the token without --reveal:\n%s", landed, out.String())
		}
	}

	// --resume hands the token over; it renews only if the server had not.
	before := len(api.Requests())
	res := exec.Command(bin, "run", "--resume", last.ID, "--auth", "bearerAuth=env:WORKATO_TOKEN", "--state", state, "--output", "json")
	res.Env = env
	var rout, rerr bytes.Buffer
	res.Stdout, res.Stderr = &rout, &rerr
	if err := res.Run(); err != nil {
		t.Fatalf("%s: resume: %v\nstdout:\n%s\nstderr:\n%s", landed, err, rout.String(), rerr.String())
	}
	var result struct {
		Status  string         `json:"status"`
		Outputs map[string]any `json:"outputs"`
	}
	if err := json.Unmarshal(rout.Bytes(), &result); err != nil {
		t.Fatalf("resume output: %v\n%s", err, rout.String())
	}
	if result.Status != "passed" || result.Outputs["token"] != api.Token(handle) {
		t.Errorf("%s: resumed run %s with token %v, the server holds %s", landed, result.Status, result.Outputs["token"], api.Token(handle))
	}
	if n := api.Renewals(handle); n != 1 {
		t.Errorf("%s: the server renewed %d times", landed, n)
	}
	for _, r := range api.Requests()[before:] {
		if strings.HasPrefix(r, "POST ") && renewed == 1 {
			t.Errorf("%s: the resumed run renewed again: %v", landed, api.Requests()[before:])
		}
	}
	if landed == windowAfterSend && !strings.Contains(rerr.String(), "not idempotent") {
		t.Errorf("%s: the resumed run sent the renewal again without a warning:\n%s", landed, rerr.String())
	}
	return landed
}

// TestCrashChain kills a 1,000-step chain of GETs (SIGKILL) at 20 random
// points: after a random number of requests, a random 0–2 ms later. Each
// --resume finishes with the outputs of an uninterrupted run, replays every
// exchange the journal kept and sends only the rest: the requests whose
// records the kill lost (they were not waited for: a GET is safe to send
// again) and those the killed run never sent.
func TestCrashChain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildArazzo(t)
	var mu sync.Mutex
	sent, killAt := 0, 0
	var victim *exec.Cmd
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s: the chain sends GETs only", r.Method, r.URL.Path)
		}
		mu.Lock()
		sent++
		if sent == killAt && victim != nil {
			p, d := victim.Process, time.Duration(rng.Int64N(int64(2*time.Millisecond)))
			go func() { time.Sleep(d); _ = p.Signal(syscall.SIGKILL) }()
		}
		mu.Unlock()
		chainItem(w, r)
	}))
	defer srv.Close()
	requests := func() int {
		mu.Lock()
		defer mu.Unlock()
		return sent
	}
	const steps = 1000
	doc := writeChain(t, t.TempDir(), steps)
	env := append(os.Environ(), "NO_COLOR=1")
	outputs := func(stdout []byte) map[string]any {
		var res struct {
			Status  string         `json:"status"`
			Outputs map[string]any `json:"outputs"`
		}
		if err := json.Unmarshal(stdout, &res); err != nil || res.Status != "passed" {
			t.Fatalf("status %q (%v):\n%.2000s", res.Status, err, stdout)
		}
		return res.Outputs
	}
	run := func(args ...string) ([]byte, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		victim = cmd
		mu.Unlock()
		err := cmd.Wait()
		mu.Lock()
		victim = nil
		mu.Unlock()
		return stdout.Bytes(), stderr.String(), err
	}

	// The reference: an uninterrupted run.
	out, stderr, err := run("run", doc, "--server", "items="+srv.URL, "--state", filepath.Join(t.TempDir(), "state"), "--output", "json")
	if err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, stderr)
	}
	want := outputs(out)

	lostMost := 0
	for i := range 20 {
		state := filepath.Join(t.TempDir(), "state")
		mu.Lock()
		before := sent
		killAt = before + 1 + rng.IntN(steps)
		mu.Unlock()
		if _, _, err := run("run", doc, "--server", "items="+srv.URL, "--state", state, "--output", "json"); err == nil {
			t.Fatalf("kill %d: the run was not killed", i)
		}
		killedSent := requests() - before

		ctx := context.Background()
		st, err := journal.Open(ctx, state)
		if err != nil {
			t.Fatal(err)
		}
		last, err := st.Run(ctx, journal.Last)
		if err != nil {
			st.Close()
			t.Fatalf("kill %d after %d requests: %v", i, killedSent, err)
		}
		ex, err := st.Exchanges(ctx, last.ID)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		kept := 0
		for _, e := range ex {
			if e.Answered {
				kept++
			}
		}

		mu.Lock()
		before, killAt = sent, 0
		mu.Unlock()
		out, stderr, err := run("run", "--resume", last.ID, "--state", state, "--output", "json")
		if err != nil {
			t.Fatalf("kill %d: resume: %v\n%s", i, err, stderr)
		}
		if got := outputs(out); got["first"] != want["first"] || got["last"] != want["last"] {
			t.Errorf("kill %d: resumed outputs %v, want %v", i, got, want)
		}
		resumed := requests() - before
		if resumed != steps-kept {
			t.Errorf("kill %d: the journal kept %d of %d exchanges, and the resumed run sent %d requests, want %d", i, kept, killedSent, resumed, steps-kept)
		}
		lostMost = max(lostMost, killedSent-kept)
		t.Logf("kill %d: %d requests sent, %d kept in the journal, %d sent by --resume", i, killedSent, kept, resumed)
	}
	t.Logf("at most %d answered requests were lost to a kill and sent again", lostMost)
}

// TestCrashBatchWindows kills a journaled batch (SIGKILL) while one of its
// lines is in each window around its renewal and the others are wherever
// they are. Across the batch no renewed token is missing: each is in 'runs
// show --reveal' of its line's run, and 'run --resume BATCH' hands every
// line's over, renewing only the servers that were not renewed.
func TestCrashBatchWindows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildArazzo(t)
	for _, w := range []string{windowBeforeSend, windowAfterSend, windowAfterResponse, windowAfterStep} {
		t.Run(w, func(t *testing.T) {
			for try := 1; ; try++ {
				got := crashBatchOnce(t, bin, w)
				if got == w {
					return
				}
				if w != windowAfterResponse || try == 5 {
					t.Fatalf("the kill landed %s, not %s", got, w)
				}
				t.Logf("try %d: the kill landed %s; again", try, got)
			}
		})
	}
}

func crashBatchOnce(t *testing.T, bin, w string) string {
	const n, victimLine = 12, 6
	var servers []testserver.MCPServer
	var lines strings.Builder
	for i := 1; i <= n; i++ {
		servers = append(servers, testserver.MCPServer{Handle: fmt.Sprintf("team-%03d-mcp", i), Name: fmt.Sprintf("Team %03d Assistant", i), FolderID: i})
		fmt.Fprintf(&lines, "{\"search\":\"Team %03d\"}\n", i)
	}
	handle := func(line int) string { return fmt.Sprintf("team-%03d-mcp", line) }
	api := testserver.NewWorkato(apiToken, servers...)
	defer api.Close()
	dir := t.TempDir()
	inputs := filepath.Join(dir, "lines.jsonl")
	if err := os.WriteFile(inputs, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	k := newKiller()
	crashAt(t, api, k, w, handle(victimLine), state)
	env := append(os.Environ(), "WORKATO_TOKEN="+apiToken, "NO_COLOR=1")
	cmd := exec.Command(bin, "run", rotateThenCheck, "--inputs-file", inputs, "--parallel", "3", "--auth", "bearerAuth=env:WORKATO_TOKEN",
		"--server", "mcpServerApi="+api.URL, "--state", state)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	k.mu.Lock()
	k.cmd = cmd
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	k.mu.Unlock()
	select {
	case <-k.done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the victim line never reached the window\nstderr:\n%s", stderr.String())
	}
	_ = cmd.Wait()
	api.OnRequest, api.BeforeRenew, api.AfterRenew = nil, nil, nil

	ctx := context.Background()
	st, err := journal.Open(ctx, state)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Batch(ctx, journal.Last)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	runs, err := st.BatchLines(ctx, b.ID, 0, n)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	landed := windowBeforeSend // no run journaled for the victim line
	lineRun := map[int]string{}
	for _, r := range runs {
		lineRun[r.Line] = r.ID
		if r.Line == victimLine {
			landed = renewalWindow(t, state, r.ID)
		}
	}

	// runs list shows the batch, and its lines that did not pass.
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"runs", "list", "--state", state}, strings.NewReader(""), &out, &errb); code != ExitOK ||
		!strings.Contains(out.String(), b.ID+" ") || !strings.Contains(out.String(), "batch interrupted") {
		t.Errorf("runs list: exit %d\n%s%s", code, out.String(), errb.String())
	}
	for _, r := range runs {
		if r.EffectiveStatus() != journal.StatusPassed && !strings.Contains(out.String(), fmt.Sprintf("  %s  ", r.ID)) {
			t.Errorf("runs list does not show line %d (%s):\n%s", r.Line, r.EffectiveStatus(), out.String())
		}
	}
	// Every token the server renewed is in runs show --reveal of its line's run.
	for i := 1; i <= n; i++ {
		if api.Renewals(handle(i)) == 0 {
			continue
		}
		out.Reset()
		if code := run(ctx, []string{"runs", "show", lineRun[i], "--state", state, "--reveal"}, strings.NewReader(""), &out, &errb); code != ExitOK {
			t.Fatalf("runs show %s: exit %d\n%s", lineRun[i], code, errb.String())
		}
		if !strings.Contains(out.String(), api.Token(handle(i))) {
			t.Errorf("%s: line %d's server was renewed, and runs show --reveal does not show its token:\n%s", landed, i, out.String())
		}
	}

	// --resume BATCH hands over every line's token; no server renewed twice.
	res := exec.Command(bin, "run", "--resume", b.ID, "--auth", "bearerAuth=env:WORKATO_TOKEN", "--state", state)
	res.Env = env
	var rout, rerr bytes.Buffer
	res.Stdout, res.Stderr = &rout, &rerr
	if err := res.Run(); err != nil {
		t.Fatalf("%s: resume: %v\nstdout:\n%s\nstderr:\n%s", landed, err, rout.String(), rerr.String())
	}
	got := map[int]batchLine{}
	for _, l := range strings.Split(strings.TrimSpace(rout.String()), "\n") {
		var r batchLine
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("resumed output %q: %v", l, err)
		}
		got[r.Line] = r
	}
	for i := 1; i <= n; i++ {
		h := handle(i)
		if r := got[i]; r.Status != "passed" || r.Outputs["token"] != api.Token(h) {
			t.Errorf("%s: line %d: %s, token %v; the server holds %s", landed, i, r.Status, r.Outputs["token"], api.Token(h))
		}
		if c := api.Renewals(h); c != 1 {
			t.Errorf("%s: %s renewed %d times", landed, h, c)
		}
	}
	if landed == windowAfterSend && !strings.Contains(rerr.String(), fmt.Sprintf("line %d: sending POST", victimLine)) {
		t.Errorf("%s: the resumed batch sent the renewal of line %d again without a warning:\n%s", landed, victimLine, rerr.String())
	}
	return landed
}
