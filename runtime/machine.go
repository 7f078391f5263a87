package runtime

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
)

// Effects carries out what the executor decides. The executor itself is
// deterministic: given the same effect results it makes the same decisions, so a
// driver may record results and replay them (journal) or run the executor as
// durable workflow code (Temporal).
//
// Cancellation: the executor passes the run's context to every Send and
// Sleep, and learns that the run was cancelled or timed out only from
// ctx.Err(). A driver therefore returns promptly once ctx is done: Send with
// Response.Err set, Sleep with a non-nil error. The executor then ends the
// run with status error and an error that wraps ctx.Err(), so errors.Is(err,
// context.DeadlineExceeded) and errors.Is(err, context.Canceled) hold for the
// caller. An error a driver returns while ctx is still live is a failure of
// that exchange only: the document's actions decide what follows (a retry, a
// goto, the end). A driver never ends a run any other way, and Now never
// blocks.
type Effects interface {
	// Send sends a request and returns its response, or the transport error in Response.Err.
	Send(ctx context.Context, req *Request) *Response
	// Sleep waits for d; it returns an error when ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
	// Now is the current time, used for durations only.
	Now() time.Time
}

// run is the state of one execution of a plan; it is never shared between runs.
type run struct {
	plan  *Plan
	cfg   *config
	fx    Effects
	obs   Observer
	steps int                          // step executions so far, bounded by cfg.maxSteps
	done  map[*workflowPlan]*wfOutcome // workflows completed in this run ($workflows.*, dependsOn)
	ran   map[*stepPlan]bool           // steps executed in this run (step-level dependsOn across workflows)
	// deadline bounds the workflow a step with a 1.1 timeout calls, on the
	// Effects clock; zero when no such step is running. timeoutStep is that step.
	deadline    time.Time
	timeoutStep *stepPlan
	result      *Result
	fatalErr    error
	dry         *dryState                           // set by DryRun: values that come from responses are placeholders
	subs        map[*stepPlan]map[string]*listening // receive steps' subscriptions by address (async.go)
	used        map[string]bool                     // settings this run used ("server:api", "var:api.port"); see unused.go
}

// wfOutcome is how a workflow execution ended.
type wfOutcome struct {
	wp       *workflowPlan
	status   Status
	inputs   map[string]any
	outputs  map[string]any
	err      error
	lastCode int // status code of its last HTTP exchange (see stepWorkflow criteria)
}

// frame is a workflow being executed.
type frame struct {
	wp          *workflowPlan
	inputs      map[string]any
	stepOutputs map[string]map[string]any
	outputs     map[string]any
	depth       int
	lastCode    int
}

// flow is what happens after a step.
type flow int

const (
	flowNext flow = iota
	flowGotoStep
	flowGotoWorkflow
	flowEndSuccess
	flowEndFailure // end action after a failure, or no action matched: break and return
	flowFatal      // the run cannot continue (cancelled, step budget, internal)
)

type stepFlow struct {
	flow     flow
	target   int
	workflow *workflowPlan
	params   map[string]any
	err      error
	status   Status // for flowEndFailure: failed or error
}

// actionKind is the type of a success or failure action.
type actionKind int

const (
	actionUnknown actionKind = iota // a type the document validator reports; the action does nothing
	actionEnd
	actionGoto
	actionRetry
)

func actionKindOf(typ string) actionKind {
	switch typ {
	case "end":
		return actionEnd
	case "goto":
		return actionGoto
	case "retry":
		return actionRetry
	}
	return actionUnknown
}

func (k actionKind) String() string {
	switch k {
	case actionEnd:
		return "end"
	case actionGoto:
		return "goto"
	case actionRetry:
		return "retry"
	}
	return ""
}

// execute runs a workflow to its end.
func (r *run) execute(ctx context.Context, wp *workflowPlan, inputs map[string]any) *Result {
	start := r.fx.Now()
	r.result = &Result{WorkflowID: wp.id, Started: start}
	out := r.workflow(ctx, wp, inputs, 0)
	r.result.Status = out.status
	r.result.Outputs = out.outputs
	r.result.Err = out.err
	r.result.Duration = r.fx.Now().Sub(start)
	return r.result
}

func (r *run) emit(e *Event) {
	if r.obs == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = r.fx.Now()
	}
	r.obs.Event(e)
}

