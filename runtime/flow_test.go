package runtime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func runFlow(t *testing.T, version, body, wf string, inputs map[string]any, opts ...RunOption) (*Result, *api) {
	t.Helper()
	srv := newFlowServer(t)
	plan := loadFiles(t, srv.URL, flowDoc(version, body))
	return mustRun(t, plan, wf, inputs, opts...), srv
}

func wantTrail(t *testing.T, res *Result, want ...string) {
	t.Helper()
	if got := strings.Join(stepTrail(res), " | "); got != strings.Join(want, " | ") {
		t.Errorf("steps\n  %s\nwant\n  %s", got, strings.Join(want, " | "))
	}
}

func wantStatus(t *testing.T, res *Result, st Status) {
	t.Helper()
	if res.Status != st {
		t.Fatalf("status %s, want %s (err: %v; steps: %s)", res.Status, st, res.Err, strings.Join(stepTrail(res), " | "))
	}
}

// Step Object, onSuccess: "If multiple success actions have similar criteria,
// the first sequential action matching the criteria SHALL be the action
// executed"; an action without criteria always matches.
func TestOnSuccessFirstMatch(t *testing.T) {
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: first
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - {name: created, type: goto, stepId: x, criteria: [{condition: $statusCode == 201}]}
          - {name: ok, type: goto, stepId: y, criteria: [{condition: $statusCode == 200}]}
          - {name: always, type: goto, stepId: z}
      - {stepId: x, operationId: status, parameters: [{name: code, in: path, value: 200}]}
      - stepId: y
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        onSuccess: [{name: always, type: goto, stepId: z}]
      - stepId: skipped
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
      - {stepId: z, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`, "w", nil)
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "first:passed:goto ok → step y", "y:passed:goto always → step z", "z:passed")
}

// When actions exist but none matches, the defaults apply: the next step after
// a success; after a failure "break and return" — the workflow fails.
func TestNoMatchingActionDefaults(t *testing.T) {
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess: [{name: never, type: end, criteria: [{condition: $statusCode == 204}]}]
      - stepId: b
        operationId: status
        parameters: [{name: code, in: path, value: 500}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: never, type: goto, stepId: c, criteria: [{condition: $statusCode == 404}]}]
      - {stepId: c, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`, "w", nil)
	wantStatus(t, res, StatusFailed)
	wantTrail(t, res, "a:passed", "b:failed")
	var se *StepError
	if !errors.As(res.Err, &se) || se.StepID != "b" || !strings.Contains(se.Msg, "criterion `$statusCode == 200` not met ($statusCode is 500, expected == 200)") {
		t.Errorf("error: %v", res.Err)
	}
}

