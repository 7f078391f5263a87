package runtime

import (
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
)

// WorkflowView is a read-only description of a compiled workflow: what it asks
// for, what each step calls and checks, where control goes after each step.
// Describe builds it from a Plan; the CLI's describe and graph commands print it.
type WorkflowView struct {
	ID          string
	Summary     string
	Description string
	// File is the document the workflow is written in; Pos where.
	File string
	Pos  arazzo.Pos
	// Inputs are the declared inputs, sorted by name.
	Inputs []InputInfo
	// DependsOn lists the workflows that must complete first, as written.
	DependsOn []WorkflowLink
	Steps     []*StepView
	Outputs   []NamedValue
	// Errors are the document's errors in the workflow outside its steps (a
	// plan from Inspect).
	Errors arazzo.Diagnostics
}

// WorkflowLink is a reference to another workflow: as written, and the id and
// file of the workflow it resolved to.
type WorkflowLink struct {
	Ref  string
	ID   string
	File string
}

// StepView describes one step.
type StepView struct {
	ID          string
	Description string
	Pos         arazzo.Pos
	// Operation is set for operationId/operationPath steps.
	Operation *OperationView
	// Workflow is set for workflowId steps: the workflow it runs.
	Workflow *WorkflowLink
	// Message is set for AsyncAPI steps: what the step sends or receives.
	Message         *MessageView
	Parameters      []ParamView
	RequestBody     *BodyView
	SuccessCriteria []CriterionView
	// OnSuccess and OnFailure are the effective action lists: the step's own
	// actions, then the workflow's that the step does not override by name.
	OnSuccess []ActionView
	OnFailure []ActionView
	Outputs   []NamedValue
	Timeout   time.Duration
	// DependsOn lists the 1.1 step-level dependsOn entries as written.
	DependsOn []string
	// Transitions lists every way control can leave the step, in the order the
	// executor considers them (see Transition).
	Transitions []Transition
	// Errors are the document's errors in this step (a plan from Inspect).
	Errors arazzo.Diagnostics
}

// OperationView is the operation a step calls.
type OperationView struct {
	Method string
	Path   string
	// ID is the OpenAPI operationId ("" when the operation has none).
	ID string
	// Source is the source description's name, SourceURL its url as written.
	Source    string
	SourceURL string
	// Ref is the step's operationId or operationPath as written.
	Ref string
}

// MessageView is what an AsyncAPI step sends or receives, and where.
type MessageView struct {
	// Action is send or receive (the step's, which is authoritative).
	Action string
	// Channel is the channel's key in the AsyncAPI document, Address its
	// address as written ({parameters} unresolved); Reply tells that the
	// channel is the reply of the operation.
	Channel string
	Address string
	Reply   bool
	// Operation is the AsyncAPI operation's id ("" for a channelPath step).
	Operation string
	// Source is the source description's name, SourceURL its url as written.
	Source    string
	SourceURL string
	// Messages names the messages the channel may carry.
	Messages []string
	// CorrelationID is a receive's correlationId as written; Locations the
	// messages' correlationId locations it is compared with.
	CorrelationID string
	Locations     []string
}

// ParamView is one effective parameter of a step: workflow-level parameters not
// overridden, then the step's; references to components resolved.
type ParamView struct {
	Name string
	// In is path, query, querystring, header or cookie; "" for the inputs of a
	// workflow step.
	In string
	// Value is the value as written (a literal, an expression, a template).
	Value any
}

// BodyView is a step's request body as written.
type BodyView struct {
	ContentType  string
	Payload      any
	HasPayload   bool
	Replacements []NamedValue // Name is the target
}

// CriterionView is a criterion as written, with its effective type.
type CriterionView struct {
	Condition string
	Context   string
	Type      string
}

// ActionView is a success or failure action.
type ActionView struct {
	Name string
	// Type is end, goto or retry.
	Type       string
	StepID     string
	Workflow   *WorkflowLink
	Criteria   []CriterionView
	Parameters []ParamView
	// RetryAfter (seconds) and RetryLimit apply to retry actions.
	RetryAfter float64
	RetryLimit int
}

// NamedValue is an output (or a payload replacement) as written.
type NamedValue struct {
	Name  string
	Value any
}

// TransitionKind says where control goes.
type TransitionKind string

const (
	// TransitionNext: on to the next step (the default after a success).
	TransitionNext TransitionKind = "next"
	// TransitionGoto: a goto action, to a step of this workflow or to another workflow.
	TransitionGoto TransitionKind = "goto"
	// TransitionRetry: a retry action; the step runs again (after Step or Workflow, if set).
	TransitionRetry TransitionKind = "retry"
	// TransitionEnd: the workflow ends — passed after a success, failed after a failure.
	TransitionEnd TransitionKind = "end"
)

// Transition is one way control can leave a step.
type Transition struct {
	// OnSuccess tells whether it applies after the step succeeded or failed.
	OnSuccess bool
	Kind      TransitionKind
	// Action names the action; "" for the default behaviour.
	Action string
	// Step is the target step of a goto (or the step a retry runs first); for
	// TransitionNext the next step; "" when control leaves the workflow.
	Step string
	// Workflow is the target of a goto workflowId (or the workflow a retry runs first).
	Workflow *WorkflowLink
	// Criteria must all hold for the action to be chosen.
	Criteria   []string
	RetryLimit int
	RetryAfter float64
}

