package runtime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// answer is one canned response of a script: a status and a JSON body, or a
// transport error.
type answer struct {
	code   int
	body   string
	header http.Header
	err    error
}

// script is an Effects that answers each step's requests from canned
// responses on a fake clock: the executor's decisions are tested without a
// network. A step's answers are used in order; its last answer repeats; a step
// with none answers 200 {}.
type script struct {
	clock   *fakeClock
	answers map[string][]answer
	latency time.Duration // how far each exchange advances the clock
	calls   map[string]int
	sent    []string // "workflow/step#attempt METHOD URL", in order
}

func newScript(answers map[string][]answer) *script {
	return &script{clock: newFakeClock(), answers: answers, latency: 10 * time.Millisecond, calls: map[string]int{}}
}

func (s *script) Now() time.Time { return s.clock.Now() }

func (s *script) Sleep(ctx context.Context, d time.Duration) error { return s.clock.Sleep(ctx, d) }

func (s *script) Send(ctx context.Context, req *Request) *Response {
	s.sent = append(s.sent, fmt.Sprintf("%s/%s#%d %s %s", req.WorkflowID, req.StepID, req.Attempt, req.Method, req.URL))
	start := s.clock.Now()
	s.clock.advance(s.latency)
	a := answer{code: 200, body: `{}`}
	if as := s.answers[req.StepID]; len(as) > 0 {
		a = as[min(s.calls[req.StepID], len(as)-1)]
	}
	s.calls[req.StepID]++
	if a.err != nil {
		return &Response{Err: a.err, ErrKind: "connection", Started: start, Duration: s.latency}
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for k, vs := range a.header {
		h[k] = vs
	}
	return &Response{StatusCode: a.code, Header: h, Body: []byte(a.body), Started: start, Duration: s.latency}
}

// scripted loads workflows (flowDoc) whose server is never contacted and runs
// wf with the script's answers.
func scripted(t *testing.T, body, wf string, sc *script, opts ...RunOption) *Result {
	t.Helper()
	plan := loadFiles(t, "http://api.invalid", flowDoc("1.1.0", body))
	res, err := plan.Execute(context.Background(), wf, nil, sc, opts...)
	if err != nil {
		t.Fatalf("execute %s: %v", wf, err)
	}
	return res
}

const okStep = `operationId: status
        parameters: [{name: code, in: path, value: 200}]`

// TestDecisions is the decision table of the executor: given a document and
// canned responses, which steps run, with how many attempts and waits, and
// how the run ends.
func TestDecisions(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wf      string
		answers map[string][]answer
		opts    []RunOption
		status  Status
		trail   []string
		sends   int
		waits   string // the fake clock's sleeps
		err     string // in Result.Err
	}{
		{name: "success", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
      - stepId: b
        ` + okStep,
			status: StatusPassed, trail: []string{"a:passed", "b:passed"}, sends: 2, waits: "[]"},
		{name: "failure breaks and returns", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
      - stepId: b
        ` + okStep,
			answers: map[string][]answer{"a": {{code: 500, body: `{}`}}},
			status:  StatusFailed, trail: []string{"a:failed"}, sends: 1, waits: "[]", err: "criterion `$statusCode == 200` not met"},
		{name: "transport error", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep,
			answers: map[string][]answer{"a": {{err: errors.New("connection refused")}}},
			status:  StatusError, trail: []string{"a:error"}, sends: 1, waits: "[]", err: "connection refused"},
		{name: "retry with delay until success", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 2, retryLimit: 3}]`,
			answers: map[string][]answer{"a": {{code: 503}, {code: 503}, {code: 200, body: `{}`}}},
			status:  StatusPassed, trail: []string{"a:passed:retry again (2/3)"}, sends: 3, waits: "[2s 2s]"},
		{name: "retry limit used up", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 1, retryLimit: 2}]`,
			answers: map[string][]answer{"a": {{code: 503}}},
			status:  StatusFailed, trail: []string{"a:failed"}, sends: 3, waits: "[1s 1s]"},
		{name: "Retry-After overrules retryAfter", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 1, retryLimit: 1}]`,
			answers: map[string][]answer{"a": {{code: 429, header: http.Header{"Retry-After": {"7"}}}, {code: 200, body: `{}`}}},
			status:  StatusPassed, trail: []string{"a:passed:retry again (1/1)"}, sends: 2, waits: "[7s]"},
		{name: "retry then the next failure action", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryLimit: 1}
          - {name: fallback, type: goto, stepId: c}
      - stepId: b
        ` + okStep + `
      - stepId: c
        ` + okStep,
			answers: map[string][]answer{"a": {{code: 500}}},
			status:  StatusPassed, trail: []string{"a:failed:goto fallback → step c", "c:passed"}, sends: 3, waits: "[]"},
		{name: "goto step", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        onSuccess: [{name: skip, type: goto, stepId: c}]
      - stepId: b
        ` + okStep + `
      - stepId: c
        ` + okStep,
			status: StatusPassed, trail: []string{"a:passed:goto skip → step c", "c:passed"}, sends: 2, waits: "[]"},
		{name: "goto workflow", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        onSuccess: [{name: handoff, type: goto, workflowId: other}]
      - stepId: b
        ` + okStep + `
  - workflowId: other
    steps:
      - stepId: c
        ` + okStep,
			status: StatusPassed, trail: []string{"a:passed:goto handoff → workflow other", "c:passed"}, sends: 2, waits: "[]"},
		{name: "end after success", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        onSuccess: [{name: done, type: end}]
      - stepId: b
        ` + okStep,
			status: StatusPassed, trail: []string{"a:passed:end done"}, sends: 1, waits: "[]"},
		{name: "end after failure", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: stop, type: end}]
      - stepId: b
        ` + okStep,
			answers: map[string][]answer{"a": {{code: 500}}},
			status:  StatusFailed, trail: []string{"a:failed:end stop"}, sends: 1, waits: "[]"},
		{name: "criteria of actions choose", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: missing, type: goto, stepId: b, criteria: [{condition: $statusCode == 404}]}
          - {name: broken, type: goto, stepId: c, criteria: [{condition: $statusCode == 500}, {context: $response.body, condition: $.kind == 'x', type: jsonpath}]}
          - {name: other, type: end}
      - stepId: b
        ` + okStep + `
        onSuccess: [{name: done, type: end}]
      - stepId: c
        ` + okStep,
			answers: map[string][]answer{"a": {{code: 500, body: `{"kind": "x"}`}}},
			status:  StatusPassed, trail: []string{"a:failed:goto broken → step c", "c:passed"}, sends: 2, waits: "[]"},
		{name: "no action criteria met", wf: "w", doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: missing, type: goto, stepId: b, criteria: [{condition: $statusCode == 404}]}
      - stepId: b
        ` + okStep,
			answers: map[string][]answer{"a": {{code: 500}}},
			status:  StatusFailed, trail: []string{"a:failed"}, sends: 1, waits: "[]"},
		{name: "max steps", wf: "w", opts: []RunOption{WithMaxSteps(5)}, doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        onSuccess: [{name: again, type: goto, stepId: a}]`,
			status: StatusError, trail: []string{"a:passed:goto again → step a", "a:passed:goto again → step a", "a:passed:goto again → step a", "a:passed:goto again → step a", "a:passed:goto again → step a"},
			sends: 5, waits: "[]", err: "step budget of 5 executions used up"},
		{name: "max steps in a retry loop", wf: "w", opts: []RunOption{WithMaxSteps(4)}, doc: `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 1, retryLimit: 100}]`,
			answers: map[string][]answer{"a": {{code: 503}}},
			status:  StatusError, trail: []string{"a:error:retry again (4/100)"}, sends: 4, waits: "[1s 1s 1s 1s]", err: "step budget of 4 executions used up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(tt.answers)
			res := scripted(t, tt.doc, tt.wf, sc, tt.opts...)
			if res.Status != tt.status {
				t.Errorf("status %s, want %s (err %v)", res.Status, tt.status, res.Err)
			}
			if got := strings.Join(stepTrail(res), " | "); got != strings.Join(tt.trail, " | ") {
				t.Errorf("steps\n  %s\nwant\n  %s", got, strings.Join(tt.trail, " | "))
			}
			if len(sc.sent) != tt.sends {
				t.Errorf("%d requests, want %d: %v", len(sc.sent), tt.sends, sc.sent)
			}
			if got := fmt.Sprint(sc.clock.waits()); got != tt.waits {
				t.Errorf("waits %s, want %s", got, tt.waits)
			}
			switch {
			case tt.err == "" && res.Err != nil && res.Status == StatusPassed:
				t.Errorf("error %v on a passed run", res.Err)
			case tt.err != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.err)):
				t.Errorf("error %v, want it to contain %q", res.Err, tt.err)
			}
		})
	}
}

// Arazzo goto to a workflow transfers control: two workflows that goto each
// other are a loop, bounded by the step budget like a goto-step loop, not by
// the nesting bound of workflows calling workflows.
func TestGotoWorkflowIsATransfer(t *testing.T) {
	doc := `workflows:
  - workflowId: ping
    steps:
      - stepId: p
        ` + okStep + `
        onSuccess: [{name: over, type: goto, workflowId: pong}]
  - workflowId: pong
    steps:
      - stepId: q
        ` + okStep + `
        onSuccess: [{name: back, type: goto, workflowId: ping}]
