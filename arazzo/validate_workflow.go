package arazzo

import (
	"slices"
	"strings"
)

// checkWorkflow checks one workflow and everything in it.
func (v *validator) checkWorkflow(wi int, w *Workflow) {
	path := v.wfPath(wi)
	seen := make(map[string]int, len(w.Steps))
	// The path of each step, made once: every check of the step starts from it.
	stepsPath := v.paths.join(path, "steps")
	stepPaths := make([]string, len(w.Steps))
	for si, s := range w.Steps {
		stepPaths[si] = v.paths.index(stepsPath, si)
		if !s.Has("stepId") {
			continue
		}
		if first, dup := seen[s.StepID]; dup {
			v.errorf(s.ValuePos("stepId"), v.paths.join(stepPaths[si], "stepId"), RuleDuplicateStepID,
				"stepId %q is already used by steps[%d] of workflow %q; stepIds must be unique within a workflow", s.StepID, first, w.WorkflowID)
		} else {
			seen[s.StepID] = si
		}
		v.checkIDPattern(&s.Node, "stepId", s.StepID, stepPaths[si], "stepId")
	}
	if w.Inputs != nil {
		v.checkInputsRefs(w.Inputs, v.paths.join(path, "inputs"))
	}
	sc := &scope{w: w, wi: wi, si: -1}
	wps := v.checkParams(w.Parameters, v.paths.join(path, "parameters"), sc.withPlace(placeWorkflowParams), ownerWorkflow)
	if i := slices.IndexFunc(w.Steps, isOperationStep); i >= 0 {
		for _, p := range wps {
			if p.in == "" {
				v.errorf(p.pos, p.path, RuleParameterInMissing,
					"workflow parameter %q is passed to every step, including step %q, which calls an operation; it needs `in` (path, query, header or cookie)",
					p.name, w.Steps[i].StepID)
			}
		}
	}
	v.checkActionList(successActions(w.SuccessActions), v.paths.join(path, "successActions"), sc.withPlace(placeWorkflowActions))
	v.checkActionList(failureActions(w.FailureActions), v.paths.join(path, "failureActions"), sc.withPlace(placeWorkflowActions))
	for si, s := range w.Steps {
		v.checkStep(wi, w, si, s, stepPaths[si], wps)
	}
	v.checkOutputs(w.Outputs, v.paths.join(path, "outputs"), sc.withPlace(placeWorkflowOutputs))
	v.checkFlow(wi, w)
	v.checkStepDependsOnCycles(wi, w)
}

func isOperationStep(s *Step) bool {
	k := s.Kind()
	return k == "operationId" || k == "operationPath" || k == "channelPath"
}

