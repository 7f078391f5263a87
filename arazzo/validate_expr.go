package arazzo

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
	"github.com/arazzo-run/arazzo/internal/suggest"
)

// place tells when an expression is evaluated, which decides what it may refer to.
type place int

const (
	placeStepInput       place = iota // a step's parameters and request body: before its call
	placeSuccessCriteria              // a step's successCriteria: after the call, before its outputs
	placeStepOutputs                  // a step's outputs: after the call
	placeStepAction                   // a step's onSuccess/onFailure criteria and action parameters
	placeWorkflowParams               // workflow-level parameters: before each step
	placeWorkflowActions              // workflow-level actions: after any step
	placeWorkflowOutputs              // workflow outputs: when the workflow ends
)

// scope is where an expression sits: the workflow, the step, and the place.
type scope struct {
	w     *Workflow
	wi    int
	step  *Step // nil at workflow level
	si    int
	place place
	// output is the index of the output being checked (placeWorkflowOutputs,
	// placeStepOutputs).
	output int
}

// withPlace returns a copy of sc at another place.
func (sc *scope) withPlace(p place) *scope {
	if sc == nil {
		return nil
	}
	c := *sc
	c.place = p
	return &c
}

// exprLoc is where an expression's text starts in the file, and its document
// path. The text is a field of a spec object (node), a string inside a
// free-form value (val), or, with neither, text whose offsets are columns
// after pos. It is a plain value: a location is made for every expression
// checked, and turned into a position only for a diagnostic.
type exprLoc struct {
	path string
	node *Node
	val  *Value
	// key is the field of node, or the JSON pointer of the string in val.
	key string
	pos Pos
	// fixed places every offset at pos.
	fixed bool
	// by is the offset of the expression in the text.
	by int
}

// at maps a byte offset inside the expression text to a file position.
func (l exprLoc) at(off int) Pos {
	off += l.by
	switch {
	case l.node != nil:
		return l.node.TextPos(l.key, off)
	case l.val != nil:
		return l.val.TextPos(l.key, off)
	case l.fixed:
		return l.pos
	}
	return Pos{Line: l.pos.Line, Col: l.pos.Col + off}
}

// shifted is the location of an expression that starts by bytes further on.
func (l exprLoc) shifted(by int) exprLoc {
	l.by += by
	return l
}

// parsedRef returns the expression the loader parsed from a field that must
// hold exactly one runtime expression (a qualified id, a reference), reporting
// its syntax error or its compatibility readings. It returns nil when it
// does not parse (or there is none).
func (v *validator) parsedRef(p *Parsed, loc exprLoc, what string) *expr.Expression {
	if p == nil {
		return nil
	}
	loc = loc.shifted(p.Offset)
	if p.Err != nil {
		v.exprError(p.Err, loc, RuleExpressionSyntax, "invalid runtime expression in "+what)
		return nil
	}
	v.exprWarnings(p.Expr.Warnings(), loc, "")
	return p.Expr
}

// exprError reports a syntax error from the expr package at its exact offset.
func (v *validator) exprError(err error, loc exprLoc, rule, what string) {
	v.exprErrorFix(err, loc, rule, what, "")
}

// exprErrorFix reports a syntax error with the standard form to write instead.
func (v *validator) exprErrorFix(err error, loc exprLoc, rule, what, fix string) {
	off, msg := 0, err.Error()
	var fe *expr.FieldError
	if errors.As(err, &fe) {
		msg = fe.Err.Error()
	}
	var se *expr.SyntaxError
	if errors.As(err, &se) {
		off, msg = se.Offset, se.Msg
		if fix == "" {
			fix = se.Suggestion // the input with the "did you mean" applied
		}
	}
	v.suggest(SeverityError, loc.at(off), loc.path, rule, fix, "%s: %s", what, msg)
}

// exprWarningRules maps the expr package's warning rules to ours; an unknown one is
// reported as expression-compat with its own rule in the message.
var exprWarningRules = map[string]string{
	"expr-body-dot":           RuleExprBodyDot,
	"expr-components-inputs":  RuleExprComponentInputs,
	"expr-step-outputs":       RuleExprStepOutputs,
	"expr-steps-shorthand":    RuleExprStepsShorthand,
	"expr-step-id":            RuleExprStepID,
	"expr-headers":            RuleExprHeaders,
	"expr-workflow-steps":     RuleExprWorkflowSteps,
	"condition-braced":        RuleConditionBraced,
	"condition-double-quoted": RuleConditionDoubleQuot,
	"condition-length":        RuleConditionLength,
	"jsonpath-goessner":       RuleJSONPathGoessner,
	"jsonpath-root-filter":    RuleJSONPathRootFilter,
}