// workflow executes wp with inputs, its dependencies first, at nesting depth
// depth. A goto to a workflow (Success/Failure Action Object, type goto with
// workflowId) is a one-way transfer: the current workflow does not continue
// and the target runs in its place, at the same depth, so that two workflows
// handing over to each other are a loop that the step budget ends, like a
// goto-step loop, not a nesting. The target's outcome is the outcome of every
// workflow that handed over to it; each returns its own outputs over the
// target's (its own win on a name clash).
func (r *run) workflow(ctx context.Context, wp *workflowPlan, inputs map[string]any, depth int) *wfOutcome {
	if depth > r.cfg.maxDepth {
		// The run cannot go on: every caller ends with this error.
		r.fatalErr = (&frame{wp: wp}).errorf(nil, wp.wf.Pos, &LimitError{Kind: LimitDepth, Max: int64(r.cfg.maxDepth), Hint: "a workflow calling itself?"}, "")
		return &wfOutcome{wp: wp, status: StatusError, err: r.fatalErr}
	}
	var handedOver []*frame // the workflows that transferred to the next, in order
	var out *wfOutcome
	for {
		if out = r.dependencies(ctx, wp, inputs, depth); out != nil {
			break
		}
		f := &frame{wp: wp, inputs: inputs, stepOutputs: map[string]map[string]any{}, depth: depth}
		r.emit(&Event{Kind: EventWorkflowStarted, WorkflowID: wp.id, Depth: depth, File: wp.doc.File})
		var next *stepFlow
		if out, next = r.steps_(ctx, f); next == nil {
			r.finished(f, out)
			break
		}
		handedOver = append(handedOver, f)
		wp, inputs = next.workflow, next.params
	}
	for i := len(handedOver) - 1; i >= 0; i-- {
		f := handedOver[i]
		res := &wfOutcome{wp: f.wp, status: out.status, inputs: f.inputs, err: out.err, lastCode: out.lastCode}
		var err error
		res.outputs, err = r.evalOutputs(f, out.outputs)
		if err != nil && res.status == StatusPassed {
			res.status, res.err = StatusError, err
		}
		out = res
		r.finished(f, out)
	}
	return out
}

// finished records how a workflow execution ended.
func (r *run) finished(f *frame, out *wfOutcome) {
	r.done[f.wp] = out
	r.emit(&Event{Kind: EventWorkflowFinished, WorkflowID: f.wp.id, Depth: f.depth,
		Result: &Result{WorkflowID: f.wp.id, Status: out.status, Outputs: out.outputs, Err: out.err}})
}

// dependencies runs the workflows wp depends on that have not run yet; it
// returns wp's outcome when one of them did not pass, nil when wp can run.
// Workflow Object, dependsOn: the listed workflows "MUST be completed before
// this workflow can be processed". Each runs once per run, in order, with the
// inputs of this workflow that its own schema declares.
func (r *run) dependencies(ctx context.Context, wp *workflowPlan, inputs map[string]any, depth int) *wfOutcome {
	for _, dep := range wp.dependsOn {
		if dep.wf == nil {
			continue
		}
		if prev, ok := r.done[dep.wf]; ok {
			if prev.status != StatusPassed {
				return r.dependencyFailed(wp, dep, prev)
			}
			continue
		}
		in, probs := dep.wf.inputs.Check(filterInputs(dep.wf, inputs))
		if len(probs) > 0 {
			return r.dependencyFailed(wp, dep, &wfOutcome{wp: dep.wf, status: StatusError,
				err: fmt.Errorf("inputs of workflow %q: %s", dep.wf.id, strings.Join(probs, "; "))})
		}
		out := r.workflow(ctx, dep.wf, in, depth+1)
		if out.status != StatusPassed {
			return r.dependencyFailed(wp, dep, out)
		}
	}
	return nil
}

func (r *run) dependencyFailed(wp *workflowPlan, dep *workflowRef, out *wfOutcome) *wfOutcome {
	st := out.status
	if st == StatusPassed {
		st = StatusFailed
	}
	return &wfOutcome{wp: wp, status: st, err: (&frame{wp: wp}).errorf(nil, dep.pos, out.err, "dependency %q did not pass", dep.text)}
}

// filterInputs passes a dependency the caller's inputs that its schema declares
// (all of them when it declares none).
func filterInputs(wp *workflowPlan, in map[string]any) map[string]any {
	props, _ := wp.inputs.props()
	out := map[string]any{}
	for k, v := range in {
		if props == nil {
			out[k] = v
		} else if _, ok := props[k]; ok {
			out[k] = v
		}
	}
	return out
}

// steps_ runs the steps of a frame, following actions, until the workflow
// ends; or until a goto transfers to another workflow, which it returns.
func (r *run) steps_(ctx context.Context, f *frame) (*wfOutcome, *stepFlow) {
	wp := f.wp
	pc := 0
	for pc < len(wp.steps) {
		sf := r.step(ctx, f, wp.steps[pc])
		switch sf.flow {
		case flowNext:
			pc++
		case flowGotoStep:
			pc = sf.target
		case flowGotoWorkflow:
			return nil, &sf
		case flowEndSuccess:
			// Success Action Object, type end: "The workflow ends, and context
			// returns to the caller with applicable outputs."
			return r.passed(f), nil
		case flowEndFailure, flowFatal:
			st := sf.status
			if st == "" {
				st = StatusFailed
			}
			return &wfOutcome{wp: wp, status: st, inputs: f.inputs, outputs: r.workflowOutputs(f, nil), err: sf.err, lastCode: f.lastCode}, nil
		}
	}
	// Past the last step: the workflow completed successfully (Step Object,
	// onSuccess: "If not specified, then the next sequential step SHALL be
	// executed"; there is none).
	return r.passed(f), nil
}

