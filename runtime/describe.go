package runtime

import (
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/describe"
)

// Describe returns a view of a workflow of the entry document (workflowID may be
// empty when there is only one). The links of the view (workflows it depends
// on, runs or goes to) lead to the views of those workflows, wherever they are.
func (p *Plan) Describe(workflowID string) (*describe.Workflow, error) {
	wp, err := p.lookup(workflowID)
	if err != nil {
		return nil, err
	}
	return (&viewer{views: map[*workflowPlan]*describe.Workflow{}}).workflow(wp), nil
}

// viewer builds the views of the workflows one view reaches, each once, so
// that a link to a workflow that leads back (a workflow that runs itself)
// ends.
type viewer struct {
	views map[*workflowPlan]*describe.Workflow
}

func (vw *viewer) workflow(w *workflowPlan) *describe.Workflow {
	if v := vw.views[w]; v != nil {
		return v
	}
	v := &describe.Workflow{ID: w.id, Summary: w.wf.Summary, Description: w.wf.Description, File: w.doc.File, Pos: w.wf.Pos, Inputs: w.inputs.Inputs(), Errors: w.errors}
	vw.views[w] = v
	for _, d := range w.dependsOn {
		v.DependsOn = append(v.DependsOn, vw.link(d))
	}
	for _, sp := range w.steps {
		v.Steps = append(v.Steps, vw.step(sp))
	}
	for _, o := range w.wf.Outputs {
		v.Outputs = append(v.Outputs, describe.NamedValue{Name: o.Name, Value: rawValue(o.Value)})
	}
	return v
}

func (vw *viewer) link(r *workflowRef) describe.Link {
	l := describe.Link{Ref: r.text}
	if r.wf != nil {
		l.ID, l.File, l.Target = r.wf.id, r.wf.doc.File, vw.workflow(r.wf)
	}
	return l
}

func (vw *viewer) linkPtr(r *workflowRef) *describe.Link {
	if r == nil {
		return nil
	}
	l := vw.link(r)
	return &l
}

func rawValue(v *arazzo.Value) any {
	if v == nil {
		return nil
	}
	return v.V
}

func (vw *viewer) step(sp *stepPlan) *describe.Step {
	s := sp.step
	v := &describe.Step{ID: sp.id, Description: s.Description, Pos: s.Pos, Timeout: time.Duration(sp.timeoutMS) * time.Millisecond, Errors: sp.errors}
	for _, d := range sp.deps {
		v.DependsOn = append(v.DependsOn, d.text)
	}
	if sp.op != nil {
		v.Operation = &describe.Operation{Method: sp.op.Method, Path: sp.op.Path, ID: sp.op.ID, Ref: s.OperationID}
		if s.OperationID == "" {
			v.Operation.Ref = s.OperationPath
		}
		if sp.source != nil {
			v.Operation.Source, v.Operation.SourceURL = sp.source.name, sp.source.url
		}
	}
	v.Workflow = vw.linkPtr(sp.call)
	if as := sp.async; as != nil && as.channel != nil {
		m := &describe.Message{Action: as.action, Channel: as.channel.Key, Address: as.channel.Address, Reply: as.reply, CorrelationID: s.CorrelationID}
		if as.op != nil {
			m.Operation = as.op.ID
		}
		if as.src != nil {
			m.Source, m.SourceURL = as.src.name, as.src.url
		}
		for _, msg := range as.messages {
			m.Messages = append(m.Messages, msg.ID)
		}
		if m.CorrelationID != "" {
			for _, l := range as.locs {
				m.Locations = append(m.Locations, l.Expr)
			}
		}
		v.Message = m
	}
	for _, p := range sp.params {
		v.Parameters = append(v.Parameters, p.view())
	}
	if rb := s.RequestBody; rb != nil {
		b := &describe.Body{ContentType: rb.ContentType, HasPayload: rb.Payload != nil, Payload: rawValue(rb.Payload)}
		for _, r := range rb.Replacements {
			b.Replacements = append(b.Replacements, describe.NamedValue{Name: r.Target, Value: rawValue(r.Value)})
		}
		v.RequestBody = b
	}
	for _, c := range s.SuccessCriteria {
		v.SuccessCriteria = append(v.SuccessCriteria, criterionView(c))
	}
	for _, a := range sp.onSuccess {
		v.OnSuccess = append(v.OnSuccess, vw.action(a))
	}
	for _, a := range sp.onFailure {
		v.OnFailure = append(v.OnFailure, vw.action(a))
	}
	for _, o := range s.Outputs {
		v.Outputs = append(v.Outputs, describe.NamedValue{Name: o.Name, Value: rawValue(o.Value)})
	}
	v.Transitions = vw.transitions(sp)
	return v
}

func (p *paramPlan) view() describe.Param {
	return describe.Param{Name: p.name, In: p.in, Value: rawValue(p.src)}
}

func criterionView(c *arazzo.Criterion) describe.Criterion {
	return describe.Criterion{Condition: c.Condition, Context: c.Context, Type: c.EffectiveType()}
}

func (vw *viewer) action(a *actionPlan) describe.Action {
	v := describe.Action{Name: a.name, Type: a.kind.String(), StepID: a.stepID, Workflow: vw.linkPtr(a.workflow), RetryAfter: a.retryAfter}
	if a.kind == actionRetry {
		v.RetryLimit = a.retryLimit
	}
	for _, c := range a.criteria {
		if c != nil {
			v.Criteria = append(v.Criteria, criterionView(c.c))
		}
	}
	for _, p := range a.params {
		v.Parameters = append(v.Parameters, p.view())
	}
	return v
}

// transitions lists where control can go after the step, following the
// executor's choice (machine.go choose/after): the first action whose criteria
// all hold is taken, so an action without criteria hides every later one and the
// default; a retry is passed over once its limit is used up, so it hides nothing.
func (vw *viewer) transitions(sp *stepPlan) []describe.Transition {
	var out []describe.Transition
	next := ""
	if sp.index+1 < len(sp.wf.steps) {
		next = sp.wf.steps[sp.index+1].id
	}
	add := func(success bool, actions []*actionPlan) {
		for _, a := range actions {
			t := describe.Transition{OnSuccess: success, Kind: describe.TransitionKind(a.kind.String()), Action: a.name, Step: a.stepID, Workflow: vw.linkPtr(a.workflow)}
			for _, c := range a.criteria {
				if c != nil {
					t.Criteria = append(t.Criteria, c.text)
				}
			}
			if a.kind == actionRetry {
				t.RetryLimit, t.RetryAfter = a.retryLimit, a.retryAfter
			}
			out = append(out, t)
			if len(t.Criteria) == 0 && a.kind != actionRetry {
				return
			}
		}
		if success && next != "" {
			out = append(out, describe.Transition{OnSuccess: true, Kind: describe.TransitionNext, Step: next})
		} else {
			out = append(out, describe.Transition{OnSuccess: success, Kind: describe.TransitionEnd})
		}
	}
	add(true, sp.onSuccess)
	add(false, sp.onFailure)
	return out
}
