package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// TestExitCodes checks each code of the exit code table through the command's
// run function, the code main hands to os.Exit.
func TestExitCodes(t *testing.T) {
	w := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer w.Close()
	t.Setenv("TEST_API_TOKEN", apiToken)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	broken := filepath.Join(t.TempDir(), "broken.arazzo.yaml")
	if err := os.WriteFile(broken, []byte("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	auth := []string{"--auth", "bearerAuth=env:TEST_API_TOKEN", "--server", "mcpServerApi=" + w.URL}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"passed", append([]string{"run", rotate, "--input", "search=sales"}, auth...), ExitOK},
		{"failed", append([]string{"run", rotate, "--input", "search=nothing-matches"}, auth...), ExitFailed},
		{"missing input", append([]string{"run", rotate}, auth...), ExitUsage},
		{"unknown workflow", []string{"run", rotate, "--workflow", "nope", "--input", "search=x"}, ExitUsage},
		{"bad flag", []string{"run", rotate, "--bogus"}, ExitUsage},
		{"bad output format", []string{"run", rotate, "--output", "xml"}, ExitUsage},
		{"invalid document", []string{"run", broken}, ExitInvalid},
		{"missing document", []string{"run", filepath.Join(t.TempDir(), "missing.arazzo.yaml")}, ExitInvalid},
		{"validate: a PATH that does not exist", []string{"validate", filepath.Join(t.TempDir(), "missing.arazzo.yaml")}, ExitUsage},
		{"validate: errors found", []string{"validate", broken}, ExitFailed},
		{"unreachable document", []string{"run", closedURL(t) + "/flow.arazzo.yaml"}, ExitInvalid},
		{"transport error", []string{"run", rotate, "--input", "search=sales", "--auth", "bearerAuth=x", "--server", "mcpServerApi=" + closedURL(t)}, ExitIncomplete},
		{"timeout", []string{"run", rotate, "--input", "search=sales", "--auth", "bearerAuth=x", "--server", "mcpServerApi=" + stallingURL(t), "--timeout", "200ms"}, ExitIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := run(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tt.want, out.String(), errb.String())
			}
		})
	}
}

// TestExitCodeSignal: a run stopped by SIGINT exits 130 after reporting what completed.
func TestExitCodeSignal(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	url := stallingURL(t)
	rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(200*time.Millisecond, func() { cancel(&signalError{sig: syscall.SIGINT}) })
	var out, errb bytes.Buffer
	got := run(ctx, []string{"run", rotate, "--input", "search=sales", "--auth", "bearerAuth=x", "--server", "mcpServerApi=" + url}, strings.NewReader(""), &out, &errb)
	if got != ExitSIGINT {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", got, ExitSIGINT, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "findServer") {
		t.Errorf("the interrupted step is not reported:\n%s", out.String())
	}
}
