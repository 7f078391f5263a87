package temporal

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// RunOutput is what a run returns: its runtime.Result, and the progress
// events a local run prints, so that the command that submitted it prints
// the same lines.
type RunOutput struct {
	WorkflowID string         `json:"workflowId"`
	Status     runtime.Status `json:"status"`
	// Outputs is the JSON object of the workflow's outputs.
	Outputs json.RawMessage `json:"outputs,omitempty"`
	Error   string          `json:"error,omitempty"`
	Steps   []Step          `json:"steps"`
	Events  []Event         `json:"events,omitempty"`
	// Omitted counts the step executions not recorded in Steps (see maxRecorded).
	Omitted  int              `json:"omitted,omitempty"`
	Unused   []runtime.Unused `json:"unused,omitempty"`
	Started  time.Time        `json:"started"`
	Duration time.Duration    `json:"duration"`
	// Sensitive names the workflow outputs that hold a sensitive value. They
	// are handed over as they are; a view of the run masks them.
	Sensitive []string `json:"sensitive,omitempty"`
}

// Step is one step execution (a runtime.StepResult).
type Step struct {
	WorkflowID string         `json:"workflowId"`
	StepID     string         `json:"stepId"`
	Status     runtime.Status `json:"status"`
	StatusCode int            `json:"statusCode,omitempty"`
	Attempts   int            `json:"attempts"`
	Method     string         `json:"method,omitempty"`
	URL        string         `json:"url,omitempty"`
	Operation  string         `json:"operation,omitempty"`
	// Criteria are the evaluated success criteria, without their operands.
	Criteria []runtime.CriterionResult `json:"criteria,omitempty"`
	Action   string                    `json:"action,omitempty"`
	Outputs  json.RawMessage           `json:"outputs,omitempty"`
	Err      string                    `json:"error,omitempty"`
	Duration time.Duration             `json:"duration"`
	Depth    int                       `json:"depth"`
	// Sensitive names the outputs that hold a sensitive value (one a response
	// carried under a secret-like name): a view of the run masks them.
	Sensitive []string `json:"sensitive,omitempty"`
}

// Event kinds.
const (
	// EventStep: a step execution finished (Step or Index says which).
	EventStep = "step"
	// EventRetry: a retry action was taken.
	EventRetry = "retry"
)

// Event is a progress event, in the order they happened.
type Event struct {
	Kind string `json:"kind"`
	// Index is the step's index in RunOutput.Steps (EventStep).
	Index int `json:"index,omitempty"`
	// Step is the step itself, in progress queries.
	Step       *Step         `json:"step,omitempty"`
	WorkflowID string        `json:"workflowId,omitempty"`
	StepID     string        `json:"stepId,omitempty"`
	Attempt    int           `json:"attempt,omitempty"`
	Depth      int           `json:"depth,omitempty"`
	Action     string        `json:"action,omitempty"`
	Wait       time.Duration `json:"wait,omitempty"`
}

// maxRecorded bounds the step executions a run records for its output: a
// goto loop of ten thousand steps returns the first ones and a count.
const maxRecorded = 1000

// maxOutput bounds the encoded RunOutput below Temporal's 2 MiB payload limit.
const maxOutput = 1536 << 10

// recorder is the observer of a run in workflow code: it keeps events in
// memory and does no I/O.
type recorder struct {
	events  []recorded
	steps   int // EventStep events recorded
	omitted int
	// secrets are the values the run's exchanges carried under secret-like
	// names: errors are masked with them, and outputs holding one are named
	// Sensitive (runtime.Secrets, the rule of a local run's channels).
	secrets runtime.Secrets
}

type recorded struct {
	ev   Event
	step *runtime.StepResult
}

func (r *recorder) Event(e *runtime.Event) {
	switch e.Kind {
	case runtime.EventRequest:
		r.secrets.AddRequest(e.Request)
	case runtime.EventResponse:
		if resp := e.Response; resp != nil && resp.Err == nil {
			r.secrets.AddResponse(resp.Header, resp.Body)
		}
	case runtime.EventStepFinished:
		if r.steps >= maxRecorded {
			r.omitted++
			return
		}
		r.steps++
		r.events = append(r.events, recorded{ev: Event{Kind: EventStep}, step: e.Step})
	case runtime.EventAction:
		if strings.HasPrefix(e.Action, "retry") && r.steps < maxRecorded {
			r.events = append(r.events, recorded{ev: Event{Kind: EventRetry, WorkflowID: e.WorkflowID, StepID: e.StepID,
				Attempt: e.Attempt, Depth: e.Depth, Action: e.Action, Wait: e.Wait}})
		}
	}
}

// OutputRecorder records the events of a run as the workflow function does, for
// the RunOutput a run on a cluster returns (Output): the same masking and
// marking of sensitive outputs, without a cluster.
type OutputRecorder struct{ r recorder }

// NewOutputRecorder returns an OutputRecorder; observe a run with it.
func NewOutputRecorder() *OutputRecorder { return &OutputRecorder{} }

// Event implements runtime.Observer.
func (r *OutputRecorder) Event(e *runtime.Event) { r.r.Event(e) }

// Output is the RunOutput of the run that ended with res.
func (r *OutputRecorder) Output(res *runtime.Result) *RunOutput { return r.r.output(res) }

