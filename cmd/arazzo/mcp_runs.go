package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arazzo-run/arazzo/journal"
)

// The run tools read the journal: only runs of the workflows this server
// serves, and of those only what a run view shows masked (no response body,
// no step output, no secret).

// mcpRun is a journaled run as list_runs and get_run show it.
type mcpRun struct {
	RunID      string     `json:"runId"`
	Tool       string     `json:"tool"`
	WorkflowID string     `json:"workflowId"`
	Status     string     `json:"status"`
	Started    time.Time  `json:"started"`
	Finished   *time.Time `json:"finished,omitempty"`
	Steps      int        `json:"steps"`
	// OutputsSent: the run's outputs were sent to whoever asked for it (they
	// may still not have arrived: a connection cut, a client gone).
	OutputsSent bool `json:"outputsSent"`
	// Resumable: resume_run can finish it, or hand its outputs over again.
	Resumable   bool     `json:"resumable"`
	ResumedFrom string   `json:"resumedFrom,omitempty"`
	ResumedBy   []string `json:"resumedBy,omitempty"`
}

// mcpRunDetail is get_run's answer.
type mcpRunDetail struct {
	mcpRun
	Inputs map[string]any `json:"inputs"`
	// Outputs are the workflow's outputs as journaled, masked: resume_run hands them over.
	Outputs  map[string]any `json:"outputs"`
	RunSteps []mcpRunStep   `json:"stepResults"`
	InFlight []string       `json:"inFlight,omitempty"`
	Error    string         `json:"error,omitempty"`
	Next     string         `json:"next,omitempty"`
}

type mcpRunStep struct {
	WorkflowID string `json:"workflowId"`
	StepID     string `json:"stepId"`
	Status     string `json:"status"`
	StatusCode int    `json:"statusCode,omitempty"`
	Attempts   int    `json:"attempts"`
	Error      string `json:"error,omitempty"`
	Replayed   bool   `json:"replayed,omitempty"`
}

func (s *mcpServer) addRunTools(srv *mcp.Server) {
	var names []any
	for _, t := range s.tools {
		names = append(names, t.name)
	}
	runID := map[string]any{"type": "string", "description": "The run's ID (from list_runs or a tool's result), or a unique prefix of it."}
	no, yes := false, true
	srv.AddTool(&mcp.Tool{
		Name:  toolListRuns,
		Title: "List journaled runs",
		Description: "Lists the journaled runs of this server's workflows, newest first: status, whether their outputs were sent, and whether resume_run can finish them (or hand their outputs over again). " +
			"Use it after a call was cut off, to find the run instead of calling the tool again.",
		InputSchema: map[string]any{"type": "object", "properties": map[string]any{
			"tool":  map[string]any{"type": "string", "enum": names, "description": "Only the runs of this tool's workflow."},
			"limit": map[string]any{"type": "integer", "minimum": 1, "maximum": 200, "default": 20, "description": "How many runs at most."},
		}},
		OutputSchema: map[string]any{"type": "object", "properties": map[string]any{"runs": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}},
		Annotations:  &mcp.ToolAnnotations{Title: "List journaled runs", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &no},
	}, s.guard(toolListRuns, s.listRuns))
	srv.AddTool(&mcp.Tool{
		Name:  toolGetRun,
		Title: "Show a journaled run",
		Description: "Shows a journaled run: its status, inputs and step results, and its outputs (secret values masked). " +
			"A run that was interrupted, failed, or whose outputs were not handed over can be finished with resume_run.",
		InputSchema:  map[string]any{"type": "object", "required": []any{"runId"}, "properties": map[string]any{"runId": runID}},
		OutputSchema: map[string]any{"type": "object"},
		Annotations:  &mcp.ToolAnnotations{Title: "Show a journaled run", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &no},
	}, s.guard(toolGetRun, s.getRun))
	srv.AddTool(&mcp.Tool{
		Name:  toolResumeRun,
		Title: "Resume a journaled run",
		Description: "Continues a run that was interrupted (the call was cut off, the server stopped) or failed, and returns the workflow's outputs. " +
			"What the run completed is replayed from the journal, not sent again: a run that renewed a token hands that token over without renewing it twice. " +
			"A run that passed but whose outputs were not handed over sends nothing at all.",
		InputSchema: map[string]any{"type": "object", "required": []any{"runId"}, "properties": map[string]any{"runId": runID}},
		Annotations: &mcp.ToolAnnotations{Title: "Resume a journaled run", DestructiveHint: &yes, OpenWorldHint: &yes},
	}, s.guard(toolResumeRun, s.resumeRun))
}

// runToolArgs are the arguments of the run tools.
type runToolArgs struct {
	RunID string `json:"runId"`
	Tool  string `json:"tool"`
	Limit int    `json:"limit"`
}

