// Command gen writes the workflows the benchmarks run into a directory:
//
//	chain-N.arazzo.yaml         N steps; step i reads /items/{n} with n the
//	                            previous step's "next", checks $statusCode == 200
//	                            and an RFC 9535 JSONPath criterion
//	chain-N-simple.arazzo.yaml  the same with a simple criterion instead of the
//	                            JSONPath one (what Redocly respect reads the same way)
//	rotate.arazzo.yaml          the bundled rotate workflow with simple criteria
//	openapi/                    the OpenAPI descriptions they use
//	runs-N.jsonl                N batch input lines {"search":"server-i"} (-runs)
//
//	go run ./bench/gen -out bench/out/wf -steps 10,100,1000 -runs 10000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/internal/benchdoc"
	"github.com/arazzo-run/arazzo/workflows"
)

func main() {
	out := flag.String("out", "bench/out/wf", "directory to write into")
	steps := flag.String("steps", "10,100,1000", "chain lengths, comma-separated")
	runs := flag.String("runs", "", "batch input files to write, comma-separated line counts (e.g. 10000,100000)")
	flag.Parse()
	if err := generate(*out, *steps, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(out, steps, runs string) error {
	if err := os.MkdirAll(filepath.Join(out, "openapi"), 0o755); err != nil {
		return err
	}
	rotateAPI, err := fs.ReadFile(workflows.FS(), "workato/openapi/workato-mcp-server-openapi.yml")
	if err != nil {
		return err
	}
	files := map[string]string{
		"openapi/workato-mcp-server-openapi.yml": string(rotateAPI),
		"openapi/items.openapi.yaml":             benchdoc.ItemsOpenAPI,
		"rotate.arazzo.yaml":                     rotateSimple,
	}
	for _, s := range splitInts(steps) {
		files[fmt.Sprintf("chain-%d.arazzo.yaml", s)] = benchdoc.Chain(s, false)
		files[fmt.Sprintf("chain-%d-simple.arazzo.yaml", s)] = benchdoc.Chain(s, true)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(out, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	for _, n := range splitInts(runs) {
		if err := writeRuns(filepath.Join(out, fmt.Sprintf("runs-%d.jsonl", n)), n); err != nil {
			return err
		}
	}
	return nil
}

func splitInts(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// writeRuns writes n batch lines, each rotating the token of another server.
func writeRuns(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i := range n {
		fmt.Fprintf(w, "{\"search\":\"server-%06d\"}\n", i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rotateSimple is workflows/workato/arazzo/workato-rotate-mcp-server-token-workflow.yml
// with its JSONPath criterion replaced by a simple one that Redocly respect
// evaluates the same way.
const rotateSimple = `arazzo: 1.0.1
info:
  title: Workato Rotate an MCP Server Token (simple criteria)
  summary: Find an MCP server by name and renew its authentication token.
  version: 1.0.0
sourceDescriptions:
  - name: mcpServerApi
    url: openapi/workato-mcp-server-openapi.yml
    type: openapi
workflows:
  - workflowId: rotate-mcp-server-token
    inputs:
      type: object
      required:
        - search
      properties:
        search:
          type: string
    steps:
      - stepId: findServer
        operationId: listMcpServers
        parameters:
          - name: search
            in: query
            value: $inputs.search
          - name: per_page
            in: query
            value: 100
        successCriteria:
          - condition: $statusCode == 200
          - condition: $response.body#/items/0/handle != null
        outputs:
          handle: $response.body#/items/0/handle
      - stepId: confirmServer
        operationId: getMcpServer
        parameters:
          - name: handle
            in: path
            value: $steps.findServer.outputs.handle
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          serverName: $response.body#/name
      - stepId: renewToken
        operationId: renewMcpServerToken
        parameters:
          - name: handle
            in: path
            value: $steps.findServer.outputs.handle
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          token: $response.body#/token
    outputs:
      handle: $steps.findServer.outputs.handle
      serverName: $steps.confirmServer.outputs.serverName
      token: $steps.renewToken.outputs.token
`
