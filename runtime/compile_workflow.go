package runtime

import (
	"errors"
	"fmt"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
	"github.com/arazzo-run/arazzo/openapi"
)

func (c *compiler) compileWorkflows(doc *arazzo.Document) {
	wfs := map[string]*workflowPlan{}
	c.plan.workflows[doc] = wfs
	for i, w := range doc.Workflows {
		wp := &workflowPlan{doc: doc, wf: w, id: w.WorkflowID, stepIndex: map[string]int{}}
		wfs[w.WorkflowID] = wp
		if doc == c.plan.doc {
			c.plan.order = append(c.plan.order, wp)
		}
		path := fmt.Sprintf("workflows[%d]", i)
		wp.inputs = c.compileInputs(doc, w, path)
		for j, s := range w.Steps {
			wp.stepIndex[s.StepID] = j
		}
		for j, s := range w.Steps {
			wp.steps = append(wp.steps, c.compileStep(wp, s, j, fmt.Sprintf("%s.steps[%d]", path, j)))
		}
		for _, sp := range wp.steps {
			compileStepDeps(wp, sp)
		}
		orderSteps(wp)
		for _, o := range w.Outputs {
			wp.outputs = append(wp.outputs, &outputPlan{name: o.Name, value: c.compileValue(doc, o.Value, path+".outputs."+o.Name)})
		}
		for _, r := range w.DependsOn {
			wp.dependsOn = append(wp.dependsOn, &workflowRef{text: r.Value, pos: r.Pos})
		}
	}
}

func (c *compiler) compileStep(wp *workflowPlan, s *arazzo.Step, index int, path string) *stepPlan {
	doc := wp.doc
	sp := &stepPlan{wf: wp, step: s, id: s.StepID, index: index, timeoutMS: s.Timeout}
	kind := s.Kind()
	if c.asyncTarget(doc, s) {
		kind = "async"
	}
	switch kind {
	case "async":
		sp.kind = stepAsync // completed below, once its parameters are known
	case "operationId":
		sp.kind = stepOperation
		sp.source, sp.op = c.resolveOperationID(doc, s, path)
	case "operationPath":
		sp.kind = stepOperation
		sp.source, sp.op = c.resolveOperationPath(doc, s, path)
	case "workflowId":
		sp.kind = stepWorkflow
		sp.call = &workflowRef{text: s.WorkflowID, pos: s.ValuePos("workflowId")}
	case "channelPath":
		// A channelPath that names no AsyncAPI source: the validator reports it.
	default:
		c.errorf(doc, s.Pos, path, RuleOperation, "step %q has none of operationId, operationPath or workflowId", s.StepID)
	}
	sp.params = c.effectiveParams(wp, s, sp, path)
	if s.RequestBody != nil {
		sp.body = c.compileBody(doc, sp, s.RequestBody, path+".requestBody")
	}
	for i, cr := range s.SuccessCriteria {
		sp.success = append(sp.success, c.compileCriterion(doc, cr, fmt.Sprintf("%s.successCriteria[%d]", path, i)))
	}
	for _, o := range s.Outputs {
		sp.outputs = append(sp.outputs, &outputPlan{name: o.Name, value: c.compileValue(doc, o.Value, path+".outputs."+o.Name)})
	}
	if sp.kind == stepAsync {
		sp.async = c.compileAsync(wp, s, sp, path)
	}
	sp.onSuccess = c.effectiveSuccess(wp, s, path)
	sp.onFailure = c.effectiveFailure(wp, s, path)
	return sp
}

