package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/journal"
)

const (
	rotateTool  = "rotate-mcp-server-token"
	salesHandle = "sales-assistant-7f3a"
	mcpToken    = "mcp-http-token-0123456789abcdef"
)

// mcpEnv is what every MCP test needs: the binary, the Workato-like API
// that really rotates tokens, and a journal of its own.
type mcpEnv struct {
	bin   string
	api   *testserver.Workato
	state string
	env   []string
}

func newMCPEnv(t *testing.T) *mcpEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	e := &mcpEnv{bin: buildArazzo(t), api: testserver.NewWorkato(apiToken, testserver.DefaultServers()...),
		state: filepath.Join(t.TempDir(), "state")}
	t.Cleanup(e.api.Close)
	e.env = append(os.Environ(), "WORKATO_TOKEN="+apiToken, "MCP_TOKEN="+mcpToken, "NO_COLOR=1")
	return e
}

// args are the arguments of 'arazzo mcp' against the test API.
func (e *mcpEnv) args(extra ...string) []string {
	return append([]string{"mcp", "--auth", "bearerAuth=env:WORKATO_TOKEN", "--server", "mcpServerApi=" + e.api.URL, "--state", e.state}, extra...)
}

// stdio connects an SDK client to the binary over stdio.
func (e *mcpEnv) stdio(t *testing.T, opts *mcp.ClientOptions, extra ...string) (*mcp.ClientSession, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(e.bin, e.args(extra...)...)
	cmd.Env = e.env
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, opts).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v\nstderr:\n%s", err, stderr)
	}
	t.Cleanup(func() { cs.Close() })
	return cs, stderr
}

// serveHTTP starts the binary with --http on a free loopback port and
// returns the endpoint it prints.
func (e *mcpEnv) serveHTTP(t *testing.T, extra ...string) string {
	t.Helper()
	cmd := exec.Command(e.bin, e.args(append([]string{"--http", "127.0.0.1:0"}, extra...)...)...)
	cmd.Env = e.env
	return startHTTPServer(t, cmd, nil)
}

// startHTTPServer starts cmd, an 'arazzo mcp --http' command, and returns the
// endpoint it prints; what it logs is copied to log when log is not nil.
func startHTTPServer(t *testing.T, cmd *exec.Cmd, log io.Writer) string {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); pr.Close() })
	urls := make(chan string, 1)
	var printed syncBuffer
	if log == nil {
		log = io.Discard
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			printed.Write([]byte(line + "\n"))
			log.Write([]byte(line + "\n"))
			if i := strings.Index(line, "http://"); i >= 0 && strings.Contains(line, "streamable HTTP") {
				urls <- strings.Fields(line[i:])[0]
			}
		}
	}()
	select {
	case u := <-urls:
		return strings.TrimSuffix(u, ",")
	case <-time.After(30 * time.Second):
		t.Fatalf("the server printed no address\n%s", printed.String())
	}
	return ""
}

// startPiped starts cmd talking through pipes: the test writes its stdin
// and reads its stdout.
func startPiped(t *testing.T, cmd *exec.Cmd, stderr io.Writer) (io.WriteCloser, io.ReadCloser) {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return stdin, stdout
}

// bearer adds the token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func connectHTTP(t *testing.T, endpoint, token string, opts *mcp.ClientOptions) (*mcp.ClientSession, error) {
	t.Helper()
	hc := &http.Client{Transport: bearer{token: token, next: http.DefaultTransport}}
	if token == "" {
		hc = &http.Client{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, opts).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc}, nil)
	if err == nil {
		t.Cleanup(func() { cs.Close() })
	}
	return cs, err
}

