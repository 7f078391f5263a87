package arazzo

import (
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// action is a Success or Failure Action Object seen through one type, so that the
// checks common to both are written once.
type action struct {
	node       *Node
	failure    bool
	name       string
	typ        string
	workflowID string
	stepID     string
	params     []*Parameter
	criteria   []*Criterion
	reference  string
	isRef      bool
}

func actionOf(a any) *action {
	switch x := a.(type) {
	case *SuccessAction:
		return &action{node: &x.Node, name: x.Name, typ: x.Type, workflowID: x.WorkflowID, stepID: x.StepID,
			params: x.Parameters, criteria: x.Criteria, reference: x.Reference, isRef: x.IsReference()}
	case *FailureAction:
		return &action{node: &x.Node, failure: true, name: x.Name, typ: x.Type, workflowID: x.WorkflowID, stepID: x.StepID,
			params: x.Parameters, criteria: x.Criteria, reference: x.Reference, isRef: x.IsReference()}
	}
	return nil
}

func successActions(list []*SuccessAction) []*action {
	out := make([]*action, len(list))
	for i, a := range list {
		out[i] = actionOf(a)
	}
	return out
}

func failureActions(list []*FailureAction) []*action {
	out := make([]*action, len(list))
	for i, a := range list {
		out[i] = actionOf(a)
	}
	return out
}

// componentRef parses a Reusable Object's reference and returns the component type
// and key; ok is false (and the problem reported when report is set) when it does
// not parse.
func (v *validator) componentRef(n *Node, ref, path string, report bool) (typ, key string, ok bool) {
	loc := nodeLoc(n, "reference", v.paths.join(path, "reference"))
	var e *expr.Expression
	if report {
		e = v.parsedRef(n.Expr("reference"), loc, "reference")
	} else if p := n.Expr("reference"); p != nil {
		e = p.Expr
	}
	if e == nil {
		return "", "", false
	}
	if e.Kind != expr.KindComponent {
		if report {
			v.errorf(loc.at(0), loc.path, RuleComponentKind, "reference %q must name a component: $components.parameters.<name>, $components.successActions.<name> or $components.failureActions.<name>", ref)
		}
		return "", "", false
	}
	return e.ID, e.Name, true
}

// resolveAction resolves a Reusable Object in an action list to the component it
// names. It reports a reference that does not resolve, or resolves to the wrong kind,
// and returns nil then.
func (v *validator) resolveAction(a *action, path string, report bool) *action {
	want := "successActions"
	if a.failure {
		want = "failureActions"
	}
	typ, key, ok := v.componentRef(a.node, a.reference, path, report)
	if !ok {
		return nil
	}
	loc := a.node.ValuePos("reference")
	rp := v.paths.join(path, "reference")
	if typ != want {
		if report {
			v.suggest(SeverityError, loc, rp, RuleComponentKind, v.componentSuggestion(want, key),
				"reference %q names a %s component, but this list holds %s", a.reference, typ, want)
		}
		return nil
	}
	var found *action
	if c := v.doc.Components; c != nil {
		if a.failure {
			if fa := c.FailureActions[key]; fa != nil {
				found = actionOf(fa)
			}
		} else if sa := c.SuccessActions[key]; sa != nil {
			found = actionOf(sa)
		}
	}
	if found == nil || found.isRef {
		if report {
			keys := v.componentKeys(want)
			v.suggest(SeverityError, loc, rp, RuleUnknownComponent, prefixIfFound("$components."+want+".", closestName(key, keys)),
				"reference %q does not resolve: components.%s has no %q (defined: %s)", a.reference, want, key, quoteNames(keys))
		}
		return nil
	}
	return found
}

func prefixIfFound(prefix, name string) string {
	if name == "" {
		return ""
	}
	return prefix + name
}

// checkActionShape checks the fields of one action definition, inline or in
// components: the target fields its type needs, and fields its type ignores.
func (v *validator) checkActionShape(a *action, path string, sc *scope) {
	n := a.node
	hasStep, hasWF := n.Has("stepId"), n.Has("workflowId")
	switch {
	case hasStep && hasWF:
		v.errorf(n.KeyPos("workflowId"), v.paths.join(path, "workflowId"), RuleActionTarget,
			"action %q sets both stepId and workflowId; they are mutually exclusive", a.name)
	case a.typ == ActionGoto && !hasStep && !hasWF:
		v.errorf(n.ValuePos("type"), v.paths.join(path, "type"), RuleActionTarget,
			"goto action %q needs a target: set stepId (a step of this workflow) or workflowId", a.name)
	case a.typ == ActionEnd && (hasStep || hasWF):
		field := "stepId"
		if hasWF {
			field = "workflowId"
		}
		v.warnf(n.KeyPos(field), v.paths.join(path, field), RuleActionFieldIgnored,
			"%s is ignored in an end action; use type: goto to transfer control", field)
	}
	if a.failure && a.typ != ActionRetry && a.typ != "" {
		for _, f := range []string{"retryAfter", "retryLimit"} {
			if n.Has(f) {
				v.warnf(n.KeyPos(f), v.paths.join(path, f), RuleActionFieldIgnored, "%s applies only to retry actions; it is ignored in %s action", f, article(a.typ))
			}
		}
	}
	if a.failure && a.typ == ActionRetry && len(a.criteria) == 0 {
		v.warnf(n.ValuePos("type"), v.paths.join(path, "type"), RuleRetryNoCriteria,
			"retry action %q has no criteria, so it retries every failure, including 4xx responses that will fail again; add criteria such as $statusCode == 503", a.name)
	}
	if n.Has("parameters") && !hasWF {
		v.errorf(n.KeyPos("parameters"), v.paths.join(path, "parameters"), RuleActionParameters,
			"action parameters are passed to the workflow named by workflowId; action %q has no workflowId", a.name)
	}
	v.checkParams(a.params, v.paths.join(path, "parameters"), sc, ownerAction)
	v.checkCriteria(a.criteria, v.paths.join(path, "criteria"), sc)
}

// checkActionList checks a list of actions (step onSuccess/onFailure or
// workflow successActions/failureActions): names, references and targets.
func (v *validator) checkActionList(list []*action, path string, sc *scope) {
	seen := map[string]int{}
	for i, a := range list {
		p := v.paths.index(path, i)
		def := a
		if a.isRef {
			def = v.resolveAction(a, p, true)
		} else {
			v.checkActionShape(a, p, sc)
		}
		if def == nil {
			continue
		}
		pos := a.node.ValuePos("name")
		if a.isRef {
			pos = a.node.ValuePos("reference")
		}
		if first, dup := seen[def.name]; dup && def.name != "" {
			v.errorf(pos, p, RuleDuplicateAction, "action %q is already in this list at index %d; a list must not contain duplicate actions", def.name, first)
		} else {
			seen[def.name] = i
		}
		v.checkActionTargets(def, a, p, sc)
	}
}

// checkActionTargets checks the stepId or workflowId of an action definition in the
// workflow that uses it. at is the list entry (the reference for a component).
func (v *validator) checkActionTargets(def, at *action, path string, sc *scope) {
	if sc == nil || sc.w == nil {
		return
	}
	if def.typ == ActionEnd {
		return
	}
	via := ""
	pos := func(field string) Pos { return def.node.ValuePos(field) }
	if at.isRef {
		via = " (from " + at.reference + ")"
		pos = func(string) Pos { return at.node.ValuePos("reference") }
	}
	if def.node.Has("stepId") {
		if _, ok := v.stepIndex[sc.w][def.stepID]; !ok {
			ids := stepIDs(sc.w)
			v.suggest(SeverityError, pos("stepId"), v.paths.join(path, "stepId"), RuleUnknownStep, withName("stepId: ", closestName(def.stepID, ids), ""),
				"action %q%s goes to step %q, which is not a step of workflow %q (steps: %s)", def.name, via, def.stepID, sc.w.WorkflowID, quoteNames(ids))
		}
	}
	if def.node.Has("workflowId") {
		v.checkWorkflowRef(def.workflowID, def.node.Expr("workflowId"), pos("workflowId"), v.paths.join(path, "workflowId"), "action "+def.name+via+" workflowId")
	}
}

func stepIDs(w *Workflow) []string {
	ids := make([]string, 0, len(w.Steps))
	for _, s := range w.Steps {
		ids = append(ids, s.StepID)
	}
	return ids
}

// effectiveActions is the list a runtime uses after a step: the step's actions,
// then the workflow's actions whose names the step does not override.
// References are resolved; unresolvable entries are dropped.
func (v *validator) effectiveActions(step, workflow []*action) []*action {
	var out []*action
	names := map[string]bool{}
	for _, list := range [][]*action{step, workflow} {
		for _, a := range list {
			if a.isRef {
				a = v.resolveAction(a, "", false)
			}
			if a == nil || names[a.name] {
				continue
			}
			names[a.name] = true
			out = append(out, a)
		}
	}
	return out
}

// checkWorkflowRef checks a workflowId reference (step, action or dependsOn): a
// bare id names a workflow of this document; $sourceDescriptions.<name>.<id> a
// workflow of an arazzo-type source.
func (v *validator) checkWorkflowRef(ref string, parsed *Parsed, pos Pos, path, what string) {
	if !strings.HasPrefix(ref, "$") {
		if _, ok := v.workflows[ref]; !ok {
			ids := v.workflowOrder()
			v.suggest(SeverityError, pos, path, RuleUnknownWorkflow, withName("", closestName(ref, ids), ""),
				"%s %q names no workflow of this document (workflows: %s); a workflow of another document is written $sourceDescriptions.<name>.<workflowId>", what, ref, quoteNames(ids))
		}
		return
	}
	if parsed == nil {
		return
	}
	if parsed.Err != nil {
		v.exprError(parsed.Err, exprLoc{path: path, pos: pos}, RuleExpressionSyntax, "invalid "+what)
		return
	}
	e := parsed.Expr
	if e.Kind != expr.KindSourceDescription {
		v.errorf(pos, path, RuleUnknownWorkflow, "%s %q must be a workflowId or $sourceDescriptions.<name>.<workflowId>", what, ref)
		return
	}
	name := v.resolveSource(e.ID, pos, path)
	if name == "" {
		return
	}
	v.use(name)
	kind, ok := v.sourceKind(name)
	if ok && kind != SourceArazzo {
		v.errorf(pos, path, RuleSourceType, "%s %q refers to source %q of type %s; workflows come from arazzo-type sources", what, ref, name, kind)
		return
	}
	if v.src != nil && kind == SourceArazzo {
		if _, loaded := v.src.Kind(name); loaded {
			if _, found := v.src.Workflow(name, e.Name); !found {
				v.errorf(pos, path, RuleUnknownWorkflow, "%s %q: source %q has no workflow %q", what, ref, name, e.Name)
			}
		}
	}
}

// sourceKind returns the type of a source: the declared type, else the loaded one.
func (v *validator) sourceKind(name string) (string, bool) {
	if s := v.sources[name]; s != nil && s.Type != "" {
		return s.Type, true
	}
	if v.src != nil {
		return v.src.Kind(name)
	}
	return "", false
}

// resolveSource returns the declared source with that name. A name that matches
// exactly one source but for case is reported with a warning and resolved to it; an
// unknown one is reported and yields "".
func (v *validator) resolveSource(name string, pos Pos, path string) string {
	if _, ok := v.sources[name]; ok {
		return name
	}
	return v.unknownSource(name, pos, path)
}

func (v *validator) unknownSource(name string, pos Pos, path string) string {
	names := make([]string, 0, len(v.doc.SourceDescriptions))
	var folded []string
	for _, s := range v.doc.SourceDescriptions {
		names = append(names, s.Name)
		if strings.EqualFold(s.Name, name) {
			folded = append(folded, s.Name)
		}
	}
	if len(folded) == 1 {
		v.suggest(SeverityWarning, pos, path, RuleSourceNameCase, "$sourceDescriptions."+folded[0],
			"$sourceDescriptions.%s names no source description; read as source %q (names are case-sensitive)", name, folded[0])
		return folded[0]
	}
	v.suggest(SeverityError, pos, path, RuleUnknownSource, closestName(name, names),
		"$sourceDescriptions.%s names no source description (sources: %s)", name, quoteNames(names))
	return ""
}

// article prefixes a word with "a" or "an".
func article(w string) string {
	if w != "" && strings.ContainsRune("aeiou", rune(w[0])) {
		return "an " + w
	}
	return "a " + w
}

// componentSuggestion returns $components.<kind>.<key> when that component exists.
func (v *validator) componentSuggestion(kind, key string) string {
	c := v.doc.Components
	if c == nil {
		return ""
	}
	var ok bool
	switch kind {
	case "parameters":
		ok = c.Parameters[key] != nil
	case "successActions":
		ok = c.SuccessActions[key] != nil
	case "failureActions":
		ok = c.FailureActions[key] != nil
	}
	if !ok {
		return ""
	}
	return "$components." + kind + "." + key
}