// checkStepDependsOn checks a 1.1 step dependsOn list.
func (v *validator) checkStepDependsOn(w *Workflow, s *Step, path string) {
	if !s.Has("dependsOn") {
		return
	}
	p := v.paths.join(path, "dependsOn")
	if len(s.DependsOn) == 0 {
		v.errorf(s.ValuePos("dependsOn"), p, RuleEmptyList, "step dependsOn must have at least one entry; remove it if the step depends on nothing")
		return
	}
	seen := map[string]bool{}
	for i, d := range s.DependsOn {
		ip := v.paths.index(p, i)
		if seen[d.Value] {
			v.errorf(d.Pos, ip, RuleDuplicateDependsOn, "dependsOn lists %q more than once", d.Value)
			continue
		}
		seen[d.Value] = true
		dep, ok := ParseStepDependency(d.Value)
		if !ok {
			suggestion := ""
			if rest, found := strings.CutPrefix(d.Value, "$steps."); found {
				suggestion = strings.SplitN(rest, ".", 2)[0]
			}
			v.suggest(SeverityError, d.Pos, ip, RuleDependsOnForm, suggestion,
				"dependsOn entry %q must be a stepId of this workflow, $workflows.<workflowId>.steps.<stepId>, or $sourceDescriptions.<name>.<workflowId>.steps.<stepId>", d.Value)
			continue
		}
		switch {
		case dep.Source != "":
			if dep.Source = v.resolveSource(dep.Source, d.Pos, ip); dep.Source == "" {
				continue
			}
			v.use(dep.Source)
			if kind, known := v.sourceKind(dep.Source); known && kind != SourceArazzo {
				v.errorf(d.Pos, ip, RuleSourceType, "dependsOn entry %q refers to source %q of type %s; steps of other documents come from arazzo-type sources", d.Value, dep.Source, kind)
				continue
			}
			if v.src != nil {
				if _, loaded := v.src.Kind(dep.Source); loaded {
					other, found := v.src.Workflow(dep.Source, dep.Workflow)
					if !found {
						v.errorf(d.Pos, ip, RuleUnknownWorkflow, "dependsOn entry %q: source %q has no workflow %q", d.Value, dep.Source, dep.Workflow)
					} else if other.Step(dep.Step) == nil {
						v.errorf(d.Pos, ip, RuleUnknownStep, "dependsOn entry %q: workflow %q has no step %q", d.Value, dep.Workflow, dep.Step)
					}
				}
			}
		case dep.Workflow != "":
			other := v.workflows[dep.Workflow]
			if other == nil {
				v.suggest(SeverityError, d.Pos, ip, RuleUnknownWorkflow, closestName(dep.Workflow, v.workflowOrder()),
					"dependsOn entry %q names no workflow of this document (workflows: %s)", d.Value, quoteNames(v.workflowOrder()))
			} else if other.Step(dep.Step) == nil {
				v.suggest(SeverityError, d.Pos, ip, RuleUnknownStep, closestName(dep.Step, stepIDs(other)),
					"dependsOn entry %q: workflow %q has no step %q (steps: %s)", d.Value, dep.Workflow, dep.Step, quoteNames(stepIDs(other)))
			}
		default:
			if _, found := v.stepIndex[w][dep.Step]; !found {
				v.suggest(SeverityError, d.Pos, ip, RuleUnknownStep, closestName(dep.Step, stepIDs(w)),
					"dependsOn entry %q is not a step of workflow %q (steps: %s)", d.Value, w.WorkflowID, quoteNames(stepIDs(w)))
			}
		}
	}
}

// checkStepDependsOnCycles reports cycles among the local step dependencies of a
// workflow: no step of such a cycle can ever start.
func (v *validator) checkStepDependsOnCycles(wi int, w *Workflow) {
	graph := map[string][]string{}
	var order []string
	for si, s := range w.Steps {
		if v.stepIndex[w][s.StepID] != si {
			continue
		}
		order = append(order, s.StepID)
		for _, d := range s.DependsOn {
			if !strings.HasPrefix(d.Value, "$") {
				if _, ok := v.stepIndex[w][d.Value]; ok {
					graph[s.StepID] = append(graph[s.StepID], d.Value)
				}
			}
		}
	}
	inCycle := map[string]bool{}
	for _, cycle := range findCycles(graph, order) {
		si := v.stepIndex[w][cycle[0]]
		s := w.Steps[si]
		di := slices.IndexFunc(s.DependsOn, func(r Ref) bool { return r.Value == cycle[1] })
		v.errorf(s.DependsOn[di].Pos, v.paths.index(v.paths.join(v.stepPath(wi, si), "dependsOn"), di), RuleDependsOnCycle,
			"step dependsOn forms a cycle: %s; no step of the cycle can ever start", strings.Join(cycle, " → "))
		for _, id := range cycle {
			inCycle[id] = true
		}
	}
	// A cycle through output references too ("a" dependsOn "b", "b" reads
	// $steps.a.outputs): the execution order breaks it, and the dependsOn entry
	// it breaks cannot hold.
	at := v.flow(w).at
	for si, s := range w.Steps {
		if v.stepIndex[w][s.StepID] != si || inCycle[s.StepID] {
			continue
		}
		for di, d := range s.DependsOn {
			dep, _ := ParseStepDependency(d.Value)
			id, local := dep.LocalTo(w.WorkflowID)
			dj, ok := v.stepIndex[w][id]
			if !local || !ok || at[dj] < at[si] {
				continue
			}
			v.errorf(d.Pos, v.paths.index(v.paths.join(v.stepPath(wi, si), "dependsOn"), di), RuleDependsOnCycle,
				"step %q cannot run after step %q: their dependsOn entries and $steps output references form a cycle", s.StepID, w.Steps[dj].StepID)
		}
	}
}
