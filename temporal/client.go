package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/arazzo-run/arazzo/runtime"
)

// Memo keys a submitted run carries, for listings in the Temporal UI.
const (
	memoWorkflow = "arazzoWorkflow"
	memoDocument = "arazzoDocument"
)

// Start submits a run to the cluster as the Temporal workflow id, to be
// executed by the workers polling taskQueue.
func Start(ctx context.Context, c client.Client, id, taskQueue string, in *RunInput) (client.WorkflowRun, error) {
	opts := client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		Memo:                     map[string]any{memoWorkflow: in.WorkflowID, memoDocument: in.Documents.Name},
		StaticSummary:            "arazzo run " + in.WorkflowID + " (" + in.Documents.Name + ")",
	}
	return c.ExecuteWorkflow(ctx, opts, WorkflowName, in)
}

// RunError is a run that ended without an output: it could not start (its
// documents or its inputs), or it was cancelled, terminated or timed out in
// Temporal.
type RunError struct {
	// Type is ErrorDocument, ErrorUsage, ErrorSettings, or the Temporal
	// outcome: "cancelled", "terminated", "timed out", "failed".
	Type string
	Msg  string
	// Settings is the worker's refusal of an ErrorSettings run.
	Settings *runtime.SettingsError
}

func (e *RunError) Error() string { return e.Msg }

// Unwrap returns the *runtime.SettingsError of an ErrorSettings run.
func (e *RunError) Unwrap() error {
	if e.Settings == nil {
		return nil
	}
	return e.Settings
}

// runError classifies the error of a workflow that did not return an output.
func runError(err error) error {
	var app *sdktemporal.ApplicationError
	if errors.As(err, &app) && (app.Type() == ErrorDocument || app.Type() == ErrorUsage) {
		return &RunError{Type: app.Type(), Msg: app.Message()}
	}
	if errors.As(err, &app) && app.Type() == ErrorSettings {
		re := &RunError{Type: ErrorSettings, Msg: app.Message()}
		var bad []runtime.Unused
		if app.HasDetails() && app.Details(&bad) == nil && len(bad) > 0 {
			re.Settings = &runtime.SettingsError{Settings: bad}
		}
		return re
	}
	var canceled *sdktemporal.CanceledError
	var terminated *sdktemporal.TerminatedError
	var timeout *sdktemporal.TimeoutError
	switch {
	case errors.As(err, &canceled):
		return &RunError{Type: "cancelled", Msg: "the run was cancelled in Temporal"}
	case errors.As(err, &terminated):
		return &RunError{Type: "terminated", Msg: "the run was terminated in Temporal"}
	case errors.As(err, &timeout):
		return &RunError{Type: "timed out", Msg: "the run timed out in Temporal"}
	}
	var wee *sdktemporal.WorkflowExecutionError
	if errors.As(err, &wee) {
		return &RunError{Type: "failed", Msg: "the run failed in Temporal: " + rootCause(err).Error()}
	}
	return err // not an outcome of the run: the cluster could not be reached...
}

// Wait waits for the run id to end and returns its output. While it runs,
// progress (unless nil) receives each new progress event, polled every
// interval with the progress query; the events of the output that were not
// polled follow, so progress sees every event once, in order. A run that ended
// without an output returns a *RunError.
func Wait(ctx context.Context, c client.Client, id string, interval time.Duration, progress func(Event)) (*RunOutput, error) {
	type result struct {
		out *RunOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		var out RunOutput
		err := c.GetWorkflow(ctx, id, "").Get(ctx, &out)
		done <- result{&out, err}
	}()
	seen := 0
	var tick <-chan time.Time
	if progress != nil && interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case r := <-done:
			if r.err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return nil, runError(r.err)
			}
			if progress != nil {
				for _, ev := range r.out.Events[min(seen, len(r.out.Events)):] {
					progress(r.out.event(ev))
				}
			}
			return r.out, nil
		case <-tick:
			evs, err := Progress(ctx, c, id, seen)
			if err != nil {
				continue // not answered yet (no worker has the run); the result will tell
			}
			for _, ev := range evs {
				progress(ev)
			}
			seen += len(evs)
		}
	}
}

// event resolves a step event's step from Steps.
func (o *RunOutput) event(ev Event) Event {
	if ev.Kind == EventStep && ev.Step == nil && ev.Index >= 0 && ev.Index < len(o.Steps) {
		s := o.Steps[ev.Index]
		ev.Step = &s
	}
	return ev
}

// Progress asks a running run for its progress events from index from on.
func Progress(ctx context.Context, c client.Client, id string, from int) ([]Event, error) {
	v, err := c.QueryWorkflow(ctx, id, "", ProgressQuery, from)
	if err != nil {
		return nil, err
	}
	var evs []Event
	if err := v.Get(&evs); err != nil {
		return nil, err
	}
	return evs, nil
}

