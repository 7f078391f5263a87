package runtime

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserErrorsArePositioned: errors a document or its inputs cause at run
// time name the workflow, the step and the file position of the field at fault.
func TestUserErrorsArePositioned(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"parameter value", `workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: status
        parameters:
          - {name: code, in: path, value: 200}
          - {name: tag, in: query, value: $inputs.tag}
`, `arazzo.yaml:11:13: workflow w, step s: parameter "tag": $inputs.tag: no such value`},
		{"step output", `workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        outputs:
          missing: $response.body#/nothing/here
`, `arazzo.yaml:11:20: workflow w, step s: output "missing": $response.body#/nothing/here: no such value: no member "nothing" in the object at the root`},
		{"undeclared step output", `workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        outputs: {code: $statusCode}
      - stepId: t
        operationId: status
        parameters: [{name: code, in: path, value: $steps.s.outputs.status}]
`, `arazzo.yaml:13:22: workflow w, step t: parameter "code": $steps.s.outputs.status: no such value: step "s" declares no output "status" (declared: "code")`},
		{"unknown step", `workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        outputs: {code: $statusCode}
      - stepId: t
        operationId: status
        parameters: [{name: code, in: path, value: $steps.first.outputs.code}]
`, `arazzo.yaml:13:22: workflow w, step t: parameter "code": $steps.first.outputs.code: no such value: workflow "w" has no step "first"`},
		{"request body", `workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: echo
        requestBody:
          payload: {a: $inputs.absent}
`, `arazzo.yaml:10:20: workflow w, step s: requestBody payload: /a: $inputs.absent: no such value`},
		{"goto target inputs", `workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        onSuccess:
          - {name: next, type: goto, workflowId: t}
  - workflowId: t
    inputs: {type: object, required: [id], properties: {id: {type: integer}}}
    steps:
      - {stepId: u, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`, `arazzo.yaml:11:13: workflow w, step s: action "next": inputs of workflow "t": missing required input "id"`},
		{"workflow step inputs", `workflows:
  - workflowId: w
    steps:
      - stepId: s
        workflowId: t
        parameters: [{name: id, value: not-a-number}]
  - workflowId: t
    inputs: {type: object, properties: {id: {type: integer}}}
    steps:
      - {stepId: u, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`, `arazzo.yaml:7:9: workflow w, step s: inputs of workflow "t": input /id must be integer, got string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFlowServer(t)
			dir := writeFiles(t, srv.URL, flowDoc("1.0.1", tt.doc))
			plan := mustLoad(t, dir, "arazzo.yaml")
			res := mustRun(t, plan, "w", nil)
			if res.Status == StatusPassed {
				t.Fatal("passed")
			}
			var se *StepError
			if !errors.As(res.Err, &se) {
				t.Fatalf("not a *StepError: %v", res.Err)
			}
			got := strings.TrimPrefix(res.Err.Error(), dir+string(filepath.Separator))
			if got != tt.want {
				t.Errorf("error\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestOptionalInputsLeftOut: an optional input the caller did not give leaves
// out the payload member and the query parameter whose value is exactly that
// input; given, they are sent. A path parameter cannot be left out.
func TestOptionalInputsLeftOut(t *testing.T) {
	srv := newFlowServer(t)
	dir := writeFiles(t, srv.URL, flowDoc("1.0.1", `workflows:
  - workflowId: w
    inputs:
      type: object
      properties:
        tag: {type: string}
        quantity: {type: integer}
        code: {type: integer}
    steps:
      - stepId: s
        operationId: status
        parameters:
          - {name: code, in: path, value: 200}
          - {name: tag, in: query, value: $inputs.tag}
      - stepId: e
        operationId: echo
        requestBody:
          payload: {petId: 7, quantity: $inputs.quantity, note: 'tag {$inputs.tag}'}
  - workflowId: path
    inputs: {type: object, properties: {code: {type: integer}, q: {type: string}}}
    steps:
      - stepId: s
        operationId: status
        parameters: [{name: code, in: path, value: $inputs.code}]
  - workflowId: required
    inputs: {type: object, properties: {q: {type: string}}}
    steps:
      - stepId: s
        operationId: search
        parameters: [{name: q, in: query, value: $inputs.q}]
`))
	plan := mustLoad(t, dir, "arazzo.yaml")
	res := mustRun(t, plan, "w", map[string]any{"tag": "x"})
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	reqs := srv.requests()
	if reqs[0].RawQuery != "tag=x" || string(reqs[1].Body) != `{"note":"tag x","petId":7}` {
		t.Errorf("with tag only: query %q, body %s", reqs[0].RawQuery, reqs[1].Body)
	}
	// Without tag: the query parameter is left out, but a template that embeds
	// the missing input cannot be built.
	res = mustRun(t, plan, "w", map[string]any{"quantity": 2})
	reqs = srv.requests()
	if reqs[2].RawQuery != "" {
		t.Errorf("without tag: query %q", reqs[2].RawQuery)
	}
	if res.Status != StatusError || !strings.Contains(res.Err.Error(), "$inputs.tag: no such value") {
		t.Errorf("template with a missing input: %s %v", res.Status, res.Err)
	}
	res = mustRun(t, plan, "path", nil)
	if res.Status != StatusError || !strings.Contains(res.Err.Error(), `parameter "code": $inputs.code: no such value`) {
		t.Errorf("path parameter: %s %v", res.Status, res.Err)
	}
	// A parameter the operation requires is not left out silently.
	res = mustRun(t, plan, "required", nil)
	if res.Status != StatusError || !strings.HasSuffix(res.Err.Error(), `arazzo.yaml:33:22: workflow required, step s: operation search requires query parameter "q", and its value $inputs.q is an input that was not given`) {
		t.Errorf("required parameter: %s %v", res.Status, res.Err)
	}
}