// passed ends a workflow whose steps passed. Its outputs are what the caller
// ran it for: one that cannot be evaluated ends the workflow in error, naming
// the output (the others are still returned).
func (r *run) passed(f *frame) *wfOutcome {
	out := &wfOutcome{wp: f.wp, status: StatusPassed, inputs: f.inputs, lastCode: f.lastCode}
	var err error
	out.outputs, err = r.evalOutputs(f, nil)
	if err != nil {
		out.status, out.err = StatusError, err
	}
	return out
}

// workflowOutputs evaluates the workflow's outputs leniently, for a workflow
// that did not pass: an output whose value cannot be resolved (a step that did
// not run) is left out.
func (r *run) workflowOutputs(f *frame, carried map[string]any) map[string]any {
	out, _ := r.evalOutputs(f, carried)
	return out
}

// evalOutputs evaluates the workflow's outputs over carried ones (a goto to
// another workflow returns the target's); it returns those that could be
// evaluated, and the error of the first that could not (and has no carried
// value).
func (r *run) evalOutputs(f *frame, carried map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range carried {
		out[k] = v
	}
	f.outputs = out
	sc := &scope{run: r, f: f, outputs: out}
	var first error
	skipped := map[string]bool{}
	for _, o := range f.wp.outputs {
		if o.value == nil {
			continue
		}
		v, err := o.value.Eval(sc)
		if err != nil {
			if !applicable(o.value, f, skipped) || o.value.omittable(sc, err) {
				// Success Action Object, end: the workflow returns "with
				// applicable outputs"; one that reads a step an action skipped
				// does not apply, nor one that is exactly an optional input
				// the caller did not give.
				skipped[o.name] = true
				continue
			}
			if _, given := carried[o.name]; !given && first == nil {
				se := f.errorf(nil, f.wp.outputPos(o.name), err, "output %q", o.name)
				se.Output = o.name
				first = se
			}
			continue
		}
		out[o.name] = v
	}
	return out, first
}

// attempt is the outcome of one execution of a step.
type attempt struct {
	sc      *scope
	success bool
	status  Status // failed or error when !success
	err     error
	fatal   bool
}

// timeLeft is what remains of the timeout of the workflow step whose callee is
// running, if there is one.
func (r *run) timeLeft() (time.Duration, bool) {
	if r.deadline.IsZero() {
		return 0, false
	}
	return r.deadline.Sub(r.fx.Now()), true
}

// timedOut reports the expiry of the timeout of the workflow step whose callee
// is running: the callee's next step does not start, the callee ends with status
// error, and the calling step fails (its onFailure actions apply).
func (r *run) timedOut() error {
	left, ok := r.timeLeft()
	if !ok || left > 0 {
		return nil
	}
	sp := r.timeoutStep
	return sp.errorf(sp.step.ValuePos("timeout"), nil, "timeout of %d ms expired before workflow %q finished", sp.timeoutMS, sp.call.text)
}

// errorf is frame.errorf for a step of the workflow sp belongs to.
func (sp *stepPlan) errorf(pos arazzo.Pos, cause error, format string, args ...any) *StepError {
	return (&frame{wp: sp.wf}).errorf(sp, pos, cause, format, args...)
}

// unmetDependency checks the 1.1 step-level dependsOn of a step: every step it
// names must have run before it ("dependsOn only establishes a prerequisite
// relationship ... and does not trigger execution of the referenced steps"). The
// steps of the same workflow run in an order that satisfies them (orderSteps),
// so one is unmet only when an action skipped it; a step of another workflow
// must have run earlier in the run.
func (r *run) unmetDependency(f *frame, sp *stepPlan) error {
	if r.dry != nil {
		return nil
	}
	for _, d := range sp.deps {
		switch {
		case d.local != nil:
			if _, ok := f.stepOutputs[d.local.id]; ok {
				continue
			}
			return f.errorf(sp, d.pos, nil, "dependsOn %q: step %q has not run (an action skipped it, or dependsOn entries and output references form a cycle); dependsOn does not run it", d.text, d.local.id)
		case d.step != nil:
			if r.ran[d.step] {
				continue
			}
			return f.errorf(sp, d.pos, nil, "dependsOn %q: step %q of workflow %q has not run earlier in this run; dependsOn does not run it (run that workflow first, e.g. with a workflow-level dependsOn)", d.text, d.step.id, d.step.wf.id)
		}
	}
	return nil
}

