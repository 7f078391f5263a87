package arazzo

import (
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// target is what a step calls, as far as the document tells.
type target struct {
	// kind is the step's target field: operationId, operationPath, workflowId,
	// channelPath, or "" when none is given.
	kind string
	// source is the source description the target lives in ("" when unknown), and
	// sourceType its type ("" when unknown).
	source, sourceType string
	// id is the operationId (unqualified); pointer the operationPath/channelPath pointer.
	id, pointer string
}

// checkStep checks one step and everything in it.
func (v *validator) checkStep(wi int, w *Workflow, si int, s *Step, wps []param) {
	path := stepPath(wi, si)
	sc := &scope{w: w, wi: wi, step: s, si: si}
	t := v.checkStepTarget(s, path)
	own := ownerUnknown
	switch t.kind {
	case "operationId", "operationPath", "channelPath":
		own = ownerOperation
	case "workflowId":
		own = ownerWorkflowStep
	}
	v.checkAsync(s, path, t)
	ps := v.checkParams(s.Parameters, joinPath(path, "parameters"), sc.withPlace(placeStepInput), own)
	if rb := s.RequestBody; rb != nil {
		v.checkRequestBody(s, rb, joinPath(path, "requestBody"), sc.withPlace(placeStepInput), own)
	}
	v.checkCriteria(s.SuccessCriteria, joinPath(path, "successCriteria"), sc.withPlace(placeSuccessCriteria))
	v.checkActionList(successActions(s.OnSuccess), joinPath(path, "onSuccess"), sc.withPlace(placeStepAction))
	v.checkActionList(failureActions(s.OnFailure), joinPath(path, "onFailure"), sc.withPlace(placeStepAction))
	v.checkOutputs(s.Outputs, joinPath(path, "outputs"), sc.withPlace(placeStepOutputs))
	v.checkStepDependsOn(w, s, path)
	if v.src != nil && (t.kind == "operationId" || t.kind == "operationPath") {
		v.checkOperation(w, s, path, t, ps, wps)
	}
}

var targetFields = []string{"operationId", "operationPath", "workflowId", "channelPath"}

// checkStepTarget checks that a step has exactly one target and that the target is
// well formed, and returns it.
func (v *validator) checkStepTarget(s *Step, path string) target {
	var set []string
	for _, f := range targetFields {
		if s.Has(f) {
			set = append(set, f)
		}
	}
	switch len(set) {
	case 0:
		for _, f := range targetFields {
			if s.isMisspelt(f) {
				return target{} // the loader reported the misspelt field
			}
		}
		fields := "operationId, operationPath or workflowId"
		if v.version != "1.0" {
			fields = "operationId, operationPath, channelPath or workflowId"
		}
		v.errorf(s.Pos, path, RuleStepTarget, "step %q has no target: set exactly one of %s", s.StepID, fields)
		return target{}
	case 1:
	default:
		v.errorf(s.KeyPos(set[1]), joinPath(path, set[1]), RuleStepTarget,
			"step %q sets both %s and %s; a step has exactly one target", s.StepID, set[0], set[1])
	}
	t := target{kind: s.Kind()}
	switch t.kind {
	case "operationId":
		v.checkOperationID(s, path, &t)
	case "operationPath", "channelPath":
		v.checkSourcePath(s, path, &t)
	case "workflowId":
		v.checkWorkflowRef(s.WorkflowID, s.Expr("workflowId"), s.ValuePos("workflowId"), joinPath(path, "workflowId"), "workflowId")
	}
	return t
}

// checkOperationID checks an operationId: a qualified one names a declared
// non-arazzo source; a bare one is allowed only with a single non-arazzo source.
func (v *validator) checkOperationID(s *Step, path string, t *target) {
	p := joinPath(path, "operationId")
	if strings.HasPrefix(s.OperationID, "$") {
		e := v.parsedRef(s.Expr("operationId"), nodeLoc(&s.Node, "operationId", p), "operationId")
		if e == nil {
			return
		}
		if e.Kind != expr.KindSourceDescription {
			v.errorf(s.ValuePos("operationId"), p, RuleStepTarget, "operationId %q must be an operationId or $sourceDescriptions.<name>.<operationId>", s.OperationID)
			return
		}
		name := v.resolveSource(e.ID, s.TextPos("operationId", len("$sourceDescriptions.")), p)
		if name == "" {
			return
		}
		t.source, t.id = name, e.Name
		t.sourceType, _ = v.sourceKind(name)
		if t.sourceType == SourceArazzo {
			v.suggest(SeverityError, s.ValuePos("operationId"), p, RuleSourceType, "workflowId: "+s.OperationID,
				"operationId %q refers to source %q, an Arazzo document; call its workflows with workflowId", s.OperationID, e.ID)
		}
		return
	}
	t.id = s.OperationID
	var candidates []*SourceDescription
	for _, src := range v.doc.SourceDescriptions {
		if src.Type != SourceArazzo {
			candidates = append(candidates, src)
		}
	}
	switch {
	case len(candidates) == 1:
		t.source, t.sourceType = candidates[0].Name, candidates[0].Type
		if t.sourceType == "" && v.src != nil {
			t.sourceType, _ = v.src.Kind(t.source)
		}
	case len(candidates) > 1:
		names := make([]string, len(candidates))
		for i, c := range candidates {
			names[i] = c.Name
		}
		if v.src != nil {
			switch ops := v.src.FindOperation("", s.OperationID); len(ops) {
			case 0:
				// Not in an OpenAPI source (perhaps in an AsyncAPI one): still unqualified.
			case 1:
				v.suggest(SeverityError, s.ValuePos("operationId"), p, RuleUnqualifiedOperation, "$sourceDescriptions."+ops[0].Source+"."+s.OperationID,
					"operationId %q must be qualified as $sourceDescriptions.<name>.%s: the document has several non-arazzo sources (%s)",
					s.OperationID, s.OperationID, quoteNames(names))
				return
			default:
				found := make([]string, len(ops))
				for i, o := range ops {
					found[i] = o.Source
				}
				v.errorf(s.ValuePos("operationId"), p, RuleAmbiguousOperation,
					"operationId %q exists in %s; qualify it as $sourceDescriptions.<name>.%s to say which one", s.OperationID, quoteNames(found), s.OperationID)
				return
			}
		}
		v.errorf(s.ValuePos("operationId"), p, RuleUnqualifiedOperation,
			"operationId %q must be qualified as $sourceDescriptions.<name>.%s: the document has several non-arazzo sources (%s)",
			s.OperationID, s.OperationID, quoteNames(names))
	}
}

// checkSourcePath checks an operationPath or channelPath:
//
//	source-path = "{$sourceDescriptions." name ".url}" "#" json-pointer
//
// Two non-standard forms with a single reading are accepted with a warning:
// $sourceDescriptions.<name>[.url]#<pointer>, and (channelPath) a bare channel name
// when the document has exactly one AsyncAPI source.
func (v *validator) checkSourcePath(s *Step, path string, t *target) {
	field := t.kind
	val := s.OperationPath
	want := SourceOpenAPI
	example := "#/paths/~1pets/get"
	formRule := RuleOperationPathForm
	if field == "channelPath" {
		val, want, example, formRule = s.ChannelPath, SourceAsyncAPI, "#/channels/orders", RuleChannelPathForm
	}
	p := joinPath(path, field)
	pos := s.ValuePos(field)
	switch {
	case strings.HasPrefix(val, "{"):
		end := strings.IndexByte(val, '}')
		if end < 0 {
			v.errorf(s.TextPos(field, len(val)), p, RuleOperationPath, "%s %q: missing '}' after the source expression", field, val)
			return
		}
		e := v.parsedRef(s.Expr(field), nodeLoc(&s.Node, field, p), field)
		if e == nil {
			return
		}
		if e.Kind != expr.KindSourceDescription || e.Name != "url" {
			v.errorf(s.TextPos(field, 1), p, RuleOperationPath, "%s must start with {$sourceDescriptions.<name>.url}, got {%s}", field, e.Text)
			return
		}
		t.source = e.ID
		rest := val[end+1:]
		if !strings.HasPrefix(rest, "#") {
			v.suggest(SeverityError, s.TextPos(field, end+1), p, RuleOperationPath, val[:end+1]+example,
				"%s needs '#' and a JSON pointer after the source, e.g. %s", field, example)
			return
		}
		t.pointer = rest[1:]
		if off, msg := jsonPointerProblem(t.pointer); msg != "" {
			v.errorf(s.TextPos(field, end+2+off), p, RuleOperationPath, "invalid JSON pointer in %s: %s", field, msg)
		} else if t.pointer == "" {
			v.errorf(s.TextPos(field, end+1), p, RuleOperationPath, "%s points at the whole document; add the pointer of the %s, e.g. %s", field, strings.TrimSuffix(field, "Path"), example)
		}
	case strings.HasPrefix(val, "$sourceDescriptions."):
		head, frag, hasFrag := strings.Cut(val, "#")
		name := strings.TrimSuffix(strings.TrimPrefix(head, "$sourceDescriptions."), ".url")
		if !hasFrag || !idPattern.MatchString(name) {
			v.errorf(pos, p, RuleOperationPath, "%s %q must be {$sourceDescriptions.<name>.url}#<JSON pointer>, e.g. {$sourceDescriptions.%s.url}%s", field, val, name, example)
			return
		}
		std := "{$sourceDescriptions." + name + ".url}#" + frag
		v.suggest(SeverityWarning, pos, p, formRule, std,
			"%s %q is not in the standard form {$sourceDescriptions.<name>.url}#<JSON pointer>; read as the pointer %q in source %q", field, val, frag, name)
		t.source, t.pointer = name, frag
	case field == "channelPath":
		v.checkBareChannel(s, p, t)
		return
	default:
		v.errorf(pos, p, RuleOperationPath,
			"operationPath %q must be {$sourceDescriptions.<name>.url}#<JSON pointer>: a runtime expression names the source and a JSON pointer the operation, e.g. {$sourceDescriptions.api.url}%s", val, example)
		return
	}
	if t.source = v.resolveSource(t.source, pos, p); t.source == "" {
		return
	}
	t.sourceType, _ = v.sourceKind(t.source)
	if t.sourceType != "" && t.sourceType != want {
		v.errorf(pos, p, RuleSourceType, "%s refers to source %q of type %s; a %s needs an %s source", field, t.source, t.sourceType, field, want)
	}
}

// checkBareChannel handles a channelPath that is only a channel name.
func (v *validator) checkBareChannel(s *Step, p string, t *target) {
	var async []string
	untyped := false
	for _, src := range v.doc.SourceDescriptions {
		kind, _ := v.sourceKind(src.Name)
		switch kind {
		case SourceAsyncAPI:
			async = append(async, src.Name)
		case "":
			untyped = true
		}
	}
	pos := s.ValuePos("channelPath")
	switch {
	case len(async) == 1:
		t.source, t.sourceType, t.pointer = async[0], SourceAsyncAPI, "/channels/"+escapePointer(s.ChannelPath)
		v.suggest(SeverityWarning, pos, p, RuleChannelPathForm, "{$sourceDescriptions."+async[0]+".url}#"+t.pointer,
			"channelPath %q is not {$sourceDescriptions.<name>.url}#<JSON pointer>; read as channel %q of the only AsyncAPI source %q", s.ChannelPath, s.ChannelPath, async[0])
	case len(async) > 1:
		v.errorf(pos, p, RuleOperationPath, "channelPath %q must be {$sourceDescriptions.<name>.url}#/channels/<channel>: the document has several AsyncAPI sources (%s)", s.ChannelPath, quoteNames(async))
	case !untyped:
		v.errorf(pos, p, RuleSourceType, "channelPath refers to an AsyncAPI channel, but no source description has type asyncapi")
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// checkAsync checks the AsyncAPI fields of a step (1.1): action, correlationId.
func (v *validator) checkAsync(s *Step, path string, t target) {
	async := t.kind == "channelPath" || t.sourceType == SourceAsyncAPI
	sync := (t.kind == "operationId" || t.kind == "operationPath") && t.sourceType == SourceOpenAPI
	switch {
	case t.kind == "workflowId" || sync:
		what := "calls a workflow"
		if sync {
			what = "calls an OpenAPI operation of source " + strconv.Quote(t.source)
		}
		for _, f := range []string{"action", "correlationId"} {
			if s.Has(f) {
				v.errorf(s.KeyPos(f), joinPath(path, f), RuleAsyncField, "step %q %s; %s applies only to steps of AsyncAPI sources", s.StepID, what, f)
			}
		}
		return
	case async && !s.Has("action"):
		if t.kind == "channelPath" {
			v.suggest(SeverityError, s.KeyPos("channelPath"), joinPath(path, "action"), RuleAsyncActionRequired, "action: send",
				"step %q uses channelPath and must say what it does on the channel: action: send or action: receive", s.StepID)
		} else {
			v.suggest(SeverityWarning, s.KeyPos("operationId"), joinPath(path, "action"), RuleAsyncActionMissing, "action: send",
				"step %q calls an AsyncAPI operation without action; the operation's own action (send or receive) is used, but the step should state it", s.StepID)
		}
	}
	if s.Has("correlationId") && s.Action != "receive" {
		v.suggest(SeverityError, s.KeyPos("correlationId"), joinPath(path, "correlationId"), RuleCorrelationID, "action: receive",
			"correlationId applies only to receive steps; step %q has action %q", s.StepID, s.Action)
	}
}

// checkRequestBody checks a request body's expressions and replacements.
func (v *validator) checkRequestBody(s *Step, rb *RequestBody, path string, sc *scope, own owner) {
	if own == ownerWorkflowStep {
		v.warnf(s.KeyPos("requestBody"), path, RuleRequestBodyIgnored,
			"step %q calls a workflow, which takes no request body; it is ignored (pass values as parameters, which become the workflow's inputs)", s.StepID)
	}
	v.checkValueExpressions(rb.Payload, joinPath(path, "payload"), sc)
	seen := map[string]int{}
	for i, r := range rb.Replacements {
		p := indexPath(joinPath(path, "replacements"), i)
		if first, dup := seen[r.Target]; dup && r.Has("target") {
			v.errorf(r.ValuePos("target"), joinPath(p, "target"), RuleDuplicateReplace, "replacement target %q is already set by replacements[%d]", r.Target, first)
		} else {
			seen[r.Target] = i
		}
		v.checkValueExpressions(r.Value, joinPath(p, "value"), sc)
	}
}
