package arazzo

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// target is what a step calls, as far as the document tells.
type target struct {
	// kind is the step's target field: operationId, operationPath, workflowId,
	// channelPath, or "" when none is given. An operationPath written in the
	// operationId field has kind operationPath and field operationId.
	kind, field string
	// source is the source description the target lives in ("" when unknown), and
	// sourceType its type ("" when unknown).
	source, sourceType string
	// id is the operationId (unqualified); pointer the operationPath/channelPath pointer.
	id, pointer string
}

// checkStep checks one step, at path, and everything in it.
func (v *validator) checkStep(wi int, w *Workflow, si int, s *Step, path string, wps []param) {
	sc := &scope{w: w, wi: wi, step: s, si: si}
	v.userStep, v.userWorkflow = s, w
	defer func() { v.userStep, v.userWorkflow = nil, nil }()
	t := v.checkStepTarget(s, path)
	own := ownerUnknown
	switch t.kind {
	case "operationId", "operationPath", "channelPath":
		own = ownerOperation
	case "workflowId":
		own = ownerWorkflowStep
	}
	v.checkAsync(s, path, t, sc)
	ps := v.checkParams(s.Parameters, v.paths.join(path, "parameters"), sc.withPlace(placeStepInput), own)
	if rb := s.RequestBody; rb != nil {
		v.checkRequestBody(s, rb, v.paths.join(path, "requestBody"), sc.withPlace(placeStepInput), own)
	}
	v.checkCriteria(s.SuccessCriteria, v.paths.join(path, "successCriteria"), sc.withPlace(placeSuccessCriteria))
	v.checkActionList(successActions(s.OnSuccess), v.paths.join(path, "onSuccess"), sc.withPlace(placeStepAction))
	v.checkActionList(failureActions(s.OnFailure), v.paths.join(path, "onFailure"), sc.withPlace(placeStepAction))
	v.checkOutputs(s.Outputs, v.paths.join(path, "outputs"), sc.withPlace(placeStepOutputs))
	v.checkStepDependsOn(w, s, path)
	if v.src != nil && (t.kind == "operationId" || t.kind == "operationPath") {
		v.checkOperation(w, s, path, t, ps, wps)
	}
	if own == ownerOperation {
		v.checkPayload(s, v.paths.join(path, "requestBody"))
	}
}

// checkPayload decides the media type a step's request body is sent with,
// as the runtime will (the contentType given, else the operation's, else
// JSON), and reads a string payload with embedded expressions as JSON text
// when it is sent as JSON: its expressions are then substituted into the
// parsed JSON, never into text that would be sent as one JSON string.
func (v *validator) checkPayload(s *Step, path string) {
	rb := s.RequestBody
	if rb == nil {
		return
	}
	media := rb.ContentType
	if op, ok := v.checked.operations[s]; ok && op.MediaType != nil {
		name, declared := op.MediaType(rb.ContentType)
		if !declared && rb.ContentType != "" {
			v.warnf(rb.ValuePos("contentType"), v.paths.join(path, "contentType"), RuleContentTypeUndeclared,
				"contentType %q is not declared by operation %s; it is sent anyway", rb.ContentType, operationName(op))
		}
		if media == "" {
			media = name
		}
	}
	if media == "" {
		media = "application/json" // what the runtime sends without a declared type
	}
	cv, _ := rb.Payload.Compiled()
	if cv == nil || cv.Template() == nil || !isJSONMedia(media) {
		return
	}
	tmpl := cv.Template()
	if rb.ContentType == "" && !expr.IsJSONText(tmpl.String()) {
		return // text, sent as a JSON string
	}
	jv, err := tmpl.JSONValue()
	v.checked.payloads[rb] = jsonPayload{jv, err}
	if err != nil {
		loc := valueLoc(rb.Payload, "", v.paths.join(path, "payload"))
		off, detail := 0, err.Error()
		var se *expr.SyntaxError
		if errors.As(err, &se) {
			off, detail = se.Offset, se.Msg
		}
		v.warnf(loc.at(off), loc.path, RulePayloadJSON,
			"the payload string is sent as %s, but it is %s; the step fails when it runs (rather than send the text as one JSON string)", media, detail)
	}
}

