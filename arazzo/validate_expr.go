package arazzo

import (
	"errors"
	"slices"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
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

// exprLoc is where an expression's text starts in the file, and its document path.
type exprLoc struct {
	path string
	// at maps a byte offset inside the expression text to a file position.
	at func(off int) Pos
}

// parseRef parses a field that must hold exactly one runtime expression (criterion
// context, Selector context, reusable reference, qualified ids). It reports a syntax
// error and returns nil when it does not parse.
func (v *validator) parseRef(src string, loc exprLoc, what string) *expr.Expression {
	e, err := expr.Parse(src)
	if err != nil {
		v.exprError(err, loc, RuleExpressionSyntax, "invalid runtime expression in "+what)
		return nil
	}
	v.exprWarnings(e.Warnings(), loc, "")
	return e
}

// exprError reports a syntax error from the expr package at its exact offset.
func (v *validator) exprError(err error, loc exprLoc, rule, what string) {
	off, msg := 0, err.Error()
	var fe *expr.FieldError
	if errors.As(err, &fe) {
		msg = fe.Err.Error()
	}
	var se *expr.SyntaxError
	if errors.As(err, &se) {
		off, msg = se.Offset, se.Msg
	}
	v.errorf(loc.at(off), loc.path, rule, "%s: %s", what, msg)
}

// exprWarningRules maps the expr package's warning rules to ours; an unknown one is
// reported as expression-compat with its own rule in the message.
var exprWarningRules = map[string]string{
	"expr-body-dot":           RuleExprBodyDot,
	"expr-components-inputs":  RuleExprComponentInputs,
	"expr-step-outputs":       RuleExprStepOutputs,
	"value-not-expression":    RuleValueNotExpression,
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
		rule, ok := exprWarningRules[w.Rule]
		msg := w.Message
		if !ok {
			rule = RuleExpressionCompat
			msg += " (" + w.Rule + ")"
		}
		v.suggest(SeverityWarning, loc.at(w.Offset), loc.path, rule, w.Suggestion, "%s", msg)
	}
}

// nodeLoc locates a string field of a spec object.
func nodeLoc(n *Node, field, path string) exprLoc {
	return exprLoc{path: path, at: func(off int) Pos { return n.TextPos(field, off) }}
}

// valueLoc locates the string at ptr inside a free-form value.
func valueLoc(val *Value, ptr, path string) exprLoc {
	return exprLoc{path: path, at: func(off int) Pos { return val.TextPos(ptr, off) }}
}

// pointerPath appends a JSON pointer to a document path: /a/0/b → .a[0].b.
func pointerPath(path, ptr string) string {
	if ptr == "" {
		return path
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescapePointerToken(tok)
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			path += "[" + tok + "]"
		} else {
			path = joinPath(path, tok)
		}
	}
	return path
}

// checkValueExpressions checks every string of a free-form value (a parameter value,
// payload or replacement value): whole expressions, templates, and 1.1 Selector
// Objects. sc is nil for components (syntax only).
func (v *validator) checkValueExpressions(val *Value, path string, sc *scope) {
	if val == nil {
		return
	}
	walkValue(val.V, "", func(ptr string, x any) bool {
		switch t := x.(type) {
		case map[string]any:
			if v.version != "1.0" && isSelector(t) {
				v.checkSelector(val, ptr, t, pointerPath(path, ptr), sc)
				return false
			}
		case string:
			v.checkString(val, ptr, t, pointerPath(path, ptr), sc)
		}
		return true
	})
}

// isSelector tells a 1.1 Selector Object inside a free-form value from plain data:
// it has a selector and a context or a type.
func isSelector(m map[string]any) bool {
	_, sel := m["selector"]
	_, ctx := m["context"]
	_, typ := m["type"]
	return sel && (ctx || typ)
}

// checkString checks one string of a free-form value.
func (v *validator) checkString(val *Value, ptr, s, path string, sc *scope) {
	loc := valueLoc(val, ptr, path)
	c, err := expr.CompileValue(s)
	if err != nil {
		v.exprError(err, loc, RuleExpressionSyntax, "invalid embedded runtime expression")
		return
	}
	v.exprWarnings(c.Warnings(), loc, "")
	v.checkRefs(c.Refs(), s, loc, sc)
}

// checkRefs checks the references of the expressions found in text s (a whole
// expression or a template).
func (v *validator) checkRefs(refs []*expr.Expression, s string, loc exprLoc, sc *scope) {
	if len(refs) == 0 {
		return
	}
	offs := []int{0}
	if !(len(refs) == 1 && strings.HasPrefix(s, "$")) {
		offs = templateOffsets(s)
	}
	for i, e := range refs {
		off := 0
		if i < len(offs) {
			off = offs[i]
		}
		v.checkExpr(e, sc, exprLoc{path: loc.path, at: shift(loc.at, off)})
	}
}

func shift(at func(int) Pos, by int) func(int) Pos {
	return func(off int) Pos { return at(by + off) }
}

