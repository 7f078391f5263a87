package runtime

import (
	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/asyncapi"
	"github.com/arazzo-run/arazzo/describe"
	"github.com/arazzo-run/arazzo/expr"
	"github.com/arazzo-run/arazzo/openapi"
)

// Plan is a compiled Arazzo description: every operation resolved, every expression
// parsed, every action target bound. It is immutable and safe for concurrent runs.
type Plan struct {
	doc       *arazzo.Document
	docs      []*arazzo.Document // the entry document first, then arazzo sources
	sources   map[*arazzo.Document]map[string]*source
	workflows map[*arazzo.Document]map[string]*workflowPlan
	order     []*workflowPlan // workflows of the entry document, in document order
	cfg       config
	err       error // the document's errors (a plan from Inspect); it does not run
}

// Document returns the entry document.
func (p *Plan) Document() *arazzo.Document { return p.doc }

// Workflows lists the workflows of the entry document, in order.
func (p *Plan) Workflows() []*describe.Outline {
	out := make([]*describe.Outline, len(p.order))
	for i, w := range p.order {
		out[i] = w.info()
	}
	return out
}

// source is a loaded source description.
type source struct {
	name     string
	kind     string // openapi, arazzo, asyncapi
	url      string // as written in the document
	loc      string // absolute location
	openapi  *openapi.Document
	arazzo   *arazzo.Document
	asyncapi *asyncapi.Document
	problem  *arazzo.SourceProblem // why it could not be loaded; judged by the checker
}

type workflowPlan struct {
	doc       *arazzo.Document
	wf        *arazzo.Workflow
	id        string
	steps     []*stepPlan
	stepIndex map[string]int
	outputs   []*outputPlan
	dependsOn []*workflowRef
	inputs    *inputSchema
	// errors are the document's errors in this workflow outside its steps
	// (a plan from Inspect), shown by list and describe.
	errors arazzo.Diagnostics
}

type workflowRef struct {
	text   string
	pos    arazzo.Pos
	parsed *arazzo.Parsed // the $sourceDescriptions expression, as the loader parsed it
	wf     *workflowPlan  // bound after all workflows are compiled
}

type stepKind int

const (
	stepOperation stepKind = iota + 1
	stepWorkflow
	stepAsync // an AsyncAPI operation or channel (async.go)
)

type stepPlan struct {
	wf     *workflowPlan
	step   *arazzo.Step
	id     string
	index  int
	kind   stepKind
	source *source
	op     *openapi.Operation
	// call is the workflow a workflowId step runs.
	call *workflowRef
	// params are the effective parameters: workflow-level ones not overridden, then the step's.
	params    []*paramPlan
	body      *bodyPlan
	success   []*criterionPlan
	outputs   []*outputPlan
	onSuccess []*actionPlan // effective list: step actions then workflow ones not overridden by name
	onFailure []*actionPlan
	timeoutMS int64
	deps      []*stepDep         // 1.1 step-level dependsOn
	async     *asyncStep         // stepAsync
	errors    arazzo.Diagnostics // the document's errors in this step (a plan from Inspect)
}

type paramPlan struct {
	name  string
	in    string
	value *valueExpr
	spec  *openapi.Parameter // nil when the operation does not declare it
	pos   arazzo.Pos
	src   *arazzo.Value // the value as written, for Describe
}

type bodyPlan struct {
	contentType string
	media       openapi.MediaType
	payload     *valueExpr // nil when no payload
	// payloadErr says why a string payload sent as JSON is not JSON text:
	// the step fails with it (the checker warned: payload-json).
	payloadErr   error
	replacements []*replacementPlan
}

type replacementPlan struct {
	target       string
	selectorType string
	value        *valueExpr
}

type criterionPlan struct {
	c    *arazzo.Criterion
	text string
	crit *expr.Criterion
}

type outputPlan struct {
	name  string
	value *valueExpr
}

type actionPlan struct {
	name       string
	kind       actionKind
	stepID     string
	stepIndex  int // -1 unless stepID is set
	workflow   *workflowRef
	params     []*paramPlan
	criteria   []*criterionPlan
	retryAfter float64
	retryLimit int
	pos        arazzo.Pos
}

func (w *workflowPlan) info() *describe.Outline {
	wi := &describe.Outline{ID: w.id, Summary: w.wf.Summary, Description: w.wf.Description, Inputs: w.inputs.Inputs()}
	secret := w.secretInputs()
	for i := range wi.Inputs {
		wi.Inputs[i].Secret = secret[wi.Inputs[i].Name]
	}
	for _, o := range w.outputs {
		wi.Outputs = append(wi.Outputs, o.name)
	}
	wi.Errors = append(wi.Errors, w.errors...)
	for _, s := range w.steps {
		wi.Steps = append(wi.Steps, s.id)
		wi.Errors = append(wi.Errors, s.errors...)
	}
	wi.Errors = wi.Errors.Sort()
	return wi
}
