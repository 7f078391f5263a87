package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// bundledRotate copies the bundled rotate workflow and its OpenAPI description
// into a new directory, with the workflow output "token" written as token, and
// returns the workflow's path. The description sits beside the workflow (a
// source outside the document's directory is read only inside a repository).
func bundledRotate(t *testing.T, token string) string {
	t.Helper()
	root := filepath.Join("..", "..", "workflows", "workato")
	wf, err := os.ReadFile(filepath.Join(root, "arazzo", "workato-rotate-mcp-server-token-workflow.yml"))
	if err != nil {
		t.Fatal(err)
	}
	api, err := os.ReadFile(filepath.Join(root, "openapi", "workato-mcp-server-openapi.yml"))
	if err != nil {
		t.Fatal(err)
	}
	const output = "    token: $steps.renewToken.outputs.token\n"
	if !bytes.Contains(wf, []byte(output)) {
		t.Fatalf("the bundled workflow has no line %q", output)
	}
	wf = bytes.Replace(wf, []byte(output), []byte("    token: "+token+"\n"), 1)
	wf = bytes.Replace(wf, []byte("url: ../openapi/"), []byte("url: ./"), 1)
	dir := t.TempDir()
	for name, data := range map[string][]byte{"rotate.yml": wf, "workato-mcp-server-openapi.yml": api} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "rotate.yml")
}

// A misspelt step output in a workflow output would lose the renewed token:
// validate reports it as an error, and run refuses the document before its
// first request.
func TestMisspeltWorkflowOutputIsRefused(t *testing.T) {
	w := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer w.Close()
	t.Setenv("TEST_API_TOKEN", apiToken)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	doc := bundledRotate(t, "$steps.renewToken.outputs.tokn")

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"validate", doc}, strings.NewReader(""), &out, &errb)
	if code != ExitFailed || !regexp.MustCompile(`rotate.yml:73:38: error: step "renewToken" declares no output "tokn".*\[step-output-unknown\]\n`).MatchString(out.String()) ||
		!strings.Contains(out.String(), "1 error, ") {
		t.Errorf("validate: exit %d, want %d with the error\nstdout:\n%s\nstderr:\n%s", code, ExitFailed, out.String(), errb.String())
	}

	out.Reset()
	errb.Reset()
	code = run(context.Background(), []string{"run", doc, "--input", "search=sales", "--auth", "bearerAuth=env:TEST_API_TOKEN", "--server", "mcpServerApi=" + w.URL},
		strings.NewReader(""), &out, &errb)
	if code != ExitInvalid || !strings.Contains(errb.String(), `declares no output "tokn"`) {
		t.Errorf("run: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitInvalid, out.String(), errb.String())
	}
	if n := len(w.Requests()); n != 0 || w.Renewals("sales-assistant-7f3a") != 0 {
		t.Errorf("run sent %d requests (%s), want none", n, strings.Join(w.Requests(), ", "))
	}
}

// A workflow output that cannot be evaluated at run time ends the run in error
// (exit 4), naming the output and the reason, and says where the response that
// holds the value is.
func TestWorkflowOutputErrorEndsTheRun(t *testing.T) {
	w := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer w.Close()
	t.Setenv("TEST_API_TOKEN", apiToken)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	// The token is a string: a pointer into it has no value.
	doc := bundledRotate(t, "$steps.renewToken.outputs.token#/value")

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"run", doc, "--input", "search=sales", "--auth", "bearerAuth=env:TEST_API_TOKEN", "--server", "mcpServerApi=" + w.URL},
		strings.NewReader(""), &out, &errb)
	if code != ExitIncomplete {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitIncomplete, out.String(), errb.String())
	}
	if w.Renewals("sales-assistant-7f3a") != 1 {
		t.Fatalf("renewals %d, want 1", w.Renewals("sales-assistant-7f3a"))
	}
	if !strings.Contains(errb.String(), `workflow rotate-mcp-server-token: output "token": $steps.renewToken.outputs.token#/value`) {
		t.Errorf("stderr does not name the output and the reason:\n%s", errb.String())
	}
	if !regexp.MustCompile(`see 'arazzo runs show \S+ --reveal'`).MatchString(errb.String()) {
		t.Errorf("stderr does not say where the raw response is:\n%s", errb.String())
	}
	if strings.Contains(out.String()+errb.String(), w.Token("sales-assistant-7f3a")) {
		t.Errorf("the renewed token was printed")
	}
}
