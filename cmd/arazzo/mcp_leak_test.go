package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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
// progress, list_runs, get_run — even where the API echoes both back, and
// the credential in no message at all. Every byte both ways is recorded.
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
	state := filepath.Join(t.TempDir(), "state")
	cmd := exec.Command(bin, "mcp", filepath.Join("testdata", "mcp", "login.arazzo.yaml"), "--auth", "apiKey=env:SESSION_KEY",
		"--server", "sessions="+api.URL, "--state", state)
	cmd.Env = append(cmd.Environ(), "SESSION_KEY="+key)
	var fromServer, toServer, stderr syncBuffer
	stdin, stdout := startPiped(t, cmd, &stderr)
	defer func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts, _ := progressRecorder()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, opts).Connect(ctx, &mcp.IOTransport{
		Reader: teeReadCloser{io.TeeReader(stdout, &fromServer), stdout},
		Writer: teeWriteCloser{io.MultiWriter(stdin, &toServer), stdin},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

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
	for _, r := range structured(t, list)["runs"].([]any) {
		call(t, cs, toolGetRun, map[string]any{"runId": r.(map[string]any)["runId"]})
	}
	call(t, cs, toolGetRun, map[string]any{"runId": "no-such-run"})
	cs.Close()

	if !strings.Contains(fromServer.String(), "s-0a1b2c3d4e") || !strings.Contains(fromServer.String(), "notifications/progress") {
		t.Fatal("the recording misses the results")
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