// resolveOperationID finds the operation of an operationId step: a qualified
// $sourceDescriptions.name.opId, or a bare id searched in every OpenAPI source.
func (c *compiler) resolveOperationID(doc *arazzo.Document, s *arazzo.Step, path string) (*source, *openapi.Operation) {
	srcs := c.plan.sources[doc]
	id := s.OperationID
	if strings.HasPrefix(id, "$sourceDescriptions.") {
		e, err := expr.Parse(id)
		if err != nil || e.Kind != expr.KindSourceDescription {
			c.errorf(doc, s.ValuePos("operationId"), path+".operationId", RuleOperation, "operationId %q: expected $sourceDescriptions.<name>.<operationId>", id)
			return nil, nil
		}
		src := c.source(doc, e.ID)
		if src == nil {
			c.errorf(doc, s.ValuePos("operationId"), path+".operationId", RuleOperation, "operationId %q: no source description named %q", id, e.ID)
			return nil, nil
		}
		if src.openapi == nil {
			return src, nil // offline or not an OpenAPI source: reported elsewhere
		}
		op := findOperation(src.openapi, e.Name)
		if op == nil {
			c.errorf(doc, s.ValuePos("operationId"), path+".operationId", RuleOperation, "operation %q not found in source %q", e.Name, e.ID)
		}
		return src, op
	}
	var found []*source
	var ops []*openapi.Operation
	unloaded := false
	for _, sd := range doc.SourceDescriptions {
		src := srcs[sd.Name]
		if src == nil || src.openapi == nil {
			// Not loaded (offline), or AsyncAPI (its operations are not read):
			// an operation not found elsewhere may be there.
			unloaded = unloaded || src == nil || src.arazzo == nil
			continue
		}
		if op := findOperation(src.openapi, id); op != nil {
			found, ops = append(found, src), append(ops, op)
		}
	}
	switch len(found) {
	case 0:
		if unloaded {
			return nil, nil // a source was not loaded (offline): the operation cannot be checked
		}
		c.errorf(doc, s.ValuePos("operationId"), path+".operationId", RuleOperation, "operation %q not found in any OpenAPI source description", id)
		return nil, nil
	case 1:
		return found[0], ops[0]
	}
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = f.name
	}
	c.errorf(doc, s.ValuePos("operationId"), path+".operationId", RuleOperation, "operationId %q is ambiguous: it exists in sources %s; write $sourceDescriptions.<name>.%s", id, strings.Join(names, " and "), id)
	return nil, nil
}

// resolveOperationPath resolves "{$sourceDescriptions.name.url}#/paths/~1pets/get".
func (c *compiler) resolveOperationPath(doc *arazzo.Document, s *arazzo.Step, path string) (*source, *openapi.Operation) {
	text := s.OperationPath
	name, pointer, ok := splitOperationPath(text)
	if !ok {
		c.errorf(doc, s.ValuePos("operationPath"), path+".operationPath", RuleOperation, "operationPath %q: expected {$sourceDescriptions.<name>.url}#<JSON pointer>", text)
		return nil, nil
	}
	src := c.source(doc, name)
	if src == nil {
		c.errorf(doc, s.ValuePos("operationPath"), path+".operationPath", RuleOperation, "operationPath %q: no source description named %q", text, name)
		return nil, nil
	}
	if src.openapi == nil {
		return src, nil
	}
	op, err := src.openapi.OperationAt(pointer)
	if err != nil {
		c.errorf(doc, s.ValuePos("operationPath"), path+".operationPath", RuleOperation, "operationPath %q: %v", text, err)
		return src, nil
	}
	return src, op
}

// splitOperationPath splits an operationPath into its source name and JSON pointer.
func splitOperationPath(text string) (name, pointer string, ok bool) {
	before, after, found := strings.Cut(text, "#")
	if !found {
		return "", "", false
	}
	before = strings.TrimSpace(before)
	if strings.HasPrefix(before, "{") && strings.HasSuffix(before, "}") {
		before = before[1 : len(before)-1]
	}
	// $sourceDescriptions.<name> without .url has one reading too (the
	// validator warns: operation-path-form).
	if rest, ok := strings.CutPrefix(before, "$sourceDescriptions."); ok && rest != "" && !strings.Contains(rest, ".") {
		return rest, after, true
	}
	e, err := expr.Parse(before)
	if err != nil || e.Kind != expr.KindSourceDescription {
		return "", "", false
	}
	return e.ID, after, true
}

// effectiveParams merges workflow-level parameters with the step's: a step parameter
// with the same name and location overrides the workflow's, which cannot be removed.
func (c *compiler) effectiveParams(wp *workflowPlan, s *arazzo.Step, sp *stepPlan, path string) []*paramPlan {
	doc := wp.doc
	var out []*paramPlan
	add := func(p *arazzo.Parameter, ppath string) {
		pp := c.compileParam(doc, p, ppath)
		if pp == nil {
			return
		}
		if sp.kind == stepWorkflow {
			pp.in = "" // parameters of a workflow step map to its inputs, by name
		}
		if sp.op != nil && pp.in != "" {
			pp.spec = sp.op.Parameter(pp.name, pp.in)
		}
		for i, q := range out {
			// Parameter Object: a parameter is identified by name and in; header
			// names are case-insensitive.
			if q.in == pp.in && (q.name == pp.name || (pp.in == arazzo.InHeader && strings.EqualFold(q.name, pp.name))) {
				out[i] = pp
				return
			}
		}
		out = append(out, pp)
	}
	wpath := strings.SplitN(path, ".steps", 2)[0]
	for i, p := range wp.wf.Parameters {
		add(p, fmt.Sprintf("%s.parameters[%d]", wpath, i))
	}
	for i, p := range s.Parameters {
		add(p, fmt.Sprintf("%s.parameters[%d]", path, i))
	}
	if sp.op != nil {
		respell(sp.op, out)
	}
	return out
}

