package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// batchLine is one line of batch output.
type batchLine struct {
	Line    int            `json:"line"`
	Status  string         `json:"status"`
	Outputs map[string]any `json:"outputs"`
	Error   string         `json:"error"`
}

// TestBatchRotates rotates the tokens of 300 servers from one inputs file, a
// line in the middle naming a server that does not exist, in input order and
// then unordered with 16 runs at a time.
func TestBatchRotates(t *testing.T) {
	const n, bad = 300, 150
	var servers []testserver.MCPServer
	for i := 1; i <= n; i++ {
		servers = append(servers, testserver.MCPServer{Handle: fmt.Sprintf("srv-%03d", i), Name: fmt.Sprintf("Server %03d", i), FolderID: i})
	}
	rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	var in strings.Builder
	for i := 1; i <= n; i++ {
		if i == bad {
			in.WriteString(`{"search":"no such server"}` + "\n")
			continue
		}
		fmt.Fprintf(&in, "{\"search\":\"server %03d\"}\n", i)
	}
	file := filepath.Join(t.TempDir(), "runs.jsonl")
	if err := os.WriteFile(file, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("TEST_API_TOKEN", apiToken)

	for _, mode := range []struct {
		name    string
		flags   []string
		ordered bool
	}{
		{"ordered", nil, true},
		{"unordered parallel", []string{"--parallel", "16", "--unordered"}, false},
	} {
		t.Run(mode.name, func(t *testing.T) {
			w := testserver.NewWorkato(apiToken, servers...)
			defer w.Close()
			args := append([]string{"run", rotate, "--inputs-file", file, "--auth", "bearerAuth=env:TEST_API_TOKEN", "--server", "mcpServerApi=" + w.URL}, mode.flags...)
			var out, errb bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
			if code != ExitFailed {
				t.Fatalf("exit %d, want %d (a line failed)\nstderr:\n%s", code, ExitFailed, errb.String())
			}
			lines := readBatchLines(t, out.Bytes())
			if len(lines) != n {
				t.Fatalf("%d result lines, want %d", len(lines), n)
			}
			seen := map[int]bool{}
			for i, l := range lines {
				if mode.ordered && l.Line != i+1 {
					t.Fatalf("result %d is line %d: not in input order", i+1, l.Line)
				}
				if seen[l.Line] {
					t.Fatalf("line %d reported twice", l.Line)
				}
				seen[l.Line] = true
				handle := fmt.Sprintf("srv-%03d", l.Line)
				if l.Line == bad {
					if l.Status != "failed" || !strings.Contains(l.Error, "findServer") {
						t.Errorf("line %d: status %s, error %q; want failed at findServer", l.Line, l.Status, l.Error)
					}
					if w.Renewals(handle) != 0 {
						t.Errorf("%s renewed although its line named no server", handle)
					}
					continue
				}
				tok, _ := l.Outputs["token"].(string)
				if l.Status != "passed" || l.Outputs["handle"] != handle || tok == "" || tok != w.Token(handle) || w.Renewals(handle) != 1 {
					t.Errorf("line %d: status %s, outputs %v (current token %s, %d renewals)", l.Line, l.Status, l.Outputs, w.Token(handle), w.Renewals(handle))
				}
			}
			if want := fmt.Sprintf("batch: %d run(s) in ", n); !strings.Contains(errb.String(), want) ||
				!strings.Contains(errb.String(), fmt.Sprintf("%d passed, 1 failed, 0 error(s); not passed: line %d", n-1, bad)) {
				t.Errorf("summary:\n%s", errb.String())
			}
			if strings.Contains(out.String()+errb.String(), apiToken) {
				t.Error("the API token was printed")
			}
		})
	}
}

func readBatchLines(t *testing.T, data []byte) []batchLine {
	t.Helper()
	var out []batchLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var l batchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// TestReadLine: lines over the limit are consumed whole and flagged, the
// next line is read normally, and the last line needs no newline.
func TestReadLine(t *testing.T) {
	long := strings.Repeat("x", 100)
	r := bufio.NewReaderSize(strings.NewReader("short\r\n"+long+"\nafter\nlast"), 16)
	var got []string
	for {
		line, tooLong, err := readLine(context.Background(), r, 50)
		got = append(got, fmt.Sprintf("%s/%v", line, tooLong))
		if err != nil {
			break
		}
	}
	want := "short/false /true after/false last/false"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
	// A line that never ends is read until the run is stopped, not for ever.
	ctx, cancel := context.WithCancel(context.Background())
	endless := &endlessReader{after: 1000, cancel: cancel}
	if _, tooLong, err := readLine(ctx, bufio.NewReaderSize(endless, 16), 50); !errors.Is(err, context.Canceled) || !tooLong {
		t.Errorf("an endless line: tooLong %v, %v; want the line too long and the context's error", tooLong, err)
	}
}

// endlessReader gives 'x' for ever, and cancels after that many reads.
type endlessReader struct {
	n, after int
	cancel   func()
}

func (r *endlessReader) Read(p []byte) (int, error) {
	if r.n++; r.n == r.after {
		r.cancel()
	}
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestBatchInterrupted: SIGINT stops reading lines; the runs in flight end as
// errors, everything printed so far is a complete JSON line, and the exit code
// is the signal's.
func TestBatchInterrupted(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	file := filepath.Join(t.TempDir(), "runs.jsonl")
	if err := os.WriteFile(file, []byte(strings.Repeat(`{"search":"sales"}`+"\n", 50)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	url, accepted := stallingServer(t)
	go func() {
		// The signal comes once the four runs of --parallel 4 are in flight.
		for range 4 {
			select {
			case <-accepted:
			case <-time.After(30 * time.Second):
			}
		}
		cancel(&signalError{sig: syscall.SIGINT})
	}()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"run", rotate, "--inputs-file", file, "--parallel", "4", "--auth", "bearerAuth=x", "--server", "mcpServerApi=" + url},
		strings.NewReader(""), &out, &errb)
	if code != ExitSIGINT {
		t.Fatalf("exit %d, want %d\nstderr:\n%s", code, ExitSIGINT, errb.String())
	}
	lines := readBatchLines(t, out.Bytes())
	if len(lines) != 4 {
		t.Errorf("%d result lines, want the 4 runs in flight:\n%s", len(lines), out.String())
	}
	for _, l := range lines {
		if l.Status != "error" || !strings.Contains(l.Error, "cancelled") {
			t.Errorf("line %d: status %s, error %q; want a cancelled error", l.Line, l.Status, l.Error)
		}
	}
	if !strings.Contains(errb.String(), "; stopped before the end of the input") {
		t.Errorf("summary:\n%s", errb.String())
	}
}

// TestBatchResumedTwiceRenewsOnce: a batch resumed, and that batch resumed
// in turn, hands over the lines the first one completed: the second resume
// finds their runs in the first batch (the one between ran none for them),
// and renews no server a second time, which would invalidate the tokens the
// first batch printed. Line 4 never completes (it is not JSON), so each
// batch leaves something to resume.
func TestBatchResumedTwiceRenewsOnce(t *testing.T) {
	w := numberedServers(t, 3)
	rotate := rotateFile
	file := filepath.Join(t.TempDir(), "runs.jsonl")
	if err := os.WriteFile(file, []byte("{\"search\":\"server 1\"}\n{\"search\":\"server 2\"}\n{\"search\":\"server 3\"}\n{\"search\": \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	t.Setenv("TEST_API_TOKEN", apiToken)
	auth := "bearerAuth=env:TEST_API_TOKEN"
	batches := [][]string{
		{"run", rotate, "--inputs-file", file, "--auth", auth, "--server", "mcpServerApi=" + w.URL, "--state", state},
		{"run", "--resume", "last", "--auth", auth, "--state", state},
		{"run", "--resume", "last", "--auth", auth, "--state", state},
	}
	for i, args := range batches {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != ExitFailed {
			t.Fatalf("batch %d: exit %d, want %d (line 4 is not JSON)\nstderr:\n%s", i+1, code, ExitFailed, errb.String())
		}
		lines := readBatchLines(t, out.Bytes())
		if len(lines) != 4 {
			t.Fatalf("batch %d: %d result lines, want 4:\n%s", i+1, len(lines), out.String())
		}
		for _, l := range lines[:3] {
			h := fmt.Sprintf("srv-%d", l.Line)
			if l.Status != "passed" || l.Outputs["token"] != w.Token(h) || w.Renewals(h) != 1 {
				t.Errorf("batch %d, line %d: %s, token %v; the server holds %s after %d renewal(s)", i+1, l.Line, l.Status, l.Outputs["token"], w.Token(h), w.Renewals(h))
			}
		}
	}

	// runs show of the last batch accounts for every line: those it handed
	// over with the first batch's runs, which hold the tokens.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"runs", "show", "last", "--state", state, "-o", "json"}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("runs show: exit %d\n%s", code, errb.String())
	}
	var v struct {
		ID, ResumedFrom string
		Runs            map[string]int
		LineRuns        []struct {
			Line       int
			Run        string
			Status     string
			HandedOver bool
		}
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.LineRuns) != 4 || v.Runs["passed"] != 3 {
		t.Fatalf("runs show: %s", out.String())
	}
	for _, l := range v.LineRuns[:3] {
		if l.Status != "passed" || !l.HandedOver || strings.HasPrefix(l.Run, v.ID) || strings.HasPrefix(l.Run, v.ResumedFrom) {
			t.Errorf("line %d: %+v, want passed, handed over from the first batch", l.Line, l)
		}
	}
	if l := v.LineRuns[3]; l.HandedOver || !strings.HasPrefix(l.Run, v.ID) {
		t.Errorf("line 4: %+v, want the last batch's own run", l)
	}
	out.Reset()
	run(context.Background(), []string{"runs", "show", "last", "--state", state}, strings.NewReader(""), &out, &errb)
	if !strings.Contains(out.String(), "passed (handed over)") {
		t.Errorf("runs show (text):\n%s", out.String())
	}
}

// TestBatchRefusedLinesAreJournaled: a line that is not a JSON object of
// inputs, or whose inputs the workflow refuses, never runs; the journal keeps
// it as refused, with the reason, so that 'runs show BATCH' accounts for every
// line. Resuming the batch once the file is corrected runs those lines (and
// hands over the one that passed); a refused line cannot be resumed alone.
func TestBatchRefusedLinesAreJournaled(t *testing.T) {
	w := numberedServers(t, 3)
	rotate := rotateFile
	file := filepath.Join(t.TempDir(), "runs.jsonl")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("{\"search\":\"server 1\"}\n{\"search\": \n{\"serch\":\"server 3\"}\n")
	state := t.TempDir()
	t.Setenv("TEST_API_TOKEN", apiToken)
	cli := func(want int, args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != want {
			t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, want, out.String(), errb.String())
		}
		return out.String(), errb.String()
	}
	cli(ExitFailed, "run", rotate, "--inputs-file", file, "--auth", "bearerAuth=env:TEST_API_TOKEN", "--server", "mcpServerApi="+w.URL, "--state", state)

	out, _ := cli(ExitOK, "runs", "show", "last", "--state", state, "-o", "json")
	var v struct {
		ID       string
		Runs     map[string]int
		LineRuns []struct {
			Line        int
			Run, Status string
			Error       string
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.LineRuns) != 3 || v.Runs["passed"] != 1 || v.Runs["refused"] != 2 {
		t.Fatalf("runs show: %s", out)
	}
	for i, want := range []string{"", "invalid JSON", `missing required input "search"`} {
		l := v.LineRuns[i]
		status := "refused"
		if i == 0 {
			status = "passed"
		}
		if l.Line != i+1 || l.Status != status || !strings.Contains(l.Error, want) || (want == "") != (l.Error == "") {
			t.Errorf("line %d: %+v; want %s, error %q", i+1, l, status, want)
		}
	}
	text, _ := cli(ExitOK, "runs", "show", v.ID, "--state", state)
	if !strings.Contains(text, "line 2 was refused: invalid JSON") || !strings.Contains(text, "\n    - missing required input \"search\"\n") {
		t.Errorf("runs show (text):\n%s", text)
	}
	list, _ := cli(ExitOK, "runs", "list", "--state", state)
	if !strings.Contains(list, "1 passed, 2 refused") || !strings.Contains(list, "line 3: refused") {
		t.Errorf("runs list:\n%s", list)
	}
	_, errs := cli(ExitUsage, "run", "--resume", v.ID+"-2", "--auth", "bearerAuth=env:TEST_API_TOKEN", "--state", state)
	if !strings.Contains(errs, "line 2 of batch "+v.ID+" was refused and never ran") {
		t.Errorf("resume of a refused line:\n%s", errs)
	}

	write("{\"search\":\"server 1\"}\n{\"search\":\"server 2\"}\n{\"search\":\"server 3\"}\n")
	out, _ = cli(ExitOK, "run", "--resume", v.ID, "--auth", "bearerAuth=env:TEST_API_TOKEN", "--state", state)
	for _, l := range readBatchLines(t, []byte(out)) {
		h := fmt.Sprintf("srv-%d", l.Line)
		if l.Status != "passed" || l.Outputs["token"] != w.Token(h) || w.Renewals(h) != 1 {
			t.Errorf("resumed, line %d: %s %s; the server holds %s after %d renewal(s)", l.Line, l.Status, l.Error, w.Token(h), w.Renewals(h))
		}
	}
}

// TestDuplicateKey: the first key given twice in one object, at any depth,
// with where its object is; none in JSON without one.
func TestDuplicateKey(t *testing.T) {
	for _, c := range []struct{ json, key, object string }{
		{`{"a": 1, "b": 2}`, "", ""},
		{`{"a": 1, "a": 2}`, "a", ""},
		{`{"a": {"b": 1}, "c": {"b": 2}}`, "", ""},
		{`{"f": {"a": [1, {"x": 1, "y": [], "x": 2}]}}`, "x", "/f/a/1"},
		{`{"a/b": {"~": [[{"k": 1, "k": 1}]]}}`, "k", "/a~1b/~0/0/0"},
		{`[{"a": 1}, {"a": 1}]`, "", ""},
		{`{"a": [{"b": 1}, {"b": 2, "b": 3}]}`, "b", "/a/1"},
		{`"text"`, "", ""},
	} {
		key, obj, _, found := duplicateKey([]byte(c.json))
		if key != c.key || obj != c.object || found != (c.key != "") {
			t.Errorf("%s: %q in %q (found %v), want %q in %q", c.json, key, obj, found, c.key, c.object)
		}
	}
}

// numberedServers is the test API with MCP servers srv-1 to srv-n, named
// "Server 1" to "Server n"; it is closed when the test ends.
func numberedServers(t *testing.T, n int) *testserver.Workato {
	t.Helper()
	var servers []testserver.MCPServer
	for i := 1; i <= n; i++ {
		servers = append(servers, testserver.MCPServer{Handle: fmt.Sprintf("srv-%d", i), Name: fmt.Sprintf("Server %d", i), FolderID: i})
	}
	w := testserver.NewWorkato(apiToken, servers...)
	t.Cleanup(w.Close)
	return w
}