// exprWarnings reports compatibility readings. field selects the warnings of one
// field ("" keeps all).
func (v *validator) exprWarnings(ws []expr.Warning, loc exprLoc, field string) {
	for _, w := range ws {
		if field != "" && w.Field != field {
			continue
		}
		if contextualReading[w.Rule] {
			continue // checkStepRef reports it, knowing the step it names
		}
		rule, ok := exprWarningRules[w.Rule]
		msg := w.Message
		if !ok {
			rule = RuleExpressionCompat
			msg += " (" + w.Rule + ")"
		}
		v.suggest(SeverityWarning, loc.at(w.Offset), loc.path, rule, w.Suggestion, "%s", msg)
	}
}

// contextualReading lists the readings whose warning depends on what the
// document declares: checkStepRef reports them (or an error when the step
// has no such output).
var contextualReading = map[string]bool{"expr-steps-shorthand": true, "expr-step-outputs": true}

// readingWarning reports one of e's contextual readings at its offset.
func (v *validator) readingWarning(e *expr.Expression, rule string, loc exprLoc) (expr.Warning, bool) {
	for _, w := range e.Warnings() {
		if w.Rule == rule {
			return w, true
		}
	}
	return expr.Warning{}, false
}

// nodeLoc locates a string field of a spec object.
func nodeLoc(n *Node, field, path string) exprLoc {
	return exprLoc{path: path, node: n, key: field}
}

// valueLoc locates the string at ptr inside a free-form value.
func valueLoc(val *Value, ptr, path string) exprLoc {
	return exprLoc{path: path, val: val, key: ptr}
}

// pointerPath appends a JSON pointer to a document path: /a/0/b → .a[0].b.
func (v *validator) pointerPath(path, ptr string) string {
	if ptr == "" {
		return path
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescapePointerToken(tok)
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			path += "[" + tok + "]"
		} else {
			path = v.paths.join(path, tok)
		}
	}
	return path
}

// checkValueExpressions checks a free-form value (a parameter value, payload
// or replacement value) from the expressions the loader compiled: each string
// that does not parse, the readings applied, what each expression refers to,
// and the shape of 1.1 Selector Objects. sc is nil for components (syntax
// only).
func (v *validator) checkValueExpressions(val *Value, path string, sc *scope) {
	cv, err := val.Compiled()
	if cv == nil {
		return
	}
	var selectors []string
	if v.version != "1.0" {
		walkValue(val.V, "", func(ptr string, x any) bool {
			if m, ok := x.(map[string]any); ok && isSelector(m) {
				selectors = append(selectors, ptr)
				v.checkSelector(val, cv, err, ptr, m, v.pointerPath(path, ptr), sc)
				return false
			}
			return true
		})
	}
	inSelector := func(ptr string) bool {
		return slices.ContainsFunc(selectors, func(s string) bool { return ptr == s || strings.HasPrefix(ptr, s+"/") })
	}
	v.valueErrors(val, err, path, inSelector, "invalid runtime expression")
	for _, w := range cv.Warnings() {
		if !inSelector(w.Field) {
			v.exprWarnings([]expr.Warning{w}, valueLoc(val, w.Field, v.pointerPath(path, w.Field)), "")
		}
	}
	for part := range cv.AllParts() {
		if !inSelector(part.Pointer) {
			v.checkPart(val, part, v.pointerPath(path, part.Pointer), sc)
		}
	}
}

// valueErrors reports the strings of a value that do not compile, except
// those skip says are reported elsewhere.
func (v *validator) valueErrors(val *Value, err error, path string, skip func(ptr string) bool, what string) {
	if err == nil {
		return
	}
	var ve *expr.ValueError
	if !errors.As(err, &ve) {
		return
	}
	for _, fe := range ve.Errs {
		if skip(fe.Field) {
			continue
		}
		loc := valueLoc(val, fe.Field, v.pointerPath(path, fe.Field))
		text, _ := valueAt(val.V, fe.Field).(string)
		if fix := fixedExpression(text); fix != "" {
			v.exprErrorFix(fe.Err, loc, RuleExpressionSyntax, what, fix)
			continue
		}
		v.exprError(fe.Err, loc, RuleExpressionSyntax, what)
	}
}