func decodeRunArgs(req *mcp.CallToolRequest) (runToolArgs, *mcp.CallToolResult) {
	var a runToolArgs
	m, bad := decodeArguments(req.Params.Arguments)
	if bad != nil {
		return a, bad
	}
	for k, v := range m {
		switch k {
		case "runId", "tool":
			str, ok := v.(string)
			if !ok {
				return a, toolError("%s must be a string", k)
			}
			if k == "runId" {
				a.RunID = str
			} else {
				a.Tool = str
			}
		case "limit":
			n, ok := v.(interface{ Int64() (int64, error) })
			if !ok {
				return a, toolError("limit must be an integer")
			}
			i, err := n.Int64()
			if err != nil || i < 1 || i > 200 {
				return a, toolError("limit must be an integer from 1 to 200")
			}
			a.Limit = int(i)
		default:
			return a, toolError("unknown argument %q", k)
		}
	}
	return a, nil
}

func (s *mcpServer) listRuns(ctx context.Context, req *mcp.CallToolRequest) *mcp.CallToolResult {
	args, bad := decodeRunArgs(req)
	if bad != nil {
		return bad
	}
	if args.Limit == 0 {
		args.Limit = 20
	}
	var tools []*workflowTool
	for _, t := range s.tools {
		if args.Tool == "" || args.Tool == t.name {
			tools = append(tools, t)
		}
	}
	if len(tools) == 0 {
		return toolError("no tool %q on this server", args.Tool)
	}
	st, err := openJournal(ctx, s.f.run.journal.state)
	if err != nil {
		return toolError("%v", err)
	}
	defer st.Close()
	var runs []mcpRun
	for _, t := range tools {
		rs, err := st.RunsOf(ctx, runLocation(t.arg), t.workflowID, args.Limit)
		if err != nil {
			return toolError("reading the journal: %v", err)
		}
		for _, r := range rs {
			if s.sameMock(r) {
				runs = append(runs, t.runSummary(r))
			}
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Started.After(runs[j].Started) })
	if len(runs) > args.Limit {
		runs = runs[:args.Limit]
	}
	if runs == nil {
		runs = []mcpRun{}
	}
	var b strings.Builder
	if len(runs) == 0 {
		b.WriteString("No journaled runs.")
	}
	for _, r := range runs {
		fmt.Fprintf(&b, "%s  %s  %s  %s", r.RunID, r.Started.UTC().Format(time.RFC3339), r.Tool, r.Status)
		switch {
		case len(r.ResumedBy) > 0:
			fmt.Fprintf(&b, " (resumed as %s)", strings.Join(r.ResumedBy, ", "))
		case r.Status == string(journal.StatusPassed) && r.Resumable && !r.OutputsSent:
			b.WriteString(" (outputs not sent: resume_run hands them over, sending nothing)")
		case r.Status == string(journal.StatusPassed):
		case r.Resumable:
			b.WriteString(" (resume_run continues it)")
		}
		b.WriteString("\n")
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: strings.TrimSuffix(b.String(), "\n")}},
		StructuredContent: map[string]any{"runs": runs}}
}

// runSummary is a run as listed.
func (t *workflowTool) runSummary(r *journal.Run) mcpRun {
	v := mcpRun{RunID: r.ID, Tool: t.name, WorkflowID: r.WorkflowID, Status: string(r.EffectiveStatus()), Started: r.Started,
		Steps: r.Steps, ResumedFrom: r.ResumedFrom, ResumedBy: r.ResumedBy, OutputsSent: !r.Delivered.IsZero()}
	if !r.Finished.IsZero() {
		v.Finished = &r.Finished
	}
	switch r.EffectiveStatus() {
	case journal.StatusInterrupted, journal.StatusFailed, journal.StatusError:
		v.Resumable = len(r.ResumedBy) == 0
	case journal.StatusPassed:
		v.Resumable = len(r.ResumedBy) == 0 && len(r.Outputs) > 0
	}
	return v
}

// findRun finds a run of one of the served workflows; a run of another
// workflow is not found.
func (s *mcpServer) findRun(ctx context.Context, st *journal.Store, id string) (*journal.Run, *workflowTool, *mcp.CallToolResult) {
	if id == "" {
		return nil, nil, toolError("runId is required")
	}
	if id == journal.Last {
		return nil, nil, toolError("give a run ID (list_runs lists them)")
	}
	r, err := st.Run(ctx, id)
	if err != nil {
		var nf *journal.NotFoundError
		if errors.As(err, &nf) {
			return nil, nil, toolError("no run %q of this server's workflows (list_runs lists them)", id)
		}
		return nil, nil, toolError("reading the journal: %v", err)
	}
	for _, t := range s.tools {
		if runLocation(t.arg) == r.Location && t.workflowID == r.WorkflowID {
			if !s.sameMock(r) {
				if s.f.run.mock {
					return nil, nil, toolError("run %s of %s went to the API, and this server answers every call from the mock (--mock): it is not one of this server's runs (list_runs lists them)", r.ID, t.name)
				}
				return nil, nil, toolError("run %s of %s was answered by the mock, and this server calls the API: it is not one of this server's runs (list_runs lists them)", r.ID, t.name)
			}
			return r, t, nil
		}
	}
	return nil, nil, toolError("no run %q of this server's workflows (list_runs lists them)", id)
}

