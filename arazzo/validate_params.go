package arazzo

import "slices"

// owner is what a parameter list is passed to, which decides the rules for `in`.
type owner int

const (
	ownerOperation    owner = iota // a step calling an operation (OpenAPI or AsyncAPI)
	ownerWorkflowStep              // a step calling a workflow: parameters are its inputs
	ownerWorkflow                  // workflow-level parameters, passed to every step
	ownerAction                    // 1.1 action parameters: inputs of the target workflow
	ownerUnknown                   // a step without a valid target
)

// param is a parameter after resolving a Reusable Object.
type param struct {
	name, in string
	// pos is where the entry is written (the reference for a reusable one).
	pos  Pos
	path string
	// inPos is where `in` is written, or pos when absent.
	inPos Pos
	via   string // the reference, for messages
	value *Value // the value passed (nil when absent)
}

// checkParams checks a parameter list and returns the parameters it passes.
func (v *validator) checkParams(list []*Parameter, path string, sc *scope, own owner) []param {
	var out []param
	seen := map[[2]string]int{}
	for i, p := range list {
		pp := v.paths.index(path, i)
		ep, ok := v.resolveParam(p, pp, sc)
		if !ok {
			continue
		}
		key := [2]string{ep.name, ep.in}
		if first, dup := seen[key]; dup {
			loc := "in: " + ep.in
			if ep.in == "" {
				loc = "no in"
			}
			v.errorf(ep.pos, pp, RuleDuplicateParameter, "parameter %q (%s) is already in this list at index %d; a list must not contain duplicate parameters (a parameter is identified by name and in)", ep.name, loc, first)
		} else {
			seen[key] = i
		}
		v.checkParamIn(ep, own)
		out = append(out, ep)
	}
	if own == ownerOperation || own == ownerWorkflow {
		v.checkQuerystring(out)
	}
	return out
}

// resolveParam resolves an entry of a parameter list and checks its value's
// expressions in scope.
func (v *validator) resolveParam(p *Parameter, path string, sc *scope) (param, bool) {
	if !p.IsReference() {
		v.checkValueExpressions(p.Value, v.paths.join(path, "value"), sc)
		return param{name: p.Name, in: p.In, pos: p.Node.ValuePos("name"), inPos: p.Node.ValuePos("in"), path: path, value: p.Value}, true
	}
	typ, key, ok := v.componentRef(&p.Node, p.Reference, path, true)
	if !ok {
		return param{}, false
	}
	pos := p.Node.ValuePos("reference")
	rp := v.paths.join(path, "reference")
	if typ != "parameters" {
		v.suggest(SeverityError, pos, rp, RuleComponentKind, v.componentSuggestion("parameters", key),
			"reference %q names a %s component, but this is a parameter list", p.Reference, typ)
		return param{}, false
	}
	var comp *Parameter
	if c := v.doc.Components; c != nil {
		comp = c.Parameters[key]
	}
	if comp == nil || comp.IsReference() {
		keys := v.componentKeys("parameters")
		v.suggest(SeverityError, pos, rp, RuleUnknownComponent, prefixIfFound("$components.parameters.", closestName(key, keys)),
			"reference %q does not resolve: components.parameters has no %q (defined: %s)", p.Reference, key, quoteNames(keys))
		return param{}, false
	}
	value := comp.Value
	if p.Has("value") {
		value = p.Value
		v.checkValueExpressions(p.Value, v.paths.join(path, "value"), sc)
	} else if sc != nil {
		v.checkValueExpressions(comp.Value, v.paths.join(v.paths.join("components.parameters", key), "value"), sc)
	}
	return param{name: comp.Name, in: comp.In, pos: pos, inPos: pos, path: path, via: p.Reference, value: value}, true
}

// checkParamIn applies the rules for `in`: required when the parameter goes to an
// operation, ignored for a workflow step, forbidden on action parameters (1.1).
func (v *validator) checkParamIn(p param, own owner) {
	via := ""
	if p.via != "" {
		via = " (from " + p.via + ")"
	}
	switch {
	case own == ownerOperation && p.in == "":
		v.errorf(p.pos, p.path, RuleParameterInMissing,
			"parameter %q%s is passed to an operation and needs `in` (path, query, header or cookie) to say where it goes", p.name, via)
	case own == ownerWorkflowStep && p.in != "":
		v.warnf(p.inPos, v.paths.join(p.path, "in"), RuleParameterInIgnored,
			"`in: %s` of parameter %q%s is ignored: the parameters of a step that calls a workflow are that workflow's inputs", p.in, p.name, via)
	case own == ownerAction && p.in != "" && v.version != "1.0":
		v.errorf(p.inPos, v.paths.join(p.path, "in"), RuleParameterInForbidden,
			"action parameter %q%s must not have `in`: action parameters are inputs of the target workflow", p.name, via)
	}
}

// checkQuerystring reports a querystring parameter next to query parameters: a
// querystring parameter is the whole query string (OpenAPI 3.2).
func (v *validator) checkQuerystring(ps []param) {
	qs := slices.IndexFunc(ps, func(p param) bool { return p.in == InQueryString })
	if qs < 0 {
		return
	}
	for _, p := range ps {
		if p.in == InQuery {
			v.errorf(p.inPos, v.paths.join(p.path, "in"), RuleQuerystringWithQuery,
				"query parameter %q cannot be combined with querystring parameter %q, which sets the whole query string", p.name, ps[qs].name)
		}
	}
}
