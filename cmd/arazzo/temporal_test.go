//go:build temporal

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/build"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/temporal"
)

// The Temporal integration tests run the real CLI (workers, and run
// --temporal) against a real Temporal server: the one at
// $ARAZZO_TEMPORAL_ADDRESS, else a development server this test starts with
// the Temporal CLI (go install github.com/temporalio/cli/cmd/temporal@v1.5.1).
// Without either they are skipped.

// temporalServer returns the address of a Temporal server for the test.
func temporalServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the Temporal integration tests need a Temporal server")
	}
	if addr := os.Getenv("ARAZZO_TEMPORAL_ADDRESS"); addr != "" {
		return addr
	}
	bin, err := exec.LookPath("temporal")
	if err != nil {
		gobin := os.Getenv("GOBIN")
		if gobin == "" {
			gobin = filepath.Join(build.Default.GOPATH, "bin")
		}
		bin = filepath.Join(gobin, "temporal")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("the Temporal CLI is not installed (go install github.com/temporalio/cli/cmd/temporal@v1.5.1), " +
				"and ARAZZO_TEMPORAL_ADDRESS names no running server: skipping the Temporal integration tests")
		}
	}
	addr := "127.0.0.1:" + freePort(t)
	cmd := exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", strings.TrimPrefix(addr, "127.0.0.1:"),
		"--log-level", "error")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the Temporal dev server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	cl := dialTemporal(t, addr, 60*time.Second)
	cl.Close()
	return addr
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// dialTemporal connects to the server, waiting for it to come up.
func dialTemporal(t *testing.T, addr string, wait time.Duration) client.Client {
	t.Helper()
	logger := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cl, err := client.DialContext(ctx, client.Options{HostPort: addr, Logger: logger})
		cancel()
		if err == nil {
			return cl
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Temporal server at %s does not answer: %v", addr, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// arazzoBin is the arazzo command (this test binary, linked by testscript.Main).
func arazzoBin(t *testing.T) string {
	bin, err := exec.LookPath("arazzo")
	if err != nil {
		t.Fatalf("arazzo is not in PATH: %v", err)
	}
	return bin
}

func randomName(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// startWorker starts an 'arazzo worker' process on the task queue; its stderr
// goes to the returned buffer.
func startWorker(t *testing.T, addr, queue string, extra ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(arazzoBin(t), append([]string{"worker", "--temporal", addr, "--task-queue", queue, "--auth", "bearerAuth=env:WORKATO_TOKEN"}, extra...)...)
	cmd.Env = append(os.Environ(), "WORKATO_TOKEN="+apiToken, "NO_COLOR=1")
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		}
		if strings.Contains(logs.String(), "DATA RACE") { // under go test -race, the workers are race-enabled too
			t.Errorf("a worker reported a data race:\n%s", logs.String())
		}
	})
	return cmd, &logs
}

// lockedBuffer is a bytes.Buffer that a process and the test may use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *lockedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *lockedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fleet is a Workato-like API holding n MCP servers and an inputs file
// naming each once.
type fleet struct {
	api    *testserver.Workato
	inputs string
	n      int
}

