package runtime

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
	"github.com/arazzo-run/arazzo/openapi"
	"github.com/santhosh-tekuri/jsonschema/v6"
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
		wp.inputs = c.compileInputs(doc, w)
		for j, s := range w.Steps {
			wp.stepIndex[s.StepID] = j
		}
		wpath := "workflows[" + strconv.Itoa(i) + "]"
		c.checkInputsSchema(doc, w, wp.inputs, wpath+".inputs")
		wp.errors = errorsAt(c.diags, doc.File, wpath)
		for j, s := range w.Steps {
			spath := wpath + ".steps[" + strconv.Itoa(j) + "]"
			sp := c.compileStep(wp, s, j, spath)
			sp.errors = errorsAt(wp.errors, doc.File, spath)
			wp.steps = append(wp.steps, sp)
		}
		wp.errors = slices.DeleteFunc(wp.errors, func(d arazzo.Diagnostic) bool { return underPath(d.Path, wpath+".steps[") })
		for _, sp := range wp.steps {
			compileStepDeps(wp, sp)
		}
		orderSteps(wp)
		for _, o := range w.Outputs {
			wp.outputs = append(wp.outputs, &outputPlan{name: o.Name, value: c.compileValue(doc, o.Value)})
		}
		for _, r := range w.DependsOn {
			wp.dependsOn = append(wp.dependsOn, &workflowRef{text: r.Value, pos: r.Pos, parsed: r.Parsed})
		}
	}
}

func (c *compiler) compileStep(wp *workflowPlan, s *arazzo.Step, index int, path string) *stepPlan {
	doc := wp.doc
	chk := c.checked[doc]
	sp := &stepPlan{wf: wp, step: s, id: s.StepID, index: index, timeoutMS: s.Timeout}
	kind := s.Kind()
	if c.asyncTarget(doc, s) {
		kind = "async"
	}
	switch kind {
	case "async":
		sp.kind = stepAsync // completed below, once its parameters are known
	case "operationId", "operationPath":
		sp.kind = stepOperation
		if info, ok := chk.Operation(s); ok {
			sp.source = c.source(doc, info.Source)
			sp.op, _ = info.Handle.(*openapi.Operation)
		} else {
			sp.source = c.stepSource(doc, s)
		}
	case "workflowId":
		sp.kind = stepWorkflow
		sp.call = &workflowRef{text: s.WorkflowID, pos: s.ValuePos("workflowId"), parsed: s.Expr("workflowId")}
	case "channelPath":
		// A channelPath that names no AsyncAPI source: the validator reports it.
	}
	sp.params = c.effectiveParams(wp, s, sp)
	if s.RequestBody != nil {
		sp.body = c.compileBody(doc, sp, s.RequestBody)
	}
	for _, cr := range s.SuccessCriteria {
		if cp := c.compileCriterion(doc, cr); cp != nil {
			sp.success = append(sp.success, cp)
		}
	}
	for _, o := range s.Outputs {
		sp.outputs = append(sp.outputs, &outputPlan{name: o.Name, value: c.compileValue(doc, o.Value)})
	}
	if sp.kind == stepAsync {
		sp.async = c.compileAsync(wp, s, sp, path)
	}
	sp.onSuccess = c.effectiveSuccess(wp, s)
	sp.onFailure = c.effectiveFailure(wp, s)
	return sp
}

// sourcePath splits an operationPath or channelPath into its source name and
// JSON pointer, from the expression the loader parsed (the standard form) or
// the non-standard $sourceDescriptions.<name>#<pointer> the checker reads.
func sourcePath(s *arazzo.Step, field string) (name, pointer string, ok bool) {
	text := s.OperationPath
	if field == "channelPath" {
		text = s.ChannelPath
	}
	head, pointer, found := strings.Cut(text, "#")
	if !found {
		return "", "", false
	}
	if p := s.Expr(field); p != nil {
		if p.Expr == nil || p.Expr.Kind != expr.KindSourceDescription {
			return "", "", false
		}
		return p.Expr.ID, pointer, true
	}
	if rest, ok := strings.CutPrefix(head, "$sourceDescriptions."); ok && rest != "" {
		return strings.TrimSuffix(rest, ".url"), pointer, true
	}
	return head, pointer, head != "" // "<source>#<pointer>"
}