// stepState is the state of one execution of a step: its result so far and
// the retries each failure action has made.
type stepState struct {
	r       *run
	f       *frame
	sp      *stepPlan
	res     *StepResult
	retries map[*actionPlan]int
}

// errorf builds an error of this step (see frame.errorf).
func (s *stepState) errorf(pos arazzo.Pos, cause error, format string, args ...any) *StepError {
	return s.f.errorf(s.sp, pos, cause, format, args...)
}

// event is an event of this step's current attempt.
func (s *stepState) event(kind EventKind) *Event {
	return &Event{Kind: kind, WorkflowID: s.f.wp.id, StepID: s.sp.id, Attempt: s.res.Attempts, Depth: s.f.depth}
}

// step executes one step, with its retries, and decides what comes next.
func (r *run) step(ctx context.Context, f *frame, sp *stepPlan) stepFlow {
	if err := r.budgetSpent(f, sp, "a goto loop with no exit?"); err != nil {
		// The run ends before this step starts: no execution of it is reported.
		return stepFlow{flow: flowFatal, err: err, status: StatusError}
	}
	s := &stepState{r: r, f: f, sp: sp, retries: map[*actionPlan]int{},
		res: &StepResult{WorkflowID: f.wp.id, StepID: sp.id, Depth: f.depth, Operation: sp.operation()}}
	r.result.Steps = append(r.result.Steps, s.res)
	s.res.started = r.fx.Now()
	if err := r.unmetDependency(f, sp); err != nil {
		s.res.Attempts = 1
		r.emit(s.event(EventStepStarted))
		return s.fatal(err)
	}
	for {
		if err := s.begin(ctx); err != nil {
			return s.fatal(err)
		}
		at := r.attempt(ctx, f, sp, s.res)
		if at.fatal {
			return s.fatal(at.err)
		}
		if at.success {
			// Step Object, successCriteria: "all assertions MUST be satisfied for
			// the step to be deemed successful" (none given: the exchange completed).
			s.res.Status, s.res.Err = StatusPassed, ""
			a, err := r.choose(at.sc, sp.onSuccess, nil, s.res.Attempts)
			if err != nil {
				return s.fatal(err)
			}
			return s.after(a, at, true)
		}
		s.res.Status = at.status
		if at.err != nil {
			s.res.Err = at.err.Error()
		}
		a, err := r.choose(at.sc, sp.onFailure, s.retries, s.res.Attempts)
		if err != nil {
			return s.fatal(err)
		}
		if a == nil || a.kind != actionRetry {
			return s.after(a, at, false)
		}
		if err := s.retry(ctx, a, at); err != nil {
			return s.fatal(err)
		}
	}
}

// begin starts an attempt of the step, or says why none can start: the run
// was cancelled, its step budget is used up, or the timeout of the workflow
// step whose callee this is has expired.
func (s *stepState) begin(ctx context.Context) error {
	r := s.r
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", stopped(err), err)
	}
	if err := r.budgetSpent(s.f, s.sp, "a goto loop with no exit?"); err != nil {
		return err
	}
	s.res.Attempts++
	if err := r.timedOut(); err != nil {
		r.emit(s.event(EventStepStarted))
		return err
	}
	r.steps++
	r.emit(s.event(EventStepStarted))
	return nil
}

// budgetSpent returns the error that ends the run when the step budget is
// used up (here, or in a workflow this one called) before sp executes again:
// a *LimitError.
func (r *run) budgetSpent(f *frame, sp *stepPlan, hint string) error {
	if r.fatalErr != nil {
		return r.fatalErr
	}
	if r.steps < r.cfg.maxSteps {
		return nil
	}
	r.fatalErr = f.errorf(sp, sp.step.Pos, &LimitError{Kind: LimitSteps, Max: int64(r.cfg.maxSteps), Hint: hint}, "")
	return r.fatalErr
}