// valueAt returns the part of a decoded tree a JSON pointer designates, or nil.
func valueAt(x any, ptr string) any {
	if ptr == "" {
		return x
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescapePointerToken(tok)
		switch t := x.(type) {
		case map[string]any:
			x = t[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			x = t[i]
		default:
			return nil
		}
	}
	return x
}

// checkPart checks the expressions of one string of a value, each at its
// offset in the string.
func (v *validator) checkPart(val *Value, part expr.Part, path string, sc *scope) {
	for _, e := range part.Exprs {
		v.checkExpr(e, sc, valueLoc(val, part.Pointer, path).shifted(e.Offset))
	}
}

// isSelector tells a 1.1 Selector Object inside a free-form value from plain data:
// it has a selector and a context or a type.
func isSelector(m map[string]any) bool {
	_, sel := m["selector"]
	_, ctx := m["context"]
	_, typ := m["type"]
	return sel && (ctx || typ)
}

// checkExpr checks what one parsed expression refers to, in its scope.
func (v *validator) checkExpr(e *expr.Expression, sc *scope, loc exprLoc) {
	pos := loc.at(0)
	switch e.Kind {
	case expr.KindMessageHeader, expr.KindMessagePayload, expr.KindSelf:
		if v.version == "1.0" {
			v.errorf(pos, loc.path, RuleExpressionVersion, "%s exists only in Arazzo 1.1; this document declares %s", e.Kind, v.doc.Arazzo)
		}
	case expr.KindSourceDescription:
		v.resolveSource(e.ID, pos, loc.path)
	case expr.KindWorkflowInputs, expr.KindWorkflowOutputs, expr.KindWorkflowStepOutputs:
		v.checkWorkflowExpr(e, pos, loc.path)
	}
	if sc == nil || sc.w == nil {
		if e.Kind == expr.KindStepOutputs {
			// A component: no workflow to check the step against.
			for _, rule := range []string{"expr-steps-shorthand", "expr-step-outputs"} {
				if w, ok := v.readingWarning(e, rule, loc); ok {
					v.suggest(SeverityWarning, loc.at(w.Offset-e.Offset), loc.path, exprWarningRules[rule], w.Suggestion, "%s", w.Message)
				}
			}
		}
		return
	}
	switch e.Kind {
	case expr.KindStatusCode, expr.KindResponseHeader, expr.KindResponseBody, expr.KindResponseQuery, expr.KindResponsePath:
		if sc.place == placeStepInput || sc.place == placeWorkflowParams {
			v.errorf(pos, loc.path, RuleResponseBeforeCall,
				"%s has no value here: parameters and request bodies are evaluated before the request is sent; use the output of an earlier step ($steps.<id>.outputs.<name>)", e.Text)
			return
		}
		fallthrough
	case expr.KindRequestHeader, expr.KindRequestQuery, expr.KindRequestPath, expr.KindRequestBody, expr.KindURL, expr.KindMethod:
		if sc.step != nil && sc.step.Kind() == "workflowId" && sc.place != placeStepInput {
			v.warnf(pos, loc.path, RuleWorkflowStepHTTP,
				"%s has no value in step %q: it calls a workflow, not an HTTP operation; use $outputs.<name> (the called workflow's outputs) or $workflows.%s.outputs.<name>",
				e.Text, sc.step.StepID, sc.step.WorkflowID)
		}
	case expr.KindStepOutputs:
		v.checkStepRef(e, sc, loc)
	case expr.KindInputs:
		v.checkInputRef(sc.w, e, pos, loc.path, "$inputs")
	case expr.KindOutputs:
		v.checkOutputsRef(e, sc, pos, loc.path)
	}
}

// checkStepRef checks $steps.<id>.outputs.<name>: the step exists in the same
// workflow, declares the output, and can have run before the expression is
// evaluated. A reference to an undeclared output is a warning where it only
// fails the step that evaluates it, and an error where a workflow output reads
// it, directly or through step outputs: workflow outputs are evaluated when the
// workflow ends, after every request was sent (a renewed token would be lost).
func (v *validator) checkStepRef(e *expr.Expression, sc *scope, loc exprLoc) {
	pos, path := loc.at(0), loc.path
	w := sc.w
	reads := v.readsOf(sc)
	sev, consequence := SeverityWarning, "the step that evaluates this fails when it runs"
	if sc.place == placeWorkflowOutputs {
		sev, consequence = SeverityError, workflowOutputConsequence
	}
	shorthand, isShorthand := v.readingWarning(e, "expr-steps-shorthand", loc)
	all, isAll := v.readingWarning(e, "expr-step-outputs", loc)
	si, ok := v.stepIndex[w][e.ID]
	if !ok {
		ids := make([]string, 0, len(w.Steps))
		for _, s := range w.Steps {
			ids = append(ids, s.StepID)
		}
		if isAll {
			v.suggest(SeverityWarning, loc.at(all.Offset-e.Offset), path, RuleExprStepOutputs, all.Suggestion, "%s", all.Message)
		}
		if isShorthand {
			// The shorthand has a reading only for an output a step declares.
			v.suggest(SeverityError, pos, path, RuleExpressionSyntax, withName("$steps.", closestName(e.ID, ids), stepOutputsSuffix(e.Name)),
				"%s is not a runtime expression (step outputs are $steps.<id>.outputs.<name>), and workflow %q has no step %q to read it as (steps: %s)", shorthandText(e), w.WorkflowID, e.ID, quoteNames(ids))
			return
		}
		msg := "$steps.%s refers to no step of workflow %q (steps: %s); a step's outputs are visible only inside its own workflow, and " + consequence
		reads.note(v, sev)
		v.suggest(sev, pos, path, RuleStepRefUnknown, withName("$steps.", closestName(e.ID, ids), stepOutputsSuffix(e.Name)), msg, e.ID, w.WorkflowID, quoteNames(ids))
		return
	}
	target := w.Steps[si]
	names := make([]string, 0, len(target.Outputs))
	for _, o := range target.Outputs {
		names = append(names, o.Name)
	}
	declared := func(name string) bool { return slices.Contains(names, name) }
	switch {
	case isAll && declared("outputs"):
		v.errorf(pos, path, RuleExprAmbiguous,
			"%s has two readings: the object of all the outputs of step %q, or its output named \"outputs\"; write $steps.%s.outputs.outputs for the output, or name the output you mean",
			e.Text, e.ID, e.ID)
		return
	case isAll:
		v.suggest(SeverityWarning, loc.at(all.Offset-e.Offset), path, RuleExprStepOutputs, all.Suggestion, "%s", all.Message)
	case isShorthand && !declared(e.Name):
		meant := strings.TrimPrefix(e.Name, "output.")
		if !declared(meant) {
			meant = closestName(e.Name, names)
		}
		v.suggest(SeverityError, pos, path, RuleExpressionSyntax, withName("$steps."+e.ID+".outputs.", meant, ""),
			"%s is not a runtime expression (step outputs are $steps.<id>.outputs.<name>), and step %q declares no output %q to read it as (declared: %s)", shorthandText(e), e.ID, e.Name, quoteNames(names))
		return
	case isShorthand:
		v.suggest(SeverityWarning, loc.at(shorthand.Offset-e.Offset), path, RuleExprStepsShorthand, shorthand.Suggestion, "%s", shorthand.Message)
	case e.Name != "" && !declared(e.Name):
		// The position of the output name, after "$steps.<id>.outputs.".
		reads.note(v, sev)
		v.suggest(sev, loc.at(len("$steps."+e.ID+".outputs.")), path, RuleStepOutputUnknown, withName("$steps."+e.ID+".outputs.", closestName(e.Name, names), ""),
			"step %q declares no output %q (declared: %s); only declared outputs can be referenced, and "+consequence, e.ID, e.Name, quoteNames(names))
		return
	}
	switch {
	case reads != nil:
		reads.reads = append(reads.reads, stepOutput{e.ID, e.Name})
	case sc.place == placeWorkflowOutputs:
		v.readByWorkflowOutput(w, stepOutput{e.ID, e.Name})
	}
	if sc.step == nil {
		return // workflow-level places see every step that ran
	}
	self := sc.step == target
	switch {
	case self && (sc.place == placeStepInput || sc.place == placeSuccessCriteria || sc.place == placeStepOutputs):
		when := map[place]string{
			placeStepInput:       "its own parameters and request body are evaluated before it runs",
			placeSuccessCriteria: "its successCriteria are evaluated before its outputs are computed",
			placeStepOutputs:     "its outputs are being computed",
		}[sc.place]
		v.errorf(pos, path, RuleStepRefOrder, "%s refers to the current step's own outputs, which do not exist yet: %s",
			e.Text, when)
	case !self && v.flow(w).at[si] > v.flow(w).at[sc.si] && !v.reaches(w, si, sc.si):
		if v.asyncWorkflow(w) {
			// The execution order satisfies every dependency it can: this one
			// is part of a cycle of dependsOn and output references.
			v.errorf(pos, path, RuleStepRefOrder,
				"%s refers to step %q, which cannot run before step %q: their dependsOn entries and output references form a cycle",
				e.Text, e.ID, sc.step.StepID)
			return
		}
		v.errorf(pos, path, RuleStepRefOrder,
			"%s refers to step %q, which comes after step %q and no goto leads from it back here; in a sequential workflow it has not run yet",
			e.Text, e.ID, sc.step.StepID)
	}
}

// workflowOutputConsequence ends the message of a workflow output that reads an
// output no step declares.
const workflowOutputConsequence = "workflow outputs are always evaluated, so the run would end in error after sending every request (a renewed token, say, would be lost)"

// stepOutput names one output of a step ("" for all of them).
type stepOutput struct{ step, name string }

// outputReads is what one step output reads of other steps' outputs, and the
// warnings about the undeclared ones it reads.
type outputReads struct {
	reads    []stepOutput
	warnings []int // indexes into validator.diags
}

// readsOf returns the record of the step output sc is checking, or nil when sc
// is not in a step output.
func (v *validator) readsOf(sc *scope) *outputReads {
	if sc.place != placeStepOutputs || sc.step == nil || sc.output >= len(sc.step.Outputs) {
		return nil
	}
	if v.stepOutputReads == nil {
		v.stepOutputReads = map[*Workflow]map[stepOutput]*outputReads{}
	}
	m := v.stepOutputReads[sc.w]
	if m == nil {
		m = map[stepOutput]*outputReads{}
		v.stepOutputReads[sc.w] = m
	}
	k := stepOutput{sc.step.StepID, sc.step.Outputs[sc.output].Name}
	if m[k] == nil {
		m[k] = &outputReads{}
	}
	return m[k]
}

// note records that the next diagnostic is a warning about an undeclared output
// read by this step output.
func (r *outputReads) note(v *validator, sev Severity) {
	if r != nil && sev == SeverityWarning {
		r.warnings = append(r.warnings, len(v.diags))
	}
}

// readByWorkflowOutput turns the warnings about undeclared outputs that a
// workflow output reads through step outputs into errors. Step outputs are
// checked before workflow outputs, so their reads are all recorded.
func (v *validator) readByWorkflowOutput(w *Workflow, from stepOutput) {
	seen := map[stepOutput]bool{}
	todo := []stepOutput{from}
	for len(todo) > 0 {
		k := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[k] {
			continue
		}
		seen[k] = true
		for o, r := range v.stepOutputReads[w] {
			if o.step != k.step || (k.name != "" && o.name != k.name) {
				continue
			}
			for _, i := range r.warnings {
				d := &v.diags[i]
				if d.Severity == SeverityWarning {
					d.Severity = SeverityError
					d.Message = strings.Replace(d.Message, "the step that evaluates this fails when it runs", "a workflow output reads this value; "+workflowOutputConsequence, 1)
				}
			}
			todo = append(todo, r.reads...)
		}
	}
}

// shorthandText is $steps.<id>.<name> as written.
func shorthandText(e *expr.Expression) string {
	t := "$steps." + e.ID + "." + e.Name
	if e.HasPointer {
		t += "#" + e.Pointer
	}
	return t
}

// stepOutputsSuffix is what follows the step id in $steps.<id>.outputs[.<name>].
func stepOutputsSuffix(name string) string {
	if name == "" {
		return ".outputs"
	}
	return ".outputs." + name
}

// asyncWorkflow reports whether any step of w uses step-level dependsOn: then the
// order of execution follows dependencies, not the list (Arazzo 1.1).
func (v *validator) asyncWorkflow(w *Workflow) bool {
	return slices.ContainsFunc(w.Steps, func(s *Step) bool { return s.Has("dependsOn") })
}

// checkInputRef checks $inputs.<name> (or $workflows.<id>.inputs.<name>) against
// the inputs schema's properties, when it declares any.
func (v *validator) checkInputRef(w *Workflow, e *expr.Expression, pos Pos, path, prefix string) {
	names, ok := v.inputNames(w)
	if !ok || names[e.Name] {
		return
	}
	if i := strings.IndexByte(e.Name, '.'); i > 0 && names[e.Name[:i]] {
		ptr := ""
		for _, tok := range strings.Split(e.Name[i+1:], ".") {
			ptr = pointerJoin(ptr, tok)
		}
		if r, err := e.WithName(e.Name[:i], ptr); err == nil {
			v.checked.readings[e] = r
		}
		full := ptr
		if e.HasPointer {
			full += e.Pointer
		}
		v.suggest(SeverityWarning, pos, path, RuleInputDot, prefix+"."+e.Name[:i]+"#"+full,
			"%s.%s names no declared input; read as property %q of input %q (a dot is part of the name in a runtime expression; use a JSON pointer)",
			prefix, e.Name, e.Name[i+1:], e.Name[:i])
		return
	}
	declared := make([]string, 0, len(names))
	for n := range names {
		declared = append(declared, n)
	}
	slices.Sort(declared)
	fix := withName(prefix+".", closestName(e.Name, declared), "")
	if v.inputsClosed(w) {
		v.suggest(SeverityError, pos, path, RuleInputUnknown, fix,
			"%s.%s is not declared in the inputs schema of workflow %q (properties: %s), which allows no other inputs", prefix, e.Name, w.WorkflowID, quoteNames(declared))
		return
	}
	v.suggest(SeverityWarning, pos, path, RuleInputUndeclared, fix,
		"%s.%s is not declared in the inputs schema of workflow %q (properties: %s); the schema allows other inputs, so it is read as input %q when one is given, and has no value otherwise",
		prefix, e.Name, w.WorkflowID, quoteNames(declared), e.Name)
}

// inputsClosed reports whether a workflow's inputs schema forbids inputs it
// does not declare (additionalProperties or unevaluatedProperties false).
func (v *validator) inputsClosed(w *Workflow) bool {
	m := v.inputsSchema(w.Inputs)
	return m["additionalProperties"] == false || m["unevaluatedProperties"] == false
}

// checkOutputsRef checks $outputs.<name>: in workflow outputs it must name an
// output declared before; in a step that calls a workflow it names an output of
// the called workflow; elsewhere it has no value yet.
func (v *validator) checkOutputsRef(e *expr.Expression, sc *scope, pos Pos, path string) {
	w := sc.w
	switch {
	case sc.place == placeWorkflowOutputs:
		i := slices.IndexFunc(w.Outputs, func(o *Output) bool { return o.Name == e.Name })
		switch {
		case i < 0:
			v.errorf(pos, path, RuleOutputsRef, "$outputs.%s names no output of workflow %q", e.Name, w.WorkflowID)
		case i >= sc.output:
			v.errorf(pos, path, RuleOutputsRef, "$outputs.%s refers to an output that is declared at or after this one; outputs are computed in order", e.Name)
		}
	case sc.step != nil && sc.step.Kind() == "workflowId" && sc.place != placeStepInput:
		called := v.calledWorkflow(sc.step)
		if called == nil {
			return // unknown or in another document: reported elsewhere or not checkable
		}
		if !slices.ContainsFunc(called.Outputs, func(o *Output) bool { return o.Name == e.Name }) {
			names := outputNames(called)
			v.suggest(SeverityError, pos, path, RuleOutputsRef, withName("$outputs.", closestName(e.Name, names), ""),
				"$outputs.%s: the called workflow %q declares no output %q (declared: %s)", e.Name, called.WorkflowID, e.Name, quoteNames(names))
		}
	default:
		v.errorf(pos, path, RuleOutputsRef,
			"$outputs.%s has no value here: the workflow's outputs exist only when it ends (use it in workflow outputs, or in the outputs of a step that calls a workflow)", e.Name)
	}
}

func outputNames(w *Workflow) []string {
	names := make([]string, 0, len(w.Outputs))
	for _, o := range w.Outputs {
		names = append(names, o.Name)
	}
	return names
}

// calledWorkflow returns the workflow a workflowId names, locally or through Sources.
func (v *validator) calledWorkflow(s *Step) *Workflow {
	p := s.Expr("workflowId")
	if p == nil {
		return v.workflows[s.WorkflowID]
	}
	if p.Err != nil || p.Expr.Kind != expr.KindSourceDescription || v.src == nil {
		return nil
	}
	w, _ := v.src.Workflow(p.Expr.ID, p.Expr.Name)
	return w
}

// checkWorkflowExpr checks $workflows.<id>.inputs|outputs.<name>.
func (v *validator) checkWorkflowExpr(e *expr.Expression, pos Pos, path string) {
	w, ok := v.workflows[e.ID]
	if !ok {
		v.suggest(SeverityError, pos, path, RuleWorkflowRef, withName("$workflows.", closestName(e.ID, v.workflowOrder()), ""),
			"$workflows.%s names no workflow of this document (workflows: %s)", e.ID, quoteNames(v.workflowOrder()))
		return
	}
	if e.Kind == expr.KindWorkflowInputs {
		v.checkInputRef(w, e, pos, path, "$workflows."+e.ID+".inputs")
		return
	}
	if e.Kind == expr.KindWorkflowStepOutputs {
		si, ok := v.stepIndex[w][e.Step]
		switch {
		case !ok:
			v.suggest(SeverityError, pos, path, RuleWorkflowRef, withName("$workflows."+e.ID+".steps.", closestName(e.Step, stepIDs(w)), ".outputs."+e.Name),
				"workflow %q has no step %q (steps: %s)", e.ID, e.Step, quoteNames(stepIDs(w)))
		case !slices.ContainsFunc(w.Steps[si].Outputs, func(o *Output) bool { return o.Name == e.Name }):
			v.errorf(pos, path, RuleWorkflowRef, "step %q of workflow %q declares no output %q", e.Step, e.ID, e.Name)
		}
		return
	}
	if !slices.ContainsFunc(w.Outputs, func(o *Output) bool { return o.Name == e.Name }) {
		names := outputNames(w)
		v.suggest(SeverityError, pos, path, RuleWorkflowRef, withName("$workflows."+e.ID+".outputs.", closestName(e.Name, names), ""),
			"workflow %q declares no output %q (declared: %s)", e.ID, e.Name, quoteNames(names))
	}
}

// closestName suggests the name nearest to a misspelt one, or "".
func closestName(name string, names []string) string { return suggest.Closest(name, names) }

// checkOutputs checks an outputs map: each value is a runtime expression or, in
// 1.1, a Selector Object.
func (v *validator) checkOutputs(outs []*Output, path string, sc *scope) {
	for i, o := range outs {
		if o.Value == nil {
			continue
		}
		osc := sc
		if sc != nil && (sc.place == placeWorkflowOutputs || sc.place == placeStepOutputs) {
			c := *sc
			c.output = i
			osc = &c
		}
		p := v.paths.join(path, o.Name)
		cv, err := o.Value.Compiled()
		switch t := o.Value.V.(type) {
		case string:
			v.checkOutputString(o, cv, err, t, p, osc)
		case map[string]any:
			if v.version == "1.0" {
				v.errorf(o.Value.Pos, p, RuleOutputValueType, "output %q must be a runtime expression (a string); Selector Objects exist only in Arazzo 1.1", o.Name)
				continue
			}
			v.checkSelector(o.Value, cv, err, "", t, p, osc)
		case []any:
			v.errorf(o.Value.Pos, p, RuleOutputValueType, "output %q must be a runtime expression or a Selector Object, got a list", o.Name)
		default:
			v.suggest(SeverityWarning, o.Value.Pos, p, RuleConstantOutput, "",
				"output %q is the constant %v, not a runtime expression; outputs are meant to carry values from the run (it is returned as is)", o.Name, t)
		}
	}
}

func (v *validator) checkOutputString(o *Output, cv *expr.Value, err error, s, path string, sc *scope) {
	if err != nil {
		v.valueErrors(o.Value, err, path, func(string) bool { return false }, "invalid runtime expression in output "+o.Name)
		return
	}
	if cv.IsLiteral() {
		v.suggest(SeverityWarning, o.Value.Pos, path, RuleConstantOutput, "",
			"output %q is the constant text %q, not a runtime expression; it is returned as is", o.Name, s)
		return
	}
	v.exprWarnings(cv.Warnings(), valueLoc(o.Value, "", path), "")
	for part := range cv.AllParts() {
		v.checkPart(o.Value, part, path, sc)
	}
}

// fixedExpression tries the usual misspellings of an expression and returns the
// standard form that parses, or "".
func fixedExpression(s string) string {
	for _, fix := range [][2]string{
		{"$response.headers.", "$response.header."},
		{"$request.headers.", "$request.header."},
		{"$message.headers.", "$message.header."},
		{"$statuscode", "$statusCode"},
		{"$input.", "$inputs."},
		{"$output.", "$outputs."},
		{"$step.", "$steps."},
	} {
		if strings.HasPrefix(s, fix[0]) {
			cand := fix[1] + s[len(fix[0]):]
			if _, err := expr.Parse(cand); err == nil {
				return cand
			}
		}
	}
	return ""
}

// checkSelector checks a 1.1 Selector Object at ptr in val: context,
// selector and type, all required, and nothing else; then, when its shape is
// right, the errors the loader found compiling it and what its context
// refers to.
func (v *validator) checkSelector(val *Value, cv *expr.Value, cerr error, ptr string, m map[string]any, path string, sc *scope) {
	pos := val.PosAt(ptr)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch {
		case k == "context" || k == "selector" || k == "type" || strings.HasPrefix(k, "x-"):
		default:
			hint, fix := "", ""
			if k == "expression" {
				hint, fix = "; did you mean \"context\"?", "context"
			}
			v.suggest(SeverityError, val.PosAt(pointerJoin(ptr, k)), v.paths.join(path, k), RuleSelectorObject, fix,
				"unknown field %q in a Selector Object (fields: context, selector, type)%s", k, hint)
		}
	}
	for _, req := range []string{"context", "selector", "type"} {
		if _, ok := m[req]; !ok {
			v.errorf(pos, path, RuleSelectorObject, "Selector Object is missing required field %q", req)
		}
	}
	ctxPtr := pointerJoin(ptr, "context")
	ctxLoc := valueLoc(val, ctxPtr, v.paths.join(path, "context"))
	if _, isStr := m["context"].(string); !isStr && m["context"] != nil {
		v.errorf(val.PosAt(ctxPtr), v.paths.join(path, "context"), RuleSelectorObject, "Selector Object context must be a runtime expression (a string)")
	}
	typ, _, typeOK := v.selectorType(val, pointerJoin(ptr, "type"), m["type"], v.paths.join(path, "type"))
	_, isStr := m["selector"].(string)
	if _, has := m["selector"]; has && !isStr {
		v.errorf(val.PosAt(pointerJoin(ptr, "selector")), v.paths.join(path, "selector"), RuleSelectorObject, "Selector Object selector must be a string")
	}
	// What the loader found compiling it.
	var ve *expr.ValueError
	if errors.As(cerr, &ve) {
		for _, fe := range ve.Errs {
			switch fe.Field {
			case ctxPtr:
				v.exprError(fe.Err, ctxLoc, RuleExpressionSyntax, "invalid runtime expression in Selector Object context")
			case pointerJoin(ptr, "selector"):
				if !typeOK {
					continue // the type is reported above
				}
				rule := map[string]string{CriterionJSONPath: RuleJSONPathSyntax, CriterionXPath: RuleXPathSyntax}[typ]
				if rule == "" {
					rule = RuleSelectorObject
				}
				v.exprError(fe.Err, valueLoc(val, fe.Field, v.paths.join(path, "selector")), rule, "invalid "+typ+" selector")
			case pointerJoin(ptr, "type"):
				if typeOK {
					v.exprError(fe.Err, exprLoc{path: v.paths.join(path, "type"), pos: val.PosAt(pointerJoin(ptr, "type")), fixed: true}, RuleSelectorObject, "invalid Selector Object type")
				}
			}
		}
	}
	if cv == nil {
		return
	}
	for part := range cv.AllParts() {
		if part.Selector != nil && part.Pointer == ptr {
			v.exprWarnings(part.Exprs[0].Warnings(), ctxLoc, "")
			v.checkExpr(part.Exprs[0], sc, ctxLoc)
		}
	}
}

