package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/describe"
	"github.com/arazzo-run/arazzo/runtime"
	"github.com/arazzo-run/arazzo/workflows"
)

// mcpFlags are the flags of 'arazzo mcp': the shared run flags (how requests
// are sent and journaled), and how the server is reached.
type mcpFlags struct {
	run         runFlags
	http        string
	allowRemote bool
	httpToken   string
	confirm     bool
}

func (a *app) mcpCommand() *cobra.Command {
	var f mcpFlags
	cmd := &cobra.Command{
		Use:   "mcp [FILE|DIR|URL|PROVIDER/WORKFLOW ...]",
		Short: "Serve workflows as MCP tools, over stdio or streamable HTTP",
		Long: `Serve every workflow of the given documents (default: the bundled workflows) as
a tool of a Model Context Protocol server, over stdio, or over MCP streamable
HTTP with --http ADDR. A directory is searched for Arazzo documents as 'arazzo
validate' searches it.

Each tool takes the workflow's inputs (its inputs JSON Schema) and returns its
declared outputs as structured content: nothing else of the responses reaches
the client, and credentials (--auth) and secret inputs (format: password,
writeOnly) never do. Every call is checked against the schema before anything is
sent, and journaled like 'arazzo run': the tools list_runs, get_run and
resume_run let an agent whose call was cut off find the run and finish it
instead of starting again.

--http binds 127.0.0.1 unless ADDR names another host, which needs
--allow-remote and --http-token. --confirm asks the client (MCP elicitation)
before a workflow that changes anything runs; it is on by default with --http.`,
		Example: `  arazzo mcp --auth bearerAuth=env:WORKATO_API_TOKEN
  arazzo mcp --mock
  arazzo mcp workflows/ --mock
  arazzo mcp flows.arazzo.yaml --server api=https://api.example.com --auth apiKey=env:API_KEY
  arazzo mcp --http 127.0.0.1:8931 --http-token env:MCP_TOKEN --auth bearerAuth=env:WORKATO_API_TOKEN`,
		ValidArgsFunction: completeTargets,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("confirm") {
				f.confirm = f.http != "" // a remote user sees no local prompt: ask over MCP
			}
			return a.serveMCP(cmd.Context(), args, &f)
		},
	}
	fl := cmd.Flags()
	f.run.registerShared(fl)
	f.run.journal.registerState(fl)
	fl.BoolVarP(&f.run.verbose, "verbose", "v", false, "show the warnings about the documents")
	fl.StringVar(&f.http, "http", "", "serve MCP streamable HTTP at `ADDR` (HOST:PORT or :PORT; the host defaults to 127.0.0.1) instead of stdio")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "let --http listen on an address that is not loopback (needs --http-token)")
	fl.StringVar(&f.httpToken, "http-token", "", "require this bearer token on every HTTP request: `env:VAR|file:PATH` (required with --allow-remote)")
	fl.BoolVar(&f.confirm, "confirm", false, "ask the client (MCP elicitation) before a workflow that changes anything runs (default: on with --http, off over stdio)")
	return cmd
}

// mcpServer serves workflows as MCP tools.
type mcpServer struct {
	a     *app
	f     *mcpFlags
	tools []*workflowTool
	// creds holds every credential the server was given: the last check on
	// every message it sends (see scrub).
	creds *runtime.Secrets
}

// workflowTool is one workflow served as a tool.
type workflowTool struct {
	name       string
	arg        string // the document as given: what the journal records as the run's location
	workflowID string
	docName    string
	ld         *loadedRun
	info       *describe.Outline
	sig        *runtime.Signature
}

func (t *workflowTool) destructive() bool { return !t.sig.ReadOnly }

// Names of the tools that read and resume journaled runs.
const (
	toolListRuns  = "list_runs"
	toolGetRun    = "get_run"
	toolResumeRun = "resume_run"
)

