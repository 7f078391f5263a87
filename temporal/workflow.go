package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/arazzo-run/arazzo/runtime"
)

// Names under which a Worker registers its workflow, activity and query.
const (
	// WorkflowName is the Temporal workflow type of an Arazzo run.
	WorkflowName = "arazzo.run"
	// SendActivityName is the activity that sends one HTTP request.
	SendActivityName = "arazzo.send"
	// ProgressQuery returns a run's progress events from an index on.
	ProgressQuery = "arazzo.progress"
	// DefaultTaskQueue is the task queue of workers and runs unless told otherwise.
	DefaultTaskQueue = "arazzo"
)

// Error types of a run that could not start; the workflow fails with a
// non-retryable application error of one of these types.
const (
	// ErrorDocument: the run's documents could not be compiled.
	ErrorDocument = "ArazzoDocumentError"
	// ErrorUsage: an unknown workflow, inputs that do not match its schema.
	ErrorUsage = "ArazzoUsageError"
	// ErrorSettings: a credential of the worker that took the run names no
	// security scheme of the run's documents (by the rules of
	// runtime.Plan.CheckSettings); the error's details are its
	// []runtime.Unused, and RunError.Unwrap gives the *runtime.SettingsError.
	ErrorSettings = "ArazzoSettingsError"
)

// Limits of Temporal's workflow history (the server's defaults refuse a
// history beyond 51,200 events or 50 MB): a run stops a little before them,
// with an error that says why, rather than being terminated by the server.
const (
	historyEventLimit = 45_000
	historyByteLimit  = 40 << 20
)

// Workflow is the workflow function: it compiles the run's documents and walks the
// plan with runtime.Plan.Execute, the same executor a local run uses. The
// executor is deterministic; every request it decides on is an activity and
// every wait a durable timer, so a run survives the loss of the worker
// executing it: another worker replays its history and carries on.
//
// Nested workflows (workflowId steps, goto and retry to a workflow, dependsOn)
// run in line, in the same Temporal workflow, as in a local run: they share
// the run's step budget and its $workflows results.
func (w *Worker) Workflow(ctx workflow.Context, in *RunInput) (*RunOutput, error) {
	plan, err := w.plans.get(&in.Documents)
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrorDocument, nil)
	}
	inputs, err := in.inputs(plan)
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrorUsage, nil)
	}
	if err := w.checkSettings(ctx, plan, &in.Settings); err != nil {
		return nil, err
	}
	rec := &recorder{}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, rec.progress); err != nil {
		return nil, err
	}
	rc := newRunContext(ctx, in.Settings.RunTimeout)
	defer rc.stop()
	fx := &effects{rc: rc, set: &in.Settings}
	opts := append(in.Settings.options(), runtime.WithObserver(rec))
	res, err := plan.Execute(rc, in.WorkflowID, inputs, fx, opts...)
	if err != nil {
		return nil, sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrorUsage, nil)
	}
	out := rec.output(res)
	workflow.GetLogger(ctx).Info("arazzo run finished", "workflow", res.WorkflowID, "status", string(res.Status), "steps", len(res.Steps))
	return out, nil
}

// settingsChange is the change id (workflow.GetVersion) of the check of a
// worker's credentials against a run's documents.
const settingsChange = "arazzo.check-settings"