// sameMock tells a run made as this server makes its runs: against the mock
// (--mock) or against the APIs. The other kind is not this server's: resumed
// here, a run of the API would have the mock answer the rest of it (a renewal
// with a made-up token), a mocked run the API.
func (s *mcpServer) sameMock(r *journal.Run) bool {
	return recordedSettings(r.Settings).Mock == s.f.run.mock
}

func (s *mcpServer) getRun(ctx context.Context, req *mcp.CallToolRequest) *mcp.CallToolResult {
	args, bad := decodeRunArgs(req)
	if bad != nil {
		return bad
	}
	st, err := openJournal(ctx, s.f.run.journal.state)
	if err != nil {
		return toolError("%v", err)
	}
	defer st.Close()
	r, t, bad := s.findRun(ctx, st, args.RunID)
	if bad != nil {
		return bad
	}
	view, err := journalRunView(ctx, st, r, false) // masked, as 'arazzo runs show' without --reveal
	if err != nil {
		return toolError("reading the journal: %v", err)
	}
	d := mcpRunDetail{mcpRun: t.runSummary(r), Inputs: view.Inputs, Outputs: view.Outputs, Error: view.Error, RunSteps: []mcpRunStep{}}
	for _, x := range view.InFlight {
		d.InFlight = append(d.InFlight, x.Request)
	}
	for _, sv := range view.Steps {
		d.RunSteps = append(d.RunSteps, mcpRunStep{WorkflowID: sv.WorkflowID, StepID: sv.StepID, Status: sv.Status, StatusCode: sv.StatusCode,
			Attempts: sv.Attempts, Error: sv.Error, Replayed: sv.Replayed})
	}
	switch {
	case len(r.ResumedBy) > 0:
		d.Next = fmt.Sprintf("it was resumed as run %s: get_run shows that one", r.ResumedBy[len(r.ResumedBy)-1])
	case d.Resumable && r.Status == journal.StatusPassed && !d.OutputsSent:
		d.Next = "it passed but its outputs were not sent: resume_run hands them over and sends nothing"
	case d.Resumable && r.Status == journal.StatusPassed:
		d.Next = "it passed and its outputs were sent; if they did not reach you, resume_run hands them over again and sends nothing"
	case d.Resumable:
		d.Next = "resume_run continues it: what it completed is replayed, not sent again"
	case r.EffectiveStatus() == journal.StatusRunning:
		d.Next = "it is still running"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "run %s of %s: %s", r.ID, t.name, d.Status)
	if d.Error != "" {
		fmt.Fprintf(&b, "\nerror: %s", d.Error)
	}
	for _, sv := range d.RunSteps {
		fmt.Fprintf(&b, "\n  step %s %s", sv.StepID, sv.Status)
		if sv.StatusCode != 0 {
			fmt.Fprintf(&b, " (HTTP %d)", sv.StatusCode)
		}
	}
	for _, x := range d.InFlight {
		fmt.Fprintf(&b, "\n  %s: sent, no answer recorded", x)
	}
	if len(d.Outputs) > 0 {
		b.WriteString("\noutputs (secret values masked):")
		for _, k := range sortedKeys(d.Outputs) {
			fmt.Fprintf(&b, "\n  %s: %v", k, d.Outputs[k])
		}
	}
	if d.Next != "" {
		fmt.Fprintf(&b, "\nnext: %s", d.Next)
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: b.String()}}, StructuredContent: d}
}

func (s *mcpServer) resumeRun(ctx context.Context, req *mcp.CallToolRequest) *mcp.CallToolResult {
	args, bad := decodeRunArgs(req)
	if bad != nil {
		return bad
	}
	st, err := openJournal(ctx, s.f.run.journal.state)
	if err != nil {
		return toolError("%v", err)
	}
	r, t, bad := s.findRun(ctx, st, args.RunID)
	st.Close()
	if bad != nil {
		return bad
	}
	if t.destructive() && s.f.confirm && r.Status != journal.StatusPassed {
		q := fmt.Sprintf("Resume run %s of %s? What it completed is replayed, not sent again; the rest of it changes the API's state.", r.ID, t.name)
		if res, ok := s.confirmed(req, q); !ok {
			return res
		}
	}
	return s.execute(ctx, req, t, nil, r)
}