// RunInfo is what the cluster knows of a run.
type RunInfo struct {
	ID    string
	RunID string
	// Status is the Temporal status: running, completed, failed, cancelled,
	// terminated, timed out, continued as new.
	Status   string
	Started  time.Time
	Closed   time.Time
	Input    *RunInput
	Output   *RunOutput // when completed
	Progress []Event    // when running: the events so far, steps included
	Err      error      // when it ended without an output
}

// Describe reads a run: its status, its input, and its output or its progress.
// dc decodes the run's input from its history: nil for the SDK's default, or
// the DataConverter the client was dialled with (Codec.DataConverter).
func Describe(ctx context.Context, c client.Client, id string, dc converter.DataConverter) (*RunInfo, error) {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	desc, err := c.DescribeWorkflow(ctx, id, "")
	if err != nil {
		return nil, err
	}
	d := desc.RawResponse
	ex := d.GetWorkflowExecutionInfo()
	if ex.GetType().GetName() != WorkflowName {
		return nil, fmt.Errorf("workflow %s is a %s, not an Arazzo run", id, ex.GetType().GetName())
	}
	info := &RunInfo{ID: id, RunID: ex.GetExecution().GetRunId(), Status: statusName(ex.GetStatus())}
	if t := ex.GetStartTime(); t != nil {
		info.Started = t.AsTime()
	}
	if t := ex.GetCloseTime(); t != nil {
		info.Closed = t.AsTime()
	}
	it := c.GetWorkflowHistory(ctx, id, info.RunID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		if attrs := ev.GetWorkflowExecutionStartedEventAttributes(); attrs != nil {
			var in RunInput
			if err := dc.FromPayloads(attrs.GetInput(), &in); err == nil {
				info.Input = &in
			}
		}
	}
	switch ex.GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		if info.Progress, err = Progress(ctx, c, id, 0); err != nil {
			info.Progress = nil // no worker answered: the steps are not known yet
		}
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		var out RunOutput
		if err := c.GetWorkflow(ctx, id, info.RunID).Get(ctx, &out); err != nil {
			return nil, err
		}
		info.Output = &out
	default:
		info.Err = runError(c.GetWorkflow(ctx, id, info.RunID).Get(ctx, nil))
	}
	return info, nil
}

func statusName(s enumspb.WorkflowExecutionStatus) string {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return "running"
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return "completed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return "failed"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return "cancelled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return "terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return "timed out"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return "continued as new"
	}
	return "unknown"
}

// RunSummary is one line of a listing of the runs on a cluster.
type RunSummary struct {
	ID string
	// Status is the run's outcome once it completed (passed, failed, error), else
	// the Temporal status (running, cancelled, terminated, timed out, failed).
	Status     string
	Started    time.Time
	Closed     time.Time
	WorkflowID string // the Arazzo workflow
	Document   string
	Steps      int // step executions, once completed
}

// List reads the most recent Arazzo runs of the client's namespace, newest
// first: at most limit (0: all). dc decodes their memos and outputs (nil: the
// SDK's default; the client's converter when it encrypts payloads).
func List(ctx context.Context, c client.Client, dc converter.DataConverter, limit int) ([]RunSummary, error) {
	if dc == nil {
		dc = converter.GetDefaultDataConverter()
	}
	var out []RunSummary
	var token []byte
	for {
		size := 100
		if limit > 0 && limit-len(out) < size {
			size = limit - len(out)
		}
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize: int32(size), NextPageToken: token,
			// Visibility stores list the newest first (ORDER BY is not supported everywhere).
			Query: fmt.Sprintf("WorkflowType = '%s'", WorkflowName),
		})
		if err != nil {
			return nil, err
		}
		for _, ex := range resp.GetExecutions() {
			s := RunSummary{ID: ex.GetExecution().GetWorkflowId(), Status: statusName(ex.GetStatus())}
			if t := ex.GetStartTime(); t != nil {
				s.Started = t.AsTime()
			}
			if t := ex.GetCloseTime(); t != nil {
				s.Closed = t.AsTime()
			}
			fields := ex.GetMemo().GetFields()
			_ = dc.FromPayload(fields[memoWorkflow], &s.WorkflowID)
			_ = dc.FromPayload(fields[memoDocument], &s.Document)
			if ex.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				var res RunOutput
				if err := c.GetWorkflow(ctx, s.ID, ex.GetExecution().GetRunId()).Get(ctx, &res); err == nil {
					s.Status, s.Steps = string(res.Status), len(res.Steps)+res.Omitted
				}
			}
			out = append(out, s)
			if limit > 0 && len(out) == limit {
				return out, nil
			}
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			return out, nil
		}
	}
}