// isJSONMedia reports whether a media type is JSON (application/json or a
// +json suffix), parameters ignored.
func isJSONMedia(mt string) bool {
	mt, _, _ = strings.Cut(mt, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
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
		v.errorf(s.KeyPos(set[1]), v.paths.join(path, set[1]), RuleStepTarget,
			"step %q sets both %s and %s; a step has exactly one target", s.StepID, set[0], set[1])
	}
	t := target{kind: s.Kind(), field: s.Kind()}
	switch t.kind {
	case "operationId":
		v.checkOperationID(s, path, &t)
	case "operationPath", "channelPath":
		v.checkSourcePath(s, path, &t)
	case "workflowId":
		v.checkWorkflowRef(s.WorkflowID, s.Expr("workflowId"), s.ValuePos("workflowId"), v.paths.join(path, "workflowId"), "workflowId")
	}
	return t
}

// checkOperationID checks an operationId: a qualified one names a declared
// non-arazzo source; a bare one is allowed only with a single non-arazzo
// source. Three non-standard forms have one reading when the sources say
// so: a bare id found in exactly one of several sources, "<source>.<id>"
// (source name, dot, operationId), and an operationPath written in this
// field.
func (v *validator) checkOperationID(s *Step, path string, t *target) {
	p := v.paths.join(path, "operationId")
	pos := s.ValuePos("operationId")
	if strings.HasPrefix(s.OperationID, "$") {
		parsed := s.Expr("operationId")
		if parsed != nil && parsed.Err != nil && strings.Contains(s.OperationID, "#") {
			// "$sourceDescriptions.api#/paths/~1pets/get": an operationPath.
			v.operationPathInID(s, p, t)
			return
		}
		e := v.parsedRef(parsed, nodeLoc(&s.Node, "operationId", p), "operationId")
		if e == nil {
			return
		}
		if e.Kind != expr.KindSourceDescription {
			v.errorf(pos, p, RuleStepTarget, "operationId %q must be an operationId or $sourceDescriptions.<name>.<operationId>", s.OperationID)
			return
		}
		name := v.resolveSource(e.ID, s.TextPos("operationId", len("$sourceDescriptions.")), p)
		if name == "" {
			return
		}
		t.source, t.id = name, e.Name
		t.sourceType, _ = v.sourceKind(name)
		v.use(name)
		if t.sourceType == SourceArazzo {
			v.suggest(SeverityError, pos, p, RuleSourceType, "workflowId: "+s.OperationID,
				"operationId %q refers to source %q, an Arazzo document; call its workflows with workflowId", s.OperationID, e.ID)
		}
		return
	}
	if strings.HasPrefix(s.OperationID, "{") && strings.Contains(s.OperationID, "#") {
		v.operationPathInID(s, p, t)
		return
	}
	t.id = s.OperationID
	var candidates []string
	for _, src := range v.doc.SourceDescriptions {
		if src.Type != SourceArazzo {
			candidates = append(candidates, src.Name)
		}
	}
	if len(candidates) == 1 {
		t.source = candidates[0]
		if src := v.sources[t.source]; src != nil { // a source without a name is not in the map
			t.sourceType = src.Type
		}
		if t.sourceType == "" && v.src != nil {
			t.sourceType, _ = v.src.Kind(t.source)
		}
		if !v.dottedReading(s, p, t, candidates) {
			v.use(t.source)
		}
		return
	}
	if v.dottedReading(s, p, t, candidates) || len(candidates) == 0 {
		return
	}
	var loaded, unloaded []string
	for _, c := range candidates {
		if kind, ok := v.sourceLoaded(c); ok && kind == SourceOpenAPI {
			loaded = append(loaded, c)
		} else if !ok {
			unloaded = append(unloaded, c)
		}
	}
	var ops []OperationInfo
	if v.src != nil {
		ops = v.src.FindOperation("", s.OperationID)
	}
	std := "$sourceDescriptions.<name>." + s.OperationID
	switch {
	case len(ops) == 1:
		t.source, t.sourceType = ops[0].Source, SourceOpenAPI
		v.use(t.source)
		v.suggest(SeverityWarning, pos, p, RuleUnqualifiedOperation, "$sourceDescriptions."+ops[0].Source+"."+s.OperationID,
			"operationId %q is not qualified although the document has several non-arazzo sources (%s); it is found only in source %q and read as that operation",
			s.OperationID, quoteNames(candidates), ops[0].Source)
	case len(ops) > 1:
		found := make([]string, len(ops))
		for i, o := range ops {
			found[i] = "$sourceDescriptions." + o.Source + "." + s.OperationID
		}
		v.errorf(pos, p, RuleAmbiguousOperation,
			"operationId %q has %d readings: %s; qualify it to say which one", s.OperationID, len(ops), strings.Join(found, ", "))
	case len(unloaded) > 0:
		for _, u := range unloaded {
			v.use(u) // the operation may be there
		}
		why := quoteNames(unloaded) + " could not be read to tell which one has it"
		if v.src == nil {
			why = "which one has it is checked only with the sources loaded"
		}
		v.suggest(SeverityWarning, pos, p, RuleUnqualifiedOperation, std,
			"operationId %q must be qualified as %s: the document has several non-arazzo sources (%s), and %s",
			s.OperationID, std, quoteNames(candidates), why)
	default:
		v.errorf(pos, p, RuleUnknownOperation, "operationId %q exists in none of the sources %s", s.OperationID, quoteNames(loaded))
	}
}

