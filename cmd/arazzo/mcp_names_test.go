package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/pflag"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// Tool names follow the MCP rules, stay unique across documents (the
// document's name prefixes both sides of a collision) and never take the
// run tools' names.
func TestMCPToolNames(t *testing.T) {
	if got := toolName("créer une commande/v2"); got != "cr_er_une_commande_v2" {
		t.Errorf("toolName: %q", got)
	}
	if got := toolName(strings.Repeat("x", 100)); len(got) != maxToolName {
		t.Errorf("toolName of 100 characters: %d long", len(got))
	}
	tools := []*workflowTool{
		{workflowID: "rotate", docName: "workato"},
		{workflowID: "rotate", docName: "github"},
		{workflowID: "list_runs", docName: "ops"},
		{workflowID: "create order", docName: "shop"},
		{workflowID: "create_order", docName: "shop"},
	}
	nameTools(tools, []string{toolListRuns, toolGetRun, toolResumeRun})
	var got []string
	for _, tl := range tools {
		got = append(got, tl.name)
	}
	want := "workato_rotate github_rotate ops_list_runs shop_create_order shop_create_order_2"
	if strings.Join(got, " ") != want {
		t.Errorf("names\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

// A read-only workflow is annotated so; a document with several workflows
// serves each as a tool.
func TestMCPToolAnnotations(t *testing.T) {
	var out, errb strings.Builder
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	s, err := a.newMCPServer(context.Background(), []string{filepath.Join("..", "..", "runtime", "testdata", "signature", "items.arazzo.yaml")}, &mcpFlags{})
	if err != nil {
		t.Fatal(err, errb.String())
	}
	if len(s.tools) != 2 {
		t.Fatalf("%d tools", len(s.tools))
	}
	read, archive := s.tools[0].tool(false), s.tools[1].tool(false)
	if read.Name != "readItem" || !read.Annotations.ReadOnlyHint || *read.Annotations.DestructiveHint || !read.Annotations.IdempotentHint {
		t.Errorf("readItem: %s %s", read.Name, jsonOf(t, read.Annotations))
	}
	if archive.Name != "archiveItem" || archive.Annotations.ReadOnlyHint || !*archive.Annotations.DestructiveHint || archive.Annotations.IdempotentHint {
		t.Errorf("archiveItem: %s %s", archive.Name, jsonOf(t, archive.Annotations))
	}
	if !strings.Contains(read.Description, "Read an item.") || !strings.Contains(read.Description, "Read-only") {
		t.Errorf("description %q", read.Description)
	}
	if !strings.Contains(archive.Description, "resume_run") {
		t.Errorf("description %q: a destructive tool says how to finish a cut-off call", archive.Description)
	}
}

// A directory serves the workflows of every Arazzo document in it, found as
// validate finds them; one with none is refused.
func TestMCPServesADirectory(t *testing.T) {
	src := filepath.Join("..", "..", "runtime", "testdata", "signature")
	dir := t.TempDir()
	for _, sub := range []string{"items", "more", ".hidden"} {
		for _, f := range []string{"items.arazzo.yaml", "items.openapi.yaml"} {
			data, err := os.ReadFile(filepath.Join(src, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
				t.Fatal(err)
			}
			name := f
			if f == "items.arazzo.yaml" {
				name = strings.TrimPrefix(sub, ".") + ".arazzo.yaml" // the tools' prefix
			}
			if err := os.WriteFile(filepath.Join(dir, sub, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var out, errb strings.Builder
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	s, err := a.newMCPServer(context.Background(), []string{dir}, &mcpFlags{})
	if err != nil {
		t.Fatal(err, errb.String())
	}
	var names []string
	for _, tl := range s.tools {
		names = append(names, tl.name+" ("+tl.arg+")")
	}
	want := fmt.Sprintf("items_readItem (%[1]s) items_archiveItem (%[1]s) more_readItem (%[2]s) more_archiveItem (%[2]s)",
		filepath.Join(dir, "items", "items.arazzo.yaml"), filepath.Join(dir, "more", "more.arazzo.yaml"))
	if got := strings.Join(names, " "); got != want {
		t.Errorf("tools\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(errb.String(), "not searched: "+filepath.Join(dir, ".hidden")) {
		t.Errorf("stderr does not say the hidden directory was skipped: %s", errb.String())
	}
	empty := t.TempDir()
	_, err = a.newMCPServer(context.Background(), []string{empty}, &mcpFlags{})
	if ee := (*exitError)(nil); !errors.As(err, &ee) || ee.code != ExitUsage || !strings.Contains(err.Error(), "no Arazzo documents found in "+empty) {
		t.Errorf("an empty directory: %v", err)
	}
}

// A server that answers from the mock does not list or resume the runs made
// against the API (resumed here, the mock would answer the rest of them: a
// renewal with a made-up token), and one that calls the API not the mocked
// runs; each lists its own.
func TestMCPRunsOfTheOtherKind(t *testing.T) {
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	state := t.TempDir()
	t.Setenv("MCP_KIND_TOKEN", apiToken)
	ids := map[bool]string{}
	for _, mock := range []bool{false, true} {
		args := []string{"run", "workato/rotate-mcp-server-token", "--input", "search=sales", "--state", state, "-o", "json"}
		if mock {
			args = append(args, "--mock")
		} else {
			args = append(args, "--auth", "bearerAuth=env:MCP_KIND_TOKEN", "--server", "mcpServerApi="+api.URL)
		}
		if code, _, stderr := execCLI(args...); code != ExitOK {
			t.Fatalf("run (mock %v): exit %d\n%s", mock, code, stderr)
		}
		ids[mock] = lastRun(t, state).ID
	}
	for _, mock := range []bool{false, true} {
		var f mcpFlags
		fl := pflag.NewFlagSet("mcp", pflag.ContinueOnError)
		f.run.registerShared(fl)
		f.run.journal.registerState(fl)
		flags := []string{"--state", state, "--auth", "bearerAuth=env:MCP_KIND_TOKEN", "--server", "mcpServerApi=" + api.URL}
		if mock {
			flags = []string{"--state", state, "--mock"}
		}
		if err := fl.Parse(flags); err != nil {
			t.Fatal(err)
		}
		var out, errb strings.Builder
		a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
		s, err := a.newMCPServer(context.Background(), nil, &f)
		if err != nil {
			t.Fatal(err, errb.String())
		}
		req := func(args string) *mcp.CallToolRequest {
			return &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Arguments: json.RawMessage(args)}}
		}
		list := text(s.listRuns(context.Background(), req(`{}`)))
		if !strings.Contains(list, ids[mock]) || strings.Contains(list, ids[!mock]) {
			t.Errorf("mock %v: list_runs shows\n%s\nwant %s and not %s", mock, list, ids[mock], ids[!mock])
		}
		for _, tool := range []func(context.Context, *mcp.CallToolRequest) *mcp.CallToolResult{s.getRun, s.resumeRun} {
			res := tool(context.Background(), req(`{"runId": "`+ids[!mock]+`"}`))
			if !res.IsError || !strings.Contains(text(res), "it is not one of this server's runs") {
				t.Errorf("mock %v: the other kind's run %s: %s", mock, ids[!mock], text(res))
			}
		}
	}
	if n := api.Renewals(testserver.DefaultServers()[0].Handle); n != 1 {
		t.Errorf("%d renewals, want the real run's only", n)
	}
}