func findTool(t *testing.T, cs *mcp.ClientSession, name string) *mcp.Tool {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range res.Tools {
		if tool.Name == name {
			return tool
		}
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	t.Fatalf("no tool %q in %v", name, names)
	return nil
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func structured(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(jsonOf(t, res.StructuredContent)), &m); err != nil {
		t.Fatalf("structured content %v: %v", res.StructuredContent, err)
	}
	return m
}

func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// checkRotateTool: the bundled workflow as a tool — its schemas and annotations.
func checkRotateTool(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	tool := findTool(t, cs, rotateTool)
	if got, want := jsonOf(t, tool.InputSchema),
		`{"properties":{"search":{"description":"Search term to locate the MCP server by name.","type":"string"}},"required":["search"],"type":"object"}`; got != want {
		t.Errorf("inputSchema\n got %s\nwant %s", got, want)
	}
	if got, want := jsonOf(t, tool.OutputSchema),
		`{"properties":{"handle":{"description":"Unique slug that identifies the server in the API.","type":"string"},`+
			`"serverName":{"description":"Display name.","type":"string"},`+
			`"token":{"description":"The MCP server's new authentication token. Keep it secret.","type":"string"}},"type":"object"}`; got != want {
		t.Errorf("outputSchema\n got %s\nwant %s", got, want)
	}
	a := tool.Annotations
	if a == nil || a.ReadOnlyHint || a.DestructiveHint == nil || !*a.DestructiveHint || a.IdempotentHint {
		t.Errorf("annotations %s: want destructive, not read-only, not idempotent (a renewal invalidates the old token)", jsonOf(t, a))
	}
	if !strings.Contains(tool.Description, "renews its") && !strings.Contains(tool.Description, "rotate its token") {
		t.Errorf("description %q does not come from the workflow", tool.Description)
	}
	for _, name := range []string{toolListRuns, toolGetRun, toolResumeRun} {
		findTool(t, cs, name)
	}
}

// checkRotateCall: tools/call runs the workflow against the API and returns
// its outputs as structured content, with progress per step.
func (e *mcpEnv) checkRotateCall(t *testing.T, cs *mcp.ClientSession, progress func() []string) string {
	t.Helper()
	before := e.api.Renewals(salesHandle)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: rotateTool, Arguments: map[string]any{"search": "sales"}, Meta: mcp.Meta{"progressToken": "p1"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError {
		t.Fatalf("isError: %s", text(res))
	}
	out := structured(t, res)
	token := e.api.Token(salesHandle)
	if out["token"] != token || out["handle"] != salesHandle || out["serverName"] != "Sales Assistant" || len(out) != 3 {
		t.Errorf("structured content %v, want the handle, name and the new token %s", out, token)
	}
	if e.api.Renewals(salesHandle) != before+1 || !e.api.Accepts(salesHandle, token) {
		t.Errorf("renewals %d (was %d): the call did not renew the token once", e.api.Renewals(salesHandle), before)
	}
	if !strings.Contains(text(res), "passed") || !strings.Contains(text(res), token) {
		t.Errorf("text %q: want the outcome and the outputs", text(res))
	}
	if progress != nil {
		want := []string{"1/3 step findServer passed (HTTP 200)", "2/3 step confirmServer passed (HTTP 200)", "3/3 step renewToken passed (HTTP 200)"}
		deadline := time.Now().Add(5 * time.Second)
		for len(progress()) < len(want) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := progress(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("progress\n got %q\nwant %q", got, want)
		}
	}
	id, _ := res.Meta["arazzo/runId"].(string)
	if id == "" {
		t.Errorf("no run ID in %v", res.Meta)
	}
	return id
}

// checkBadInputs: arguments that break the inputs schema are a tool error
// naming the problem, and nothing is sent (nor journaled).
func (e *mcpEnv) checkBadInputs(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	requests := len(e.api.Requests())
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"search": 5}, "search"},
		{map[string]any{}, "search"},
		// Undeclared inputs are allowed by the schema; a misspelling is named
		// when the run is refused for the input it was meant to be.
		{map[string]any{"serach": "x"}, `did you mean "search"`},
	} {
		res := call(t, cs, rotateTool, tc.args)
		if !res.IsError || !strings.Contains(text(res), tc.want) || !strings.Contains(text(res), "nothing was sent") {
			t.Errorf("%v: isError %v, %q: want a schema error about %q", tc.args, res.IsError, text(res), tc.want)
		}
	}
	if n := len(e.api.Requests()); n != requests {
		t.Errorf("bad inputs sent %d request(s)", n-requests)
	}
}

func progressRecorder() (*mcp.ClientOptions, func() []string) {
	var mu sync.Mutex
	var got []string
	opts := &mcp.ClientOptions{ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, jsonNumber(req.Params.Progress)+"/"+jsonNumber(req.Params.Total)+" "+req.Params.Message)
	}}
	return opts, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), got...) }
}

func jsonNumber(f float64) string { b, _ := json.Marshal(f); return string(b) }

// TestMCPStdio drives the real binary over stdio with the SDK's client.
func TestMCPStdio(t *testing.T) {
	e := newMCPEnv(t)
	opts, progress := progressRecorder()
	cs, stderr := e.stdio(t, opts)
	checkRotateTool(t, cs)
	id := e.checkRotateCall(t, cs, progress)
	e.checkBadInputs(t, cs)

	// A run that fails: isError, the failing step and why.
	res := call(t, cs, rotateTool, map[string]any{"search": "no-such-server"})
	if !res.IsError || !strings.Contains(text(res), "failed at step findServer") || !strings.Contains(text(res), "resume_run") {
		t.Errorf("failed run: isError %v, %q", res.IsError, text(res))
	}

	// The journal: list_runs lists both, get_run shows one masked.
	res = call(t, cs, toolListRuns, map[string]any{"tool": rotateTool})
	runs, _ := structured(t, res)["runs"].([]any)
	if res.IsError || len(runs) != 2 {
		t.Fatalf("list_runs: %s", text(res))
	}
	if r := runs[1].(map[string]any); r["runId"] != id || r["status"] != "passed" {
		t.Errorf("list_runs: the first run is %v", r)
	}
	res = call(t, cs, toolGetRun, map[string]any{"runId": id})
	got := structured(t, res)
	if res.IsError || got["status"] != "passed" || jsonOf(t, got["outputs"]) != `{"handle":"sales-assistant-7f3a","serverName":"Sales Assistant","token":"***"}` {
		t.Errorf("get_run: %s", jsonOf(t, got))
	}
	if strings.Contains(stderr.String(), apiToken) {
		t.Errorf("the server's log shows the API token:\n%s", stderr)
	}
}