// dottedReading reads the Redocly form "<source>.<operationId>" as
// $sourceDescriptions.<source>.<operationId> when it names exactly one
// operation (with the sources loaded), or, offline, one declared source.
// It reports false when the id has no such reading, and reports an error
// listing them when it has several (the literal operationId among them).
func (v *validator) dottedReading(s *Step, p string, t *target, candidates []string) bool {
	id := s.OperationID
	type reading struct{ source, id string }
	var readings []reading
	for i := 0; i < len(id); i++ {
		if id[i] != '.' || !slices.Contains(candidates, id[:i]) {
			continue
		}
		src, rest := id[:i], id[i+1:]
		if kind, ok := v.sourceLoaded(src); ok {
			if kind == SourceOpenAPI && len(v.src.FindOperation(src, rest)) > 0 {
				readings = append(readings, reading{src, rest})
			}
		} else if v.src == nil || !ok {
			readings = append(readings, reading{src, rest}) // unverifiable offline
		}
	}
	if len(readings) == 0 {
		return false
	}
	if v.src != nil {
		for _, o := range v.src.FindOperation("", id) {
			readings = append(readings, reading{o.Source, id})
		}
	}
	pos := s.ValuePos("operationId")
	if len(readings) > 1 {
		forms := make([]string, len(readings))
		for i, r := range readings {
			forms[i] = "$sourceDescriptions." + r.source + "." + r.id
		}
		v.errorf(pos, p, RuleAmbiguousOperation, "operationId %q has %d readings: %s; write the one you mean", id, len(readings), strings.Join(forms, ", "))
		return true
	}
	r := readings[0]
	std := "$sourceDescriptions." + r.source + "." + r.id
	v.suggest(SeverityWarning, pos, p, RuleOperationIDDotted, std,
		"operationId %q is written <source>.<operationId>; read as operation %q of source %q", id, r.id, r.source)
	t.source, t.id = r.source, r.id
	if src := v.sources[r.source]; src != nil {
		t.sourceType = src.Type
	}
	if t.sourceType == "" && v.src != nil {
		t.sourceType, _ = v.src.Kind(r.source)
	}
	v.use(r.source)
	return true
}

// operationPathInID reads an operationPath written in the operationId field.
func (v *validator) operationPathInID(s *Step, p string, t *target) {
	t.kind = "operationPath"
	if !v.sourcePathForm(s, s.OperationID, "operationId", p, t, false) {
		return
	}
	std := "operationPath: {$sourceDescriptions." + t.source + ".url}#" + t.pointer
	v.suggest(SeverityWarning, s.ValuePos("operationId"), p, RuleOperationIDPath, std,
		"operationId %q is an operationPath; read as the pointer %q in source %q", s.OperationID, t.pointer, t.source)
}

// sourceLoaded returns the type of a source that the Sources loaded.
func (v *validator) sourceLoaded(name string) (string, bool) {
	if v.src == nil {
		return "", false
	}
	return v.src.Kind(name)
}