// end: after a success the workflow ends successfully with its outputs; after
// a failure it ends failed.
func TestEndAction(t *testing.T) {
	doc := `workflows:
  - workflowId: w
    inputs: {type: object, properties: {code: {type: integer}}}
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: $inputs.code}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess: [{name: done, type: end}]
        onFailure: [{name: stop, type: end}]
        outputs: {code: $response.body#/code}
      - {stepId: never, operationId: status, parameters: [{name: code, in: path, value: 200}], outputs: {x: $statusCode}}
    outputs:
      code: $steps.a.outputs.code
      never: $steps.never.outputs.x
`
	res, srv := runFlow(t, "1.0.1", doc, "w", map[string]any{"code": 200})
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "a:passed:end done")
	if jsonText(res.Outputs) != `{"code":200}` || len(srv.requests()) != 1 {
		t.Errorf("outputs %s, %d requests", jsonText(res.Outputs), len(srv.requests()))
	}
	res, _ = runFlow(t, "1.0.1", doc, "w", map[string]any{"code": 503})
	wantStatus(t, res, StatusFailed)
	wantTrail(t, res, "a:failed:end stop")
	// Outputs of a failed workflow hold what could be evaluated.
	if jsonText(res.Outputs) != `{"code":503}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
}

// goto a step: backwards jumps loop; the outputs of earlier executions are
// replaced by the latest.
func TestGotoStepLoop(t *testing.T) {
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: poll
        operationId: flaky
        parameters:
          - {name: key, in: path, value: poll}
          - {name: fail, in: query, value: 2}
          - {name: code, in: query, value: 202}
        successCriteria: [{condition: $statusCode < 300}]
        onSuccess: [{name: again, type: goto, stepId: poll, criteria: [{condition: $statusCode == 202}]}]
        outputs: {call: $response.body#/call}
    outputs: {calls: $steps.poll.outputs.call}
`, "w", nil)
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "poll:passed:goto again → step poll", "poll:passed:goto again → step poll", "poll:passed")
	if jsonText(res.Outputs) != `{"calls":3}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
}

// A goto with no way out stops at the step budget with a clear message.
func TestInfiniteLoopStopsAtMaxSteps(t *testing.T) {
	res, srv := runFlow(t, "1.0.1", `workflows:
  - workflowId: forever
    steps:
      - stepId: spin
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        onSuccess: [{name: again, type: goto, stepId: spin}]
`, "forever", nil, WithMaxSteps(25))
	wantStatus(t, res, StatusError)
	if n := len(srv.requests()); n != 25 {
		t.Errorf("%d requests, want 25", n)
	}
	want := "workflow forever, step spin: step budget of 25 executions used up; a goto loop with no exit?"
	if !strings.HasSuffix(res.Err.Error(), want) || !strings.Contains(res.Err.Error(), "arazzo.yaml:7:9: ") {
		t.Errorf("error %q", res.Err)
	}
	var le *LimitError
	if !errors.As(res.Err, &le) || le.Kind != LimitSteps || le.Max != 25 {
		t.Errorf("error %#v does not wrap the step limit", res.Err)
	}
}

// goto a workflow is a tail call: the current workflow does not continue, the
// target runs in its place (at the same depth), its outcome is the run's, and
// its outputs come back together with the current workflow's own.
func TestGotoWorkflow(t *testing.T) {
	res, srv := runFlow(t, "1.0.1", `workflows:
  - workflowId: main
    inputs: {type: object, properties: {tag: {type: string}}}
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        onSuccess: [{name: handoff, type: goto, workflowId: other}]
        outputs: {code: $response.body#/code}
      - {stepId: never, operationId: status, parameters: [{name: code, in: path, value: 200}]}
    outputs: {code: $steps.a.outputs.code}
  - workflowId: other
    inputs: {type: object, properties: {tag: {type: string}, extra: {type: string, default: d}}}
    steps:
      - stepId: b
        operationId: status
        parameters:
          - {name: code, in: path, value: 200}
          - {name: tag, in: query, value: '{$inputs.tag}-{$inputs.extra}'}
        outputs: {tag: $response.body#/tag}
    outputs: {tag: $steps.b.outputs.tag}
`, "main", map[string]any{"tag": "t"})
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "a:passed:goto handoff → workflow other", "b:passed")
	if res.Steps[1].Depth != 0 || res.Steps[1].WorkflowID != "other" {
		t.Errorf("b: depth %d workflow %s", res.Steps[1].Depth, res.Steps[1].WorkflowID)
	}
	if jsonText(res.Outputs) != `{"code":200,"tag":"t-d"}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests", n)
	}
}

