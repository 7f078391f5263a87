package runtime

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/arazzo-run/arazzo/asyncapi"
	"github.com/arazzo-run/arazzo/expr"
)

// Signature is what a caller needs to know about a workflow to call it without
// reading its document: the JSON Schemas of its inputs and outputs, and what
// its requests may do to the APIs they reach. Tool front ends (an MCP server)
// publish it.
type Signature struct {
	// Inputs is the workflow's inputs JSON Schema with every $ref to
	// components.inputs resolved in place, always an object schema; the inputs
	// whose schema says format: password are marked writeOnly: true.
	Inputs map[string]any
	// Outputs is an object schema with one property per declared output. The
	// type of an output is inferred from what it reads: a response body field
	// takes its schema from the OpenAPI description, $statusCode is an
	// integer, a header or a template a string, an input its input's schema;
	// else the property is unconstrained ({}).
	Outputs map[string]any
	// SecretInputs names the inputs whose schema says format: password or
	// writeOnly: true.
	SecretInputs []string
	// ReadOnly: every request the workflow can send (the workflows it calls
	// or transfers to included) uses a safe method (GET, HEAD, OPTIONS, TRACE,
	// QUERY), and it sends no AsyncAPI message, so running it changes nothing.
	ReadOnly bool
	// Idempotent: every such request may be repeated with no further effect
	// (RFC 9110 idempotent methods, or as the operation's x-idempotent says),
	// and it sends or receives no AsyncAPI message.
	Idempotent bool
	// Steps counts the workflow's own steps.
	Steps int
}

// Signature describes a workflow of the entry document (workflowID may be
// empty when there is one).
func (p *Plan) Signature(workflowID string) (*Signature, error) {
	wp, err := p.lookup(workflowID)
	if err != nil {
		return nil, err
	}
	sig := &Signature{Inputs: wp.inputs.jsonSchema(), Outputs: outputsSchema(wp), Steps: len(wp.steps)}
	for _, in := range wp.inputs.Inputs() {
		if in.Secret {
			sig.SecretInputs = append(sig.SecretInputs, in.Name)
		}
	}
	sig.ReadOnly, sig.Idempotent = effectsOf(wp)
	return sig, nil
}

// jsonSchema is the inputs schema as one self-contained object schema.
func (s *inputSchema) jsonSchema() map[string]any {
	out := map[string]any{}
	if s != nil {
		if m, ok := s.inline(s.root, 0).(map[string]any); ok {
			out = m
		}
	}
	if _, ok := out["type"]; !ok {
		out["type"] = "object"
	}
	if _, ok := out["properties"]; !ok {
		out["properties"] = map[string]any{}
	}
	if props, ok := out["properties"].(map[string]any); ok {
		for name, p := range props {
			pm, ok := p.(map[string]any)
			if !ok {
				continue
			}
			if f, _ := pm["format"].(string); f == "password" {
				pm["writeOnly"] = true
			}
			props[name] = pm
		}
	}
	return out
}

// maxInline bounds the $ref chains inline follows (a cycle ends there as an
// unconstrained schema).
const maxInline = 32

// inline copies v with every $ref to #/components/inputs/<key>[/pointer]
// replaced by what it refers to.
func (s *inputSchema) inline(v any, depth int) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			if depth >= maxInline {
				return map[string]any{}
			}
			if target, ok := s.component(ref); ok {
				return s.inline(target, depth+1)
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = s.inline(e, depth)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = s.inline(e, depth)
		}
		return out
	}
	return v
}