// checkSourcePath checks an operationPath or channelPath:
//
//	source-path = "{$sourceDescriptions." name ".url}" "#" json-pointer
//
// Non-standard forms with a single reading are accepted with a warning:
// $sourceDescriptions.<name>[.url]#<pointer>, <name>#<pointer> for a declared
// source, and (channelPath) a bare channel name when the document has exactly
// one AsyncAPI source.
func (v *validator) checkSourcePath(s *Step, path string, t *target) {
	field := t.kind
	val := s.OperationPath
	if field == "channelPath" {
		val = s.ChannelPath
	}
	v.sourcePathForm(s, val, field, v.paths.join(path, field), t, true)
}

// sourcePathForm reads val, written in field, as a source path; warn reports
// the non-standard forms (the caller reports them otherwise). It reports
// false when val has no reading.
func (v *validator) sourcePathForm(s *Step, val, field, p string, t *target, warn bool) bool {
	want := SourceOpenAPI
	example := "#/paths/~1pets/get"
	formRule := RuleOperationPathForm
	if t.kind == "channelPath" {
		want, example, formRule = SourceAsyncAPI, "#/channels/orders", RuleChannelPathForm
	}
	pos := s.ValuePos(field)
	nonStandard := func(name, frag string) {
		if warn {
			std := "{$sourceDescriptions." + name + ".url}#" + frag
			v.suggest(SeverityWarning, pos, p, formRule, std,
				"%s %q is not in the standard form {$sourceDescriptions.<name>.url}#<JSON pointer>; read as the pointer %q in source %q", field, val, frag, name)
		}
		t.source, t.pointer = name, frag
	}
	head, frag, hasFrag := strings.Cut(val, "#")
	switch {
	case strings.HasPrefix(val, "{"):
		end := strings.IndexByte(val, '}')
		if end < 0 {
			v.errorf(s.TextPos(field, len(val)), p, RuleOperationPath, "%s %q: missing '}' after the source expression", field, val)
			return false
		}
		e := v.parsedRef(s.Expr(field), nodeLoc(&s.Node, field, p), field)
		if e == nil {
			return false
		}
		if e.Kind != expr.KindSourceDescription || e.Name != "url" {
			v.errorf(s.TextPos(field, 1), p, RuleOperationPath, "%s must start with {$sourceDescriptions.<name>.url}, got {%s}", field, e.Text)
			return false
		}
		t.source = e.ID
		rest := val[end+1:]
		if !strings.HasPrefix(rest, "#") {
			v.suggest(SeverityError, s.TextPos(field, end+1), p, RuleOperationPath, val[:end+1]+example,
				"%s needs '#' and a JSON pointer after the source, e.g. %s", field, example)
			return false
		}
		t.pointer = rest[1:]
		if off, msg := jsonPointerProblem(t.pointer); msg != "" {
			v.errorf(s.TextPos(field, end+2+off), p, RuleOperationPath, "invalid JSON pointer in %s: %s", field, msg)
			return false
		} else if t.pointer == "" {
			v.errorf(s.TextPos(field, end+1), p, RuleOperationPath, "%s points at the whole document; add the pointer of the %s, e.g. %s", field, strings.TrimSuffix(t.kind, "Path"), example)
			return false
		}
	case strings.HasPrefix(val, "$sourceDescriptions."):
		name := strings.TrimSuffix(strings.TrimPrefix(head, "$sourceDescriptions."), ".url")
		if !hasFrag || !isID(name) {
			v.errorf(pos, p, RuleOperationPath, "%s %q must be {$sourceDescriptions.<name>.url}#<JSON pointer>, e.g. {$sourceDescriptions.%s.url}%s", field, val, name, example)
			return false
		}
		nonStandard(name, frag)
	case t.kind == "channelPath" && !hasFrag:
		v.checkBareChannel(s, p, t)
		return t.source != ""
	case hasFrag && v.declaredSource(head) != "" && strings.HasPrefix(frag, "/"):
		// "api#/paths/~1pets/get": the source's name without the expression.
		nonStandard(v.declaredSource(head), frag)
	default:
		v.errorf(pos, p, RuleOperationPath,
			"%s %q must be {$sourceDescriptions.<name>.url}#<JSON pointer>: a runtime expression names the source and a JSON pointer the operation, e.g. {$sourceDescriptions.api.url}%s", field, val, example)
		return false
	}
	if t.source = v.resolveSource(t.source, pos, p); t.source == "" {
		return false
	}
	v.use(t.source)
	t.sourceType, _ = v.sourceKind(t.source)
	if t.sourceType != "" && t.sourceType != want {
		v.errorf(pos, p, RuleSourceType, "%s refers to source %q of type %s; a %s needs an %s source", field, t.source, t.sourceType, t.kind, want)
		return false
	}
	return true
}