// 1.1: an action's parameters are the inputs of the workflow it goes to.
func TestGotoWorkflowParameters(t *testing.T) {
	res, _ := runFlow(t, "1.1.0", `workflows:
  - workflowId: main
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: 404}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
          - name: report
            type: goto
            workflowId: report
            parameters: [{name: code, value: $statusCode}]
  - workflowId: report
    inputs: {type: object, required: [code], properties: {code: {type: integer}}}
    steps:
      - stepId: b
        operationId: status
        parameters: [{name: code, in: path, value: 200}, {name: tag, in: query, value: 'was-{$inputs.code}'}]
        outputs: {tag: $response.body#/tag}
    outputs: {tag: $steps.b.outputs.tag}
`, "main", nil)
	// The run's outcome is the target's: the failure was handled.
	wantStatus(t, res, StatusPassed)
	if jsonText(res.Outputs) != `{"tag":"was-404"}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
}

func retryDoc(action string) string {
	return `workflows:
  - workflowId: w
    inputs: {type: object, properties: {fail: {type: integer}, code: {type: integer}, ra: {type: string}}}
    steps:
      - stepId: call
        operationId: flaky
        parameters:
          - {name: key, in: path, value: k}
          - {name: fail, in: query, value: $inputs.fail}
          - {name: code, in: query, value: $inputs.code}
          - {name: retryAfter, in: query, value: $inputs.ra}
        successCriteria: [{condition: $statusCode == 200}]
        onFailure:
` + action + `
          - {name: recover, type: goto, stepId: recover, criteria: [{condition: $statusCode == 503}]}
        onSuccess: [{name: done, type: end}]
      - {stepId: recover, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`
}

// Failure Action Object, retry: retryAfter seconds (fractions) between
// attempts, retryLimit retries (not attempts), default one retry, exhaustion
// falls through to the next matching failure action; a Retry-After header
// overrules retryAfter, capped by WithMaxRetryWait.
func TestRetry(t *testing.T) {
	tests := []struct {
		name   string
		action string
		inputs map[string]any
		opts   []RunOption
		trail  []string
		status Status
		calls  int
		waits  string
	}{
		{"succeeds within the limit",
			`          - {name: r, type: retry, retryAfter: 0.25, retryLimit: 3}`,
			map[string]any{"fail": 2, "code": 503, "ra": ""}, nil,
			[]string{"call:passed:end done"}, StatusPassed, 3, "[250ms 250ms]"},
		{"limit counts retries, then the next matching action",
			`          - {name: r, type: retry, retryAfter: 1.5, retryLimit: 2}`,
			map[string]any{"fail": 9, "code": 503, "ra": ""}, nil,
			[]string{"call:failed:goto recover → step recover", "recover:passed"}, StatusPassed, 4, "[1.5s 1.5s]"},
		{"default retryLimit is one retry",
			`          - {name: r, type: retry}`,
			map[string]any{"fail": 9, "code": 503, "ra": ""}, nil,
			[]string{"call:failed:goto recover → step recover", "recover:passed"}, StatusPassed, 3, "[]"},
		{"retryLimit 0 never retries",
			`          - {name: r, type: retry, retryLimit: 0}`,
			map[string]any{"fail": 9, "code": 503, "ra": ""}, nil,
			[]string{"call:failed:goto recover → step recover", "recover:passed"}, StatusPassed, 2, "[]"},
		{"exhausted with no other action: the workflow fails",
			`          - {name: r, type: retry, retryLimit: 1}`,
			map[string]any{"fail": 9, "code": 500, "ra": ""}, nil,
			[]string{"call:failed"}, StatusFailed, 2, "[]"},
		{"criteria choose the retry",
			`          - {name: r, type: retry, retryLimit: 5, criteria: [{condition: $statusCode == 429}]}`,
			map[string]any{"fail": 9, "code": 503, "ra": ""}, nil,
			[]string{"call:failed:goto recover → step recover", "recover:passed"}, StatusPassed, 2, "[]"},
		{"Retry-After seconds overrule retryAfter",
			`          - {name: r, type: retry, retryAfter: 0.5, retryLimit: 1}`,
			map[string]any{"fail": 1, "code": 429, "ra": "2"}, nil,
			[]string{"call:passed:end done"}, StatusPassed, 2, "[2s]"},
		{"Retry-After is capped",
			`          - {name: r, type: retry, retryAfter: 0.5, retryLimit: 1}`,
			map[string]any{"fail": 1, "code": 429, "ra": "3600"}, []RunOption{WithMaxRetryWait(time.Second)},
			[]string{"call:passed:end done"}, StatusPassed, 2, "[1s]"},
		{"Retry-After as an HTTP date",
			`          - {name: r, type: retry, retryLimit: 1}`,
			map[string]any{"fail": 1, "code": 503, "ra": "Fri, 02 Jan 2026 03:04:08 GMT"}, nil,
			[]string{"call:passed:end done"}, StatusPassed, 2, "[3s]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			res, srv := runFlow(t, "1.0.1", retryDoc(tt.action), "w", tt.inputs, append(tt.opts, WithClock(clock))...)
			wantStatus(t, res, tt.status)
			wantTrail(t, res, tt.trail...)
			if n := len(srv.requests()); n != tt.calls {
				t.Errorf("%d requests, want %d", n, tt.calls)
			}
			if got := strings.ReplaceAll(jsonDurations(clock.waits()), ",", " "); got != tt.waits {
				t.Errorf("waits %s, want %s", got, tt.waits)
			}
		})
	}
}

func jsonDurations(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, d.String())
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// A retry that names a step runs it before retrying (a token refresh, say).
func TestRetryRunsStepFirst(t *testing.T) {
	clock := newFakeClock()
	res, srv := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: call
        operationId: flaky
        parameters: [{name: key, in: path, value: k}, {name: fail, in: query, value: 1}, {name: code, in: query, value: 401}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: refresh, type: retry, stepId: login, retryLimit: 1}]
        onSuccess: [{name: done, type: end}]
      - stepId: login
        operationId: status
        parameters: [{name: code, in: path, value: 200}, {name: tag, in: query, value: login}]
`, "w", nil, WithClock(clock))
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "call:passed:end done", "login:passed")
	var paths []string
	for _, r := range srv.requests() {
		paths = append(paths, r.Path)
	}
	if got := strings.Join(paths, " "); got != "/flaky/k /status/200 /flaky/k" {
		t.Errorf("requests %s", got)
	}
	if res.Steps[0].Attempts != 2 {
		t.Errorf("attempts %d", res.Steps[0].Attempts)
	}
}

