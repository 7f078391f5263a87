package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// TestMain lets testscript run the real arazzo command (this test binary
// re-executed as "arazzo").
func TestMain(m *testing.M) {
	testscript.Main(privateState{m}, map[string]func(){"arazzo": main})
}

// privateState gives the tests that call run in-process a journal directory of
// their own, removed at the end, so that no test writes to the real
// $XDG_STATE_HOME or ~/.local/state (a test sets its own with t.Setenv to look
// at it). The scripts set theirs in Setup.
type privateState struct{ m *testing.M }

func (p privateState) Run() int {
	dir, err := os.MkdirTemp("", "arazzo-test-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv("XDG_STATE_HOME", dir)
	return p.m.Run()
}

const apiToken = "wk-api-4f1d2c9b8e7a6d5c"

// TestScripts runs the scripts of the CLI contract in testdata/script (run,
// exit codes, validate, the journal, batch mode); TestCLIScripts, those of the
// CLI experience. Both get the environment of scriptParams.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

// closedURL returns an http URL on 127.0.0.1 where nothing listens.
func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// cmdWorkato inspects the script's Workato-like API:
//
//	workato renewals HANDLE N        the server's token was renewed N times
//	workato token-is-output HANDLE   stdout (--output json) holds the server's current token
//	workato old-token-rejected HANDLE the token the server had before the script is no longer accepted
//	workato requests N               the API received N requests
func cmdWorkato(ts *testscript.TestScript, neg bool, args []string) {
	w := ts.Value("workato").(*testserver.Workato)
	if len(args) < 1 {
		ts.Fatalf("usage: workato renewals|token-is-output|requests ...")
	}
	check := func(ok bool, format string, a ...any) {
		if ok == neg {
			ts.Fatalf(format, a...)
		}
	}
	switch args[0] {
	case "renewals":
		n, _ := strconv.Atoi(args[2])
		got := w.Renewals(args[1])
		check(got == n, "renewals of %s: got %d, want %d", args[1], got, n)
	case "token-is-output":
		var out struct {
			Outputs map[string]any `json:"outputs"`
		}
		if err := json.Unmarshal([]byte(ts.ReadFile("stdout")), &out); err != nil {
			ts.Fatalf("stdout is not JSON: %v", err)
		}
		tok, _ := out.Outputs["token"].(string)
		check(tok != "" && tok == w.Token(args[1]), "token output %q, server's current token %q", tok, w.Token(args[1]))
	case "old-token-rejected":
		old := ts.Value("initial-tokens").(map[string]string)[args[1]]
		check(old != "" && !w.Accepts(args[1], old) && w.Accepts(args[1], w.Token(args[1])),
			"the token %s had before the run is still accepted", args[1])
	case "requests":
		n, _ := strconv.Atoi(args[1])
		got := len(w.Requests())
		check(got == n, "requests: got %d (%s), want %d", got, strings.Join(w.Requests(), ", "), n)
	default:
		ts.Fatalf("unknown workato subcommand %q", args[0])
	}
	_ = fmt.Sprint
}

// stallingURL returns the URL of a server that accepts connections and never answers.
func stallingURL(t *testing.T) string {
	u, _ := stallingServer(t)
	return u
}

// stallingServer is stallingURL, and a channel that receives once for each
// connection it accepted.
func stallingServer(t *testing.T) (string, <-chan struct{}) {
	accepted := make(chan struct{}, 1024)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case accepted <- struct{}{}:
			default:
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return "http://" + ln.Addr().String(), accepted
}
