package runtime

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// inputsDoc is a workflow whose inputs schema uses the keywords a hand-written
// checker tends to miss: oneOf, pattern, format, $ref to components.inputs,
// nested objects and additionalProperties inside them.
const inputsDoc = `workflows:
  - workflowId: w
    inputs:
      type: object
      required: [id]
      properties:
        id: {type: string, pattern: '^p-[0-9]+$'}
        contact: {type: string, format: email}
        size: {oneOf: [{type: integer, minimum: 1}, {type: string, enum: [small, large]}]}
        owner: {$ref: '#/components/inputs/owner'}
        limit: {type: integer, default: 10}
    steps:
      - {stepId: a, operationId: status, parameters: [{name: code, in: path, value: 200}]}
      - stepId: b
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
        outputs: {limit: $inputs.limit, extra: $inputs.extra}
    outputs: {limit: $steps.b.outputs.limit, extra: $steps.b.outputs.extra}
  - workflowId: closed
    inputs:
      type: object
      additionalProperties: false
      properties: {name: {type: string}}
    steps:
      - {stepId: a, operationId: status, parameters: [{name: code, in: path, value: 200}]}
components:
  inputs:
    owner:
      type: object
      required: [name]
      additionalProperties: false
      properties: {name: {type: string, minLength: 2}}
`

// Every input problem is reported at once, each with its JSON path, before a
// request is sent.
func TestInputsJSONSchemaProblems(t *testing.T) {
	srv := newFlowServer(t)
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", inputsDoc))
	_, err := plan.Run(context.Background(), "w", map[string]any{
		"id":      "x-1",
		"contact": "not an address",
		"size":    "medium",
		"owner":   map[string]any{"name": "a", "age": 3},
	})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("error %v, want a *UsageError", err)
	}
	for _, want := range []string{
		`input /id must match ^p-[0-9]+$`,
		`input /contact must be a valid email`,
		`input /size must be integer, got string`,
		`input /size must be one of ["small","large"]`,
		`input /owner/name must be at least 2 characters`,
		`input /owner has property "age", which its schema forbids`,
	} {
		if !strings.Contains(err.Error(), "\n  - "+want) {
			t.Errorf("no problem %q in\n%s", want, err)
		}
	}
	if len(ue.Problems) != 6 {
		t.Errorf("%d problems, want 6:\n%s", len(ue.Problems), err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	if err := plan.CheckInputs("w", map[string]any{"owner": map[string]any{}}); err == nil ||
		!strings.Contains(err.Error(), `missing required input "id"`) || !strings.Contains(err.Error(), `input /owner is missing property "name"`) {
		t.Errorf("CheckInputs: %v", err)
	}
}

// Inputs the schema does not declare are accepted unless it forbids them; a
// name close to a declared one gets a warning. Defaults are applied.
func TestInputsJSONSchemaUndeclared(t *testing.T) {
	srv := newFlowServer(t)
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", inputsDoc))
	var warnings []string
	obs := ObserverFunc(func(e *Event) {
		if e.Kind == EventWarning {
			warnings = append(warnings, e.Message)
		}
	})
	res := mustRun(t, plan, "w", map[string]any{"id": "p-7", "size": 3, "owner": map[string]any{"name": "ann"}, "extra": "kept", "limt": 5},
		WithObserver(obs))
	wantStatus(t, res, StatusPassed)
	if got := res.Outputs["limit"]; got != 10 && got != int64(10) && got != float64(10) {
		t.Errorf("limit = %#v, want the default 10", got)
	}
	if got := res.Outputs["extra"]; got != "kept" {
		t.Errorf("extra = %#v, want the undeclared input as given", got)
	}
	want := `workflow "w": input "limt" is not declared by the inputs schema and is passed as given; did you mean "limit"?`
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", warnings, want)
	}

	_, err := plan.Run(context.Background(), "closed", map[string]any{"nmae": "x"})
	if err == nil || !strings.Contains(err.Error(), `unknown input "nmae"; did you mean "name"? (the inputs schema forbids other inputs)`) {
		t.Errorf("closed schema: %v", err)
	}
}