// Workflow-level successActions and failureActions apply to every step, after
// the step's own; a step action with the same name overrides the workflow's.
func TestWorkflowLevelActions(t *testing.T) {
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    successActions:
      - {name: created, type: goto, stepId: c, criteria: [{condition: $statusCode == 201}]}
    failureActions:
      - {name: recover, type: goto, stepId: d}
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: 500}]
        successCriteria: [{condition: $statusCode < 300}]
      - stepId: b
        operationId: status
        parameters: [{name: code, in: path, value: 201}]
        successCriteria: [{condition: $statusCode < 300}]
      - stepId: c
        operationId: status
        parameters: [{name: code, in: path, value: 404}]
        successCriteria: [{condition: $statusCode < 300}]
        onFailure: [{name: recover, type: end}]
      - stepId: d
        operationId: status
        parameters: [{name: code, in: path, value: 201}]
        successCriteria: [{condition: $statusCode < 300}]
        onSuccess: [{name: next, type: goto, stepId: b, criteria: [{condition: $statusCode == 201}]}]
`, "w", nil)
	// a fails → workflow-level recover → d; d's own action wins over the
	// workflow's "created" → b; b 201 → workflow-level created → c; c fails →
	// its own "recover" (an end) overrides the workflow's goto.
	wantStatus(t, res, StatusFailed)
	wantTrail(t, res, "a:failed:goto recover → step d", "d:passed:goto next → step b", "b:passed:goto created → step c", "c:failed:end recover")
}

// A handled failure: the 404 goes to a recovery step, the workflow passes, and
// the result still shows the failed attempt and the action taken.
func TestHandledFailure(t *testing.T) {
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: find
        operationId: status
        parameters: [{name: code, in: path, value: 404}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: notFound, type: goto, stepId: create, criteria: [{condition: $statusCode == 404}]}]
        onSuccess: [{name: found, type: end}]
      - stepId: create
        operationId: echo
        requestBody: {payload: {created: true}}
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {created: $response.body#/created}
    outputs: {created: $steps.create.outputs.created}
`, "w", nil)
	wantStatus(t, res, StatusPassed)
	if res.Err != nil {
		t.Errorf("err %v", res.Err)
	}
	find := res.Steps[0]
	if find.Status != StatusFailed || find.StatusCode != 404 || find.Action != "goto notFound → step create" || len(find.Criteria) != 1 || find.Criteria[0].Pass {
		t.Errorf("find: %+v", find)
	}
	if jsonText(res.Outputs) != `{"created":true}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
}

// A workflowId step: its parameters are the callee's inputs, the callee's
// outputs are $outputs in the step's outputs, a failed callee fails the step.
func TestNestedWorkflows(t *testing.T) {
	doc := `workflows:
  - workflowId: main
    inputs: {type: object, properties: {code: {type: integer}}}
    steps:
      - stepId: call
        workflowId: child
        parameters: [{name: code, value: $inputs.code}, {name: tag, value: nested}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {echoed: $outputs.tag, code: $statusCode}
        onFailure: [{name: fallback, type: goto, stepId: fallback}]
        onSuccess: [{name: done, type: end}]
      - stepId: fallback
        operationId: status
        parameters: [{name: code, in: path, value: 200}, {name: tag, in: query, value: fallback}]
    outputs: {echoed: $steps.call.outputs.echoed, code: $steps.call.outputs.code}
  - workflowId: child
    inputs: {type: object, required: [code, tag], properties: {code: {type: integer}, tag: {type: string}}}
    steps:
      - stepId: inner
        operationId: status
        parameters: [{name: code, in: path, value: $inputs.code}, {name: tag, in: query, value: $inputs.tag}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {tag: $response.body#/tag}
    outputs: {tag: $steps.inner.outputs.tag}
`
	res, _ := runFlow(t, "1.0.1", doc, "main", map[string]any{"code": 200})
	wantStatus(t, res, StatusPassed)
	// Steps are listed as they start: the workflow step, then the callee's.
	wantTrail(t, res, "call:passed:end done", "inner:passed")
	if jsonText(res.Outputs) != `{"code":200,"echoed":"nested"}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
	if res.Steps[0].Depth != 0 || res.Steps[1].Depth != 1 || res.Steps[0].Operation != "workflow child" {
		t.Errorf("depths %d %d, operation %q", res.Steps[0].Depth, res.Steps[1].Depth, res.Steps[0].Operation)
	}
	res, _ = runFlow(t, "1.0.1", doc, "main", map[string]any{"code": 500})
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "call:failed:goto fallback → step fallback", "inner:failed", "fallback:passed")
}

// A workflow that calls itself stops at the nesting bound.
func TestNestingDepthBound(t *testing.T) {
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: rec
    steps:
      - {stepId: again, workflowId: rec}
`, "rec", nil, WithMaxDepth(3))
	wantStatus(t, res, StatusError)
	if !strings.HasSuffix(res.Err.Error(), "arazzo.yaml:5:5: workflow rec: workflows nest deeper than 3; a workflow calling itself?") {
		t.Errorf("error %v", res.Err)
	}
	var le *LimitError
	if !errors.As(res.Err, &le) || le.Kind != LimitDepth || le.Max != 3 {
		t.Errorf("error %#v does not wrap the depth limit", res.Err)
	}
	if len(res.Steps) != 4 {
		t.Errorf("%d step results", len(res.Steps))
	}
}

// dependsOn: each dependency runs once per run, before the workflow, in order,
// with the inputs it declares; its outputs are $workflows.<id>.outputs.
func TestDependsOn(t *testing.T) {
	res, srv := runFlow(t, "1.0.1", `workflows:
  - workflowId: setup
    inputs: {type: object, properties: {tag: {type: string}, n: {type: integer, default: 1}}}
    steps:
      - stepId: s
        operationId: status
        parameters: [{name: code, in: path, value: 200}, {name: tag, in: query, value: 'setup-{$inputs.tag}-{$inputs.n}'}]
        outputs: {tag: $response.body#/tag}
    outputs: {tag: $steps.s.outputs.tag}
  - workflowId: prepare
    dependsOn: [setup]
    steps:
      - {stepId: p, operationId: status, parameters: [{name: code, in: path, value: 200}, {name: tag, in: query, value: prepare}]}
  - workflowId: main
    dependsOn: [setup, prepare]
    inputs: {type: object, properties: {tag: {type: string}, other: {type: string}}}
    steps:
      - stepId: m
        operationId: status
        parameters: [{name: code, in: path, value: 200}, {name: tag, in: query, value: $workflows.setup.outputs.tag}]
        outputs: {tag: $response.body#/tag}
    outputs: {tag: $steps.m.outputs.tag}
`, "main", map[string]any{"tag": "x", "other": "y"})
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "s:passed", "p:passed", "m:passed")
	if jsonText(res.Outputs) != `{"tag":"setup-x-1"}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
	if n := len(srv.requests()); n != 3 {
		t.Errorf("%d requests: setup ran more than once?", n)
	}
}

// A failed dependency fails the workflow, with a message naming it; the
// workflow's own steps do not run.
func TestDependsOnFailure(t *testing.T) {
	res, srv := runFlow(t, "1.0.1", `workflows:
  - workflowId: broken
    steps:
      - {stepId: b, operationId: status, parameters: [{name: code, in: path, value: 500}], successCriteria: [{condition: $statusCode == 200}]}
  - workflowId: main
    dependsOn: [broken]
    steps:
      - {stepId: m, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`, "main", nil)
	wantStatus(t, res, StatusFailed)
	wantTrail(t, res, "b:failed")
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests", n)
	}
	msg := res.Err.Error()
	if !strings.Contains(msg, `arazzo.yaml:9:17: workflow main: dependency "broken" did not pass: `) || !strings.Contains(msg, "workflow broken, step b: criterion `$statusCode == 200` not met") {
		t.Errorf("error %s", msg)
	}
}

// A dependency cycle is rejected when the document is loaded, before anything runs.
func TestDependsOnCycleRejected(t *testing.T) {
	srv := newFlowServer(t)
	dir := writeFiles(t, srv.URL, flowDoc("1.0.1", `workflows:
  - workflowId: a
    dependsOn: [b]
    steps: [{stepId: x, operationId: status, parameters: [{name: code, in: path, value: 200}]}]
  - workflowId: b
    dependsOn: [a]
    steps: [{stepId: y, operationId: status, parameters: [{name: code, in: path, value: 200}]}]
`))
	_, diags, err := Load(context.Background(), dir+"/arazzo.yaml")
	if err == nil {
		t.Fatal("a dependency cycle loaded")
	}
	if !strings.Contains(diags.Errors()[0].Error(), "cycle") {
		t.Errorf("diagnostics: %v", diags)
	}
}

// Components: parameters by reference with a value override, reusable
// success and failure actions, and $ref'd inputs schemas with defaults.
func TestComponents(t *testing.T) {
	res, srv := runFlow(t, "1.0.1", `components:
  inputs:
    code: {type: integer, default: 200}
    params:
      type: object
      properties:
        code: {$ref: '#/components/inputs/code'}
  parameters:
    okCode: {name: code, in: path, value: 200}
    tag: {name: tag, in: query, value: from-component}
  successActions:
    finish: {name: finish, type: end}
  failureActions:
    recover: {name: recover, type: goto, stepId: recover}
workflows:
  - workflowId: w
    inputs: {$ref: '#/components/inputs/params'}
    parameters:
      - reference: $components.parameters.tag
    steps:
      - stepId: a
        operationId: status
        parameters:
          - reference: $components.parameters.okCode
            value: $inputs.code
          - reference: $components.parameters.tag
            value: overridden
        successCriteria: [{condition: $statusCode == 201}]
        onFailure: [{reference: $components.failureActions.recover}]
      - stepId: recover
        operationId: status
        parameters: [{reference: $components.parameters.okCode}]
        onSuccess: [{reference: $components.successActions.finish}]
      - {stepId: never, operationId: status, parameters: [{reference: $components.parameters.okCode}]}
`, "w", nil)
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "a:failed:goto recover → step recover", "recover:passed:end finish")
	reqs := srv.requests()
	if reqs[0].RequestURI != "/status/200?tag=overridden" || reqs[1].RequestURI != "/status/200?tag=from-component" {
		t.Errorf("requests %s, %s", reqs[0].RequestURI, reqs[1].RequestURI)
	}
}

// Inputs are checked against their schema before the first request, and
// every problem is listed at once.
func TestInputsValidated(t *testing.T) {
	srv := newFlowServer(t)
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", `workflows:
  - workflowId: w
    inputs:
      type: object
      required: [id, kind, email]
      properties:
        id: {type: integer, minimum: 1}
        kind: {type: string, enum: [cat, dog]}
        email: {type: string, format: email}
        limit: {type: integer, default: 10}
    steps:
      - {stepId: a, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`))
	_, err := plan.Run(context.Background(), "w", map[string]any{"id": 0, "kind": "bird"})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v", err)
	}
	want := `inputs of workflow "w":
  - input /id must be >= 1
  - input /kind must be one of ["cat","dog"]
  - missing required input "email"`
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}
	if len(srv.requests()) != 0 {
		t.Error("a request was sent")
	}
}

// 1.1 step timeout bounds the step's request; the failure goes through onFailure.
func TestStepTimeout(t *testing.T) {
	srv := newAPI(t, nil)
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	srv.handle = func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		writeJSON(w, 200, map[string]any{})
	}
	plan := loadFiles(t, srv.URL, flowDoc("1.1.0", `workflows:
  - workflowId: w
    steps:
      - stepId: slow
        operationId: status
        timeout: 50
        parameters: [{name: code, in: path, value: 200}]
        onFailure: [{name: fallback, type: goto, stepId: fallback}]
      - {stepId: fallback, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`))
	res := mustRun(t, plan, "w", nil)
	wantStatus(t, res, StatusPassed)
	wantTrail(t, res, "slow:error:goto fallback → step fallback", "fallback:passed")
	if !strings.Contains(res.Steps[0].Err, "timed out after 50ms") {
		t.Errorf("slow: %s", res.Steps[0].Err)
	}
}

// The criteria of success and failure actions are reported as they are
// evaluated, each naming its action, in the order the executor tried them: the
// first failing criterion of an action ends that action's evaluation.
func TestActionCriteriaEvents(t *testing.T) {
	var got []string
	obs := ObserverFunc(func(e *Event) {
		if e.Kind == EventCriterion {
			c := e.Criterion
			got = append(got, fmt.Sprintf("%s#%d %s [%s] %v", e.StepID, e.Attempt, c.Action, c.Condition, c.Pass))
		}
	})
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        successCriteria: [{condition: $statusCode == 200}]
        onSuccess:
          - {name: created, type: end, criteria: [{condition: $statusCode == 201}, {condition: $statusCode == 200}]}
          - {name: ok, type: goto, stepId: b, criteria: [{condition: $statusCode == 200}]}
      - stepId: b
        operationId: status
        parameters: [{name: code, in: path, value: 500}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: missing, type: goto, stepId: a, criteria: [{condition: $statusCode == 404}]}]
`, "w", nil, WithObserver(obs))
	wantStatus(t, res, StatusFailed)
	want := []string{
		"a#1  [$statusCode == 200] true",
		"a#1 created [$statusCode == 201] false",
		"a#1 ok [$statusCode == 200] true",
		"b#1  [$statusCode == 200] false",
		"b#1 missing [$statusCode == 404] false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("criterion events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range res.Steps {
		for _, c := range s.Criteria {
			if c.Action != "" {
				t.Errorf("step %s: StepResult.Criteria holds the criterion of action %s; it lists the success criteria only", s.StepID, c.Action)
			}
		}
	}
}