func (a *app) serveMCP(ctx context.Context, args []string, f *mcpFlags) error {
	if err := f.run.checkLimits(); err != nil {
		return err
	}
	if f.http == "" && (f.allowRemote || f.httpToken != "") {
		return usageErr("--allow-remote and --http-token go with --http ADDR")
	}
	var listen *httpListen
	if f.http != "" {
		var err error
		if listen, err = checkHTTPFlags(f); err != nil {
			return err
		}
	}
	s, err := a.newMCPServer(ctx, args, f)
	if err != nil {
		return err
	}
	srv := s.server()
	if listen != nil {
		return s.serveHTTP(ctx, srv, listen)
	}
	fmt.Fprintf(a.stderr, "arazzo: serving %d tool(s) over MCP on stdio%s\n", len(s.tools), s.confirmNote())
	err = srv.Run(ctx, newStdioTransport(a.stdin, a.stdout))
	if err == nil || errors.Is(err, io.EOF) || ctx.Err() != nil {
		return nil
	}
	return &exitError{code: ExitIncomplete, err: fmt.Errorf("mcp: %v", err)}
}

func (s *mcpServer) confirmNote() string {
	if s.f.confirm {
		return "; workflows that change anything run only once the client confirms"
	}
	return ""
}

// newMCPServer loads the documents and names a tool for each workflow.
func (a *app) newMCPServer(ctx context.Context, args []string, f *mcpFlags) (*mcpServer, error) {
	s := &mcpServer{a: a, f: f, creds: &runtime.Secrets{}}
	type wanted struct {
		arg      string
		location string
		only     string // a bundled name serves that one workflow
	}
	var targets []wanted
	if len(args) == 0 {
		all, err := workflows.List()
		if err != nil {
			return nil, &exitError{code: ExitInvalid, err: err}
		}
		for _, b := range all {
			targets = append(targets, wanted{arg: b.Name, location: b.Location, only: b.WorkflowID})
		}
	}
	args, err := a.expandDirectories(args)
	if err != nil {
		return nil, err
	}
	for _, arg := range args {
		tgt, err := resolveTarget(arg)
		if err != nil {
			return nil, err
		}
		targets = append(targets, wanted{arg: arg, location: tgt.location, only: tgt.workflowID})
	}
	loaded := map[string]*loadedRun{}
	for _, w := range targets {
		ld := loaded[w.location]
		if ld == nil {
			var err error
			if ld, err = a.loadRun(ctx, w.location, &f.run); err != nil {
				return nil, err
			}
			loaded[w.location] = ld
			addCredentials(s.creds, ld.creds)
		}
		for _, info := range ld.plan.Workflows() {
			if w.only != "" && info.ID != w.only {
				continue
			}
			sig, err := ld.plan.Signature(info.ID)
			if err != nil {
				return nil, &exitError{code: ExitInvalid, err: err}
			}
			s.tools = append(s.tools, &workflowTool{arg: w.arg, workflowID: info.ID, docName: documentName(w.location), ld: ld, info: info, sig: sig})
		}
	}
	if len(s.tools) == 0 {
		return nil, usageErr("no workflow to serve")
	}
	nameTools(s.tools, s.reserved())
	return s, nil
}

// reserved are the names of the server's own tools.
func (s *mcpServer) reserved() []string {
	if s.f.run.journal.off {
		return nil
	}
	return []string{toolListRuns, toolGetRun, toolResumeRun}
}

// documentName is the base name of a document without its extensions.
func documentName(location string) string {
	base := path.Base(strings.ReplaceAll(location, "\\", "/"))
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		base = strings.TrimSuffix(base, ext)
	}
	return strings.TrimSuffix(base, ".arazzo")
}

// maxToolName is the longest tool name: MCP allows 128 characters, several
// clients only 64.
const maxToolName = 64