// retry carries out a retry action after a failed attempt. Failure Action
// Object, retry: wait retryAfter seconds (a Retry-After header overrules it),
// run the referenced step or workflow if any, then retry the current step;
// retryLimit retries at most (choose passes over an action whose retries are
// used up). An error ends the run.
func (s *stepState) retry(ctx context.Context, a *actionPlan, at *attempt) error {
	r, f := s.r, s.f
	s.retries[a]++
	wait := r.retryWait(a, at.sc.resp)
	s.res.Action = fmt.Sprintf("retry %s (%d/%d)", a.name, s.retries[a], a.retryLimit)
	ev := s.event(EventAction)
	ev.Action, ev.Wait = s.res.Action, wait
	r.emit(ev)
	if left, ok := r.timeLeft(); ok && wait > left {
		wait = left // the next attempt then finds the timeout expired
	}
	if wait > 0 {
		ev := s.event(EventRetryWait)
		ev.Wait = wait
		r.emit(ev)
		if err := r.fx.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s while waiting to retry: %w", stopped(err), err)
		}
	}
	// The referenced step or workflow runs once before the retry; its own
	// actions are not followed and its failure does not stop the retry (the
	// spec says nothing; a retry that fails again counts against retryLimit).
	switch {
	case a.stepIndex >= 0:
		return s.runFirst(ctx, f.wp.steps[a.stepIndex])
	case a.workflow != nil && a.workflow.wf != nil:
		in, err := r.targetInputs(f, at.sc, a)
		if err != nil {
			return err
		}
		if out := r.workflow(ctx, a.workflow.wf, in, f.depth+1); out.status == StatusError && (ctx.Err() != nil || r.fatalErr != nil) {
			return out.err
		}
	}
	return nil
}

// runFirst executes the step a retry action names once, before the retry.
func (s *stepState) runFirst(ctx context.Context, other *stepPlan) error {
	r, f := s.r, s.f
	if err := r.budgetSpent(f, other, "a retry loop with no exit?"); err != nil {
		return err
	}
	pre := &StepResult{WorkflowID: f.wp.id, StepID: other.id, Depth: f.depth, Operation: other.operation(), Attempts: 1}
	r.result.Steps = append(r.result.Steps, pre)
	r.steps++
	preStart := r.fx.Now()
	r.emit(&Event{Kind: EventStepStarted, WorkflowID: f.wp.id, StepID: other.id, Attempt: 1, Depth: f.depth})
	pat := r.attempt(ctx, f, other, pre)
	pre.Duration = r.fx.Now().Sub(preStart)
	if pat.fatal {
		return pat.err
	}
	pre.Status = StatusPassed
	if !pat.success {
		pre.Status = pat.status
		if pat.err != nil {
			pre.Err = pat.err.Error()
		}
	}
	r.emit(&Event{Kind: EventStepFinished, WorkflowID: f.wp.id, StepID: other.id, Attempt: 1, Depth: f.depth, Step: pre})
	return nil
}

// stopped words why the run's context ended.
func stopped(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "run timed out"
	}
	return "run cancelled"
}

// fatal ends the step, and the run, in error.
func (s *stepState) fatal(err error) stepFlow {
	s.res.Status = StatusError
	s.res.Err = err.Error()
	s.res.Duration = s.r.fx.Now().Sub(s.res.started)
	ev := s.event(EventStepFinished)
	ev.Step = s.res
	s.r.emit(ev)
	return stepFlow{flow: flowFatal, err: err, status: StatusError}
}

// label names an action taken, for StepResult.Action and EventAction.
func (a *actionPlan) label() string {
	switch a.kind {
	case actionEnd:
		return "end " + a.name
	case actionGoto:
		if a.stepIndex >= 0 {
			return "goto " + a.name + " → step " + a.stepID
		}
		return "goto " + a.name + " → workflow " + a.workflow.text
	}
	return ""
}

// after applies the chosen action (nil: the default) once a step has succeeded or failed for good.
func (s *stepState) after(a *actionPlan, at *attempt, success bool) stepFlow {
	r, res := s.r, s.res
	if a == nil && !success {
		// No action leaves a step whose retries are used up: the retry its
		// last failed attempt was given is not what it ended with.
		res.Action = ""
	}
	if a != nil {
		if l := a.label(); l != "" {
			res.Action = l
		}
		ev := s.event(EventAction)
		ev.Action = res.Action
		r.emit(ev)
	}
	// The duration covers every attempt and retry wait; it is set before the
	// step is reported finished, so observers see it.
	res.Duration = r.fx.Now().Sub(res.started)
	ev := s.event(EventStepFinished)
	ev.Step = res
	r.emit(ev)
	failed := func() stepFlow { return stepFlow{flow: flowEndFailure, status: at.status, err: s.failure(at)} }
	if a == nil {
		if success {
			// Step Object, onSuccess: "If not specified, then the next sequential
			// step SHALL be executed." The same when actions exist but none matches.
			return stepFlow{flow: flowNext}
		}
		// Step Object, onFailure: "If not specified, then the default behavior is
		// to break and return." The same when actions exist but none matches.
		return failed()
	}
	switch a.kind {
	case actionEnd:
		// end after a success ends the workflow successfully; after a failure
		// (Failure Action Object, type end) it ends failed.
		if success {
			return stepFlow{flow: flowEndSuccess}
		}
		return failed()
	case actionGoto:
		// goto stepId: "the stepId to transfer to" — within the current
		// workflow, backwards too (loops are bounded by the step budget).
		if a.stepIndex >= 0 {
			return stepFlow{flow: flowGotoStep, target: a.stepIndex}
		}
		if a.workflow != nil && a.workflow.wf != nil {
			in, err := r.targetInputs(s.f, at.sc, a)
			if err != nil {
				return stepFlow{flow: flowEndFailure, status: StatusError, err: err}
			}
			return stepFlow{flow: flowGotoWorkflow, workflow: a.workflow.wf, params: in}
		}
	}
	if success {
		return stepFlow{flow: flowNext}
	}
	return failed()
}