// respell reads a parameter the operation does not declare as the operation's
// parameter of the same location that it merely spells differently (pet_id for
// petId), when exactly one undeclared-by-the-step parameter matches; the
// validator warns with the operation's spelling (operation-parameter-spelling).
func respell(op *openapi.Operation, params []*paramPlan) {
	for _, pp := range params {
		if pp.spec != nil || pp.in == "" {
			continue
		}
		var free []string
		for _, prm := range op.Parameters {
			if prm.In != pp.in {
				continue
			}
			taken := false
			for _, q := range params {
				if q.in == prm.In && q.name == prm.Name {
					taken = true
				}
			}
			if !taken {
				free = append(free, prm.Name)
			}
		}
		if name, ok := arazzo.SpellingMatch(pp.name, free); ok {
			pp.name = name
			pp.spec = op.Parameter(name, pp.in)
		}
	}
}

// compileParam compiles a parameter, resolving a Reusable Object to its component.
func (c *compiler) compileParam(doc *arazzo.Document, p *arazzo.Parameter, path string) *paramPlan {
	name, in, val, pos := p.Name, p.In, p.Value, p.Pos
	if p.IsReference() {
		cp := c.componentParam(doc, p, path)
		if cp == nil {
			return nil
		}
		name, in = cp.Name, cp.In
		if p.Value == nil {
			val = cp.Value
		}
	}
	return &paramPlan{name: name, in: in, value: c.compileValue(doc, val, path+".value"), pos: pos, src: val}
}

func (c *compiler) componentParam(doc *arazzo.Document, p *arazzo.Parameter, path string) *arazzo.Parameter {
	return resolveComponent(c, doc, &p.Node, p.Reference, "parameters", "a parameter", path,
		func(cs *arazzo.Components) map[string]*arazzo.Parameter { return cs.Parameters })
}

// resolveComponent finds the component a Reusable Object's reference names
// ("$components.<kind>.<key>") in the document's components of that kind, or
// reports that it names none.
func resolveComponent[T any](c *compiler, doc *arazzo.Document, node *arazzo.Node, ref, kind, what, path string, table func(*arazzo.Components) map[string]*T) *T {
	if key, ok := componentKey(ref, kind); ok && doc.Components != nil {
		if t := table(doc.Components)[key]; t != nil {
			return t
		}
	}
	c.errorf(doc, node.ValuePos("reference"), path+".reference", RuleComponentRef, "reference %q does not name %s in components.%s", ref, what, kind)
	return nil
}

// componentKey extracts the key of "$components.<kind>.<key>".
func componentKey(ref, kind string) (string, bool) {
	e, err := expr.Parse(ref)
	if err != nil || e.Kind != expr.KindComponent || e.ID != kind {
		return "", false
	}
	return e.Name, true
}

func (c *compiler) compileBody(doc *arazzo.Document, sp *stepPlan, rb *arazzo.RequestBody, path string) *bodyPlan {
	bp := &bodyPlan{contentType: rb.ContentType}
	if rb.Payload != nil {
		bp.payload = c.compileValue(doc, rb.Payload, path+".payload")
	}
	for i, r := range rb.Replacements {
		bp.replacements = append(bp.replacements, &replacementPlan{target: r.Target, selectorType: r.TargetSelectorType,
			value: c.compileValue(doc, r.Value, fmt.Sprintf("%s.replacements[%d].value", path, i))})
	}
	var declared *openapi.RequestBody
	if sp.op != nil {
		declared = sp.op.RequestBody
	}
	if declared != nil {
		mt, ok := declared.SelectMediaType(rb.ContentType)
		if !ok && rb.ContentType != "" {
			c.warnf(doc, rb.ValuePos("contentType"), path+".contentType", RuleOperation, "contentType %q is not declared by operation %s %s; sending it anyway", rb.ContentType, sp.op.Method, sp.op.Path)
		}
		bp.media = mt
	} else {
		ct := rb.ContentType
		if ct == "" {
			ct = "application/json"
		}
		bp.media = openapi.MediaType{Name: ct}
	}
	return bp
}

