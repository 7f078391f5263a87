package describe

import (
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
)

// Workflow is a read-only description of a compiled workflow: what it asks
// for, what each step calls and checks, where control goes after each step.
// runtime's Plan.Describe builds it; WriteText, WriteDOT and WriteMermaid
// render it.
type Workflow struct {
	ID          string
	Summary     string
	Description string
	// File is the document the workflow is written in; Pos where.
	File string
	Pos  arazzo.Pos
	// Inputs are the declared inputs, sorted by name.
	Inputs []Input
	// DependsOn lists the workflows that must complete first, as written.
	DependsOn []Link
	Steps     []*Step
	Outputs   []NamedValue
	// Errors are the document's errors in the workflow outside its steps (a
	// plan from Inspect).
	Errors arazzo.Diagnostics
}

// Link is a reference to another workflow: as written, and the id and
// file of the workflow it resolved to.
type Link struct {
	Ref  string
	ID   string
	File string
	// Target is the view of the workflow the reference resolved to, nil when
	// it resolved to none. Views can refer to each other in a cycle (a
	// workflow that runs itself), so it is left out of JSON.
	Target *Workflow `json:"-"`
}

// Step describes one step.
type Step struct {
	ID          string
	Description string
	Pos         arazzo.Pos
	// Operation is set for operationId/operationPath steps.
	Operation *Operation
	// Workflow is set for workflowId steps: the workflow it runs.
	Workflow *Link
	// Message is set for AsyncAPI steps: what the step sends or receives.
	Message         *Message
	Parameters      []Param
	RequestBody     *Body
	SuccessCriteria []Criterion
	// OnSuccess and OnFailure are the effective action lists: the step's own
	// actions, then the workflow's that the step does not override by name.
	OnSuccess []Action
	OnFailure []Action
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

// Operation is the operation a step calls.
type Operation struct {
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

// Message is what an AsyncAPI step sends or receives, and where.
type Message struct {
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

// Param is one effective parameter of a step: workflow-level parameters not
// overridden, then the step's; references to components resolved.
type Param struct {
	Name string
	// In is path, query, querystring, header or cookie; "" for the inputs of a
	// workflow step.
	In string
	// Value is the value as written (a literal, an expression, a template).
	Value any
}

// Body is a step's request body as written.
type Body struct {
	ContentType  string
	Payload      any
	HasPayload   bool
	Replacements []NamedValue // Name is the target
}

// Criterion is a criterion as written, with its effective type.
type Criterion struct {
	Condition string
	Context   string
	Type      string
}

// Action is a success or failure action.
type Action struct {
	Name string
	// Type is end, goto or retry.
	Type       string
	StepID     string
	Workflow   *Link
	Criteria   []Criterion
	Parameters []Param
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
	Workflow *Link
	// Criteria must all hold for the action to be chosen.
	Criteria   []string
	RetryLimit int
	RetryAfter float64
}

// Input describes one declared workflow input.
type Input struct {
	Name        string
	Type        string
	Required    bool
	Default     any
	HasDefault  bool
	Description string
	// Secret: format password or writeOnly true, or sent by a step under a
	// secret-like name.
	Secret bool
}

// Outline is a workflow as a listing shows it: what it asks for, what it
// returns, its steps and whether it has errors. WriteList renders outlines.
type Outline struct {
	ID          string
	Summary     string
	Description string
	Inputs      []Input
	Outputs     []string
	Steps       []string
	// Errors are the document's errors in this workflow and its steps; a
	// workflow with errors does not run.
	Errors arazzo.Diagnostics
}
