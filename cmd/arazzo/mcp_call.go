package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arazzo-run/arazzo/describe"
	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// callWorkflow runs the workflow of a tool: the arguments are checked against
// its inputs schema before anything is sent, the run is journaled, and only
// its declared outputs come back.
func (s *mcpServer) callWorkflow(ctx context.Context, req *mcp.CallToolRequest, t *workflowTool) *mcp.CallToolResult {
	inputs, bad := decodeArguments(req.Params.Arguments)
	if bad != nil {
		return bad
	}
	hide := secretInputs(t.ld.plan, t.workflowID, inputs)
	if err := t.ld.plan.CheckInputs(t.workflowID, inputs); err != nil {
		return toolError("invalid arguments for %s; nothing was sent:\n%s", t.name, hide.Mask(inputProblems(err)))
	}
	if t.destructive() && s.f.confirm {
		if res, ok := s.confirmed(req, fmt.Sprintf("Run %s? %s It changes the API's state.%s", t.name, sentence(t.info.Summary), describeInputs(t, inputs, hide))); !ok {
			return res
		}
	}
	return s.execute(ctx, req, t, inputs, nil)
}

// execute runs (or with prev, resumes) the workflow of t and turns the
// outcome into the tool's result.
func (s *mcpServer) execute(ctx context.Context, req *mcp.CallToolRequest, t *workflowTool, inputs map[string]any, prev *journal.Run) *mcp.CallToolResult {
	secrets := &runtime.Secrets{} // this call's: the credentials, then what the run adds
	addCredentials(secrets, t.ld.creds)
	f := s.f.run // a copy: journal.prev and journal.runID are this call's
	f.journal.prev, f.journal.runID = prev, ""
	if prev != nil {
		restored, err := prev.PlanInputs(t.ld.plan)
		if err != nil {
			return toolError("run %s cannot be resumed: %s", prev.ID, secrets.Mask(err.Error()))
		}
		inputs = restored
	}
	hide := secretInputs(t.ld.plan, t.workflowID, inputs)
	maskSecretInputs(t.ld.plan, t.workflowID, inputs, secrets)
	opts := append(slices.Clip(t.ld.opts), runtime.WithSecrets(secrets),
		runtime.WithObserver(newMCPProgress(ctx, req, t.sig.Steps, secrets)))
	if f.mock {
		opts = append(opts, mockOptions(t.ld.plan)...)
	}

	// The run stops when the client cancels the call (or the server is
	// stopped); the journal then says interrupted, and resume_run continues it.
	runCtx, stop := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stop(nil)
	defer context.AfterFunc(ctx, func() {
		cause := context.Cause(ctx)
		var sig *signalError
		if !errors.As(cause, &sig) {
			cause = errCallCancelled
		}
		stop(cause)
	})()
	res, err := s.a.runJournal(runCtx, t.arg, t.ld.plan, t.workflowID, inputs, &f, secrets, opts)
	runID := f.journal.runID
	if err != nil {
		var ue *runtime.UsageError
		var re *journal.ResumeError
		switch {
		case errors.As(err, &ue), errors.As(err, &re):
			return toolError("%s: %s; nothing was sent", t.name, hide.Mask(secrets.Mask(err.Error())))
		}
		return toolError("%s could not run: %s", t.name, hide.Mask(secrets.Mask(err.Error())))
	}
	outputs := handOver(res.Outputs, secrets, hide)
	result := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s.summary(t, res, outputs, runID, runCtx, secrets, hide)}}}
	if len(outputs) > 0 || res.Status == runtime.StatusPassed {
		result.StructuredContent = outputs
	}
	if runID != "" {
		result.Meta = mcp.Meta{"arazzo/runId": runID}
	}
	if res.Status != runtime.StatusPassed {
		result.IsError = true
		return result
	}
	if runID != "" && len(outputs) > 0 {
		s.a.delivered(ctx, &f) // the result is handed to the transport
	}
	return result
}

// decodeArguments reads a call's arguments: a JSON object (numbers kept as
// written), or nothing.
func decodeArguments(raw json.RawMessage) (map[string]any, *mcp.CallToolResult) {
	inputs := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return inputs, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&inputs); err != nil {
		return nil, toolError("the arguments must be a JSON object of the workflow's inputs; nothing was sent")
	}
	return inputs, nil
}

// inputProblems lists what is wrong with the inputs, one per line.
func inputProblems(err error) string {
	var ue *runtime.UsageError
	if errors.As(err, &ue) && len(ue.Problems) > 0 {
		return "  - " + strings.Join(ue.Problems, "\n  - ")
	}
	return "  - " + err.Error()
}

// secretInputs collects the values of the secret inputs given: they are
// masked in everything sent to the client, the outputs included.
func secretInputs(plan *runtime.Plan, wfID string, inputs map[string]any) *runtime.Secrets {
	hide := &runtime.Secrets{}
	maskSecretInputs(plan, wfID, inputs, hide)
	return hide
}

// handOver is what the client gets of a run's outputs: every declared
// output, with any credential or secret input inside it masked.
func handOver(outputs map[string]any, secrets, hide *runtime.Secrets) map[string]any {
	out := make(map[string]any, len(outputs))
	for k, v := range outputs {
		out[k] = hide.MaskRegistered(secrets.MaskCredentialValue(v))
	}
	return out
}