// errorf and warnf report what only compiling finds: the checks of AsyncAPI
// steps (async_compile.go), which the checker does not see.
func (c *compiler) errorf(doc *arazzo.Document, pos arazzo.Pos, path, rule, format string, args ...any) {
	c.diags = append(c.diags, arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: rule, File: doc.File, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *compiler) warnf(doc *arazzo.Document, pos arazzo.Pos, path, rule, format string, args ...any) {
	c.diags = append(c.diags, arazzo.Diagnostic{Severity: arazzo.SeverityWarning, Rule: rule, File: doc.File, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

// errorsAt returns the errors of file at path or inside it.
func errorsAt(ds arazzo.Diagnostics, file, path string) arazzo.Diagnostics {
	var out arazzo.Diagnostics
	for _, d := range ds {
		if d.Severity == arazzo.SeverityError && d.File == file && (d.Path == path || underPath(d.Path, path+".") || underPath(d.Path, path+"[")) {
			out = append(out, d)
		}
	}
	return out
}

func underPath(p, prefix string) bool { return strings.HasPrefix(p, prefix) }

// stepSource is the source an operation step names when the checker resolved
// no operation for it (the source is not an OpenAPI one, or was not loaded).
func (c *compiler) stepSource(doc *arazzo.Document, s *arazzo.Step) *source {
	field := s.Kind()
	if p := s.Expr(field); p != nil && p.Expr != nil && p.Expr.Kind == expr.KindSourceDescription {
		return c.source(doc, p.Expr.ID)
	}
	var only *source
	for _, sd := range doc.SourceDescriptions {
		if src := c.plan.sources[doc][sd.Name]; src != nil && src.kind != arazzo.SourceArazzo {
			if only != nil {
				return nil
			}
			only = src
		}
	}
	return only
}

// effectiveParams merges workflow-level parameters with the step's: a step parameter
// with the same name and location overrides the workflow's, which cannot be removed.
func (c *compiler) effectiveParams(wp *workflowPlan, s *arazzo.Step, sp *stepPlan) []*paramPlan {
	doc := wp.doc
	var out []*paramPlan
	add := func(p *arazzo.Parameter) {
		pp := c.compileParam(doc, p)
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
	for _, p := range wp.wf.Parameters {
		add(p)
	}
	for _, p := range s.Parameters {
		add(p)
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

// compileParam compiles a parameter, resolving a Reusable Object to its
// component (nil when it names none: the checker reported it).
func (c *compiler) compileParam(doc *arazzo.Document, p *arazzo.Parameter) *paramPlan {
	name, in, val, pos := p.Name, p.In, p.Value, p.Pos
	if p.IsReference() {
		cp := component(doc, p.Expr("reference"), "parameters", func(cs *arazzo.Components) map[string]*arazzo.Parameter { return cs.Parameters })
		if cp == nil {
			return nil
		}
		name, in = cp.Name, cp.In
		if p.Value == nil {
			val = cp.Value
		}
	}
	return &paramPlan{name: name, in: in, value: c.compileValue(doc, val), pos: pos, src: val}
}

// component finds the component a Reusable Object's parsed reference
// ("$components.<kind>.<key>") names, or nil.
func component[T any](doc *arazzo.Document, ref *arazzo.Parsed, kind string, table func(*arazzo.Components) map[string]*T) *T {
	if ref == nil || ref.Expr == nil || ref.Expr.Kind != expr.KindComponent || ref.Expr.ID != kind || doc.Components == nil {
		return nil
	}
	return table(doc.Components)[ref.Expr.Name]
}

func (c *compiler) compileBody(doc *arazzo.Document, sp *stepPlan, rb *arazzo.RequestBody) *bodyPlan {
	bp := &bodyPlan{contentType: rb.ContentType}
	if jv, err := c.checked[doc].Payload(rb); jv != nil || err != nil {
		// A string payload sent as JSON: its JSON text, read once by the checker.
		bp.payload, bp.payloadErr = &valueExpr{Value: jv}, err
	} else if rb.Payload != nil {
		bp.payload = c.compileValue(doc, rb.Payload)
	}
	for _, r := range rb.Replacements {
		bp.replacements = append(bp.replacements, &replacementPlan{target: r.Target, selectorType: r.TargetSelectorType,
			value: c.compileValue(doc, r.Value)})
	}
	var declared *openapi.RequestBody
	if sp.op != nil {
		declared = sp.op.RequestBody
	}
	if declared != nil {
		bp.media, _ = declared.SelectMediaType(rb.ContentType)
	} else {
		ct := rb.ContentType
		if ct == "" {
			ct = "application/json"
		}
		bp.media = openapi.MediaType{Name: ct}
	}
	return bp
}

// compileCriterion takes the criterion the loader compiled, with the
// readings the checker chose (nil when it does not compile: reported).
func (c *compiler) compileCriterion(doc *arazzo.Document, cr *arazzo.Criterion) *criterionPlan {
	ec, err := cr.Compiled()
	if err != nil || ec == nil {
		return nil
	}
	if chk := c.checked[doc]; chk.HasReadings() {
		ec = ec.Rewrite(chk.Reading)
	}
	return &criterionPlan{c: cr, text: cr.Condition, crit: ec}
}

// effectiveSuccess is the step's onSuccess list followed by the workflow's
// successActions whose names the step does not override (spec: workflow actions
// "can be overridden at the step level but cannot be removed there").
func (c *compiler) effectiveSuccess(wp *workflowPlan, s *arazzo.Step) []*actionPlan {
	var out []*actionPlan
	names := map[string]bool{}
	for _, a := range s.OnSuccess {
		if ap := c.successAction(wp, a); ap != nil {
			names[ap.name] = true
			out = append(out, ap)
		}
	}
	for _, a := range wp.wf.SuccessActions {
		if ap := c.successAction(wp, a); ap != nil && !names[ap.name] {
			out = append(out, ap)
		}
	}
	return out
}

func (c *compiler) effectiveFailure(wp *workflowPlan, s *arazzo.Step) []*actionPlan {
	var out []*actionPlan
	names := map[string]bool{}
	for _, a := range s.OnFailure {
		if ap := c.failureAction(wp, a); ap != nil {
			names[ap.name] = true
			out = append(out, ap)
		}
	}
	for _, a := range wp.wf.FailureActions {
		if ap := c.failureAction(wp, a); ap != nil && !names[ap.name] {
			out = append(out, ap)
		}
	}
	return out
}

func (c *compiler) successAction(wp *workflowPlan, a *arazzo.SuccessAction) *actionPlan {
	if a.IsReference() {
		if a = component(wp.doc, a.Expr("reference"), "successActions", func(cs *arazzo.Components) map[string]*arazzo.SuccessAction { return cs.SuccessActions }); a == nil {
			return nil
		}
	}
	ap := &actionPlan{name: a.Name, kind: actionKindOf(a.Type), stepID: a.StepID, stepIndex: -1, pos: a.Pos}
	c.actionCommon(wp, ap, a.StepID, a.WorkflowID, a.Parameters, a.Criteria, &a.Node)
	return ap
}

func (c *compiler) failureAction(wp *workflowPlan, a *arazzo.FailureAction) *actionPlan {
	if a.IsReference() {
		if a = component(wp.doc, a.Expr("reference"), "failureActions", func(cs *arazzo.Components) map[string]*arazzo.FailureAction { return cs.FailureActions }); a == nil {
			return nil
		}
	}
	ap := &actionPlan{name: a.Name, kind: actionKindOf(a.Type), stepID: a.StepID, stepIndex: -1, pos: a.Pos, retryAfter: a.RetryAfter, retryLimit: 1}
	if a.HasRetryLimit {
		// Failure Action Object: "If not specified then a single retry SHALL be attempted."
		ap.retryLimit = a.RetryLimit
	}
	c.actionCommon(wp, ap, a.StepID, a.WorkflowID, a.Parameters, a.Criteria, &a.Node)
	return ap
}

func (c *compiler) actionCommon(wp *workflowPlan, ap *actionPlan, stepID, workflowID string, params []*arazzo.Parameter, criteria []*arazzo.Criterion, node *arazzo.Node) {
	doc := wp.doc
	if stepID != "" {
		if idx, ok := wp.stepIndex[stepID]; ok {
			ap.stepIndex = idx
		}
	}
	if workflowID != "" {
		ap.workflow = &workflowRef{text: workflowID, pos: node.ValuePos("workflowId"), parsed: node.Expr("workflowId")}
	}
	for _, p := range params {
		if pp := c.compileParam(doc, p); pp != nil {
			pp.in = ""
			ap.params = append(ap.params, pp)
		}
	}
	for _, cr := range criteria {
		if cp := c.compileCriterion(doc, cr); cp != nil {
			ap.criteria = append(ap.criteria, cp)
		}
	}
}

// bindWorkflow resolves the workflow references of a workflow once all are compiled.
func (c *compiler) bindWorkflow(wp *workflowPlan) {
	if wp == nil {
		return
	}
	for _, r := range wp.dependsOn {
		c.bindRef(wp.doc, r)
	}
	for _, sp := range wp.steps {
		if sp.call != nil {
			c.bindRef(wp.doc, sp.call)
		}
		for _, d := range sp.deps {
			c.bindStepDep(wp.doc, d)
		}
		for _, a := range append(append([]*actionPlan{}, sp.onSuccess...), sp.onFailure...) {
			if a.workflow != nil && a.workflow.wf == nil {
				c.bindRef(wp.doc, a.workflow)
			}
		}
	}
}

// bindRef resolves a workflowId: a bare id names a workflow of the same document;
// $sourceDescriptions.<name>.<workflowId> names one of an Arazzo source. A
// reference that names nothing stays unbound: the checker reported it.
func (c *compiler) bindRef(doc *arazzo.Document, r *workflowRef) {
	if r.wf != nil {
		return
	}
	target, id := doc, r.text
	if r.parsed != nil {
		e := r.parsed.Expr
		if e == nil || e.Kind != expr.KindSourceDescription {
			return
		}
		src := c.source(doc, e.ID)
		if src == nil || src.arazzo == nil {
			return
		}
		target, id = src.arazzo, e.Name
	}
	r.wf = c.plan.workflows[target][id]
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

// checkInputsSchema reports an inputs schema that the JSON Schema
// implementation the run checks inputs with refuses to compile: validate
// says so, and run refuses the document for it, instead of failing when the
// inputs are checked. A dangling $ref is inputs-ref's error already.
func (c *compiler) checkInputsSchema(doc *arazzo.Document, w *arazzo.Workflow, s *inputSchema, path string) {
	if s == nil || len(errorsAt(c.diags, doc.File, path)) > 0 {
		return
	}
	_, err := s.compiled()
	if err == nil {
		return
	}
	pos, what := w.Inputs.Pos, err.Error()
	var se *jsonschema.SchemaValidationError
	var ve *jsonschema.ValidationError
	if errors.As(err, &se) && errors.As(se.Err, &ve) {
		var leaves []string
		last := "-"
		var walk func(e *jsonschema.ValidationError)
		walk = func(e *jsonschema.ValidationError) {
			for _, sub := range e.Causes {
				walk(sub)
			}
			if len(e.Causes) == 0 {
				if len(leaves) == 0 && strings.HasSuffix(se.URL, "#/workflowInputs") {
					pos = w.Inputs.PosAt(jsonPath(e.InstanceLocation))
				}
				at := jsonPath(e.InstanceLocation)
				if at == last {
					at = ""
				} else {
					last = at
					at += " "
				}
				leaves = append(leaves, at+describeKind(e.ErrorKind))
			}
		}
		walk(ve)
		what = strings.Join(leaves, ", or ")
		if !strings.HasSuffix(se.URL, "#/workflowInputs") {
			what = strings.TrimPrefix(se.URL, "urn:arazzo:inputs") + ": " + what
		}
	} else {
		what = strings.TrimPrefix(what, "the inputs schema cannot be used: ")
	}
	c.errorf(doc, pos, path, arazzo.RuleInputsSchema, "the inputs schema of workflow %q is not a valid JSON Schema, so no input can be checked with it: %s", w.WorkflowID, what)
}
