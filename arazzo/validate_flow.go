package arazzo

import (
	"slices"
	"strings"
)

// exit is the node "the workflow ends" (end action, goto a workflow, break and
// return, or running past the last step).
const exit = -1

// flowGraph is the control flow of one workflow: which step may run after which.
type flowGraph struct {
	// succ[i] are the steps that may run after step i succeeds; fail[i] after it fails.
	succ, fail [][]int
	// first is the step that runs first: step 0 unless step-level dependsOn
	// reorders the workflow (Workflow.ExecutionOrder); at[i] is step i's place
	// in that order.
	first int
	at    []int
	// from memoises reachability: from[i][j] tells whether j can run after i.
	from map[int][]bool
}

// flow returns (building once) the control-flow graph of w.
func (v *validator) flow(w *Workflow) *flowGraph {
	if g := v.flowCache[w]; g != nil {
		return g
	}
	n := len(w.Steps)
	g := &flowGraph{succ: make([][]int, n), fail: make([][]int, n), from: map[int][]bool{}}
	wfSuccess := successActions(w.SuccessActions)
	wfFailure := failureActions(w.FailureActions)
	idx := v.stepIndex[w]
	// Falling through goes to the next step in execution order.
	order := w.ExecutionOrder()
	nextOf := make([]int, n)
	g.at = make([]int, n)
	for k, i := range order {
		g.at[i] = k
		nextOf[i] = exit
		if k+1 < n {
			nextOf[i] = order[k+1]
		}
	}
	if n > 0 {
		g.first = order[0]
	}
	// The edges of every step are cut from one list: most steps have one of
	// each kind.
	edges := make([]int, 0, 2*n)
	cut := func(start int) []int { return edges[start:len(edges):len(edges)] }
	for i, s := range w.Steps {
		next := nextOf[i]
		start := len(edges)
		// Success: the first matching action runs; with no unconditional action the
		// step may also fall through to the next one.
		fallthrough_ := true
		for _, a := range v.effectiveActions(successActions(s.OnSuccess), wfSuccess) {
			edges = append(edges, actionTarget(a, idx))
			if len(a.criteria) == 0 {
				fallthrough_ = false
				break
			}
		}
		if fallthrough_ {
			edges = append(edges, next)
		}
		g.succ[i] = cut(start)
		start = len(edges)
		// Failure: with no unconditional end or goto, the default is break and return.
		// A retry runs the step again (after its stepId, if any) and, once its
		// limit is spent, the next matching action.
		stops := false
		for _, a := range v.effectiveActions(failureActions(s.OnFailure), wfFailure) {
			if a.typ == ActionRetry {
				edges = append(edges, i)
				if a.stepID != "" {
					if j, ok := idx[a.stepID]; ok {
						edges = append(edges, j)
					}
				}
				continue
			}
			edges = append(edges, actionTarget(a, idx))
			if len(a.criteria) == 0 {
				stops = true
				break
			}
		}
		if !stops {
			edges = append(edges, exit)
		}
		g.fail[i] = cut(start)
	}
	v.flowCache[w] = g
	return g
}

// actionTarget is the node an end or goto action leads to.
func actionTarget(a *action, idx map[string]int) int {
	if a.typ == ActionGoto && a.stepID != "" {
		if j, ok := idx[a.stepID]; ok {
			return j
		}
	}
	return exit
}

// reaches reports whether step to can run after step from (through any number of
// steps, on success or failure). A step reaches itself only through a loop.
func (v *validator) reaches(w *Workflow, from, to int) bool {
	g := v.flow(w)
	seen, ok := g.from[from]
	if !ok {
		seen = make([]bool, len(w.Steps))
		stack := []int{from}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, list := range [][]int{g.succ[i], g.fail[i]} {
				for _, j := range list {
					if j != exit && !seen[j] {
						seen[j] = true
						stack = append(stack, j)
					}
				}
			}
		}
		g.from[from] = seen
	}
	return seen[to]
}

// checkFlow reports steps that no path of control flow reaches, and loops that no
// success path leaves.
func (v *validator) checkFlow(wi int, w *Workflow) {
	if len(w.Steps) == 0 {
		return
	}
	g := v.flow(w)
	for i, s := range w.Steps {
		if i == g.first || v.reaches(w, g.first, i) {
			continue
		}
		v.warnf(s.ValuePos("stepId"), v.stepPath(wi, i), RuleUnreachableStep,
			"step %q can never run: every path before it ends the workflow or jumps past it, and no goto leads to it", s.StepID)
	}
	// Loops: strongly connected components of the success graph with no success
	// edge leaving them.
	for _, comp := range sccs(g.succ) {
		if len(comp) == 1 && !slices.Contains(g.succ[comp[0]], comp[0]) {
			continue
		}
		in := map[int]bool{}
		for _, i := range comp {
			in[i] = true
		}
		leaves := false
		for _, i := range comp {
			for _, j := range g.succ[i] {
				if j == exit || !in[j] {
					leaves = true
				}
			}
		}
		if leaves || !v.reaches(w, 0, comp[0]) && comp[0] != 0 {
			continue
		}
		slices.Sort(comp)
		names := make([]string, 0, len(comp)+1)
		for _, i := range comp {
			names = append(names, w.Steps[i].StepID)
		}
		names = append(names, names[0])
		first := w.Steps[comp[0]]
		v.warnf(first.ValuePos("stepId"), v.stepPath(wi, comp[0]), RuleGotoLoop,
			"steps %s repeat for as long as they succeed: no success path leaves the loop, so only a failure ends it; add criteria to a goto, or an end action",
			strings.Join(names, " → "))
	}
}

// sccs returns the strongly connected components of a graph (Tarjan), ignoring exit.
func sccs(edges [][]int) [][]int {
	n := len(edges)
	index := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	var out [][]int
	counter := 0
	var strong func(int)
	strong = func(i int) {
		index[i], low[i] = counter, counter
		counter++
		stack = append(stack, i)
		on[i] = true
		for _, j := range edges[i] {
			if j == exit {
				continue
			}
			if index[j] < 0 {
				strong(j)
				low[i] = min(low[i], low[j])
			} else if on[j] {
				low[i] = min(low[i], index[j])
			}
		}
		if low[i] == index[i] {
			var comp []int
			for {
				j := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[j] = false
				comp = append(comp, j)
				if j == i {
					break
				}
			}
			out = append(out, comp)
		}
	}
	for i := range n {
		if index[i] < 0 {
			strong(i)
		}
	}
	return out
}
