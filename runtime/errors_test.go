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
`, `arazzo.yaml:7:9: workflow w, step s: inputs of workflow "t": input "id" must be integer, got a string`},
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
