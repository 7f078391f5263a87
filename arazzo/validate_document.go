package arazzo

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// checkRoot checks the root object: the 1.1 $self field.
func (v *validator) checkRoot() {
	d := v.doc
	if !d.Has("$self") {
		return
	}
	pos := d.ValuePos("$self")
	if i := strings.IndexByte(d.Self, '#'); i >= 0 {
		v.suggest(SeverityError, d.TextPos("$self", i), "$self", RuleSelfURI, d.Self[:i],
			"$self %q must not contain a fragment (#...); it names the whole document", d.Self)
		return
	}
	if off, msg := uriReferenceProblem(d.Self); msg != "" {
		if off > 0 {
			pos = d.TextPos("$self", off)
		}
		v.errorf(pos, "$self", RuleSelfURI, "$self %q is not a URI-reference: %s", d.Self, msg)
	}
}

// uriReferenceProblem explains why s is not an RFC 3986 URI-reference, with the
// offset of the problem, or returns "".
func uriReferenceProblem(s string) (int, string) {
	if s == "" {
		return 0, "it is empty"
	}
	for i, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return i, "it contains a space or control character (percent-encode it, e.g. %20 for a space)"
		}
	}
	if _, err := url.Parse(s); err != nil {
		msg := err.Error()
		if ue, ok := err.(*url.Error); ok {
			msg = ue.Err.Error()
		}
		return 0, msg
	}
	return 0, ""
}

// checkSources checks source descriptions: unique names, name pattern, URL form.
func (v *validator) checkSources() {
	seen := map[string]int{}
	for i, s := range v.doc.SourceDescriptions {
		path := v.paths.index("sourceDescriptions", i)
		if s.Has("name") {
			if first, dup := seen[s.Name]; dup {
				v.errorf(s.ValuePos("name"), v.paths.join(path, "name"), RuleDuplicateSource,
					"source description name %q is already used by sourceDescriptions[%d]; names must be unique", s.Name, first)
			} else {
				seen[s.Name] = i
			}
			v.checkIDPattern(&s.Node, "name", s.Name, path, "source description name")
		}
		if s.Has("url") {
			if off, msg := uriReferenceProblem(s.URL); msg != "" {
				v.errorf(s.TextPos("url", off), v.paths.join(path, "url"), RuleSourceURL,
					"source description url %q is not a URI-reference: %s", s.URL, msg)
			}
		}
	}
}

// checkWorkflowIDs checks that workflowIds are unique and well formed.
func (v *validator) checkWorkflowIDs() {
	seen := map[string]int{}
	for i, w := range v.doc.Workflows {
		if !w.Has("workflowId") {
			continue
		}
		if first, dup := seen[w.WorkflowID]; dup {
			v.errorf(w.ValuePos("workflowId"), v.paths.join(v.wfPath(i), "workflowId"), RuleDuplicateWorkflowID,
				"workflowId %q is already used by workflows[%d]; workflowIds must be unique in the document", w.WorkflowID, first)
		} else {
			seen[w.WorkflowID] = i
		}
		v.checkIDPattern(&w.Node, "workflowId", w.WorkflowID, v.wfPath(i), "workflowId")
	}
}

// checkComponents checks the components that do not depend on where they are used:
// action shapes and parameter values' syntax. References from steps check the rest.
func (v *validator) checkComponents() {
	c := v.doc.Components
	if c == nil {
		return
	}
	for _, key := range c.Order["parameters"] {
		p := c.Parameters[key]
		if p == nil || p.IsReference() {
			continue
		}
		path := "components.parameters." + key
		v.checkValueExpressions(p.Value, v.paths.join(path, "value"), nil)
	}
	for _, key := range c.Order["successActions"] {
		if a := c.SuccessActions[key]; a != nil && !a.IsReference() {
			v.checkActionShape(actionOf(a), "components.successActions."+key, nil)
		}
	}
	for _, key := range c.Order["failureActions"] {
		if a := c.FailureActions[key]; a != nil && !a.IsReference() {
			v.checkActionShape(actionOf(a), "components.failureActions."+key, nil)
		}
	}
	for _, key := range c.Order["inputs"] {
		if in := c.Inputs[key]; in != nil {
			v.checkInputsRefs(in, "components.inputs."+key)
		}
	}
}

// checkInputsRefs checks every "$ref" inside an inputs schema that points into the
// document's components: it must name an existing components.inputs entry.
func (v *validator) checkInputsRefs(schema *Value, path string) {
	walkValue(schema.V, "", func(ptr string, val any) bool {
		m, ok := val.(map[string]any)
		if !ok {
			return true
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return true
		}
		refPtr := pointerJoin(ptr, "$ref")
		pos := schema.PosAt(refPtr)
		p := v.paths.join(path, strings.ReplaceAll(strings.TrimPrefix(refPtr, "/"), "/", "."))
		switch {
		case strings.HasPrefix(ref, "#/components/inputs/"):
			key := unescapePointerToken(strings.TrimPrefix(ref, "#/components/inputs/"))
			if v.doc.Components == nil || v.doc.Components.Inputs[key] == nil {
				v.errorf(pos, p, RuleInputsRef, "$ref %q does not resolve: components.inputs has no %q (defined: %s)",
					ref, key, quoteNames(v.componentKeys("inputs")))
			}
		case strings.HasPrefix(ref, "#/components/"):
			v.errorf(pos, p, RuleInputsRef, "$ref %q must point to #/components/inputs/<name>; inputs schemas can only reuse components.inputs", ref)
		}
		return true
	})
}