func newFleet(t *testing.T, n int) *fleet {
	var servers []testserver.MCPServer
	var lines strings.Builder
	for i := 1; i <= n; i++ {
		servers = append(servers, testserver.MCPServer{Handle: fmt.Sprintf("team-%03d-mcp", i), Name: fmt.Sprintf("Team %03d Assistant", i), FolderID: i})
		fmt.Fprintf(&lines, "{\"search\":\"Team %03d\"}\n", i)
	}
	f := &fleet{api: testserver.NewWorkato(apiToken, servers...), n: n, inputs: filepath.Join(t.TempDir(), "runs.jsonl")}
	t.Cleanup(f.api.Close)
	if err := os.WriteFile(f.inputs, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fleet) handle(line int) string { return fmt.Sprintf("team-%03d-mcp", line) }

// parseBatch reads batch output: one JSON line per input line, in order.
func parseBatch(t *testing.T, out []byte) []batchLine {
	t.Helper()
	var lines []batchLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l batchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("batch output line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestTemporal(t *testing.T) {
	addr := temporalServer(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Run("a run prints what a local run prints", func(t *testing.T) { testTemporalSingle(t, addr) })
	t.Run("batch on two workers", func(t *testing.T) { testTemporalBatch(t, addr) })
	t.Run("a worker killed mid-batch", func(t *testing.T) { testTemporalWorkerKilled(t, addr) })
	t.Run("payloads encrypted with --payload-key", func(t *testing.T) { testTemporalPayloadKey(t, addr) })
}

// With --payload-key on the worker and the client, the run's history holds
// neither its inputs nor the renewed token in clear; the client that has the
// key shows both.
func testTemporalPayloadKey(t *testing.T, addr string) {
	queue := randomName("arazzo-test-")
	keyFile := filepath.Join(t.TempDir(), "payload.key")
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startWorker(t, addr, queue, "--payload-key", "file:"+keyFile)
	f := newFleet(t, 5)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", rotateFile, "--input", "search=Team 004", "--server", "mcpServerApi=" + f.api.URL,
		"--temporal", addr, "--task-queue", queue, "--payload-key", "file:" + keyFile}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	token := f.api.Token(f.handle(4))
	if !strings.Contains(out.String(), token) {
		t.Fatalf("the renewed token is not in the outputs:\n%s", out.String())
	}
	m := regexp.MustCompile(`run (\S+) submitted to`).FindStringSubmatch(errb.String())
	if m == nil {
		t.Fatalf("no run id on stderr:\n%s", errb.String())
	}
	cl := dialTemporal(t, addr, 10*time.Second) // without the key
	defer cl.Close()
	h := &historypb.History{}
	it := cl.GetWorkflowHistory(context.Background(), m[1], "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	raw, err := proto.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) < 10 || !bytes.Contains(raw, []byte("binary/encrypted")) {
		t.Fatalf("%d events, encrypted payloads: %v", len(h.Events), bytes.Contains(raw, []byte("binary/encrypted")))
	}
	for what, s := range map[string]string{"the renewed token": token, "the search input": "Team 004", "the API's URL": f.api.URL} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the history holds %s in clear", what)
		}
	}
	var sout, serr bytes.Buffer
	if code := run(context.Background(), []string{"runs", "show", m[1], "--temporal", addr, "--payload-key", "file:" + keyFile, "--output", "json", "--reveal"},
		strings.NewReader(""), &sout, &serr); code != ExitOK || !strings.Contains(sout.String(), "Team 004") || !strings.Contains(sout.String(), token) {
		t.Errorf("runs show with the key: exit %d\n%s%s", code, sout.String(), serr.String())
	}
	// runs list reads the runs back, outcome and workflow included.
	sout.Reset()
	serr.Reset()
	if code := run(context.Background(), []string{"runs", "list", "--temporal", addr, "--payload-key", "file:" + keyFile, "-n", "0"},
		strings.NewReader(""), &sout, &serr); code != ExitOK {
		t.Fatalf("runs list: exit %d\n%s%s", code, sout.String(), serr.String())
	}
	line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(m[1]) + `\s.*$`).FindString(sout.String())
	if !strings.Contains(line, " passed ") || !strings.HasSuffix(line, "rotate-mcp-server-token") || !strings.Contains(line, " 3 ") {
		t.Errorf("runs list has no passed line for %s:\n%s", m[1], sout.String())
	}
}