// declaredSource returns the declared source that name is, exactly or but
// for case when that is unambiguous, or "".
func (v *validator) declaredSource(name string) string {
	if _, ok := v.sources[name]; ok {
		return name
	}
	found := ""
	for n := range v.sources {
		if strings.EqualFold(n, name) {
			if found != "" {
				return ""
			}
			found = n
		}
	}
	return found
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
func (v *validator) checkAsync(s *Step, path string, t target, sc *scope) {
	async := t.kind == "channelPath" || t.sourceType == SourceAsyncAPI
	sync := (t.kind == "operationId" || t.kind == "operationPath") && t.sourceType == SourceOpenAPI
	switch {
	case t.kind == "workflowId" || sync:
		for _, f := range []string{"action", "correlationId"} {
			if !s.Has(f) {
				continue
			}
			what := "calls a workflow"
			if sync {
				what = "calls an OpenAPI operation of source " + strconv.Quote(t.source)
			}
			v.errorf(s.KeyPos(f), v.paths.join(path, f), RuleAsyncField, "step %q %s; %s applies only to steps of AsyncAPI sources", s.StepID, what, f)
		}
		return
	case async && !s.Has("action"):
		if t.kind == "channelPath" {
			v.suggest(SeverityError, s.KeyPos("channelPath"), v.paths.join(path, "action"), RuleAsyncActionRequired, "action: send",
				"step %q uses channelPath and must say what it does on the channel: action: send or action: receive", s.StepID)
		} else {
			v.suggest(SeverityWarning, s.KeyPos("operationId"), v.paths.join(path, "action"), RuleAsyncActionMissing, "action: send",
				"step %q calls an AsyncAPI operation without action; the operation's own action (send or receive) is used, but the step should state it", s.StepID)
		}
	}
	if p := s.Expr("correlationId"); p != nil {
		loc := nodeLoc(&s.Node, "correlationId", v.paths.join(path, "correlationId"))
		if e := v.parsedRef(p, loc, "correlationId"); e != nil {
			v.checkExpr(e, sc.withPlace(placeSuccessCriteria), loc)
		}
	}
	if s.Has("correlationId") && s.Action != "receive" {
		v.suggest(SeverityError, s.KeyPos("correlationId"), v.paths.join(path, "correlationId"), RuleCorrelationID, "action: receive",
			"correlationId applies only to receive steps; step %q has action %q", s.StepID, s.Action)
	}
}

// checkRequestBody checks a request body's expressions and replacements.
func (v *validator) checkRequestBody(s *Step, rb *RequestBody, path string, sc *scope, own owner) {
	if own == ownerWorkflowStep {
		v.warnf(s.KeyPos("requestBody"), path, RuleRequestBodyIgnored,
			"step %q calls a workflow, which takes no request body; it is ignored (pass values as parameters, which become the workflow's inputs)", s.StepID)
	}
	v.checkValueExpressions(rb.Payload, v.paths.join(path, "payload"), sc)
	seen := map[string]int{}
	for i, r := range rb.Replacements {
		p := v.paths.index(v.paths.join(path, "replacements"), i)
		if first, dup := seen[r.Target]; dup && r.Has("target") {
			v.errorf(r.ValuePos("target"), v.paths.join(p, "target"), RuleDuplicateReplace, "replacement target %q is already set by replacements[%d]", r.Target, first)
		} else {
			seen[r.Target] = i
		}
		v.checkValueExpressions(r.Value, v.paths.join(p, "value"), sc)
	}
}
