package arazzo

import (
	"strings"
	"testing"
)

const casesHead = `arazzo: 1.1.0
info: {title: cases, version: 1.0.0}
sourceDescriptions:
  - {name: api, url: https://example.com/openapi.yaml, type: openapi}
`

// TestValidateCases pins the exact diagnostics of situations the rule fixtures
// do not cover: what may be referenced from where, components checked where they
// are used, and positions inside block scalars.
func TestValidateCases(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{
			name: "a later step is fine when a goto leads from it back",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: a
        operationId: a
        parameters: [{name: next, in: query, value: $steps.b.outputs.cursor}]
      - stepId: b
        operationId: b
        onSuccess:
          - {name: more, type: goto, stepId: a, criteria: [{condition: $response.body#/more == true}]}
        outputs: {cursor: $response.body#/cursor}
`,
		},
		{
			name: "step-level dependsOn: control flow follows the execution order",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: report
        dependsOn: [create]
        operationId: a
        parameters: [{name: id, in: query, value: $steps.create.outputs.id}]
      - stepId: create
        operationId: b
        onSuccess: [{name: done, type: end}]
        outputs: {id: $response.body#/id}
`,
			want: []string{`x.yaml:8:17: warning: step "report" can never run: every path before it ends the workflow or jumps past it, and no goto leads to it [unreachable-step]`},
		},
		{
			name: "step-level dependsOn: a cycle through an output reference, broken at dependsOn",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: a
        dependsOn: [b]
        operationId: a
        outputs: {id: $response.body#/id}
      - stepId: b
        operationId: b
        parameters: [{name: id, in: query, value: $steps.a.outputs.id}]
      - stepId: c
        operationId: c
        parameters: [{name: id, in: query, value: $steps.d.outputs.id}]
      - stepId: d
        dependsOn: [a]
        operationId: d
        outputs: {id: $response.body#/id}
`,
			want: []string{`x.yaml:9:21: error: step "a" cannot run after step "b": their dependsOn entries and $steps output references form a cycle [depends-on-cycle]`},
		},
		{
			name: "step-level dependsOn: the same cycle broken at the reference",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: b
        operationId: b
        parameters: [{name: id, in: query, value: $steps.a.outputs.id}]
      - stepId: a
        dependsOn: [b]
        operationId: a
        outputs: {id: $response.body#/id}
`,
			want: []string{`x.yaml:10:51: error: $steps.a.outputs.id refers to step "a", which cannot run before step "b": their dependsOn entries and output references form a cycle [step-ref-order]`},
		},
		{
			name: "own outputs: fine in own actions, not in own outputs or successCriteria",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: a
        operationId: a
        successCriteria: [{condition: $steps.a.outputs.n > 0}]
        onSuccess:
          - {name: done, type: end, criteria: [{condition: $steps.a.outputs.n == 0}]}
        outputs:
          n: $response.body#/n
          m: $steps.a.outputs.n
`,
			want: []string{
				`x.yaml:10:39: error: $steps.a.outputs.n refers to the current step's own outputs, which do not exist yet: its successCriteria are evaluated before its outputs are computed [step-ref-order]`,
				`x.yaml:15:14: error: $steps.a.outputs.n refers to the current step's own outputs, which do not exist yet: its outputs are being computed [step-ref-order]`,
			},
		},
		{
			name: "step dependsOn: order follows dependencies",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: a
        operationId: a
        dependsOn: [b]
        parameters: [{name: id, in: query, value: $steps.b.outputs.id}]
      - stepId: b
        operationId: b
        outputs: {id: $response.body#/id}
`,
		},
		{
			name: "$outputs in a step that calls a workflow names the callee's outputs",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: sub
        workflowId: child
        outputs:
          id: $outputs.id
          other: $outputs.nope
  - workflowId: child
    steps:
      - {stepId: s, operationId: s, outputs: {id: $response.body#/id}}
    outputs: {id: $steps.s.outputs.id}
`,
			want: []string{`x.yaml:12:18: error: $outputs.nope: the called workflow "child" declares no output "nope" (declared: "id") [outputs-ref]`},
		},
		{
			name: "components are checked where they are used",
			doc: `components:
  parameters:
    page: {name: page, value: 1}
  successActions:
    next: {name: next, type: goto, stepId: b}
workflows:
  - workflowId: wf
    parameters:
      - {name: token, value: $inputs.token}
    steps:
      - stepId: a
        operationId: a
        parameters: [{reference: $components.parameters.page}]
        onSuccess: [{reference: $components.successActions.next}]
`,
			want: []string{
				`x.yaml:13:16: error: workflow parameter "token" is passed to every step, including step "a", which calls an operation; it needs ` + "`in`" + ` (path, query, header or cookie) [parameter-in-missing]`,
				`x.yaml:17:34: error: parameter "page" (from $components.parameters.page) is passed to an operation and needs ` + "`in`" + ` (path, query, header or cookie) to say where it goes [parameter-in-missing]`,
				`x.yaml:18:33: error: action "next" (from $components.successActions.next) goes to step "b", which is not a step of workflow "wf" (steps: "a") [unknown-step]`,
			},
		},
		{
			name: "positions inside block scalars",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: a
        operationId: a
        requestBody:
          contentType: application/json
          payload: |
            {
              "id": "{$steps.nope.outputs.id}"
            }
        successCriteria:
          - context: $response.body
            type: regex
            condition: >-
              ^ok
              (?=x)$
`,
			want: []string{
				`x.yaml:14:23: warning: $steps.nope refers to no step of workflow "wf" (steps: "a"); a step's outputs are visible only inside its own workflow, and the step that evaluates this fails when it runs [step-ref-unknown]`,
				`x.yaml:21:15: error: invalid regex condition: invalid regular expression: invalid or unsupported Perl syntax: ` + "`(?=`" + ` (Go RE2 syntax: no lookaround, no backreferences) [regex-syntax]`,
			},
		},
		{
			name: "$workflows inputs are checked against the workflow's schema",
			doc: `workflows:
  - workflowId: login
    inputs: {type: object, properties: {user: {type: string}}}
    steps: [{stepId: s, operationId: s}]
  - workflowId: wf
    steps:
      - stepId: a
        operationId: a
        parameters: [{name: u, in: query, value: $workflows.login.inputs.usr}]
`,
			want: []string{`x.yaml:13:50: warning: $workflows.login.inputs.usr is not declared in the inputs schema of workflow "login" (properties: "user"); the schema allows other inputs, so it is read as input "usr" when one is given, and has no value otherwise ($workflows.login.inputs.user) [input-undeclared]`},
		},
		{
			name: "Selector Object selectors are checked by type",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: a
        operationId: a
        outputs:
          x: {context: $response.body, selector: '$.a[', type: jsonpath}
          y: {context: $response.body, selector: a/b, type: jsonpointer}
          z: {context: $response.body, selector: $.a, type: {type: jsonpath, version: draft-goessner-dispatch-jsonpath-00}}
`,
			want: []string{
				`x.yaml:11:55: error: invalid jsonpath selector: invalid JSONPath (RFC 9535): unexpected eof [jsonpath-syntax]`,
				`x.yaml:12:50: error: invalid jsonpointer selector: JSON pointer must start with '/', found 'a' [selector-object]`,
				`x.yaml:13:61: error: invalid Selector Object type: a selector needs RFC 9535 JSONPath; draft-goessner-dispatch-jsonpath-00 only reads comparisons [selector-object]`,
			},
		},
		{
			name: "offline, operations are not looked up",
			doc: `workflows:
  - workflowId: wf
    steps:
      - {stepId: a, operationId: doesNotExistAnywhere}
`,
		},
		{
			name: "a workflow output that reads an undeclared step output is an error",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: renew
        operationId: renew
        outputs: {token: $response.body#/token}
    outputs:
      token: $steps.renew.outputs.tokn
      other: $steps.renw.outputs.token
`,
			want: []string{
				`x.yaml:12:35: error: step "renew" declares no output "tokn" (declared: "token"); only declared outputs can be referenced, and workflow outputs are always evaluated, so the run would end in error after sending every request (a renewed token, say, would be lost) ($steps.renew.outputs.token) [step-output-unknown]`,
				`x.yaml:13:14: error: $steps.renw refers to no step of workflow "wf" (steps: "renew"); a step's outputs are visible only inside its own workflow, and workflow outputs are always evaluated, so the run would end in error after sending every request (a renewed token, say, would be lost) ($steps.renew.outputs.token) [step-ref-unknown]`,
			},
		},
		{
			name: "a step output read by a workflow output, through another, reads an undeclared one: an error",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: renew
        operationId: renew
        outputs: {token: $response.body#/token}
      - stepId: keep
        operationId: keep
        outputs:
          copy: $steps.renew.outputs.tokn
          unread: $steps.renew.outputs.tokn
      - stepId: wrap
        operationId: wrap
        outputs: {all: $steps.keep.outputs.copy}
    outputs:
      token: $steps.wrap.outputs.all
`,
			want: []string{
				`x.yaml:14:38: error: step "renew" declares no output "tokn" (declared: "token"); only declared outputs can be referenced, and a workflow output reads this value; workflow outputs are always evaluated, so the run would end in error after sending every request (a renewed token, say, would be lost) ($steps.renew.outputs.token) [step-output-unknown]`,
				`x.yaml:15:40: warning: step "renew" declares no output "tokn" (declared: "token"); only declared outputs can be referenced, and the step that evaluates this fails when it runs ($steps.renew.outputs.token) [step-output-unknown]`,
			},
		},
		{
			name: "a syntax error in an action's workflowId, at its offset in the value",
			doc: `workflows:
  - workflowId: wf
    steps:
      - stepId: a
        operationId: a
        onSuccess:
          - name: next
            type: goto
            workflowId: $sourceDescriptions.api.
`,
			want: []string{`x.yaml:13:49: error: invalid action next workflowId: expected a reference after "$sourceDescriptions.api.", found end of input [expression-syntax]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ds := Parse("x.yaml", []byte(casesHead+tt.doc))
			ds = append(ds, Validate(doc)...).Sort()
			var got []string
			for _, d := range ds {
				got = append(got, d.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if ds := Validate(nil); ds != nil {
		t.Errorf("Validate(nil) = %v", ds)
	}
}
