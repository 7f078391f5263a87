package runtime

import (
	"slices"

	"github.com/arazzo-run/arazzo/arazzo"
)

// stepDep is a 1.1 step-level dependsOn entry: a step that must have completed
// before the step that names it runs.
type stepDep struct {
	text string
	pos  arazzo.Pos
	// local is the step of the same workflow; else workflowID/stepID name a
	// step of another workflow of the same document, bound to step once all
	// workflows are compiled (nil when its document was not loaded).
	local      *stepPlan
	workflowID string
	stepID     string
	source     string // $sourceDescriptions.<source>.<workflowId>.steps.<stepId>
	step       *stepPlan
}

// orderSteps puts the steps of a workflow in the order they execute: the list
// order, or with 1.1 step-level dependsOn an order that satisfies the declared
// and implicit dependencies (arazzo.Workflow.ExecutionOrder). Fall-through to
// the "next sequential step" follows it; action targets are re-bound to it.
func orderSteps(wp *workflowPlan) {
	order := wp.wf.ExecutionOrder()
	if slices.IsSorted(order) {
		return
	}
	steps := make([]*stepPlan, len(order))
	for i, j := range order {
		steps[i] = wp.steps[j]
		steps[i].index = i
		wp.stepIndex[steps[i].id] = i
	}
	wp.steps = steps
	for _, sp := range steps {
		for _, a := range append(slices.Clip(sp.onSuccess), sp.onFailure...) {
			if a != nil && a.stepID != "" {
				if i, ok := wp.stepIndex[a.stepID]; ok {
					a.stepIndex = i
				}
			}
		}
	}
}

// compileStepDeps reads the dependsOn entries of a step. The forms are a stepId
// of the same workflow, $workflows.<workflowId>.steps.<stepId> and
// $sourceDescriptions.<name>.<workflowId>.steps.<stepId>; Validate reports any
// other.
func compileStepDeps(wp *workflowPlan, sp *stepPlan) {
	for _, r := range sp.step.DependsOn {
		dep, ok := arazzo.ParseStepDependency(r.Value)
		if !ok {
			continue
		}
		d := &stepDep{text: r.Value, pos: r.Pos, source: dep.Source, workflowID: dep.Workflow, stepID: dep.Step}
		if id, local := dep.LocalTo(wp.id); local {
			i, ok := wp.stepIndex[id]
			if !ok {
				continue
			}
			d.local, d.workflowID, d.stepID = wp.steps[i], "", ""
		}
		sp.deps = append(sp.deps, d)
	}
}
