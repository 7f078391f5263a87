package arazzo

import "github.com/arazzo-run/arazzo/expr"

// ExecutionOrder returns the order in which a sequential runtime executes the
// steps of w, as indexes into w.Steps. Without step-level dependsOn (Arazzo
// 1.1) it is the list order. With it, every step comes after the steps of w it
// names in dependsOn and after those whose outputs it reads
// ($steps.<id>.outputs in its parameters, request body, criteria, outputs and
// action criteria), as 1.1 §Step Dependencies and Execution Order requires of
// sequential tools; where that leaves a choice the list order decides. A
// dependency cycle (an error Validate reports) is broken at its first step in
// list order.
func (w *Workflow) ExecutionOrder() []int {
	n := len(w.Steps)
	order := make([]int, 0, n)
	async := false
	for _, s := range w.Steps {
		async = async || len(s.DependsOn) > 0
	}
	if !async {
		for i := range n {
			order = append(order, i)
		}
		return order
	}
	index := make(map[string]int, n)
	for i, s := range w.Steps {
		index[s.StepID] = i
	}
	after := make([][]int, n) // after[j]: the steps that need step j first
	need := make([]int, n)    // how many steps must run before step i
	for i, s := range w.Steps {
		deps := map[int]bool{}
		add := func(id string) {
			if j, ok := index[id]; ok && j != i {
				deps[j] = true
			}
		}
		for _, d := range s.DependsOn {
			if dep, ok := ParseStepDependency(d.Value); ok {
				if id, local := dep.LocalTo(w.WorkflowID); local {
					add(id)
				}
			}
		}
		for _, id := range stepOutputRefs(s) {
			add(id)
		}
		for j := range deps {
			after[j] = append(after[j], i)
			need[i]++
		}
	}
	placed := make([]bool, n)
	for len(order) < n {
		next := -1
		for i := range n {
			if !placed[i] && need[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			// A cycle: break it at its first step in list order; the steps
			// that wait only for it can then run.
			for i := range n {
				if !placed[i] {
					next = i
					break
				}
			}
		}
		placed[next] = true
		order = append(order, next)
		for _, k := range after[next] {
			need[k]--
		}
	}
	return order
}

// stepOutputRefs lists the step ids of the $steps.<id>.outputs references in
// the fields a step evaluates while it runs, from the expressions the loader
// parsed.
func stepOutputRefs(s *Step) []string {
	var ids []string
	add := func(refs []*expr.Expression) {
		for _, e := range refs {
			if e.Kind == expr.KindStepOutputs {
				ids = append(ids, e.ID)
			}
		}
	}
	value := func(v *Value) {
		if cv, _ := v.Compiled(); cv != nil {
			add(cv.Refs())
		}
	}
	criteria := func(cs []*Criterion) {
		for _, c := range cs {
			if c == nil {
				continue
			}
			if cc, _ := c.Compiled(); cc != nil {
				add(cc.Refs())
			}
		}
	}
	for _, p := range s.Parameters {
		if p != nil {
			value(p.Value)
		}
	}
	if rb := s.RequestBody; rb != nil {
		value(rb.Payload)
		for _, r := range rb.Replacements {
			if r != nil {
				value(r.Value)
			}
		}
	}
	criteria(s.SuccessCriteria)
	for _, o := range s.Outputs {
		if o != nil {
			value(o.Value)
		}
	}
	for _, a := range s.OnSuccess {
		if a != nil {
			criteria(a.Criteria)
		}
	}
	for _, a := range s.OnFailure {
		if a != nil {
			criteria(a.Criteria)
		}
	}
	return ids
}
