package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type teeReadCloser struct {
	io.Reader
	c io.Closer
}

func (t teeReadCloser) Close() error { return t.c.Close() }

type teeWriteCloser struct {
	io.Writer
	c io.Closer
}

func (t teeWriteCloser) Close() error { return t.c.Close() }

// TestMCPLeak: the credential (--auth) and the secret input (format:
// password) appear in no message the server sends — results, errors,
// progress, confirmation questions, list_runs, get_run, resume_run — even
// where the API echoes both back, and the credential in no message at all.
// Every byte both ways is recorded, over stdio and over streamable HTTP.
func TestMCPLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const key = "key-9c4e1f7a2b6d3e8f"
	const password = "pw-Zq7!xT4#mR2$vL9"
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("X-Api-Key") != key {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"unauthorized"}`))
			return
		}
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		if in["user"] == "fail" {
			// The error repeats what it was given: secrets included.
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"message": "wrong password " + in["password"].(string) + " for key " + key})
			return
		}
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"session": "s-0a1b2c3d4e", "echo": map[string]any{"user": in["user"], "password": in["password"], "key": key}})
	}))
	defer api.Close()
	bin := buildArazzo(t)
	server := func(extra ...string) *exec.Cmd {
		args := append([]string{"mcp", filepath.Join("testdata", "mcp", "login.arazzo.yaml"), "--auth", "apiKey=env:SESSION_KEY",
			"--server", "sessions=" + api.URL, "--state", filepath.Join(t.TempDir(), "state")}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = append(cmd.Environ(), "SESSION_KEY="+key, "MCP_TOKEN="+mcpToken)
		return cmd
	}
	// The confirmation question names the inputs: it is asked (and recorded)
	// before each run of the destructive sign-in.
	confirming := func() (*mcp.ClientOptions, *syncBuffer) {
		var asked syncBuffer
		opts, _ := progressRecorder()
		opts.ElicitationHandler = func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			asked.Write([]byte(req.Params.Message + "\n"))
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}, nil
		}
		return opts, &asked
	}

	t.Run("stdio", func(t *testing.T) {
		opts, asked := confirming()
		cmd := server("--confirm")
		var fromServer, toServer, stderr syncBuffer
		stdin, stdout := startPiped(t, cmd, &stderr)
		defer func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() }()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, opts).Connect(ctx, &mcp.IOTransport{
			Reader: teeReadCloser{io.TeeReader(stdout, &fromServer), stdout},
			Writer: teeWriteCloser{io.MultiWriter(stdin, &toServer), stdin},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		leakCalls(t, cs, password)
		checkNoLeak(t, key, password, &fromServer, &toServer, &stderr, asked)
	})

	t.Run("http", func(t *testing.T) {
		opts, asked := confirming()
		var stderr syncBuffer
		endpoint := startHTTPServer(t, server("--http", "127.0.0.1:0", "--http-token", "env:MCP_TOKEN"), &stderr)
		var fromServer, toServer syncBuffer
		hc := &http.Client{Transport: bearer{token: mcpToken, next: recorder{next: http.DefaultTransport, sent: &toServer, received: &fromServer}}}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, opts).Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc}, nil)
		if err != nil {
			t.Fatal(err)
		}
		leakCalls(t, cs, password)
		checkNoLeak(t, key, password, &fromServer, &toServer, &stderr, asked)
	})
}

// leakCalls makes every kind of call that could carry a secret back: a run
// whose outputs echo the secrets, one whose error does, a schema error, the
// run tools on each run, and a resume of the failed run.
func leakCalls(t *testing.T, cs *mcp.ClientSession, password string) {
	t.Helper()
	defer cs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tool := findTool(t, cs, "sign-in")
	if got := jsonOf(t, tool.InputSchema); !strings.Contains(got, `"password":{"format":"password","type":"string","writeOnly":true}`) {
		t.Errorf("the password input is not writeOnly: %s", got)
	}
	progressCall := func(args map[string]any) *mcp.CallToolResult {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "sign-in", Arguments: args, Meta: mcp.Meta{"progressToken": 7}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ok := progressCall(map[string]any{"user": "alice", "password": password})
	if ok.IsError || structured(t, ok)["session"] != "s-0a1b2c3d4e" {
		t.Fatalf("sign-in: %s", text(ok))
	}
	echo, _ := structured(t, ok)["echo"].(map[string]any)
	if echo["user"] != "alice" || echo["password"] != "***" || echo["key"] != "***" {
		t.Errorf("the echoed secrets are not masked in the outputs: %v", echo)
	}
	bad := progressCall(map[string]any{"user": "fail", "password": password})
	if !bad.IsError || !strings.Contains(text(bad), "step open") {
		t.Errorf("failed sign-in: %s", text(bad))
	}
	progressCall(map[string]any{"user": 5, "password": password}) // a schema error
	list := call(t, cs, toolListRuns, nil)
	runs, _ := structured(t, list)["runs"].([]any)
	if len(runs) != 2 {
		t.Fatalf("list_runs: %s", text(list))
	}
	for _, r := range runs {
		call(t, cs, toolGetRun, map[string]any{"runId": r.(map[string]any)["runId"]})
	}
	call(t, cs, toolGetRun, map[string]any{"runId": "no-such-run"})
	// The failed run, resumed: its inputs come back from the journal and the
	// failing step is sent again.
	failed, _ := bad.Meta["arazzo/runId"].(string)
	if res := call(t, cs, toolResumeRun, map[string]any{"runId": failed}); !res.IsError || !strings.Contains(text(res), "step open") {
		t.Errorf("resume_run of the failed run: %s", text(res))
	}
}

// checkNoLeak looks for every form of the secrets in what the server sent and
// logged, and for the credential in what the client sent too.
func checkNoLeak(t *testing.T, key, password string, fromServer, toServer, stderr, asked *syncBuffer) {
	t.Helper()
	if !strings.Contains(fromServer.String(), "s-0a1b2c3d4e") || !strings.Contains(fromServer.String(), "notifications/progress") {
		t.Fatal("the recording misses the results")
	}
	if q := asked.String(); !strings.Contains(q, "password=***") || !strings.Contains(fromServer.String(), "password=***") {
		t.Errorf("the confirmation question was not asked, or not recorded, with the password masked: %q", q)
	}
	for name, secret := range map[string]string{"the credential": key, "the secret input": password} {
		for _, form := range encodings(secret) {
			if strings.Contains(fromServer.String(), form) {
				t.Errorf("%s (as %q) is in a message the server sent", name, form)
			}
			if strings.Contains(stderr.String(), form) {
				t.Errorf("%s (as %q) is in the server's log", name, form)
			}
		}
	}
	for _, form := range encodings(key) {
		if strings.Contains(toServer.String(), form) {
			t.Errorf("the credential (as %q) is in a message the client sent", form)
		}
	}
}

// recorder records every HTTP request (headers and body) and response
// (headers and body, an event stream as it is read) of a client.
type recorder struct {
	next           http.RoundTripper
	sent, received io.Writer
}

func (rt recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	fmt.Fprintf(rt.sent, "%s %s\n", r.Method, r.URL)
	r.Header.Write(rt.sent)
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		rt.sent.Write(body)
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := rt.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(rt.received, "%s\n", resp.Status)
	resp.Header.Write(rt.received)
	resp.Body = teeReadCloser{io.TeeReader(resp.Body, rt.received), resp.Body}
	return resp, nil
}

// encodings are the forms a secret can leak in: as is, JSON-escaped (the
// wire form of a string), base64.
func encodings(s string) []string {
	b, _ := json.Marshal(s)
	var esc bytes.Buffer
	enc := json.NewEncoder(&esc)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return []string{s, strings.Trim(string(b), `"`), strings.Trim(strings.TrimSpace(esc.String()), `"`),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
}
