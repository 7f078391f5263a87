package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// A line from the client that is not a JSON-RPC message is answered with
// a JSON-RPC error (Parse error, Invalid Request; the request's id when it
// has one, else null) and the session goes on: the next call is served. The
// MCP library's stdio transport alone ended the session at such a line.
func TestMCPStdioAnswersMalformedLines(t *testing.T) {
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		code := run(context.Background(), []string{"mcp", "--auth", "bearerAuth=" + apiToken, "--server", "mcpServerApi=" + api.URL,
			"--state", filepath.Join(t.TempDir(), "state")}, inR, outW, &stderr)
		outW.Close()
		done <- code
	}()
	lines := bufio.NewReader(outR)
	recv := func() map[string]any {
		t.Helper()
		got := make(chan string, 1)
		go func() { l, _ := lines.ReadString('\n'); got <- l }()
		select {
		case l := <-got:
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("answer %q: %v\nstderr: %s", l, err, stderr.String())
			}
			return m
		case <-time.After(20 * time.Second):
			t.Fatalf("no answer\nstderr: %s", stderr.String())
			return nil
		}
	}
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	if r := recv(); r["id"] != 1.0 || r["result"] == nil {
		t.Fatalf("initialize: %v", r)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	for _, c := range []struct {
		line string
		id   any
		code float64
	}{
		{`{"jsonrpc":"2.0","id":2,"method":`, nil, -32700},
		{`{"id":3,"method":"tools/list"}`, 3.0, -32600},
		{`"tools/list"`, nil, -32600},
		{`{"jsonrpc":"2.0","id":"x4","method":"tools/list","params":`, nil, -32700},
	} {
		send(c.line)
		r := recv()
		e, _ := r["error"].(map[string]any)
		if r["id"] != c.id || e == nil || e["code"] != c.code {
			t.Errorf("%s: answered %v, want error %v with id %v", c.line, r, c.code, c.id)
		}
	}
	send("")
	send(`{"jsonrpc":"2.0","id":5,"method":"tools/list"}`)
	if r := recv(); r["id"] != 5.0 || !strings.Contains(jsonText(r), rotateTool) {
		t.Errorf("tools/list after the malformed lines: %v", r)
	}
	inW.Close()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("exit %d once the client closed\nstderr: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not stop when the client closed")
	}
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

// The lines the library reads: messages pass, with one line break; blank
// lines and CR LF endings are taken in stride; a line over the limit is
// answered and read past, whatever its length against the read buffer.
func TestStdioLines(t *testing.T) {
	msg := `{"jsonrpc":"2.0","id":1,"method":"ping"}`
	long := `{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"` + strings.Repeat("x", 200) + `"}}`
	var answers strings.Builder
	s := &stdioLines{in: bufio.NewReaderSize(strings.NewReader("\r\n"+msg+"\r\n"+long+"\n"+msg), 16), out: &lockedWriter{w: &answers}, max: 64}
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := msg + "\n" + msg + "\n"; string(got) != want {
		t.Errorf("the library reads %q, want %q", got, want)
	}
	if a := answers.String(); !strings.Contains(a, `"code":-32600`) || !strings.Contains(a, "longer than 64 bytes") || strings.Count(a, "\n") != 1 {
		t.Errorf("answers %q, want one that the line is too long", a)
	}
}