// 200 rotate runs submitted in batch, one Temporal workflow per line, executed
// by two workers: every run passes, every server's token is rotated exactly
// once, and the outputs are those of a local run.
func testTemporalBatch(t *testing.T, addr string) {
	const n = 200
	queue := randomName("arazzo-test-")
	f := newFleet(t, n)
	startWorker(t, addr, queue)
	startWorker(t, addr, queue)

	start := time.Now()
	cmd := exec.Command(arazzoBin(t), "run", rotateFile, "--server", "mcpServerApi="+f.api.URL, "--inputs-file", f.inputs,
		"--temporal", addr, "--task-queue", queue)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("run --temporal --inputs-file: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Logf("%d runs on Temporal in %s", n, time.Since(start).Round(time.Millisecond))
	remote := parseBatch(t, stdout.Bytes())

	// The same batch in process, against an API holding the same servers.
	lf := newFleet(t, n)
	var lout, lerr bytes.Buffer
	if code := run(context.Background(), []string{"run", rotateFile, "--server", "mcpServerApi=" + lf.api.URL, "--inputs-file", lf.inputs,
		"--auth", "bearerAuth=" + apiToken, "--parallel", "8", "--no-journal"}, strings.NewReader(""), &lout, &lerr); code != ExitOK {
		t.Fatalf("local batch: exit %d\n%s", code, lerr.String())
	}
	local := parseBatch(t, lout.Bytes())

	if len(remote) != n || len(local) != n {
		t.Fatalf("%d lines on Temporal, %d locally, want %d\nstderr:\n%s", len(remote), len(local), n, stderr.String())
	}
	for i, r := range remote {
		l := local[i]
		h := f.handle(i + 1)
		if r.Line != i+1 || r.Status != "passed" {
			t.Errorf("line %d: status %s: %s", r.Line, r.Status, r.Error)
			continue
		}
		if got := f.api.Renewals(h); got != 1 {
			t.Errorf("%s renewed %d times, want 1", h, got)
		}
		if r.Outputs["token"] != f.api.Token(h) {
			t.Errorf("line %d: token output %v, server's token %s", r.Line, r.Outputs["token"], f.api.Token(h))
		}
		// Outputs match the local run's, but for the token each API made up.
		if r.Outputs["handle"] != l.Outputs["handle"] || r.Outputs["serverName"] != l.Outputs["serverName"] || len(r.Outputs) != len(l.Outputs) ||
			r.Status != l.Status || r.Line != l.Line {
			t.Errorf("line %d differs from the local run:\ntemporal: %+v\nlocal:    %+v", r.Line, r, l)
		}
	}
	if got := f.api.TotalRenewals(); got != n {
		t.Errorf("%d renewals in all, want %d", got, n)
	}
	if strings.Contains(stdout.String()+stderr.String(), apiToken) {
		t.Error("the API token was printed")
	}
	batchID := batchIDOf(t, stderr.String())
	cl := dialTemporal(t, addr, 10*time.Second)
	defer cl.Close()
	checkHistories(t, cl, batchID, n)

	// runs show reads a run back from the cluster.
	var sout, serr bytes.Buffer
	if code := run(context.Background(), []string{"runs", "show", batchID + "-7", "--temporal", addr, "--output", "json", "--reveal"},
		strings.NewReader(""), &sout, &serr); code != ExitOK {
		t.Fatalf("runs show: exit %d: %s", code, serr.String())
	}
	var shown struct {
		Status  string           `json:"status"`
		Inputs  map[string]any   `json:"inputs"`
		Steps   []report.RunStep `json:"steps"`
		Outputs map[string]any   `json:"outputs"`
	}
	if err := json.Unmarshal(sout.Bytes(), &shown); err != nil {
		t.Fatalf("runs show --output json: %v\n%s", err, sout.String())
	}
	if shown.Status != "passed" || shown.Inputs["search"] != "Team 007" || len(shown.Steps) != 3 || shown.Outputs["token"] != f.api.Token(f.handle(7)) {
		t.Errorf("runs show: %+v", shown)
	}
}

// batchIDOf finds the batch id the run command announced on stderr.
func batchIDOf(t *testing.T, stderr string) string {
	t.Helper()
	for _, f := range strings.Fields(stderr) {
		if strings.HasPrefix(f, "arazzo-batch-") {
			return strings.TrimSuffix(f, ":")
		}
	}
	t.Fatalf("no batch id in stderr:\n%s", stderr)
	return ""
}

// checkHistories reads the history of every run of a batch: none holds the
// API token, and each replays deterministically with the workflow code.
func checkHistories(t *testing.T, cl client.Client, batchID string, n int) {
	t.Helper()
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(temporal.NewWorker().Workflow, workflow.RegisterOptions{Name: temporal.WorkflowName})
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("%s-%d", batchID, i)
		h := &historypb.History{}
		it := cl.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatalf("history of %s: %v", id, err)
			}
			h.Events = append(h.Events, ev)
		}
		raw, err := proto.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(apiToken)) {
			t.Errorf("the history of %s holds the API token", id)
		}
		if err := replayer.ReplayWorkflowHistory(nil, h); err != nil {
			t.Errorf("the history of %s does not replay: %v", id, err)
		}
	}
}