// templateOffsets returns the offset of the '$' of each embedded expression of a
// template, by the rule of expr.ParseTemplate: '{' opens an expression when '$' and
// a letter follow, and the expression ends at the next '}'.
func templateOffsets(s string) []int {
	var offs []int
	for i := 0; ; {
		j := strings.Index(s[i:], "{$")
		if j < 0 {
			return offs
		}
		j += i
		if j+2 >= len(s) || !isASCIILetter(s[j+2]) {
			i = j + 1
			continue
		}
		offs = append(offs, j+1)
		end := strings.IndexByte(s[j+2:], '}')
		if end < 0 {
			return offs
		}
		i = j + 2 + end + 1
	}
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// locateIn finds the offset of an expression's text inside a condition, searching
// from *from, for positions only (the references themselves come from the parser).
func locateIn(s, text string, from *int) int {
	if i := strings.Index(s[*from:], text); i >= 0 {
		off := *from + i
		*from = off + len(text)
		return off
	}
	// A compatibility reading (body-dot) has a canonical text that differs from
	// what was written; fall back to the expression's root.
	root := text
	if i := strings.IndexAny(text[1:], ".#"); i >= 0 {
		root = text[:i+1]
	}
	if i := strings.Index(s[*from:], root); i >= 0 {
		off := *from + i
		*from = off + len(root)
		return off
	}
	return 0
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
	case expr.KindWorkflowInputs, expr.KindWorkflowOutputs:
		v.checkWorkflowExpr(e, pos, loc.path)
	}
	if sc == nil || sc.w == nil {
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
	si, ok := v.stepIndex[w][e.ID]
	if !ok {
		ids := make([]string, 0, len(w.Steps))
		for _, s := range w.Steps {
			ids = append(ids, s.StepID)
		}
		msg := "$steps.%s refers to no step of workflow %q (steps: %s); a step's outputs are visible only inside its own workflow, and " + consequence
		reads.note(v, sev)
		v.suggest(sev, pos, path, RuleStepRefUnknown, withName("$steps.", closestName(e.ID, ids), stepOutputsSuffix(e.Name)), msg, e.ID, w.WorkflowID, quoteNames(ids))
		return
	}
	target := w.Steps[si]
	if e.Name != "" && !slices.ContainsFunc(target.Outputs, func(o *Output) bool { return o.Name == e.Name }) {
		names := make([]string, 0, len(target.Outputs))
		for _, o := range target.Outputs {
			names = append(names, o.Name)
		}
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
		ptr := "/" + strings.ReplaceAll(e.Name[i+1:], ".", "/")
		if e.HasPointer {
			ptr += e.Pointer
		}
		v.suggest(SeverityWarning, pos, path, RuleInputDot, prefix+"."+e.Name[:i]+"#"+ptr,
			"%s.%s names no declared input; read as property %q of input %q (a dot is part of the name in a runtime expression; use a JSON pointer)",
			prefix, e.Name, e.Name[i+1:], e.Name[:i])
		return
	}
	declared := make([]string, 0, len(names))
	for n := range names {
		declared = append(declared, n)
	}
	slices.Sort(declared)
	v.suggest(SeverityError, pos, path, RuleInputUnknown, withName(prefix+".", closestName(e.Name, declared), ""),
		"%s.%s is not declared in the inputs schema of workflow %q (properties: %s)", prefix, e.Name, w.WorkflowID, quoteNames(declared))
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
		called := v.calledWorkflow(sc.step.WorkflowID)
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
func (v *validator) calledWorkflow(id string) *Workflow {
	if !strings.HasPrefix(id, "$") {
		return v.workflows[id]
	}
	e, err := expr.Parse(id)
	if err != nil || e.Kind != expr.KindSourceDescription || v.src == nil {
		return nil
	}
	w, _ := v.src.Workflow(e.ID, e.Name)
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
	if !slices.ContainsFunc(w.Outputs, func(o *Output) bool { return o.Name == e.Name }) {
		names := outputNames(w)
		v.suggest(SeverityError, pos, path, RuleWorkflowRef, withName("$workflows."+e.ID+".outputs.", closestName(e.Name, names), ""),
			"workflow %q declares no output %q (declared: %s)", e.ID, e.Name, quoteNames(names))
	}
}

// closestName suggests the name nearest to a misspelt one, or "".
func closestName(name string, names []string) string {
	best, bestD := "", min(3, len(name)/2+1)
	for _, n := range names {
		if d := editDistance(strings.ToLower(name), strings.ToLower(n)); d < bestD && n != name {
			best, bestD = n, d
		}
	}
	return best
}

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
		p := joinPath(path, o.Name)
		switch t := o.Value.V.(type) {
		case string:
			v.checkOutputString(o, t, p, osc)
		case map[string]any:
			if v.version == "1.0" {
				v.errorf(o.Value.Pos, p, RuleOutputValueType, "output %q must be a runtime expression (a string); Selector Objects exist only in Arazzo 1.1", o.Name)
				continue
			}
			v.checkSelector(o.Value, "", t, p, osc)
		case []any:
			v.errorf(o.Value.Pos, p, RuleOutputValueType, "output %q must be a runtime expression or a Selector Object, got a list", o.Name)
		default:
			v.suggest(SeverityWarning, o.Value.Pos, p, RuleConstantOutput, "",
				"output %q is the constant %v, not a runtime expression; outputs are meant to carry values from the run (it is returned as is)", o.Name, t)
		}
	}
}