// TestMCPHTTP drives the binary over streamable HTTP with the SDK's client:
// the bearer token is required, destructive tools ask first (elicitation).
func TestMCPHTTP(t *testing.T) {
	e := newMCPEnv(t)
	endpoint := e.serveHTTP(t, "--http-token", "env:MCP_TOKEN")
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") || !strings.HasSuffix(endpoint, "/mcp") {
		t.Fatalf("endpoint %s", endpoint)
	}
	if _, err := connectHTTP(t, endpoint, "", nil); err == nil {
		t.Fatal("connected without the bearer token")
	}
	if _, err := connectHTTP(t, endpoint, "wrong-token-wrong-token", nil); err == nil {
		t.Fatal("connected with a wrong token")
	}

	var asked []string
	var mu sync.Mutex
	answer := "accept"
	opts, progress := progressRecorder()
	opts.ElicitationHandler = func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, req.Params.Message)
		if answer != "accept" {
			return &mcp.ElicitResult{Action: answer}, nil
		}
		return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
	}
	cs, err := connectHTTP(t, endpoint, mcpToken, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkRotateTool(t, cs)
	e.checkRotateCall(t, cs, progress)
	if len(asked) != 1 || !strings.Contains(asked[0], rotateTool) || !strings.Contains(asked[0], "search=sales") {
		t.Errorf("confirmation asked %q", asked)
	}
	e.checkBadInputs(t, cs)

	// Declined: nothing is sent.
	mu.Lock()
	answer = "decline"
	mu.Unlock()
	requests := len(e.api.Requests())
	res := call(t, cs, rotateTool, map[string]any{"search": "sales"})
	if !res.IsError || !strings.Contains(text(res), "declined") || len(e.api.Requests()) != requests {
		t.Errorf("declined: isError %v, %q, %d request(s) sent", res.IsError, text(res), len(e.api.Requests())-requests)
	}

	// A client that cannot be asked is refused, and told why.
	plain, err := connectHTTP(t, endpoint, mcpToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	res = call(t, plain, rotateTool, map[string]any{"search": "sales"})
	if !res.IsError || !strings.Contains(text(res), "elicitation") || len(e.api.Requests()) != requests {
		t.Errorf("no elicitation: isError %v, %q", res.IsError, text(res))
	}
}

// TestMCPHTTPFlags: --http stays on this machine unless told otherwise, and
// then needs a token.
func TestMCPHTTPFlags(t *testing.T) {
	t.Setenv("SHORT_TOKEN", "short")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--http", "0.0.0.0:0"}, "--allow-remote"},
		{[]string{"--http", "192.0.2.1:0", "--allow-remote"}, "--http-token"},
		{[]string{"--http", "127.0.0.1:0", "--http-token", "literal-token-123456"}, "env:VAR or file:PATH"},
		{[]string{"--http", "127.0.0.1:0", "--http-token", "env:SHORT_TOKEN"}, "at least 16"},
		{[]string{"--http", "no-port"}, "HOST:PORT"},
		{[]string{"--allow-remote"}, "go with --http"},
	} {
		var out, errb strings.Builder
		code := run(context.Background(), append([]string{"mcp", "--mock"}, tc.args...), strings.NewReader(""), &out, &errb)
		if code != ExitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, %q: want a usage error about %s", tc.args, code, errb.String(), tc.want)
		}
	}
}

// TestMCPCancel: a client that cancels its call stops the run, and the
// journal says so.
func TestMCPCancel(t *testing.T) {
	e := newMCPEnv(t)
	stalled := make(chan struct{})
	var once sync.Once
	release := make(chan struct{})
	// confirmServer's GET hangs until the client gives up.
	e.api.OnRequest = func(r *http.Request) {
		if r.Method != http.MethodGet || strings.Count(r.URL.Path, "/") != 4 { // GET /api/mcp/mcp_servers/{handle}
			return
		}
		once.Do(func() { close(stalled) })
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	defer close(release)
	cs, _ := e.stdio(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: rotateTool, Arguments: map[string]any{"search": "sales"}})
		done <- err
	}()
	select {
	case <-stalled:
	case <-time.After(30 * time.Second):
		t.Fatal("the run never reached confirmServer")
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("the cancelled call returned a result")
	}
	var r *journal.Run
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st, err := journal.Open(context.Background(), e.state)
		if err != nil {
			t.Fatal(err)
		}
		runs, _ := st.Runs(context.Background(), 1)
		st.Close()
		if len(runs) == 1 && runs[0].Status != journal.StatusRunning {
			r = runs[0]
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r == nil || r.Status != journal.StatusInterrupted {
		t.Fatalf("the journal says %+v, want the run interrupted", r)
	}
	if e.api.Renewals(salesHandle) != 0 {
		t.Error("the cancelled run renewed the token")
	}
	res := call(t, cs, toolListRuns, nil)
	if !strings.Contains(text(res), "interrupted") || !strings.Contains(text(res), "resume_run continues it") {
		t.Errorf("list_runs: %s", text(res))
	}
}