func (v *validator) componentKeys(kind string) []string {
	if v.doc.Components == nil {
		return nil
	}
	return v.doc.Components.Order[kind]
}

// inputsSchema follows $ref to components.inputs and returns the schema object, or nil.
func (v *validator) inputsSchema(val *Value) map[string]any {
	if val == nil {
		return nil
	}
	m, _ := val.V.(map[string]any)
	for range 16 {
		ref, ok := m["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/components/inputs/") || v.doc.Components == nil {
			return m
		}
		next := v.doc.Components.Inputs[unescapePointerToken(strings.TrimPrefix(ref, "#/components/inputs/"))]
		if next == nil {
			return nil
		}
		m, _ = next.V.(map[string]any)
	}
	return nil
}

// inputNames returns the declared top-level input properties of a workflow, and
// whether the schema declares properties at all (only then can a name be unknown).
func (v *validator) inputNames(w *Workflow) (map[string]bool, bool) {
	m := v.inputsSchema(w.Inputs)
	props, ok := m["properties"].(map[string]any)
	if !ok {
		return nil, false
	}
	names := make(map[string]bool, len(props))
	for k := range props {
		names[k] = true
	}
	return names, true
}

func unescapePointerToken(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// walkValue calls fn for val and, while fn returns true, for every nested value,
// with its JSON pointer. Map keys are visited in sorted order for stable output.
func walkValue(val any, ptr string, fn func(ptr string, val any) bool) {
	if !fn(ptr, val) {
		return
	}
	switch x := val.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkValue(x[k], pointerJoin(ptr, k), fn)
		}
	case []any:
		for i, item := range x {
			walkValue(item, ptr+"/"+itoa(i), fn)
		}
	}
}

// checkWorkflowDependsOn checks workflow-level dependsOn: duplicates, targets, cycles.
func (v *validator) checkWorkflowDependsOn() {
	for wi, w := range v.doc.Workflows {
		seen := map[string]bool{}
		for di, d := range w.DependsOn {
			path := v.paths.index(v.paths.join(v.wfPath(wi), "dependsOn"), di)
			if seen[d.Value] {
				v.errorf(d.Pos, path, RuleDuplicateDependsOn, "dependsOn lists %q more than once", d.Value)
				continue
			}
			seen[d.Value] = true
			v.checkWorkflowRef(d.Value, d.Parsed, d.Pos, path, "dependsOn entry")
		}
	}
	// Cycles among local workflows.
	graph := map[string][]string{}
	for _, w := range v.doc.Workflows {
		if v.workflows[w.WorkflowID] != w {
			continue
		}
		for _, d := range w.DependsOn {
			if _, ok := v.workflows[d.Value]; ok {
				graph[w.WorkflowID] = append(graph[w.WorkflowID], d.Value)
			}
		}
	}
	for _, cycle := range findCycles(graph, v.workflowOrder()) {
		w := v.workflows[cycle[0]]
		wi := slices.Index(v.doc.Workflows, w)
		di := slices.IndexFunc(w.DependsOn, func(r Ref) bool { return r.Value == cycle[1] })
		v.errorf(w.DependsOn[di].Pos, v.paths.index(v.paths.join(v.wfPath(wi), "dependsOn"), di), RuleDependsOnCycle,
			"workflow dependsOn forms a cycle: %s; no workflow of the cycle can ever start", strings.Join(cycle, " → "))
	}
}

func (v *validator) workflowOrder() []string {
	var ids []string
	for _, w := range v.doc.Workflows {
		if v.workflows[w.WorkflowID] == w {
			ids = append(ids, w.WorkflowID)
		}
	}
	return ids
}

// findCycles returns each elementary cycle found by a depth-first search, once, as
// the list of nodes starting and ending with the same node. Nodes are visited in
// the given order so that the result is stable.
func findCycles(graph map[string][]string, order []string) [][]string {
	const (
		white = iota
		grey
		black
	)
	color := make(map[string]int, len(graph))
	var stack []string
	var cycles [][]string
	var visit func(n string)
	visit = func(n string) {
		color[n] = grey
		stack = append(stack, n)
		for _, m := range graph[n] {
			switch color[m] {
			case white:
				visit(m)
			case grey:
				i := slices.Index(stack, m)
				cycle := append(slices.Clone(stack[i:]), m)
				cycles = append(cycles, cycle)
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	for _, n := range order {
		// A node without edges is on no cycle: visiting it only colours it.
		if len(graph[n]) > 0 && color[n] == white {
			visit(n)
		}
	}
	return cycles
}

func itoa(i int) string { return indexToken(i) }