func (v *validator) checkOutputString(o *Output, s, path string, sc *scope) {
	loc := valueLoc(o.Value, "", path)
	c, err := expr.CompileValue(s)
	if err != nil {
		v.exprError(err, loc, RuleExpressionSyntax, "invalid embedded runtime expression in output "+o.Name)
		return
	}
	if c.IsLiteral() {
		why, suggestion := "", ""
		for _, w := range c.Warnings() {
			if w.Rule == "value-not-expression" {
				inner := strings.TrimPrefix(w.Message, "string starts like a runtime expression but is not one (")
				inner = strings.TrimSuffix(inner, "); it is used as literal text")
				why = ": " + inner
				suggestion = fixedExpression(s)
			}
		}
		v.suggest(SeverityWarning, o.Value.Pos, path, RuleConstantOutput, suggestion,
			"output %q is the constant text %q, not a runtime expression%s; it is returned as is", o.Name, s, why)
		return
	}
	v.exprWarnings(c.Warnings(), loc, "")
	v.checkRefs(c.Refs(), s, loc, sc)
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

// checkSelector checks a 1.1 Selector Object: context, selector and type, all
// required, and nothing else.
func (v *validator) checkSelector(val *Value, ptr string, m map[string]any, path string, sc *scope) {
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
			hint := ""
			if k == "expression" {
				hint = "; did you mean \"context\"?"
			}
			v.errorf(val.PosAt(pointerJoin(ptr, k)), joinPath(path, k), RuleSelectorObject,
				"unknown field %q in a Selector Object (fields: context, selector, type)%s", k, hint)
		}
	}
	for _, req := range []string{"context", "selector", "type"} {
		if _, ok := m[req]; !ok {
			v.errorf(pos, path, RuleSelectorObject, "Selector Object is missing required field %q", req)
		}
	}
	ctxSrc, _ := m["context"].(string)
	if _, ok := m["context"]; ok {
		if s, isStr := m["context"].(string); !isStr {
			v.errorf(val.PosAt(pointerJoin(ptr, "context")), joinPath(path, "context"), RuleSelectorObject, "Selector Object context must be a runtime expression (a string)")
		} else if e := v.parseRef(s, valueLoc(val, pointerJoin(ptr, "context"), joinPath(path, "context")), "Selector Object context"); e != nil {
			v.checkExpr(e, sc, valueLoc(val, pointerJoin(ptr, "context"), joinPath(path, "context")))
		} else {
			ctxSrc = ""
		}
	}
	typ, version, ok := v.selectorType(val, pointerJoin(ptr, "type"), m["type"], joinPath(path, "type"))
	sel, isStr := m["selector"].(string)
	if _, has := m["selector"]; has && !isStr {
		v.errorf(val.PosAt(pointerJoin(ptr, "selector")), joinPath(path, "selector"), RuleSelectorObject, "Selector Object selector must be a string")
		return
	}
	if !ok || !isStr {
		return
	}
	selPtr := pointerJoin(ptr, "selector")
	loc := valueLoc(val, selPtr, joinPath(path, "selector"))
	if ctxSrc == "" {
		ctxSrc = "$response.body" // the context is reported above; check the selector anyway
	}
	_, err := expr.CompileSelector(expr.SelectorSpec{Context: ctxSrc, Selector: sel, Type: typ, Version: version})
	if err == nil {
		return
	}
	var fe *expr.FieldError
	field := "selector"
	if errors.As(err, &fe) && fe.Field != "" {
		field = fe.Field
	}
	switch field {
	case "selector":
		rule := map[string]string{CriterionJSONPath: RuleJSONPathSyntax, CriterionXPath: RuleXPathSyntax}[typ]
		if rule == "" {
			rule = RuleSelectorObject
		}
		v.exprError(err, loc, rule, "invalid "+typ+" selector")
	case "type":
		v.exprError(err, exprLoc{path: joinPath(path, "type"), at: func(int) Pos { return val.PosAt(pointerJoin(ptr, "type")) }}, RuleSelectorObject, "invalid Selector Object type")
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
				v.errorf(val.PosAt(pointerJoin(ptr, k)), joinPath(path, k), RuleSelectorObject, "unknown field %q in an Expression Type Object (fields: type, version)", k)
			}
		}
		vs, known := allowed[typ]
		if !known {
			v.errorf(val.PosAt(pointerJoin(ptr, "type")), joinPath(path, "type"), RuleSelectorObject,
				"Expression Type Object type must be one of \"jsonpath\", \"xpath\", \"jsonpointer\", got %q", typ)
			return "", "", false
		}
		if _, has := x["version"]; !has {
			v.errorf(val.PosAt(ptr), path, RuleSelectorObject, "Expression Type Object is missing required field \"version\"")
			return typ, "", true
		}
		if !slices.Contains(vs, version) {
			v.errorf(val.PosAt(pointerJoin(ptr, "version")), joinPath(path, "version"), RuleSelectorObject,
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