// failure is the error a failed step ends its workflow with.
func (s *stepState) failure(at *attempt) error {
	if at.err != nil {
		return at.err
	}
	return s.errorf(s.sp.step.Pos, nil, "step failed")
}

// choose returns the first action whose criteria all pass (an action without
// criteria always matches). Step Object, onSuccess/onFailure: "If multiple
// success actions have similar criteria, the first sequential action matching
// the criteria SHALL be the action executed." The list is the effective one:
// the step's actions, then the workflow's successActions/failureActions whose
// names the step does not use (Workflow Object: they "can be overridden at the
// step level but cannot be removed there"). Criteria see this step's request
// and response. Retry actions whose limit is used up are passed over (Failure
// Action Object, retryLimit: "The retryLimit MUST be exhausted prior to
// executing subsequent failure actions"). Each criterion evaluated is
// reported as an EventCriterion naming its action.
func (r *run) choose(sc *scope, actions []*actionPlan, retries map[*actionPlan]int, attempt int) (*actionPlan, error) {
	for _, a := range actions {
		if a.kind == actionRetry && retries != nil && retries[a] >= a.retryLimit {
			continue
		}
		ok := true
		for _, c := range a.criteria {
			if c == nil {
				continue
			}
			cr, err := c.explain(sc, a.name)
			if err != nil {
				return nil, err
			}
			r.emit(&Event{Kind: EventCriterion, WorkflowID: sc.f.wp.id, StepID: sc.sp.id, Attempt: attempt, Depth: sc.f.depth, Criterion: &cr})
			if !cr.Pass {
				ok = false
				break
			}
		}
		if ok {
			return a, nil
		}
	}
	return nil, nil
}

