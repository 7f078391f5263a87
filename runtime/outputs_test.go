package runtime

import (
	"errors"
	"strings"
	"testing"
)

// A workflow output that cannot be evaluated after every step passed ends the
// run in error, naming the output and why; the outputs that could be evaluated
// are still returned, so nothing the run obtained is lost.
func TestWorkflowOutputThatCannotBeEvaluated(t *testing.T) {
	res, srv := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: renew
        operationId: status
        parameters: [{name: code, in: path, value: 200}, {name: tag, in: query, value: fresh}]
        outputs: {body: $response.body}
    outputs:
      tag: $steps.renew.outputs.body#/tag
      token: $steps.renew.outputs.body#/tokn
`, "w", nil)
	wantStatus(t, res, StatusError)
	wantTrail(t, res, "renew:passed")
	if len(srv.requests()) != 1 {
		t.Errorf("%d requests, want 1", len(srv.requests()))
	}
	var se *StepError
	if !errors.As(res.Err, &se) || se.Output != "token" || se.StepID != "" || se.Pos.Line != 13 {
		t.Fatalf("error %#v (%v), want a *StepError for output token at line 13", res.Err, res.Err)
	}
	if msg := res.Err.Error(); !strings.Contains(msg, `workflow w: output "token": $steps.renew.outputs.body#/tokn`) || !strings.Contains(msg, "tokn") {
		t.Errorf("message %q does not name the output and the reason", msg)
	}
	if jsonText(res.Outputs) != `{"tag":"fresh"}` {
		t.Errorf("outputs %s, want the tag that could be evaluated", jsonText(res.Outputs))
	}
}

// An end action that skips steps returns the workflow's applicable outputs:
// those reading a skipped step (or such an output) are left out, as is one that
// is exactly an optional input not given, and the run passes.
func TestWorkflowOutputsOfSkippedSteps(t *testing.T) {
	res, _ := runFlow(t, "1.0.1", `workflows:
  - workflowId: w
    inputs: {type: object, properties: {note: {type: string}}}
    steps:
      - stepId: a
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        onSuccess: [{name: done, type: end}]
        outputs: {code: $response.body#/code}
      - {stepId: skipped, operationId: status, parameters: [{name: code, in: path, value: 200}], outputs: {x: $statusCode}}
    outputs:
      code: $steps.a.outputs.code
      x: $steps.skipped.outputs.x
      y: $outputs.x
      note: $inputs.note
`, "w", nil)
	wantStatus(t, res, StatusPassed)
	if jsonText(res.Outputs) != `{"code":200}` {
		t.Errorf("outputs %s", jsonText(res.Outputs))
	}
}