// checkSettings refuses, before the first request, a run whose documents
// leave a credential of this worker unbound: a scheme name no source
// declares (a typo sends every request without it), or an unqualified name
// several sources declare. It is the check a local run makes
// (runtime.Plan.CheckSettings), with the worker's credentials and the run's
// server settings. Workers of one task queue may hold different credentials,
// so the verdict of the worker that starts the run is recorded in its
// history (a side effect): a replay on another worker reaches the same one.
// A run started before workers made the check is not checked on replay.
func (w *Worker) checkSettings(ctx workflow.Context, plan *runtime.Plan, set *Settings) error {
	if workflow.GetVersion(ctx, settingsChange, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	var bad []runtime.Unused
	verdict := workflow.SideEffect(ctx, func(workflow.Context) any {
		var se *runtime.SettingsError
		if errors.As(plan.CheckSettings(append(set.options(), runtime.WithCredentials(w.creds))...), &se) {
			return se.Settings
		}
		return []runtime.Unused(nil)
	})
	if err := verdict.Get(&bad); err != nil {
		return err
	}
	if len(bad) == 0 {
		return nil
	}
	se := &runtime.SettingsError{Settings: bad}
	if w.warn != nil && !workflow.IsReplaying(ctx) {
		w.warn(fmt.Sprintf("run %s refused: %v", workflow.GetInfo(ctx).WorkflowExecution.ID, se))
	}
	return sdktemporal.NewNonRetryableApplicationError(se.Error(), ErrorSettings, nil, bad)
}

// runContext is the context.Context the executor sees in workflow code. The
// executor only polls its Err; Err reports the cancellation of the Temporal
// workflow, the run timeout (a durable timer) and a history about to reach
// Temporal's limits. Done is nil: nothing in workflow code may block on a Go
// channel.
type runContext struct {
	wctx     workflow.Context // the workflow's
	actx     workflow.Context // activities and timers: cancelled by the run timeout too
	cancel   workflow.CancelFunc
	timedOut bool
	limitErr error
}

func newRunContext(ctx workflow.Context, timeout time.Duration) *runContext {
	actx, cancel := workflow.WithCancel(ctx)
	rc := &runContext{wctx: ctx, actx: actx, cancel: cancel}
	if timeout > 0 {
		workflow.Go(actx, func(gctx workflow.Context) {
			if workflow.Sleep(gctx, timeout) == nil {
				rc.timedOut = true
				cancel()
			}
		})
	}
	return rc
}

// stop releases the run-timeout timer.
func (rc *runContext) stop() { rc.cancel() }

func (rc *runContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (rc *runContext) Done() <-chan struct{}       { return nil }
func (rc *runContext) Value(any) any               { return nil }

func (rc *runContext) Err() error {
	if rc.timedOut {
		return context.DeadlineExceeded
	}
	if rc.wctx.Err() != nil {
		return context.Canceled
	}
	if rc.limitErr == nil {
		info := workflow.GetInfo(rc.wctx)
		if n := info.GetCurrentHistoryLength(); n >= historyEventLimit {
			rc.limitErr = &HistoryLimitError{Events: n}
		} else if b := info.GetCurrentHistorySize(); b >= historyByteLimit {
			rc.limitErr = &HistoryLimitError{Bytes: b}
		}
	}
	return rc.limitErr
}

// HistoryLimitError stops a run whose Temporal history nears the server's limits.
type HistoryLimitError struct {
	Events int
	Bytes  int
}

func (e *HistoryLimitError) Error() string {
	what := fmt.Sprintf("%d events", e.Events)
	if e.Events == 0 {
		what = fmt.Sprintf("%d bytes", e.Bytes)
	}
	return "the run's Temporal history reached " + what + ", close to the limits a Temporal server accepts " +
		"(51,200 events, 50 MB); lower the step budget, return smaller responses, or split the workflow"
}

// effects carries the executor's effects out in workflow code: a request is
// an activity, a wait is a durable timer, the time is the workflow's.
type effects struct {
	rc  *runContext
	set *Settings
}

func (e *effects) Now() time.Time { return workflow.Now(e.rc.wctx) }

func (e *effects) Sleep(_ context.Context, d time.Duration) error {
	if err := workflow.Sleep(e.rc.actx, d); err != nil {
		if cerr := e.rc.Err(); cerr != nil {
			return cerr
		}
		return err
	}
	return nil
}

// Send runs the request as an activity. An activity that did not complete —
// its worker was lost, every attempt failed — is a transport error of the
// step, which the step's failure actions handle as they would locally.
func (e *effects) Send(_ context.Context, req *runtime.Request) *runtime.Response {
	if req.Message != nil {
		// A subscription lives in the process that opened it, and a
		// workflow's activities may run on any worker.
		return &runtime.Response{Started: workflow.Now(e.rc.wctx), ErrKind: "unsupported",
			Err: errors.New("steps that send or receive AsyncAPI messages do not run on Temporal; run this workflow in the process instead")}
	}
	in := newSendInput(req, e.set)
	actx := workflow.WithActivityOptions(e.rc.actx, activityOptions(in))
	start := workflow.Now(e.rc.wctx)
	var out SendOutput
	err := workflow.ExecuteActivity(actx, SendActivityName, in).Get(actx, &out)
	if err != nil {
		resp := &runtime.Response{Started: start, Duration: workflow.Now(e.rc.wctx).Sub(start)}
		resp.Err, resp.ErrKind = activityFailure(req, err)
		return resp
	}
	return out.response()
}

// Retries of the send activity. When a worker dies mid-request, Temporal
// attempts the activity again on another worker. An idempotent request is
// sent again; one that is not never is (see Worker.sendOnce): the attempt
// returns the response the lost worker recorded, or reports the request
// lost (ErrKind "lost") when it left without a recorded response, and only
// the step's own retry actions may send it again. A DELETE counts as not
// idempotent (see resendable).
const (
	idempotentAttempts = 5
	// sendGrace is added to the request timeout for the activity's
	// start-to-close timeout: an oauth2 token fetch and reading the body.
	sendGrace = 30 * time.Second
	// heartbeatTimeout is how soon a worker that died mid-request is noticed.
	heartbeatTimeout = 20 * time.Second
)

func activityOptions(in *SendInput) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: in.Timeout + sendGrace,
		HeartbeatTimeout:    heartbeatTimeout,
		RetryPolicy: &sdktemporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 30 * time.Second, MaximumAttempts: idempotentAttempts},
		Summary: in.Method + " " + in.URL,
	}
}

// resendable reports whether Temporal may send a request again when its
// worker was lost: an idempotent one (RFC 9110, or x-idempotent in the
// OpenAPI description), but not a DELETE, which is idempotent in its effect
// only — sent again after its response was lost it answers 404, failing a
// step that succeeded, and some APIs' DELETE (pop a queue) is not even that.
func resendable(method string, idempotent bool) bool {
	return idempotent && method != "DELETE"
}

// activityFailure words an activity that did not complete as a transport
// error (the executor prefixes it with the request's method and URL).
//
//lint:ignore ST1008 it returns a Response's Err and ErrKind, in the order of the fields it fills
func activityFailure(req *runtime.Request, err error) (error, string) {
	var canceled *sdktemporal.CanceledError
	if errors.As(err, &canceled) {
		return errors.New("cancelled"), "canceled"
	}
	if !resendable(req.Method, req.Idempotent) {
		var timeout *sdktemporal.TimeoutError
		if errors.As(err, &timeout) {
			return fmt.Errorf("its worker was lost before it reported the response (%v): the server may or may not have acted on it, "+
				"and a %s is not sent again behind the workflow's back", rootCause(err), req.Method), "lost"
		}
		return fmt.Errorf("it failed on its worker (%v), and a %s is not sent again behind the workflow's back", rootCause(err), req.Method), "lost"
	}
	return fmt.Errorf("it did not complete in %d attempts on the workers: %v", idempotentAttempts, rootCause(err)), "lost"
}

// rootCause is the innermost error of an activity failure.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