// summary is the short text of a result: the outcome, the outputs, where a
// failure happened and why, and what to do next.
func (s *mcpServer) summary(t *workflowTool, res *runtime.Result, outputs map[string]any, runID string, runCtx context.Context, secrets, hide *runtime.Secrets) string {
	mask := func(text string) string { return hide.Mask(secrets.Mask(text)) }
	var b strings.Builder
	run := ""
	if runID != "" {
		run = " (run " + runID + ")"
	}
	switch {
	case res.Status == runtime.StatusPassed:
		fmt.Fprintf(&b, "%s passed%s.", t.name, run)
	case context.Cause(runCtx) != nil && runCtx.Err() != nil:
		fmt.Fprintf(&b, "%s was stopped%s: %s.", t.name, run, context.Cause(runCtx))
	default:
		fmt.Fprintf(&b, "%s %s", t.name, res.Status)
		if st := failedStep(res); st != nil {
			fmt.Fprintf(&b, " at step %s", st.StepID)
			if st.WorkflowID != t.workflowID {
				fmt.Fprintf(&b, " of workflow %s", st.WorkflowID)
			}
			if st.StatusCode != 0 {
				fmt.Fprintf(&b, " (HTTP %d)", st.StatusCode)
			}
		}
		b.WriteString(run + ".")
		if res.Err != nil {
			fmt.Fprintf(&b, " %s", mask(res.Err.Error()))
		}
	}
	if len(outputs) > 0 {
		b.WriteString("\nOutputs:")
		for _, k := range sortedKeys(outputs) {
			fmt.Fprintf(&b, "\n  %s: %s", k, report.FormatValue(outputs[k]))
		}
	}
	if res.Status != runtime.StatusPassed && runID != "" {
		fmt.Fprintf(&b, "\nWhat the run completed is journaled: get_run shows it; resume_run with runId %q continues it without repeating what completed.", runID)
	}
	return b.String()
}

// failedStep is the step execution that ended a run that did not pass.
func failedStep(res *runtime.Result) *runtime.StepResult {
	for i := len(res.Steps) - 1; i >= 0; i-- {
		if res.Steps[i].Status != runtime.StatusPassed {
			return res.Steps[i]
		}
	}
	return nil
}

// confirmed asks the client, by MCP elicitation, whether a workflow that
// changes the API's state may run. ok is true once the user accepted; else res
// is what to return: the question itself (the SDK delivers it and calls again
// with the answer), or why the call is refused. A client that cannot be asked
// is refused: it is the operator who turned confirmation on.
func (s *mcpServer) confirmed(req *mcp.CallToolRequest, question string) (res *mcp.CallToolResult, ok bool) {
	if resp, answered := req.Params.InputResponses[confirmKey]; answered {
		er, _ := resp.(*mcp.ElicitResult)
		if er != nil && er.Action == "accept" && er.Content["confirm"] == true {
			return nil, true
		}
		action := "did not confirm"
		switch {
		case er != nil && er.Action == "decline":
			action = "declined"
		case er != nil && er.Action == "cancel":
			action = "cancelled"
		}
		return toolError("the user %s the call; nothing was sent", action), false
	}
	caps := req.ClientCapabilities()
	if caps == nil || caps.Elicitation == nil || (caps.Elicitation.Form == nil && caps.Elicitation.URL != nil) {
		return toolError("this server asks the user before running a workflow that changes anything (--confirm), and this client cannot ask (it does not support MCP form elicitation); nothing was sent. " +
			"Use a client that supports elicitation, or restart the server with --confirm=false."), false
	}
	return &mcp.CallToolResult{InputRequests: mcp.InputRequestMap{confirmKey: &mcp.ElicitParams{
		Mode:    "form",
		Message: question,
		RequestedSchema: map[string]any{
			"type":     "object",
			"required": []any{"confirm"},
			"properties": map[string]any{
				"confirm": map[string]any{"type": "boolean", "title": "Run it", "description": "Check to let the workflow send its requests."},
			},
		},
	}}}, false
}

// confirmKey names the confirmation among a call's input requests.
const confirmKey = "confirm"

// describeInputs lists the inputs of a call for a confirmation question,
// secret ones masked.
func describeInputs(t *workflowTool, inputs map[string]any, hide *runtime.Secrets) string {
	if len(inputs) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedKeys(inputs) {
		v := report.FormatValue(inputs[k])
		if slices.Contains(t.sig.SecretInputs, k) {
			v = runtime.Masked
		}
		parts = append(parts, k+"="+hide.Mask(v))
	}
	return " Inputs: " + strings.Join(parts, ", ") + "."
}

// sentence is a summary on one line (describe.OneLine), ending with a period.
func sentence(s string) string {
	s = describe.OneLine(s)
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// mcpProgress reports each finished step of the workflow a call runs as an
// MCP progress notification, when the client asked for them.
type mcpProgress struct {
	ctx     context.Context
	req     *mcp.CallToolRequest
	token   any
	total   int
	n       int
	secrets *runtime.Secrets
}

func newMCPProgress(ctx context.Context, req *mcp.CallToolRequest, steps int, secrets *runtime.Secrets) runtime.Observer {
	token := req.Params.GetProgressToken()
	if token == nil || req.Session == nil {
		return nil
	}
	return &mcpProgress{ctx: ctx, req: req, token: token, total: steps, secrets: secrets}
}

func (p *mcpProgress) Event(e *runtime.Event) {
	if e.Kind != runtime.EventStepFinished || e.Step == nil || e.Depth > 0 {
		return
	}
	p.n++
	msg := fmt.Sprintf("step %s %s", e.Step.StepID, e.Step.Status)
	if e.Step.StatusCode != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Step.StatusCode)
	}
	params := &mcp.ProgressNotificationParams{ProgressToken: p.token, Progress: float64(p.n), Message: p.secrets.Mask(msg)}
	if p.n <= p.total {
		params.Total = float64(p.total)
	}
	_ = p.req.Session.NotifyProgress(p.ctx, params) // a client gone does not stop the run
}
