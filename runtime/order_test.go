package runtime

import (
	"fmt"
	"strings"
	"testing"
)

// TestStepDependsOnOrder: in a 1.1 workflow that uses step-level dependsOn, the
// steps run in an order that satisfies the declared and the implicit
// ($steps.<id>.outputs) dependencies, and otherwise in list order.
func TestStepDependsOnOrder(t *testing.T) {
	srv := newFlowServer(t)
	dir := writeFiles(t, srv.URL, flowDoc("1.1.0", `workflows:
  - workflowId: w
    steps:
      - stepId: report
        dependsOn: [create]
        operationId: status
        parameters:
          - {name: code, in: path, value: 200}
          - {name: tag, in: query, value: $steps.check.outputs.tag}
      - stepId: check
        operationId: status
        parameters:
          - {name: code, in: path, value: 200}
          - {name: tag, in: query, value: $steps.create.outputs.tag}
        outputs: {tag: $response.body#/tag}
      - stepId: create
        operationId: status
        parameters:
          - {name: code, in: path, value: 201}
          - {name: tag, in: query, value: made}
        outputs: {tag: $response.body#/tag}
      - stepId: last
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
    outputs:
      tag: $steps.check.outputs.tag
`))
	plan := mustLoad(t, dir, "arazzo.yaml")
	res := mustRun(t, plan, "w", nil)
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	// describe shows the steps in the order they run, with their dependsOn.
	v, err := plan.Describe("w")
	if err != nil {
		t.Fatal(err)
	}
	var described []string
	for _, st := range v.Steps {
		described = append(described, st.ID+fmt.Sprint(st.DependsOn))
	}
	if got := strings.Join(described, " "); got != "create[] check[] report[create] last[]" {
		t.Errorf("describe: %s", got)
	}
	var order []string
	for _, st := range res.Steps {
		order = append(order, st.StepID)
	}
	// create first (report and check need it), then check (report reads its
	// output), then report, then last in its place.
	if got := strings.Join(order, " "); got != "create check report last" {
		t.Errorf("order %s", got)
	}
	if got := srv.requests()[2].RawQuery; got != "tag=made" {
		t.Errorf("report sent %q", got)
	}
}

// TestStepDependsOnUnmet: dependsOn does not run the step it names. One skipped
// by an action, or a step of another workflow that has not run, stops the step
// with an error at the dependsOn entry; a workflow-level dependsOn that runs the
// other workflow first satisfies it.
func TestStepDependsOnUnmet(t *testing.T) {
	srv := newFlowServer(t)
	dir := writeFiles(t, srv.URL, flowDoc("1.1.0", `workflows:
  - workflowId: skip
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        onSuccess: [{name: jump, type: goto, stepId: c}]
      - stepId: b
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
      - stepId: c
        dependsOn: [b]
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
  - workflowId: setup
    steps:
      - stepId: login
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
  - workflowId: alone
    steps:
      - stepId: use
        dependsOn: [$workflows.setup.steps.login]
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
  - workflowId: after
    dependsOn: [setup]
    steps:
      - stepId: use
        dependsOn: [$workflows.setup.steps.login]
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
`))
	plan := mustLoad(t, dir, "arazzo.yaml")
	for _, tt := range []struct{ wf, want string }{
		{"skip", `arazzo.yaml:15:21: workflow skip, step c: dependsOn "b": step "b" has not run (an action skipped it, or dependsOn entries and output references form a cycle); dependsOn does not run it`},
		{"alone", `arazzo.yaml:26:21: workflow alone, step use: dependsOn "$workflows.setup.steps.login": step "login" of workflow "setup" has not run earlier in this run; dependsOn does not run it (run that workflow first, e.g. with a workflow-level dependsOn)`},
	} {
		res := mustRun(t, plan, tt.wf, nil)
		if res.Status != StatusError || res.Err == nil {
			t.Fatalf("%s: status %s", tt.wf, res.Status)
		}
		if got := res.Err.Error(); !strings.HasSuffix(got, tt.want) {
			t.Errorf("%s:\n%s\nwant suffix\n%s", tt.wf, got, tt.want)
		}
	}
	if res := mustRun(t, plan, "after", nil); res.Status != StatusPassed {
		t.Errorf("after: status %s: %v", res.Status, res.Err)
	}
}

// TestWorkflowStepTimeout: a 1.1 step timeout on a step that calls a workflow
// bounds the called workflow on the run's clock: retry waits are cut to it, the
// callee's next step does not start once it expires, and the calling step
// fails (its onFailure actions apply).
func TestWorkflowStepTimeout(t *testing.T) {
	srv := newFlowServer(t)
	dir := writeFiles(t, srv.URL, flowDoc("1.1.0", `workflows:
  - workflowId: outer
    steps:
      - stepId: call
        workflowId: inner
        timeout: 2500
        onFailure: [{name: giveUp, type: end}]
  - workflowId: inner
    steps:
      - stepId: poll
        operationId: flaky
        parameters:
          - {name: key, in: path, value: slow}
          - {name: fail, in: query, value: 50}
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 1, retryLimit: 20}]
`))
	clock := newFakeClock()
	res := mustRun(t, mustLoad(t, dir, "arazzo.yaml"), "outer", nil, WithClock(clock))
	if res.Status != StatusError {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	// Attempts at 0, 1 and 2 s; the third wait is cut to the 0.5 s left.
	if got := len(srv.requests()); got != 3 {
		t.Errorf("%d requests, want 3", got)
	}
	if got := fmt.Sprint(clock.waits()); got != "[1s 1s 500ms]" {
		t.Errorf("waits %s", got)
	}
	want := `arazzo.yaml:9:18: workflow outer, step call: timeout of 2500 ms expired before workflow "inner" finished`
	if got := res.Steps[len(res.Steps)-1].Err; !strings.HasSuffix(got, want) {
		t.Errorf("last step error\n%s\nwant suffix\n%s", got, want)
	}
	if call := res.Steps[0]; call.StepID != "call" || call.Status != StatusError || call.Action != "end giveUp" {
		t.Errorf("calling step: %s %s %q", call.StepID, call.Status, call.Action)
	}
}