`
	sc := newScript(nil)
	res := scripted(t, doc, "ping", sc, WithMaxSteps(100), WithMaxDepth(3))
	if res.Status != StatusError || res.Err == nil || !strings.Contains(res.Err.Error(), "step budget of 100 executions used up") {
		t.Fatalf("status %s, error %v; want the step budget to end the run", res.Status, res.Err)
	}
	if len(sc.sent) != 100 {
		t.Errorf("%d requests, want 100", len(sc.sent))
	}
	var le *LimitError
	if !errors.As(res.Err, &le) || le.Kind != LimitSteps || le.Max != 100 {
		t.Errorf("error %#v is not the step limit", res.Err)
	}
	for i, s := range res.Steps {
		if s.Depth != 0 {
			t.Fatalf("step %d (%s) at depth %d: a transfer does not nest", i, s.StepID, s.Depth)
		}
	}
}

// The executor is deterministic: the same script gives the same decisions
// and the same events, run after run.
func TestDeterminism(t *testing.T) {
	doc := `workflows:
  - workflowId: w
    steps:
      - stepId: a
        ` + okStep + `
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - {name: again, type: retry, retryAfter: 1.5, retryLimit: 2, criteria: [{condition: $statusCode == 503}]}
          - {name: recover, type: goto, stepId: b}
        outputs: {code: $statusCode}
      - stepId: b
        ` + okStep + `
        onSuccess:
          - {name: loop, type: goto, stepId: a, criteria: [{condition: $steps.a.outputs.code == 503}]}
          - {name: handoff, type: goto, workflowId: other}
  - workflowId: other
    steps:
      - stepId: c
        ` + okStep + `
        outputs: {n: $response.body#/n}
    outputs: {n: $steps.c.outputs.n}
`
	answers := map[string][]answer{
		"a": {{code: 503}, {code: 503}, {code: 503}, {code: 500}},
		"c": {{code: 200, body: `{"n": 7}`}},
	}
	record := func() ([]string, []string, *Result) {
		sc := newScript(answers)
		var events []string
		obs := ObserverFunc(func(e *Event) {
			s := fmt.Sprintf("%d %s %s/%s#%d d%d %q %s", e.Kind, e.Time.Format(time.RFC3339Nano), e.WorkflowID, e.StepID, e.Attempt, e.Depth, e.Action, e.Wait)
			if e.Criterion != nil {
				s += fmt.Sprintf(" %s=%v", e.Criterion.Condition, e.Criterion.Pass)
			}
			if e.Response != nil {
				s += fmt.Sprintf(" %d", e.Response.StatusCode)
			}
			events = append(events, s)
		})
		res := scripted(t, doc, "w", sc, WithObserver(obs))
		return events, sc.sent, res
	}
	ev1, sent1, res1 := record()
	ev2, sent2, res2 := record()
	if res1.Status != StatusPassed || jsonText(res1.Outputs) != `{"n":7}` {
		t.Fatalf("status %s, outputs %s, err %v; trail %v", res1.Status, jsonText(res1.Outputs), res1.Err, stepTrail(res1))
	}
	if !reflect.DeepEqual(ev1, ev2) {
		t.Errorf("events differ:\n%s\n---\n%s", strings.Join(ev1, "\n"), strings.Join(ev2, "\n"))
	}
	if !reflect.DeepEqual(sent1, sent2) || !reflect.DeepEqual(stepTrail(res1), stepTrail(res2)) {
		t.Errorf("decisions differ: %v / %v", stepTrail(res1), stepTrail(res2))
	}
	if len(ev1) < 20 {
		t.Errorf("only %d events", len(ev1))
	}
}
