package runtime

import (
	"slices"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
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

// orderSteps puts the steps of a workflow that uses step-level dependsOn (1.1) in
// an order that satisfies every dependency: the declared ones and the implicit
// ones of $steps.<id>.outputs references ("Tools supporting only sequential
// execution MUST execute steps in an order that satisfies both explicit and
// implicit dependencies"). The order is the list order wherever the dependencies
// allow it. A workflow without step-level dependsOn keeps its list order: there a
// forward reference is an error the validator reports.
func orderSteps(wp *workflowPlan) {
	if !slices.ContainsFunc(wp.wf.Steps, func(s *arazzo.Step) bool { return len(s.DependsOn) > 0 }) {
		return
	}
	n := len(wp.steps)
	after := make([][]int, n) // after[i]: the steps that need step i first
	need := make([]int, n)    // how many steps must come before step i
	for i, sp := range wp.steps {
		seen := map[int]bool{}
		for _, d := range sp.deps {
			if d.local != nil && d.local != sp && !seen[d.local.index] {
				seen[d.local.index] = true
			}
		}
		for _, e := range stepRefs(sp) {
			if j, ok := wp.stepIndex[e.ID]; ok && j != i {
				seen[j] = true
			}
		}
		for j := range seen {
			after[j] = append(after[j], i)
			need[i]++
		}
	}
	// Kahn's algorithm, always taking the first ready step in list order; the
	// steps of a cycle (an error Validate reports) keep their list order, last.
	placed := make([]bool, n)
	order := make([]*stepPlan, 0, n)
	for len(order) < n {
		next := -1
		for i := range n {
			if !placed[i] && need[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			for i := range n {
				if !placed[i] {
					order = append(order, wp.steps[i])
				}
			}
			break
		}
		placed[next] = true
		order = append(order, wp.steps[next])
		for _, k := range after[next] {
			need[k]--
		}
	}
	wp.steps = order
	for i, sp := range order {
		sp.index = i
		wp.stepIndex[sp.id] = i
	}
	for _, sp := range order {
		for _, a := range append(slices.Clip(sp.onSuccess), sp.onFailure...) {
			if a != nil && a.stepID != "" {
				if i, ok := wp.stepIndex[a.stepID]; ok {
					a.stepIndex = i
				}
			}
		}
	}
}

// stepRefs lists the $steps.<id>.outputs expressions a step evaluates while it
// runs: in its parameters, request body, success criteria, outputs and action
// criteria.
func stepRefs(sp *stepPlan) []*expr.Expression {
	var refs []*expr.Expression
	addValue := func(v *valueExpr) {
		if v != nil && v.Value != nil {
			refs = append(refs, v.Refs()...)
		}
	}
	addCriteria := func(cs []*criterionPlan) {
		for _, c := range cs {
			if c != nil && c.crit != nil {
				refs = append(refs, c.crit.Refs()...)
			}
		}
	}
	for _, p := range sp.params {
		addValue(p.value)
	}
	if sp.body != nil {
		addValue(sp.body.payload)
		for _, r := range sp.body.replacements {
			addValue(r.value)
		}
	}
	addCriteria(sp.success)
	for _, o := range sp.outputs {
		addValue(o.value)
	}
	for _, a := range append(slices.Clip(sp.onSuccess), sp.onFailure...) {
		if a != nil {
			addCriteria(a.criteria)
		}
	}
	out := refs[:0]
	for _, e := range refs {
		if e.Kind == expr.KindStepOutputs {
			out = append(out, e)
		}
	}
	return out
}

// compileStepDeps reads the dependsOn entries of a step. The forms are a stepId
// of the same workflow, $workflows.<workflowId>.steps.<stepId> and
// $sourceDescriptions.<name>.<workflowId>.steps.<stepId>; Validate reports any
// other.
func compileStepDeps(wp *workflowPlan, sp *stepPlan) {
	for _, r := range sp.step.DependsOn {
		d := &stepDep{text: r.Value, pos: r.Pos}
		switch v := r.Value; {
		case strings.HasPrefix(v, "$workflows."):
			wf, step, ok := strings.Cut(strings.TrimPrefix(v, "$workflows."), ".steps.")
			if !ok {
				continue
			}
			d.workflowID, d.stepID = wf, step
		case strings.HasPrefix(v, "$sourceDescriptions."):
			src, rest, ok := strings.Cut(strings.TrimPrefix(v, "$sourceDescriptions."), ".")
			if !ok {
				continue
			}
			wf, step, ok := strings.Cut(rest, ".steps.")
			if !ok {
				continue
			}
			d.source, d.workflowID, d.stepID = src, wf, step
		default:
			i, ok := wp.stepIndex[v]
			if !ok {
				continue
			}
			d.local = wp.steps[i]
		}
		if d.workflowID == wp.id && d.source == "" {
			if i, ok := wp.stepIndex[d.stepID]; ok {
				d.local, d.workflowID, d.stepID = wp.steps[i], "", ""
			}
		}
		sp.deps = append(sp.deps, d)
	}
}