func (c *compiler) compileCriterion(doc *arazzo.Document, cr *arazzo.Criterion, path string) *criterionPlan {
	ec, err := expr.CompileCriterion(expr.CriterionSpec{Condition: cr.Condition, Context: cr.Context, Type: cr.Type, Version: cr.Version})
	if err != nil {
		pos := cr.ValuePos("condition")
		var se *expr.SyntaxError
		if asSyntax(err, &se) {
			pos = cr.TextPos("condition", se.Offset)
		}
		c.errorf(doc, pos, path+".condition", RuleExpression, "%v", err)
		return nil
	}
	return &criterionPlan{c: cr, text: cr.Condition, crit: ec}
}

// effectiveSuccess is the step's onSuccess list followed by the workflow's
// successActions whose names the step does not override (spec: workflow actions
// "can be overridden at the step level but cannot be removed there").
func (c *compiler) effectiveSuccess(wp *workflowPlan, s *arazzo.Step, path string) []*actionPlan {
	var out []*actionPlan
	names := map[string]bool{}
	for i, a := range s.OnSuccess {
		if ap := c.successAction(wp, a, fmt.Sprintf("%s.onSuccess[%d]", path, i)); ap != nil {
			names[ap.name] = true
			out = append(out, ap)
		}
	}
	for i, a := range wp.wf.SuccessActions {
		if ap := c.successAction(wp, a, fmt.Sprintf("workflows.successActions[%d]", i)); ap != nil && !names[ap.name] {
			out = append(out, ap)
		}
	}
	return out
}

func (c *compiler) effectiveFailure(wp *workflowPlan, s *arazzo.Step, path string) []*actionPlan {
	var out []*actionPlan
	names := map[string]bool{}
	for i, a := range s.OnFailure {
		if ap := c.failureAction(wp, a, fmt.Sprintf("%s.onFailure[%d]", path, i)); ap != nil {
			names[ap.name] = true
			out = append(out, ap)
		}
	}
	for i, a := range wp.wf.FailureActions {
		if ap := c.failureAction(wp, a, fmt.Sprintf("workflows.failureActions[%d]", i)); ap != nil && !names[ap.name] {
			out = append(out, ap)
		}
	}
	return out
}

func (c *compiler) successAction(wp *workflowPlan, a *arazzo.SuccessAction, path string) *actionPlan {
	doc := wp.doc
	if a.IsReference() {
		if a = resolveComponent(c, doc, &a.Node, a.Reference, "successActions", "a success action", path,
			func(cs *arazzo.Components) map[string]*arazzo.SuccessAction { return cs.SuccessActions }); a == nil {
			return nil
		}
	}
	ap := &actionPlan{name: a.Name, kind: a.Type, stepID: a.StepID, stepIndex: -1, pos: a.Pos}
	c.actionCommon(wp, ap, a.StepID, a.WorkflowID, a.Parameters, a.Criteria, &a.Node, path)
	return ap
}

func (c *compiler) failureAction(wp *workflowPlan, a *arazzo.FailureAction, path string) *actionPlan {
	doc := wp.doc
	if a.IsReference() {
		if a = resolveComponent(c, doc, &a.Node, a.Reference, "failureActions", "a failure action", path,
			func(cs *arazzo.Components) map[string]*arazzo.FailureAction { return cs.FailureActions }); a == nil {
			return nil
		}
	}
	ap := &actionPlan{name: a.Name, kind: a.Type, stepID: a.StepID, stepIndex: -1, pos: a.Pos, retryAfter: a.RetryAfter, retryLimit: 1}
	if a.HasRetryLimit {
		// Failure Action Object: "If not specified then a single retry SHALL be attempted."
		ap.retryLimit = a.RetryLimit
	}
	c.actionCommon(wp, ap, a.StepID, a.WorkflowID, a.Parameters, a.Criteria, &a.Node, path)
	return ap
}