// progress answers the progress query: the events from index from, steps included.
func (r *recorder) progress(from int) ([]Event, error) {
	if from < 0 || from > len(r.events) {
		from = len(r.events)
	}
	out := make([]Event, 0, len(r.events)-from)
	for _, x := range r.events[from:] {
		ev := x.ev
		if x.step != nil {
			s := r.newStep(x.step)
			ev.Step = &s
		}
		out = append(out, ev)
	}
	return out, nil
}

// output builds the run's output from its result and the recorded events.
func (r *recorder) output(res *runtime.Result) *RunOutput {
	out := &RunOutput{WorkflowID: res.WorkflowID, Status: res.Status, Unused: res.Unused, Started: res.Started,
		Duration: res.Duration, Steps: []Step{}}
	if res.Err != nil {
		out.Error = r.secrets.Mask(res.Err.Error())
	}
	if res.Outputs != nil {
		out.Outputs = marshal(res.Outputs)
		out.Sensitive = r.sensitive(res.Outputs)
	}
	index := map[*runtime.StepResult]int{}
	for i, s := range res.Steps {
		if i >= maxRecorded {
			out.Omitted = len(res.Steps) - maxRecorded
			break
		}
		index[s] = i
		out.Steps = append(out.Steps, r.newStep(s))
	}
	for _, x := range r.events {
		ev := x.ev
		if x.step != nil {
			i, ok := index[x.step]
			if !ok {
				s := r.newStep(x.step)
				ev.Step = &s
			}
			ev.Index = i
		}
		out.Events = append(out.Events, ev)
	}
	out.fit()
	return out
}

// fit keeps the output under maxOutput: first without step outputs, then
// without steps and events; workflow outputs that alone are too large are
// an error of the run.
func (o *RunOutput) fit() {
	size := func() int { b, _ := json.Marshal(o); return len(b) }
	if size() <= maxOutput {
		return
	}
	for i := range o.Steps {
		o.Steps[i].Outputs = nil
	}
	for i := range o.Events {
		if o.Events[i].Step != nil {
			o.Events[i].Step.Outputs = nil
		}
	}
	if size() <= maxOutput {
		return
	}
	o.Omitted += len(o.Steps)
	o.Steps, o.Events = []Step{}, nil
	if size() <= maxOutput {
		return
	}
	n := len(o.Outputs)
	o.Outputs = nil
	o.Status = runtime.StatusError
	o.Error = "the workflow's outputs are " + itoa(n) + " bytes of JSON, more than a Temporal payload holds; " +
		"return smaller outputs (a reference to the data rather than the data)"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// newStep is a step as the output records it: its texts masked, its
// outputs as they are, those that hold a sensitive value named.
func (r *recorder) newStep(s *runtime.StepResult) Step {
	sec := &r.secrets
	st := Step{WorkflowID: s.WorkflowID, StepID: s.StepID, Status: s.Status, StatusCode: s.StatusCode, Attempts: s.Attempts,
		Method: s.Method, URL: sec.MaskURL(s.URL, nil), Operation: s.Operation, Action: sec.Mask(s.Action), Err: sec.Mask(s.Err),
		Duration: s.Duration, Depth: s.Depth}
	for _, c := range s.Criteria {
		c.Operands = nil
		c.Reason = sec.Mask(c.Reason)
		st.Criteria = append(st.Criteria, c)
	}
	if s.Outputs != nil {
		st.Outputs = marshal(s.Outputs)
		st.Sensitive = r.sensitive(s.Outputs)
	}
	return st
}

// sensitive names, in order, the outputs that hold a sensitive value.
func (r *recorder) sensitive(outputs map[string]any) []string {
	var names []string
	for _, k := range sortedKeys(outputs) {
		v := outputs[k]
		if !reflect.DeepEqual(r.secrets.MaskValue(v), v) {
			names = append(names, k)
		}
	}
	return names
}

// marshal encodes values the executor produced; a value JSON cannot hold
// (none should) is replaced by its error.
func marshal(v map[string]any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"error": "outputs cannot be encoded as JSON: " + err.Error()})
	}
	return b
}

// Result converts the output back to the runtime.Result a local run returns.
// Numbers in outputs are json.Number, as response bodies decode.
func (o *RunOutput) Result() *runtime.Result {
	res := &runtime.Result{WorkflowID: o.WorkflowID, Status: o.Status, Unused: o.Unused, Started: o.Started, Duration: o.Duration}
	if o.Error != "" {
		res.Err = errors.New(o.Error)
	}
	if len(o.Outputs) > 0 {
		_ = decodeJSON(o.Outputs, &res.Outputs)
	}
	for i := range o.Steps {
		res.Steps = append(res.Steps, o.Steps[i].Result())
	}
	return res
}

// Result converts the step back to a runtime.StepResult.
func (s *Step) Result() *runtime.StepResult {
	r := &runtime.StepResult{WorkflowID: s.WorkflowID, StepID: s.StepID, Status: s.Status, StatusCode: s.StatusCode, Attempts: s.Attempts,
		Method: s.Method, URL: s.URL, Operation: s.Operation, Criteria: s.Criteria, Action: s.Action, Err: s.Err, Duration: s.Duration, Depth: s.Depth}
	if len(s.Outputs) > 0 {
		_ = decodeJSON(s.Outputs, &r.Outputs)
	}
	return r
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
