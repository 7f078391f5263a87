package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMCPNodeClient: an independent client, the TypeScript SDK's
// (@modelcontextprotocol/sdk, pinned in testdata/mcp/package-lock.json),
// lists and calls the tools over stdio. It validates the structured content
// against the output schema. .ci/run installs the SDK and sets
// ARAZZO_MCP_NODE=require, so that there the test cannot skip.
func TestMCPNodeClient(t *testing.T) {
	dir := filepath.Join("testdata", "mcp")
	skip := func(why string) {
		if os.Getenv("ARAZZO_MCP_NODE") == "require" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed: the independent MCP client test needs Node.js and npm (.ci/run installs them)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")); err != nil {
		skip("@modelcontextprotocol/sdk is not installed: run 'npm ci --prefix cmd/arazzo/testdata/mcp' (.ci/run does)")
	}
	e := newMCPEnv(t)
	args, _ := json.Marshal(e.args())
	cmd := exec.Command(node, "client.mjs")
	cmd.Dir = dir
	cmd.Env = append(e.env, "ARAZZO_BIN="+e.bin, "ARAZZO_ARGS="+string(args))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node client.mjs: %v\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	var got struct {
		Tools       []string
		InputSchema map[string]any
		OutputTypes map[string]any
		Annotations map[string]any
		Passed      struct {
			IsError           bool
			StructuredContent map[string]any
		}
		Bad struct {
			IsError bool
			Text    string
		}
		Runs []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if strings.Join(got.Tools, ",") != "get_run,list_runs,resume_run,"+rotateTool {
		t.Errorf("tools %v", got.Tools)
	}
	if jsonOf(t, got.InputSchema) != `{"properties":{"search":{"description":"Search term to locate the MCP server by name.","type":"string"}},"required":["search"],"type":"object"}` {
		t.Errorf("inputSchema %s", jsonOf(t, got.InputSchema))
	}
	if jsonOf(t, got.OutputTypes) != `{"handle":"string","serverName":"string","token":"string"}` {
		t.Errorf("output types %s", jsonOf(t, got.OutputTypes))
	}
	if got.Annotations["destructiveHint"] != true || got.Annotations["readOnlyHint"] != false {
		t.Errorf("annotations %v", got.Annotations)
	}
	token := e.api.Token(salesHandle)
	if got.Passed.IsError || got.Passed.StructuredContent["token"] != token || e.api.Renewals(salesHandle) != 1 {
		t.Errorf("tools/call: %+v, want the token %s renewed once (%d renewals)", got.Passed, token, e.api.Renewals(salesHandle))
	}
	if !got.Bad.IsError || !strings.Contains(got.Bad.Text, "search") {
		t.Errorf("bad inputs: %+v", got.Bad)
	}
	if strings.Join(got.Runs, ",") != "passed" {
		t.Errorf("list_runs: %v", got.Runs)
	}
}