// toolName turns text into a tool name: letters, digits, '_', '-' and '.'
// (the MCP tool name rules), everything else replaced by '_'.
func toolName(text string) string {
	var b strings.Builder
	for _, r := range text {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if len(name) > maxToolName {
		name = name[:maxToolName]
	}
	if name == "" {
		name = "workflow"
	}
	return name
}

// nameTools names every tool after its workflowId; where two would share a
// name (or take one of the reserved names), both are prefixed with their
// document's name, and a number ends what still collides.
func nameTools(tools []*workflowTool, reserved []string) {
	count := map[string]int{}
	for _, t := range tools {
		count[toolName(t.workflowID)]++
	}
	taken := map[string]bool{}
	for _, r := range reserved {
		taken[r] = true
	}
	for _, t := range tools {
		base := toolName(t.workflowID)
		if count[base] > 1 || taken[base] {
			base = toolName(t.docName + "_" + t.workflowID)
		}
		name := base
		for i := 2; taken[name]; i++ {
			suffix := fmt.Sprintf("_%d", i)
			name = base[:min(len(base), maxToolName-len(suffix))] + suffix
		}
		taken[name] = true
		t.name = name
	}
}

// server builds the MCP server: one tool per workflow, and the run tools.
func (s *mcpServer) server() *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "arazzo", Title: "Arazzo workflows", Version: versionString()}, &mcp.ServerOptions{
		Instructions: s.instructions(),
		// Tools, even before the first is added; no logging: the server
		// sends no log messages.
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{ListChanged: true}},
	})
	for _, t := range s.tools {
		srv.AddTool(t.tool(s.f.run.journal.off), s.guard(t.name, func(ctx context.Context, req *mcp.CallToolRequest) *mcp.CallToolResult {
			return s.callWorkflow(ctx, req, t)
		}))
	}
	if !s.f.run.journal.off {
		s.addRunTools(srv)
	}
	return srv
}

func (s *mcpServer) instructions() string {
	var b strings.Builder
	b.WriteString("Each tool runs one Arazzo workflow against its APIs and returns the workflow's declared outputs.")
	if !s.f.run.journal.off {
		b.WriteString(" Every call is journaled as a run. If a call was cut off before its result arrived (a timeout, a lost connection, a restarted server), do not call the tool again: " +
			"find the run with list_runs, inspect it with get_run, and finish it with resume_run, which replays what the run completed instead of repeating it.")
	}
	return b.String()
}

// tool is the MCP description of a workflow.
func (t *workflowTool) tool(noJournal bool) *mcp.Tool {
	title := t.info.Summary
	if title == "" {
		title = t.workflowID
	}
	var desc []string
	for _, p := range []string{t.info.Summary, t.info.Description} {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(desc, p) {
			desc = append(desc, p)
		}
	}
	switch {
	case t.sig.ReadOnly:
		desc = append(desc, "Read-only: its requests change nothing.")
	case !noJournal:
		desc = append(desc, "Its requests change the API's state. If a call is cut off before its result arrives, do not call again: find the run with list_runs and finish it with resume_run.")
	default:
		desc = append(desc, "Its requests change the API's state.")
	}
	open := true
	return &mcp.Tool{
		Name:         t.name,
		Title:        title,
		Description:  strings.Join(desc, "\n\n"),
		InputSchema:  t.sig.Inputs,
		OutputSchema: t.sig.Outputs,
		Annotations: &mcp.ToolAnnotations{
			Title:           title,
			ReadOnlyHint:    t.sig.ReadOnly,
			DestructiveHint: ptr(!t.sig.ReadOnly),
			IdempotentHint:  t.sig.Idempotent,
			OpenWorldHint:   &open,
		},
	}
}

func ptr[T any](v T) *T { return &v }

// guard wraps a handler: whatever it returns goes through scrub, and a panic
// becomes a tool error instead of killing the server.
func (s *mcpServer) guard(name string, h func(context.Context, *mcp.CallToolRequest) *mcp.CallToolResult) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		defer func() {
			if p := recover(); p != nil {
				fmt.Fprintf(s.a.stderr, "arazzo: mcp: tool %s: internal error: %v\n", name, s.creds.Mask(fmt.Sprint(p)))
				res = toolError("internal error in tool %s; the server's log has the details", name)
			}
			res = s.scrub(res)
		}()
		return h(ctx, req), nil
	}
}

// scrub is the last net: no credential the server holds leaves in a result,
// whatever produced it. (Each result is built from masked values already.)
func (s *mcpServer) scrub(res *mcp.CallToolResult) *mcp.CallToolResult {
	if res == nil {
		return nil
	}
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			tc.Text = s.creds.Mask(tc.Text)
		}
	}
	if res.StructuredContent != nil {
		res.StructuredContent = s.creds.MaskRegistered(res.StructuredContent)
	}
	return res
}

// toolError is a result the model reads as a failed call.
func toolError(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}

// errCallCancelled is the cause of a run's stop when the client cancelled
// its call: the journal records the run as interrupted.
var errCallCancelled = errors.New("the MCP client cancelled the call")