// component finds what #/components/inputs/<key>[/pointer] designates.
func (s *inputSchema) component(ref string) (any, bool) {
	const prefix = "#/components/inputs/"
	if !strings.HasPrefix(ref, prefix) || s.doc == nil || s.doc.Components == nil {
		return nil, false
	}
	toks := strings.Split(strings.TrimPrefix(ref, prefix), "/")
	c := s.doc.Components.Inputs[unescapePointerToken(toks[0])]
	if c == nil {
		return nil, false
	}
	cur := c.V
	for _, t := range toks[1:] {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[unescapePointerToken(t)]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// outputsSchema describes the workflow's outputs.
func outputsSchema(wp *workflowPlan) map[string]any {
	props := map[string]any{}
	for _, o := range wp.outputs {
		props[o.name] = valueSchema(o.value, wp, nil, 0)
	}
	return map[string]any{"type": "object", "properties": props}
}

// maxInference bounds how many output references valueSchema follows.
const maxInference = 16

// valueSchema infers the schema of a compiled value evaluated in workflow wp,
// after step sp when it is a step's output.
func valueSchema(v *valueExpr, wp *workflowPlan, sp *stepPlan, depth int) map[string]any {
	free := map[string]any{}
	if v == nil || v.Value == nil || depth > maxInference || slices.ContainsFunc(v.Parts(), func(p expr.Part) bool { return p.Selector != nil }) {
		return free
	}
	if e := v.Expr(); e != nil {
		return exprSchema(e, wp, sp, depth)
	}
	if len(v.Refs()) > 0 {
		return map[string]any{"type": "string"} // a template
	}
	lit, err := v.Eval(expr.ResolverFunc(func(*expr.Expression) (any, bool) { return nil, false }))
	if err != nil {
		return free
	}
	if t := literalType(lit); t != "" {
		return map[string]any{"type": t}
	}
	return free
}

func literalType(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, int64:
		return "integer"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

func exprSchema(e *expr.Expression, wp *workflowPlan, sp *stepPlan, depth int) map[string]any {
	var s map[string]any
	switch e.Kind {
	case expr.KindStatusCode:
		return map[string]any{"type": "integer"}
	case expr.KindURL, expr.KindMethod, expr.KindRequestHeader, expr.KindResponseHeader,
		expr.KindRequestQuery, expr.KindRequestPath, expr.KindResponsePath:
		return map[string]any{"type": "string"}
	case expr.KindResponseBody:
		if sp != nil && sp.op != nil {
			if b := sp.op.BodySchema(e.Pointer); b != nil {
				return b
			}
		}
		return map[string]any{}
	case expr.KindInputs:
		props, _ := wp.inputs.jsonSchema()["properties"].(map[string]any)
		s, _ = props[e.Name].(map[string]any)
	case expr.KindStepOutputs:
		if i, ok := wp.stepIndex[e.ID]; ok {
			step := wp.steps[i]
			for _, o := range step.outputs {
				if o.name == e.Name {
					s = valueSchema(o.value, wp, step, depth+1)
				}
			}
		}
	case expr.KindOutputs:
		// In a workflow step's outputs: the outputs of the workflow it ran.
		if sp != nil && sp.call != nil && sp.call.wf != nil {
			s = workflowOutputSchema(sp.call.wf, e.Name, depth)
		}
	case expr.KindWorkflowOutputs:
		for _, d := range wp.dependsOn {
			if d.wf != nil && d.wf.id == e.ID {
				s = workflowOutputSchema(d.wf, e.Name, depth)
			}
		}
	}
	if s == nil {
		return map[string]any{}
	}
	if e.HasPointer {
		return schemaAt(s, e.Pointer)
	}
	return s
}

func workflowOutputSchema(wf *workflowPlan, name string, depth int) map[string]any {
	for _, o := range wf.outputs {
		if o.name == name {
			return valueSchema(o.value, wf, nil, depth+1)
		}
	}
	return nil
}

// schemaAt walks a JSON Schema along a JSON pointer through properties and
// items; unconstrained where the schema does not say.
func schemaAt(s map[string]any, pointer string) map[string]any {
	if pointer == "" {
		return s
	}
	for _, t := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		t = unescapePointerToken(t)
		if props, ok := s["properties"].(map[string]any); ok {
			if p, ok := props[t].(map[string]any); ok {
				s = p
				continue
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			s = items
			continue
		}
		return map[string]any{}
	}
	return s
}

// safeMethods change nothing on the server (RFC 9110 §9.2.1).
var safeMethods = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true, "TRACE": true, "QUERY": true}

// effectsOf reports whether every request wp can send — its steps', the
// workflows it calls, depends on or transfers control to — is safe, and
// whether every one is idempotent.
func effectsOf(wp *workflowPlan) (readOnly, idempotent bool) {
	readOnly, idempotent = true, true
	seen := map[*workflowPlan]bool{}
	var walk func(w *workflowPlan)
	walk = func(w *workflowPlan) {
		if w == nil || seen[w] {
			return
		}
		seen[w] = true
		for _, d := range w.dependsOn {
			walk(d.wf)
		}
		for _, sp := range w.steps {
			if sp.op != nil {
				readOnly = readOnly && safeMethods[sp.op.Method]
				idempotent = idempotent && sp.op.Idempotent
			}
			if sp.async != nil {
				// A message sent cannot be taken back; one received (from
				// a queue) is not there for the next call.
				readOnly = readOnly && sp.async.action != asyncapi.ActionSend
				idempotent = false
			}
			if sp.call != nil {
				walk(sp.call.wf)
			}
			for _, acts := range [][]*actionPlan{sp.onSuccess, sp.onFailure} {
				for _, a := range acts {
					if a.workflow != nil {
						walk(a.workflow.wf)
					}
				}
			}
		}
	}
	walk(wp)
	return readOnly, idempotent
}