// retryWait is the delay before a retry: retryAfter seconds (fractions allowed),
// overruled by a Retry-After response header (delta-seconds or HTTP-date) capped
// by the configured maximum. Failure Action Object, retryAfter: "if an HTTP
// Retry-After response header was returned to a step from a targeted operation,
// then it SHOULD overrule this particular field value".
func (r *run) retryWait(a *actionPlan, resp *Response) time.Duration {
	wait := time.Duration(a.retryAfter * float64(time.Second))
	if resp != nil && resp.Err == nil && resp.Header != nil {
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if d, ok := parseRetryAfter(ra, r.fx.Now()); ok {
				wait = min(d, r.cfg.maxRetryWait)
			}
		}
	}
	return wait
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 && !math.IsInf(n, 0) {
		if n > 1e9 {
			n = 1e9
		}
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// targetInputs are the inputs of the workflow a goto or retry action runs: the
// current workflow's inputs that the target declares (Arazzo 1.0 has no other
// way to pass them), overlaid with the action's 1.1 parameters ("a list of
// parameters that MUST be passed to a workflow as referenced by workflowId"),
// then checked against the target's inputs schema with its defaults applied.
func (r *run) targetInputs(f *frame, sc *scope, a *actionPlan) (map[string]any, error) {
	target := a.workflow.wf
	in := filterInputs(target, f.inputs)
	for _, p := range a.params {
		if p.value == nil {
			continue
		}
		v, err := p.value.Eval(sc)
		if err != nil {
			return nil, f.errorf(sc.sp, p.pos, err, "action %q: parameter %q", a.name, p.name)
		}
		in[p.name] = v
	}
	in, probs := target.inputs.Check(in)
	if len(probs) > 0 {
		return nil, f.errorf(sc.sp, a.pos, nil, "action %q: inputs of workflow %q: %s", a.name, target.id, strings.Join(probs, "; "))
	}
	return in, nil
}

// attempt executes a step once: build and send its request (or run its workflow),
// evaluate its success criteria and outputs.
func (r *run) attempt(ctx context.Context, f *frame, sp *stepPlan, res *StepResult) *attempt {
	sc := &scope{run: r, f: f, sp: sp, ctx: ctx}
	at := &attempt{sc: sc}
	// The step's criteria are those of its latest attempt: a failure after
	// retries names each unmet criterion once.
	res.Criteria = nil
	switch sp.kind {
	case stepWorkflow:
		if !r.callWorkflow(ctx, f, sp, sc, at) {
			return at
		}
	case stepOperation:
		if !r.send(ctx, f, sp, sc, at, res) {
			return at
		}
	case stepAsync:
		if !r.message(ctx, f, sp, sc, at, res) {
			return at
		}
	default:
		at.status, at.err = StatusError, f.errorf(sp, sp.step.Pos, nil, "%s", cannotRun(sp))
		return at
	}
	// Success criteria: all must be satisfied.
	pass := true
	for _, c := range sp.success {
		if c == nil {
			continue
		}
		cr, err := c.explain(sc, "")
		if err != nil {
			at.fatal, at.err = true, err
			return at
		}
		res.Criteria = append(res.Criteria, cr)
		r.emit(&Event{Kind: EventCriterion, WorkflowID: f.wp.id, StepID: sp.id, Attempt: res.Attempts, Depth: f.depth, Criterion: &cr})
		if !cr.Pass {
			pass = false
		}
	}
	transportFailed := sc.resp != nil && sc.resp.Err != nil
	if transportFailed || (sc.callee != nil && sc.callee.status != StatusPassed) {
		pass = false
	}
	// Outputs are evaluated after the criteria, leniently when the step failed, so
	// that actions can use them; a later execution of the step replaces them.
	outs := map[string]any{}
	for _, o := range sp.outputs {
		if o.value == nil {
			continue
		}
		v, err := o.value.Eval(sc)
		if err != nil {
			if pass {
				at.status = StatusFailed
				at.err = f.errorf(sp, sp.outputPos(o.name), err, "output %q", o.name)
				pass = false
			}
			continue
		}
		outs[o.name] = v
	}
	f.stepOutputs[sp.id] = outs
	r.ran[sp] = true
	res.Outputs = outs
	if pass {
		at.success = true
		return at
	}
	if p := sc.bodyProblem(); p != "" && !transportFailed {
		// A success response whose body cannot be read as it says is a fault of
		// the exchange (exit 4), not a failed criterion.
		if fc := failedCriteria(res); fc != "step failed" {
			p += "; " + fc
		}
		at.status, at.err = StatusError, f.errorf(sp, sp.step.Pos, nil, "%s", p)
	}
	if at.status == "" {
		at.status = StatusFailed
		if transportFailed {
			at.status = StatusError
			at.err = f.errorf(sp, sp.step.Pos, sc.resp.Err, "%s %s", sc.req.Method, sc.req.URL)
		} else if at.err == nil {
			at.err = f.errorf(sp, sp.step.Pos, nil, "%s", failedCriteria(res))
		}
	}
	return at
}

// explain evaluates a criterion of the step's successCriteria (action "")
// or of the named action.
func (c *criterionPlan) explain(sc *scope, action string) (CriterionResult, error) {
	o := c.crit.Explain(sc)
	if err := sc.stoppedBy(o.Err, c.text); err != nil {
		return CriterionResult{}, err
	}
	cr := CriterionResult{Condition: c.text, Context: c.c.Context, Type: c.c.EffectiveType(), Pass: o.Pass, Reason: o.Reason, Operands: o.Operands, Action: action}
	if o.Err != nil && cr.Reason == "" {
		cr.Reason = o.Err.Error()
	}
	return cr, nil
}

func failedCriteria(res *StepResult) string {
	var parts []string
	for _, c := range res.Criteria {
		if !c.Pass {
			s := "criterion `" + c.Condition + "` not met"
			if c.Reason != "" {
				s += " (" + c.Reason + ")"
			}
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "step failed"
	}
	return strings.Join(parts, "; ")
}

// send builds the step's request, hands it to the driver and records the exchange.
func (r *run) send(ctx context.Context, f *frame, sp *stepPlan, sc *scope, at *attempt, res *StepResult) bool {
	req, err := r.buildRequest(sc, sp)
	if err != nil {
		at.status, at.err = StatusError, err
		return false
	}
	req.WorkflowID, req.StepID, req.Attempt = f.wp.id, sp.id, res.Attempts
	if left, ok := r.timeLeft(); ok {
		// Inside a workflow that a step with a timeout called: the request may
		// not outlast it.
		if left < time.Millisecond {
			left = time.Millisecond
		}
		if req.Timeout == 0 || left < req.Timeout {
			req.Timeout = left
		}
	}
	sc.req = req
	res.Method, res.URL = req.Method, req.URL
	r.cfg.secrets.AddRequest(req) // before any observer shows the request
	r.emit(&Event{Kind: EventRequest, WorkflowID: f.wp.id, StepID: sp.id, Attempt: res.Attempts, Depth: f.depth, Request: req})
	if len(req.Security) > 0 {
		r.result.security = append(r.result.security, req.Security)
	}
	resp := r.fx.Send(ctx, req)
	r.cfg.secrets.addResponse(resp) // before any observer shows the exchange
	sc.resp = resp
	if resp.Err == nil {
		res.StatusCode = resp.StatusCode
		f.lastCode = resp.StatusCode
	}
	r.emit(&Event{Kind: EventResponse, WorkflowID: f.wp.id, StepID: sp.id, Attempt: res.Attempts, Depth: f.depth, Request: req, Response: resp})
	if resp.Err != nil && ctx.Err() != nil {
		at.fatal, at.err = true, fmt.Errorf("%s during %s %s: %w", stopped(ctx.Err()), req.Method, req.URL, ctx.Err())
		return false
	}
	return true
}

// callWorkflow runs the workflow a workflowId step names. Parameter Object: "when
// the step in context specifies a workflowId, then all parameters map to workflow
// inputs" — by name, checked against the callee's inputs schema (defaults
// applied). The step succeeds when the callee passes; its outputs see the
// callee's outputs as $outputs.<name> (the spec's pet-coupons example).
func (r *run) callWorkflow(ctx context.Context, f *frame, sp *stepPlan, sc *scope, at *attempt) bool {
	if sp.call == nil || sp.call.wf == nil {
		at.status, at.err = StatusError, f.errorf(sp, sp.step.ValuePos("workflowId"), nil, "workflow not resolved")
		return false
	}
	inputs := map[string]any{}
	for _, p := range sp.params {
		if p.value == nil {
			continue
		}
		v, err := p.value.Eval(sc)
		if err != nil {
			at.status, at.err = StatusError, f.errorf(sp, p.pos, err, "parameter %q", p.name)
			return false
		}
		inputs[p.name] = v
	}
	inputs, probs := sp.call.wf.inputs.Check(inputs)
	if len(probs) > 0 {
		at.status, at.err = StatusFailed, f.errorf(sp, sp.step.Pos, nil, "inputs of workflow %q: %s", sp.call.wf.id, strings.Join(probs, "; "))
		return false
	}
	if sp.timeoutMS > 0 {
		// 1.1 Step Object, timeout: the called workflow must finish within it.
		d := r.fx.Now().Add(time.Duration(sp.timeoutMS) * time.Millisecond)
		if r.deadline.IsZero() || d.Before(r.deadline) {
			savedD, savedS := r.deadline, r.timeoutStep
			r.deadline, r.timeoutStep = d, sp
			defer func() { r.deadline, r.timeoutStep = savedD, savedS }()
		}
	}
	out := r.workflow(ctx, sp.call.wf, inputs, f.depth+1)
	sc.callee = out
	if out.status != StatusPassed {
		st := out.status
		if st == StatusError && (ctx.Err() != nil || r.fatalErr != nil) {
			// Cancelled, or out of budget: the callee's error is the run's, unwrapped.
			at.status, at.err, at.fatal = st, out.err, true
			return false
		}
		what := "failed"
		if st == StatusError {
			what = "could not complete"
		}
		at.status, at.err = st, f.errorf(sp, sp.step.ValuePos("workflowId"), out.err, "workflow %q %s", sp.call.wf.id, what)
		// The callee's outputs are still visible to this step's outputs and actions.
		return true
	}
	return true
}

func (sp *stepPlan) operation() string {
	switch {
	case sp.op != nil:
		return sp.op.Method + " " + sp.op.Path
	case sp.call != nil:
		return "workflow " + sp.call.text
	case sp.async != nil && sp.async.channel != nil:
		return sp.async.action + " " + sp.async.channel.Address
	}
	return ""
}

// applicable reports whether a workflow output applies to how the workflow
// ran: not when it reads the outputs of a step that did not run, or another
// workflow output that did not apply.
func applicable(v *valueExpr, f *frame, skipped map[string]bool) bool {
	for _, e := range v.Refs() {
		switch e.Kind {
		case expr.KindStepOutputs:
			if _, ran := f.stepOutputs[e.ID]; !ran {
				return false
			}
		case expr.KindOutputs:
			if skipped[e.Name] {
				return false
			}
		}
	}
	return true
}

func (wp *workflowPlan) outputPos(name string) arazzo.Pos {
	for _, o := range wp.wf.Outputs {
		if o.Name == name && o.Value != nil {
			return o.Value.Pos
		}
	}
	return wp.wf.Pos
}

func (sp *stepPlan) outputPos(name string) arazzo.Pos {
	for _, o := range sp.step.Outputs {
		if o.Name == name {
			return o.Value.Pos
		}
	}
	return sp.step.Pos
}

// cannotRun says why a step that compiled has nothing to execute.
func cannotRun(sp *stepPlan) string {
	if sp.kind == stepAsync || sp.step.ChannelPath != "" {
		return "the step's AsyncAPI operation or channel is not available (its source description was not loaded)"
	}
	return "the step's operation is not available (its source description was not loaded)"
}