// Describe returns a view of a workflow of the entry document (workflowID may be
// empty when there is only one).
func (p *Plan) Describe(workflowID string) (*WorkflowView, error) {
	wp, err := p.lookup(workflowID)
	if err != nil {
		return nil, err
	}
	return wp.view(), nil
}

// DescribeLink returns the view of a workflow another one refers to (a
// WorkflowLink from a view of the same plan), which may live in another document.
func (p *Plan) DescribeLink(l *WorkflowLink) (*WorkflowView, bool) {
	if l == nil {
		return nil, false
	}
	for _, d := range p.docs {
		if d.File != l.File {
			continue
		}
		if wp := p.workflows[d][l.ID]; wp != nil {
			return wp.view(), true
		}
	}
	return nil, false
}

func (w *workflowPlan) view() *WorkflowView {
	v := &WorkflowView{ID: w.id, Summary: w.wf.Summary, Description: w.wf.Description, File: w.doc.File, Pos: w.wf.Pos, Inputs: w.inputs.Inputs(), Errors: w.errors}
	for _, d := range w.dependsOn {
		v.DependsOn = append(v.DependsOn, link(d))
	}
	for _, sp := range w.steps {
		v.Steps = append(v.Steps, sp.view())
	}
	for _, o := range w.wf.Outputs {
		v.Outputs = append(v.Outputs, NamedValue{Name: o.Name, Value: rawValue(o.Value)})
	}
	return v
}

func link(r *workflowRef) WorkflowLink {
	l := WorkflowLink{Ref: r.text}
	if r.wf != nil {
		l.ID, l.File = r.wf.id, r.wf.doc.File
	}
	return l
}

func linkPtr(r *workflowRef) *WorkflowLink {
	if r == nil {
		return nil
	}
	l := link(r)
	return &l
}

func rawValue(v *arazzo.Value) any {
	if v == nil {
		return nil
	}
	return v.V
}

func (sp *stepPlan) view() *StepView {
	s := sp.step
	v := &StepView{ID: sp.id, Description: s.Description, Pos: s.Pos, Timeout: time.Duration(sp.timeoutMS) * time.Millisecond, Errors: sp.errors}
	for _, d := range sp.deps {
		v.DependsOn = append(v.DependsOn, d.text)
	}
	if sp.op != nil {
		v.Operation = &OperationView{Method: sp.op.Method, Path: sp.op.Path, ID: sp.op.ID, Ref: s.OperationID}
		if s.OperationID == "" {
			v.Operation.Ref = s.OperationPath
		}
		if sp.source != nil {
			v.Operation.Source, v.Operation.SourceURL = sp.source.name, sp.source.url
		}
	}
	v.Workflow = linkPtr(sp.call)
	if as := sp.async; as != nil && as.channel != nil {
		m := &MessageView{Action: as.action, Channel: as.channel.Key, Address: as.channel.Address, Reply: as.reply, CorrelationID: s.CorrelationID}
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
		b := &BodyView{ContentType: rb.ContentType, HasPayload: rb.Payload != nil, Payload: rawValue(rb.Payload)}
		for _, r := range rb.Replacements {
			b.Replacements = append(b.Replacements, NamedValue{Name: r.Target, Value: rawValue(r.Value)})
		}
		v.RequestBody = b
	}
	for _, c := range s.SuccessCriteria {
		v.SuccessCriteria = append(v.SuccessCriteria, criterionView(c))
	}
	for _, a := range sp.onSuccess {
		v.OnSuccess = append(v.OnSuccess, a.view())
	}
	for _, a := range sp.onFailure {
		v.OnFailure = append(v.OnFailure, a.view())
	}
	for _, o := range s.Outputs {
		v.Outputs = append(v.Outputs, NamedValue{Name: o.Name, Value: rawValue(o.Value)})
	}
	v.Transitions = sp.transitions()
	return v
}

func (p *paramPlan) view() ParamView {
	return ParamView{Name: p.name, In: p.in, Value: rawValue(p.src)}
}

func criterionView(c *arazzo.Criterion) CriterionView {
	return CriterionView{Condition: c.Condition, Context: c.Context, Type: c.EffectiveType()}
}

func (a *actionPlan) view() ActionView {
	v := ActionView{Name: a.name, Type: a.kind.String(), StepID: a.stepID, Workflow: linkPtr(a.workflow), RetryAfter: a.retryAfter}
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
func (sp *stepPlan) transitions() []Transition {
	var out []Transition
	next := ""
	if sp.index+1 < len(sp.wf.steps) {
		next = sp.wf.steps[sp.index+1].id
	}
	add := func(success bool, actions []*actionPlan) {
		for _, a := range actions {
			t := Transition{OnSuccess: success, Kind: TransitionKind(a.kind.String()), Action: a.name, Step: a.stepID, Workflow: linkPtr(a.workflow)}
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
			out = append(out, Transition{OnSuccess: true, Kind: TransitionNext, Step: next})
		} else {
			out = append(out, Transition{OnSuccess: success, Kind: TransitionEnd})
		}
	}
	add(true, sp.onSuccess)
	add(false, sp.onFailure)
	return out
}