// A worker is killed (SIGKILL) mid-batch, with renewals in flight on it: the
// other one finishes every run, and no token is rotated twice. A renewal
// whose response reached the killed worker is handed over from the spool
// the workers share, or from the send activity's heartbeat details; one still in flight at the server ends its
// run in error — not sent again — and, since this server acts on a renewal
// only when its client is still there, nothing was renewed. The test reports
// how many tokens were lost (renewed by the server, in no output): what is
// left is the window between the server committing a renewal and the
// worker's spooling of its response.
func testTemporalWorkerKilled(t *testing.T, addr string) (tokensLost int) {
	const n = 200
	queue := randomName("arazzo-test-")
	f := newFleet(t, n)
	// Each renewal takes a while before the server acts on it, so that the
	// kill finds renewals in flight.
	f.api.BeforeRenew = func(*http.Request) { time.Sleep(50 * time.Millisecond) }
	victim, victimLogs := startWorker(t, addr, queue)
	_, survivorLogs := startWorker(t, addr, queue)

	cmd := exec.Command(arazzoBin(t), "run", rotateFile, "--server", "mcpServerApi="+f.api.URL, "--inputs-file", f.inputs,
		"--temporal", addr, "--task-queue", queue)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for f.api.TotalRenewals() < n/4 {
		select {
		case err := <-done:
			t.Fatalf("the batch ended before the kill: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("only %d renewals after 2 minutes\nstderr:\n%s\nworkers:\n%s\n%s", f.api.TotalRenewals(), stderr.String(), victimLogs, survivorLogs)
		}
	}
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.Wait()
	atKill := f.api.TotalRenewals()
	t.Logf("worker killed after %d renewals, %s into the batch", atKill, time.Since(start).Round(time.Millisecond))

	var err error
	select {
	case err = <-done:
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("the batch did not end 3 minutes after the kill\nstderr:\n%s\nsurvivor:\n%s", stderr.String(), survivorLogs)
	}
	t.Logf("batch ended %s after it started: %v", time.Since(start).Round(time.Millisecond), err)
	lines := parseBatch(t, []byte(stdout.String()))
	if len(lines) != n {
		t.Fatalf("%d result lines, want %d\nstderr:\n%s", len(lines), n, stderr.String())
	}
	if f.api.TotalRenewals() <= atKill {
		t.Errorf("no renewal after the kill (%d): the surviving worker did not carry on", atKill)
	}
	passed, lost := 0, 0
	for i, l := range lines {
		h := f.handle(i + 1)
		renewals := f.api.Renewals(h)
		if renewals > 1 {
			t.Errorf("%s renewed %d times", h, renewals)
		}
		if renewals > 0 && l.Outputs["token"] != f.api.Token(h) {
			// A kill between the server's commit and the record of the
			// response: never silent, the run says the renewal may have
			// happened.
			tokensLost++
			t.Logf("line %d: token lost: the server renewed it, the run says %s: %s", l.Line, l.Status, l.Error)
			if l.Status != "error" || !strings.Contains(l.Error, "may or may not have acted on it") {
				t.Errorf("line %d lost its token without saying so", l.Line)
			}
		}
		switch {
		case l.Status == "passed":
			passed++
			if renewals != 1 || l.Outputs["token"] != f.api.Token(h) {
				t.Errorf("line %d passed with token %v; the server renewed %d times and holds %s", l.Line, l.Outputs["token"], renewals, f.api.Token(h))
			}
		case l.Status == "error" && strings.Contains(l.Error, "is not sent again behind the workflow's back"):
			if lost++; lost == 1 {
				t.Logf("line %d, its renewal in flight on the killed worker: %s", l.Line, l.Error)
			}
		default:
			t.Errorf("line %d: %s: %s", l.Line, l.Status, l.Error)
		}
	}
	t.Logf("%d runs passed, %d lost a renewal in flight on the killed worker; tokens lost: %d of %d", passed, lost, tokensLost, n)
	if lost > 0 && err == nil {
		t.Error("exit 0 with runs in error")
	}
	if passed < n-16 {
		t.Errorf("only %d runs passed", passed)
	}
	batchID := batchIDOf(t, stderr.String())
	cl := dialTemporal(t, addr, 10*time.Second)
	defer cl.Close()
	checkHistories(t, cl, batchID, n)
	return tokensLost
}

// TestTemporalKillRounds measures how many tokens a worker killed
// mid-renewal loses: ARAZZO_TEMPORAL_KILL_ROUNDS=N runs the kill test of
// TestTemporal N times (200 runs each) and reports the tokens lost in all
// (the figure in docs/temporal.md).
func TestTemporalKillRounds(t *testing.T) {
	v := os.Getenv("ARAZZO_TEMPORAL_KILL_ROUNDS")
	if v == "" {
		t.Skip("set ARAZZO_TEMPORAL_KILL_ROUNDS=N to measure the tokens lost in N kill tests of 200 runs")
	}
	var rounds int
	if _, err := fmt.Sscan(v, &rounds); err != nil || rounds < 1 {
		t.Fatalf("ARAZZO_TEMPORAL_KILL_ROUNDS=%q: want a positive number", v)
	}
	addr := temporalServer(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	total := 0
	for i := 1; i <= rounds; i++ {
		t.Run(fmt.Sprint("round ", i), func(t *testing.T) { total += testTemporalWorkerKilled(t, addr) })
	}
	t.Logf("tokens lost: %d in %d kill tests of 200 runs", total, rounds)
}

// A run submitted to the cluster prints the lines a local run prints, and
// exits with the same code, for a run that passes and one that fails.
func testTemporalSingle(t *testing.T, addr string) {
	queue := randomName("arazzo-test-")
	startWorker(t, addr, queue)
	for _, tc := range []struct {
		search string
		code   int
	}{{"Team 002", ExitOK}, {"no such team", ExitFailed}} {
		remote, local := newFleet(t, 3), newFleet(t, 3)
		var rout, rerr, lout, lerr bytes.Buffer
		rcode := run(context.Background(), []string{"run", rotateFile, "--input", "search=" + tc.search, "--server", "mcpServerApi=" + remote.api.URL,
			"--temporal", addr, "--task-queue", queue}, strings.NewReader(""), &rout, &rerr)
		lcode := run(context.Background(), []string{"run", rotateFile, "--input", "search=" + tc.search, "--server", "mcpServerApi=" + local.api.URL,
			"--auth", "bearerAuth=" + apiToken, "--no-journal"}, strings.NewReader(""), &lout, &lerr)
		if rcode != tc.code || lcode != tc.code {
			t.Errorf("search %q: exit %d on Temporal, %d locally, want %d\n%s%s", tc.search, rcode, lcode, tc.code, rout.String(), rerr.String())
		}
		norm := func(s, token string) string {
			s = durationRE.ReplaceAllString(s, " DURATION")
			if token != "" {
				s = strings.ReplaceAll(s, token, "TOKEN")
			}
			return s
		}
		r, l := norm(rout.String(), remote.api.Token(remote.handle(2))), norm(lout.String(), local.api.Token(local.handle(2)))
		if r != l {
			t.Errorf("search %q: stdout differs\non Temporal:\n%s\nlocally:\n%s", tc.search, r, l)
		}
		if !strings.Contains(rerr.String(), "submitted to "+addr) {
			t.Errorf("stderr does not name the run:\n%s", rerr.String())
		}
	}
}

var durationRE = regexp.MustCompile(`\s+\d+(\.\d+)?(ms|s)\b`)

// The flags of a run on Temporal, checked before anything is sent.
func TestTemporalFlags(t *testing.T) {
	closed := "127.0.0.1:" + freePort(t)
	lines := filepath.Join(t.TempDir(), "lines.jsonl")
	if err := os.WriteFile(lines, []byte("{\"search\": \"a\"}\n{\"search\": \"b\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", rotateFile, "--input", "search=x", "--temporal", closed, "--auth", "bearerAuth=secret"}, ExitUsage, "credentials stay on the workers"},
		{[]string{"run", rotateFile, "--input", "search=x", "--detach"}, ExitUsage, "--detach applies to runs submitted to a Temporal cluster"},
		{[]string{"run", rotateFile, "--input", "search=x", "--task-queue", "q"}, ExitUsage, "--task-queue applies to a Temporal cluster"},
		{[]string{"run", rotateFile, "--input", "search=x", "--temporal", closed, "--mock"}, ExitUsage, "--mock does not go with --temporal"},
		{[]string{"run", rotateFile, "--temporal", closed}, ExitUsage, `missing required input "search"`},
		{[]string{"run", rotateFile, "--input", "search=x", "--temporal", closed}, ExitIncomplete, "cannot reach the Temporal cluster at " + closed},
		{[]string{"run", rotateFile, "--input", "search=x", "--temporal", closed, "--server", "mcpServrApi=http://127.0.0.1:1"}, ExitUsage,
			`--server mcpServrApi: no source description is named "mcpServrApi"; did you mean "mcpServerApi"?`},
		{[]string{"run", rotateFile, "--input", "search=x", "--temporal", closed, "--server-var", "mcpServrApi.region=eu"}, ExitUsage,
			`--server-var mcpServrApi.region: no source description is named "mcpServrApi"; did you mean "mcpServerApi"?`},
		{[]string{"run", rotateFile, "--input", "search=x", "--temporal", closed, "--server-var", "mcpServerApi.region=eu"}, ExitUsage,
			`--server-var mcpServerApi.region: no server of source "mcpServerApi" has a variable {region}`},
		{[]string{"run", rotateFile, "--inputs-file", lines, "--temporal", closed, "--server", "mcpServrApi=http://127.0.0.1:1"}, ExitUsage,
			`--server mcpServrApi: no source description is named "mcpServrApi"; did you mean "mcpServerApi"?`},
		{[]string{"run", rotateFile, "--inputs-file", lines, "--temporal", closed, "--server-var", "mcpServerApi.region=eu"}, ExitUsage,
			`--server-var mcpServerApi.region: no server of source "mcpServerApi" has a variable {region}`},
		{[]string{"runs", "show", "x", "--namespace", "n"}, ExitUsage, "--namespace applies to a Temporal cluster"},
		{[]string{"worker"}, ExitUsage, "worker needs --temporal HOST:PORT"},
		{[]string{"worker", "--temporal", closed, "--auth", "bearerAuth"}, ExitUsage, `--auth "***": expected SCHEME=VALUE`},
		{[]string{"worker", "--temporal", closed, "--max-body", "3000000"}, ExitUsage, "--max-body must be between 1 and 1572864"},
		{[]string{"worker", "--temporal", closed}, ExitIncomplete, "cannot reach the Temporal cluster"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, want %d with %q\nstderr: %s", tc.args, code, tc.code, tc.msg, errb.String())
		}
		if strings.Contains(out.String()+errb.String(), "secret") {
			t.Errorf("%v: the credential was printed", tc.args)
		}
	}
}
