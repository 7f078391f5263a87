package arazzo

import (
	"slices"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// checkOperation resolves a step's operation in the loaded sources and checks the
// step's parameters and request body against it. It is called only WithSources.
func (v *validator) checkOperation(w *Workflow, s *Step, path string, t target, ps, wps []param) {
	field := t.field
	p := v.paths.join(path, field)
	pos := s.ValuePos(field)
	if t.source != "" {
		if kind, loaded := v.src.Kind(t.source); !loaded || kind != SourceOpenAPI {
			return // not loaded, or not OpenAPI: nothing to check against
		}
	}
	var op OperationInfo
	switch t.kind {
	case "operationId":
		if t.source == "" {
			return // several candidate sources: resolved and reported by checkOperationID
		}
		ops := v.src.FindOperation(t.source, t.id)
		if len(ops) == 0 {
			v.suggest(SeverityError, pos, p, RuleUnknownOperation, v.closestOperation(t.source, t.id),
				"operationId %q does not exist in source %q", t.id, t.source)
			return
		}
		op = ops[0]
		if op.ID != t.id {
			v.suggest(SeverityWarning, pos, p, RuleOperationIDCase, strings.Replace(s.OperationID, t.id, op.ID, 1),
				"operationId %q is spelt %q in source %q (operationIds are case-sensitive); read as that operation", t.id, op.ID, t.source)
		}
	case "operationPath":
		if t.source == "" || t.pointer == "" {
			return
		}
		var err error
		op, err = v.src.OperationAt(t.source, t.pointer)
		if err != nil {
			var ok bool
			if op, ok = v.pathItemReading(s, p, pos, t, err); !ok {
				return
			}
		}
	}
	v.checked.operations[s] = op
	if len(op.Defects) > 0 {
		for _, d := range op.Defects {
			if v.defectUsed == nil {
				v.defectUsed = map[SourceDefect]bool{}
			}
			v.defectUsed[d] = true
		}
		v.errorf(pos, p, RuleSourceDefect, "step %q calls %s of source %q, which cannot be built: %s",
			s.StepID, operationName(op), t.source, op.Defects[0])
	}
	respelt := map[string]bool{}
	for _, sp := range ps {
		if sp.in == "" || sp.in == InQueryString {
			continue
		}
		if sp.in == InHeader && ignoredHeader(sp.name) {
			continue // OpenAPI ignores these header parameters; the step's value is sent as given
		}
		if findParam(op.Params, sp.name, sp.in) < 0 {
			if name, ok := SpellingMatch(sp.name, unsupplied(op.Params, sp.in, ps, wps)); ok {
				v.suggest(SeverityWarning, sp.pos, sp.path, RuleOperationParamSpelling, "name: "+name,
					"operation %s has no %s parameter %q; read as its parameter %q, spelt differently", operationName(op), sp.in, sp.name, name)
				respelt[sp.in+"\x00"+name] = true
				continue
			}
			v.warnf(sp.pos, sp.path, RuleOperationParamExtra, "operation %s has no %s parameter %q; it is sent anyway", operationName(op), sp.in, sp.name)
		}
	}
	for _, want := range op.Params {
		if !want.Required && want.In != InPath {
			continue
		}
		if sp, ok := supplier(ps, want); ok || respelt[want.In+"\x00"+want.Name] {
			if ok {
				v.checkOptionalInput(w, sp, want, op)
			}
			continue
		}
		if sp, ok := supplier(wps, want); ok {
			v.checkOptionalInput(w, sp, want, op)
			continue
		}
		v.suggest(SeverityWarning, pos, v.paths.join(path, "parameters"), RuleOperationParamNeeded,
			"{name: "+want.Name+", in: "+want.In+", value: ...}",
			"operation %s requires %s parameter %q; neither the step nor its workflow supplies it, so the step fails when it runs (its request cannot be built)", operationName(op), want.In, want.Name)
	}
	if s.RequestBody != nil && !op.HasRequestBody {
		v.warnf(s.KeyPos("requestBody"), v.paths.join(path, "requestBody"), RuleOperationNoBody,
			"operation %s takes no request body; the step's requestBody is sent anyway", operationName(op))
	}
}

// operationName names an operation in messages: "getPet (GET /pets/{id})".
func operationName(op OperationInfo) string {
	name := strings.ToUpper(op.Method) + " " + op.Path
	if op.ID != "" {
		name = op.ID + " (" + name + ")"
	}
	return name
}

// closestOperation suggests the operationId of a source nearest to a
// misspelt one, as the standard form of the step's operationId.
func (v *validator) closestOperation(source, id string) string {
	var ids []string
	for _, o := range v.src.Operations(source) {
		if o.ID != "" {
			ids = append(ids, o.ID)
		}
	}
	if best := closestName(id, ids); best != "" {
		return "$sourceDescriptions." + source + "." + best
	}
	return ""
}

// pathItemReading reads an operationPath that points at a path item instead
// of one of its operations ("#/paths/~1pets"): it has one reading when the
// path item has one operation, and several (an error) otherwise.
func (v *validator) pathItemReading(s *Step, p string, pos Pos, t target, err error) (OperationInfo, bool) {
	toks := strings.Split(t.pointer, "/")
	if len(toks) != 3 || toks[0] != "" || toks[1] != "paths" {
		v.errorf(pos, p, RuleUnknownOperation, "%s %q does not resolve to an operation: %v", t.field, s.OperationPath+s.OperationID, err)
		return OperationInfo{}, false
	}
	itemPath := unescapePointerToken(toks[2])
	var ops []OperationInfo
	for _, o := range v.src.Operations(t.source) {
		if o.Path == itemPath {
			ops = append(ops, o)
		}
	}
	switch len(ops) {
	case 0:
		v.errorf(pos, p, RuleUnknownOperation, "%s %q does not resolve to an operation: source %q has no path %q", t.field, t.pointer, t.source, itemPath)
		return OperationInfo{}, false
	case 1:
		std := t.pointer + "/" + strings.ToLower(ops[0].Method)
		v.suggest(SeverityWarning, pos, p, RuleOperationPathMethod, "{$sourceDescriptions."+t.source+".url}#"+std,
			"%s points at path %q, not at one of its operations; the path has one operation, %s, and is read as it", t.field, itemPath, operationName(ops[0]))
		return ops[0], true
	}
	forms := make([]string, len(ops))
	for i, o := range ops {
		forms[i] = t.pointer + "/" + strings.ToLower(o.Method)
	}
	v.errorf(pos, p, RuleAmbiguousOperation, "%s points at path %q, which has %d operations: %s; add the method to the pointer", t.field, itemPath, len(ops), strings.Join(forms, ", "))
	return OperationInfo{}, false
}

// findParam returns the index of the operation parameter with that name and
// location; header names compare case-insensitively (RFC 9110).
func findParam(ps []ParamInfo, name, in string) int {
	for i, p := range ps {
		if p.In != in {
			continue
		}
		if p.Name == name || in == InHeader && strings.EqualFold(p.Name, name) {
			return i
		}
	}
	return -1
}

// supplier finds the parameter that supplies want.
func supplier(ps []param, want ParamInfo) (param, bool) {
	for _, p := range ps {
		if p.in == want.In && (p.name == want.Name || want.In == InHeader && strings.EqualFold(p.name, want.Name)) {
			return p, true
		}
	}
	return param{}, false
}

// checkOptionalInput warns when a parameter the operation requires takes its
// value from an input the workflow does not require and gives no default: a
// run without that input cannot build the request.
func (v *validator) checkOptionalInput(w *Workflow, p param, want ParamInfo, op OperationInfo) {
	cv, _ := p.value.Compiled()
	if cv == nil || cv.Expr() == nil || cv.Expr().Kind != expr.KindInputs {
		return
	}
	e, text := cv.Expr(), cv.Expr().Text
	schema := v.inputsSchema(w.Inputs)
	props, _ := schema["properties"].(map[string]any)
	prop, declared := props[e.Name]
	if !declared {
		return // input-unknown reports it
	}
	if req, _ := schema["required"].([]any); slices.Contains(req, any(e.Name)) {
		return
	}
	if pm := v.inputsSchema(&Value{V: prop}); pm != nil {
		if _, ok := pm["default"]; ok {
			return
		}
	}
	v.warnf(p.value.Pos, v.paths.join(p.path, "value"), RuleOptionalInputRequired,
		"operation %s requires %s parameter %q, but its value %s is an optional input without a default: a run without it stops at this step; list %q in the workflow's inputs required (or give it a default)",
		operationName(op), want.In, want.Name, text, e.Name)
}

// ignoredHeader reports the header parameters an OpenAPI operation cannot declare
// (OpenAPI 3.x Parameter Object: "If in is header and the name field is Accept,
// Content-Type or Authorization, the parameter definition SHALL be ignored").
func ignoredHeader(name string) bool {
	return strings.EqualFold(name, "Accept") || strings.EqualFold(name, "Content-Type") || strings.EqualFold(name, "Authorization")
}

// unsupplied lists the operation's parameters in a location that neither the
// step nor its workflow supplies under their exact name.
func unsupplied(params []ParamInfo, in string, ps, wps []param) []string {
	var out []string
	for _, p := range params {
		_, byStep := supplier(ps, p)
		_, byWorkflow := supplier(wps, p)
		if p.In == in && !byStep && !byWorkflow {
			out = append(out, p.Name)
		}
	}
	return out
}