func (c *compiler) actionCommon(wp *workflowPlan, ap *actionPlan, stepID, workflowID string, params []*arazzo.Parameter, criteria []*arazzo.Criterion, node *arazzo.Node, path string) {
	doc := wp.doc
	if stepID != "" {
		idx, ok := wp.stepIndex[stepID]
		if !ok {
			c.errorf(doc, node.ValuePos("stepId"), path+".stepId", RuleActionTarget, "action %q: no step %q in workflow %q", ap.name, stepID, wp.id)
		}
		ap.stepIndex = idx
	}
	if workflowID != "" {
		ap.workflow = &workflowRef{text: workflowID, pos: node.ValuePos("workflowId")}
	}
	for i, p := range params {
		if pp := c.compileParam(doc, p, fmt.Sprintf("%s.parameters[%d]", path, i)); pp != nil {
			pp.in = ""
			ap.params = append(ap.params, pp)
		}
	}
	for i, cr := range criteria {
		ap.criteria = append(ap.criteria, c.compileCriterion(doc, cr, fmt.Sprintf("%s.criteria[%d]", path, i)))
	}
}

// bindWorkflow resolves the workflow references of a workflow once all are compiled.
func (c *compiler) bindWorkflow(wp *workflowPlan) {
	if wp == nil {
		return
	}
	for _, r := range wp.dependsOn {
		c.bindRef(wp.doc, r, "dependsOn")
	}
	for _, sp := range wp.steps {
		if sp.call != nil {
			c.bindRef(wp.doc, sp.call, "step "+sp.id)
		}
		for _, d := range sp.deps {
			c.bindStepDep(wp.doc, d)
		}
		for _, a := range append(append([]*actionPlan{}, sp.onSuccess...), sp.onFailure...) {
			if a.workflow != nil && a.workflow.wf == nil {
				c.bindRef(wp.doc, a.workflow, "action "+a.name)
			}
		}
	}
}

// bindRef resolves a workflowId: a bare id names a workflow of the same document;
// $sourceDescriptions.<name>.<workflowId> names one of an Arazzo source.
func (c *compiler) bindRef(doc *arazzo.Document, r *workflowRef, what string) {
	if r.wf != nil {
		return
	}
	target, id := doc, r.text
	if strings.HasPrefix(r.text, "$sourceDescriptions.") {
		e, err := expr.Parse(r.text)
		if err != nil || e.Kind != expr.KindSourceDescription {
			c.errorf(doc, r.pos, "", RuleWorkflowRef, "%s: %q is not $sourceDescriptions.<name>.<workflowId>", what, r.text)
			return
		}
		src := c.source(doc, e.ID)
		if src == nil || src.arazzo == nil {
			c.errorf(doc, r.pos, "", RuleWorkflowRef, "%s: %q: source %q is not a loaded Arazzo description", what, r.text, e.ID)
			return
		}
		target, id = src.arazzo, e.Name
	}
	wp := c.plan.workflows[target][id]
	if wp == nil {
		c.errorf(doc, r.pos, "", RuleWorkflowRef, "%s: no workflow %q", what, r.text)
		return
	}
	r.wf = wp
}

// bindStepDep finds the step of another workflow that a step-level dependsOn
// entry names. One that cannot be found (a source not loaded) stays unbound:
// Validate reports the entries that name nothing.
func (c *compiler) bindStepDep(doc *arazzo.Document, d *stepDep) {
	if d.local != nil || d.workflowID == "" {
		return
	}
	target := doc
	if d.source != "" {
		src := c.source(doc, d.source)
		if src == nil || src.arazzo == nil {
			return
		}
		target = src.arazzo
	}
	if wp := c.plan.workflows[target][d.workflowID]; wp != nil {
		if i, ok := wp.stepIndex[d.stepID]; ok {
			d.step = wp.steps[i]
		}
	}
}

func asSyntax(err error, target **expr.SyntaxError) bool { return errors.As(err, target) }

// source finds a source description of doc by name; a name that differs only in
// case from exactly one source is read as that source (the validator warns:
// source-name-case).
func (c *compiler) source(doc *arazzo.Document, name string) *source {
	srcs := c.plan.sources[doc]
	if src := srcs[name]; src != nil {
		return src
	}
	var match *source
	for n, src := range srcs {
		if strings.EqualFold(n, name) {
			if match != nil {
				return nil
			}
			match = src
		}
	}
	return match
}