// selectorType checks a Selector Object type (a string or an Expression Type
// Object) and returns the type and version.
func (v *validator) selectorType(val *Value, ptr string, t any, path string) (typ, version string, ok bool) {
	switch x := t.(type) {
	case nil:
		return "", "", false
	case string:
		if x != CriterionJSONPath && x != CriterionXPath && x != "jsonpointer" {
			v.errorf(val.PosAt(ptr), path, RuleSelectorObject, "Selector Object type must be one of \"jsonpath\", \"xpath\", \"jsonpointer\", got %q", x)
			return "", "", false
		}
		return x, "", true
	case map[string]any:
		typ, _ = x["type"].(string)
		version, _ = x["version"].(string)
		allowed := map[string][]string{
			CriterionJSONPath: {"rfc9535", "draft-goessner-dispatch-jsonpath-00"},
			CriterionXPath:    {"xpath-31", "xpath-30", "xpath-20", "xpath-10"},
			"jsonpointer":     {"rfc6901"},
		}
		for k := range x {
			if k != "type" && k != "version" && !strings.HasPrefix(k, "x-") {
				v.errorf(val.PosAt(pointerJoin(ptr, k)), v.paths.join(path, k), RuleSelectorObject, "unknown field %q in an Expression Type Object (fields: type, version)", k)
			}
		}
		vs, known := allowed[typ]
		if !known {
			v.errorf(val.PosAt(pointerJoin(ptr, "type")), v.paths.join(path, "type"), RuleSelectorObject,
				"Expression Type Object type must be one of \"jsonpath\", \"xpath\", \"jsonpointer\", got %q", typ)
			return "", "", false
		}
		if _, has := x["version"]; !has {
			v.errorf(val.PosAt(ptr), path, RuleSelectorObject, "Expression Type Object is missing required field \"version\"")
			return typ, "", true
		}
		if !slices.Contains(vs, version) {
			v.errorf(val.PosAt(pointerJoin(ptr, "version")), v.paths.join(path, "version"), RuleSelectorObject,
				"%s version must be one of %s, got %q", typ, quoteList(vs), version)
			return "", "", false
		}
		return typ, version, true
	}
	v.errorf(val.PosAt(ptr), path, RuleSelectorObject, "Selector Object type must be a string or an Expression Type Object")
	return "", "", false
}

// jsonPointerProblem checks RFC 6901 syntax: "" or "/"-separated tokens with ~0/~1
// escapes. It returns the offset and a message, or "" when the pointer is valid.
func jsonPointerProblem(p string) (int, string) {
	if p != "" && p[0] != '/' {
		return 0, "a JSON pointer is empty or starts with '/'"
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 >= len(p) || (p[i+1] != '0' && p[i+1] != '1')) {
			return i, "'~' must be followed by 0 or 1 (~0 is '~', ~1 is '/')"
		}
	}
	return 0, ""
}

// withName builds a suggestion around a suggested name, or "" when there is none.
func withName(prefix, name, suffix string) string {
	if name == "" {
		return ""
	}
	return prefix + name + suffix
}
