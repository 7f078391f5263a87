package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInterruptedBeforeTheJournalOpened: a signal that arrives while the
// journal is being opened stops the command as interrupted (exit 130), not
// as a journal that cannot be opened.
func TestInterruptedBeforeTheJournalOpened(t *testing.T) {
	rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	for _, batch := range []bool{false, true} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(&signalError{sig: syscall.SIGINT})
		args := []string{"run", rotate, "--state", t.TempDir(), "--auth", "bearerAuth=x", "--server", "mcpServerApi=" + stallingURL(t)}
		if batch {
			file := filepath.Join(t.TempDir(), "runs.jsonl")
			if err := os.WriteFile(file, []byte(`{"search":"sales"}`+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, "--inputs-file", file)
		} else {
			args = append(args, "--input", "search=sales")
		}
		var out, errb bytes.Buffer
		code := run(ctx, args, strings.NewReader(""), &out, &errb)
		if code != ExitSIGINT || strings.Contains(errb.String(), "cannot open the run journal") {
			t.Errorf("batch %v: exit %d, want %d\nstderr:\n%s", batch, code, ExitSIGINT, errb.String())
		}
	}
}
