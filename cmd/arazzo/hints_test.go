package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/runtime"
)

// The CLI names its flags for the library's typed errors, however wrapped.
func TestFlagHint(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&runtime.StepError{Err: &runtime.LimitError{Kind: runtime.LimitSteps, Max: 3}}, " (raise it with --max-steps)"},
		{fmt.Errorf("GET x: %w", &runtime.LimitError{Kind: runtime.LimitBody, Max: 3}), " (raise it with --max-body)"},
		{&runtime.LimitError{Kind: runtime.LimitDepth, Max: 3}, ""},
		{&runtime.CredentialsError{Schemes: []string{"bearer", "key"}}, " (pass --auth bearer=VALUE)"},
		{&runtime.StepError{Err: &runtime.ServerError{Source: "api", Err: fmt.Errorf(`source "api" declares no server`)}}, " (pass --server api=URL)"},
		{&runtime.UsageError{Msg: "the document has 2 workflows", Workflows: []string{"a", "b"}}, " (pass --workflow ID)"},
		{&runtime.UsageError{Msg: "inputs"}, ""},
		{fmt.Errorf("begin: %w", journal.ErrCredentialInput), " (credentials are given with --auth; --no-journal runs without a journal)"},
		{&runtime.StepError{Err: &journal.WriteError{Path: "j", Err: fmt.Errorf("disk full")}}, " (--no-journal runs without a journal)"},
		{&runtime.StepError{Err: &journal.DivergedError{RunID: "r1"}}, " (pass the --server flags of the first run)"},
		{&runtime.StepError{Err: &journal.NotKeptError{RunID: "r1"}}, " (see it with 'arazzo runs show r1 --reveal')"},
		{nil, ""},
	} {
		if got := flagHint(tt.err); got != tt.want {
			t.Errorf("flagHint(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// A document of several workflows run without --workflow says which flag
// picks one, with --dry-run too (the check that refuses it comes first).
func TestChooseAWorkflowNamesTheFlag(t *testing.T) {
	doc := filepath.Join("testdata", "secrets", "secrets.arazzo.yaml")
	for _, extra := range [][]string{nil, {"--dry-run"}} {
		code, _, stderr := execCLI(append([]string{"run", doc, "--no-journal"}, extra...)...)
		if code != ExitUsage || !strings.Contains(stderr, "choose one") || !strings.Contains(stderr, "(pass --workflow ID)") {
			t.Errorf("run %v: exit %d, want %d naming --workflow:\n%s", extra, code, ExitUsage, stderr)
		}
	}
}

// "-" (standard input) is refused by the commands that read the document
// again later, saying what to give instead; validate reads it.
func TestDocumentFromStandardInput(t *testing.T) {
	for _, args := range [][]string{{"run", "-"}, {"describe", "-"}, {"mcp", "-"}} {
		code, _, stderr := execCLI(args...)
		if code != ExitUsage || !strings.Contains(stderr, "cannot be read from standard input by this command") {
			t.Errorf("%v: exit %d, want %d saying so:\n%s", args, code, ExitUsage, stderr)
		}
	}
}
