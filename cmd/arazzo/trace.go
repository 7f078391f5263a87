package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/runtime"
)

// The trace (--trace FILE) is a JSON document of a whole run; docs/trace-schema.json
// is its JSON Schema and docs/cli.md describes it. The HAR, JUnit and HTML
// reports are rendered from the same record, so they all show the same masked data.

// traceVersion changes when a field is removed or changes meaning.
const traceVersion = 1

type traceDoc struct {
	TraceVersion int              `json:"traceVersion"`
	Tool         string           `json:"tool"`
	Document     string           `json:"document"`
	Title        string           `json:"title,omitempty"`
	WorkflowID   string           `json:"workflowId"`
	Status       string           `json:"status"`
	Error        string           `json:"error,omitempty"`
	Inputs       map[string]any   `json:"inputs"`
	Outputs      map[string]any   `json:"outputs"`
	StartedAt    time.Time        `json:"startedAt"`
	DurationMS   float64          `json:"durationMs"`
	Workflows    []*traceWorkflow `json:"workflows"`
	Steps        []*traceStep     `json:"steps"`
	Warnings     []string         `json:"warnings"`
}

// traceWorkflow is one execution of a workflow: the run's own, and every
// workflow it ran (dependencies, workflow steps, goto and retry targets).
type traceWorkflow struct {
	WorkflowID string         `json:"workflowId"`
	Document   string         `json:"document,omitempty"`
	Depth      int            `json:"depth"`
	Status     string         `json:"status"`
	Error      string         `json:"error,omitempty"`
	Outputs    map[string]any `json:"outputs"`
	StartedAt  time.Time      `json:"startedAt"`
	DurationMS float64        `json:"durationMs"`
	// steps are the indexes of its step executions in traceDoc.Steps.
	Steps []int `json:"steps"`
}

type traceStep struct {
	WorkflowID string           `json:"workflowId"`
	StepID     string           `json:"stepId"`
	Depth      int              `json:"depth"`
	Operation  string           `json:"operation,omitempty"`
	Status     string           `json:"status"`
	StatusCode int              `json:"statusCode,omitempty"`
	Attempts   int              `json:"attempts"`
	StartedAt  time.Time        `json:"startedAt"`
	DurationMS float64          `json:"durationMs"`
	Action     string           `json:"action,omitempty"`
	Error      string           `json:"error,omitempty"`
	Outputs    map[string]any   `json:"outputs"`
	Exchanges  []*traceExchange `json:"exchanges"`
	Criteria   []traceCriterion `json:"criteria"`
	Actions    []traceAction    `json:"actions"`
	result     *runtime.StepResult
	closed     bool
}

type traceExchange struct {
	Attempt    int            `json:"attempt"`
	StartedAt  time.Time      `json:"startedAt"`
	DurationMS float64        `json:"durationMs"`
	Request    traceRequest   `json:"request"`
	Response   *traceResponse `json:"response,omitempty"`
	Error      string         `json:"error,omitempty"`
	ErrorKind  string         `json:"errorKind,omitempty"`
}

type traceRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers http.Header `json:"headers"`
	Body    *traceBody  `json:"body,omitempty"`
}

type traceResponse struct {
	Status  int         `json:"status"`
	Headers http.Header `json:"headers"`
	Body    *traceBody  `json:"body,omitempty"`
}

// traceBody is a body as text (UTF-8) or, when it is not text, base64.
type traceBody struct {
	MimeType string `json:"mimeType,omitempty"`
	Size     int    `json:"size"`
	Text     string `json:"text"`
	Encoding string `json:"encoding,omitempty"`
}

type traceCriterion struct {
	Attempt   int            `json:"attempt"`
	Condition string         `json:"condition"`
	Context   string         `json:"context,omitempty"`
	Type      string         `json:"type"`
	Pass      bool           `json:"pass"`
	Reason    string         `json:"reason,omitempty"`
	Operands  []traceOperand `json:"operands"`
	Action    string         `json:"action,omitempty"`
}

type traceOperand struct {
	Expr    string `json:"expr"`
	Value   any    `json:"value"`
	Missing bool   `json:"missing,omitempty"`
}

type traceAction struct {
	Attempt int       `json:"attempt"`
	Time    time.Time `json:"time"`
	Action  string    `json:"action"`
	WaitMS  float64   `json:"waitMs,omitempty"`
}

type stepKey struct {
	wf, step string
	depth    int
}

// recorder is an observer that keeps a masked record of a run.
type recorder struct {
	mu        sync.Mutex
	m         masker
	doc       traceDoc
	open      map[stepKey]*traceStep
	wfOpen    []*traceWorkflow
	lastStep  *traceStep
	documents map[string]string // workflowId → document, for nested workflows
}

func newRecorder(m masker, document, title, workflowID string, inputs map[string]any, documents map[string]string) *recorder {
	r := &recorder{m: m, open: map[stepKey]*traceStep{}, documents: documents}
	r.doc = traceDoc{TraceVersion: traceVersion, Tool: versionString(), Document: document, Title: title, WorkflowID: workflowID,
		Inputs: m.values(inputs), Outputs: map[string]any{}, Workflows: []*traceWorkflow{}, Steps: []*traceStep{}, Warnings: []string{}}
	return r
}

func (r *recorder) Event(e *runtime.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := stepKey{e.WorkflowID, e.StepID, e.Depth}
	switch e.Kind {
	case runtime.EventWorkflowStarted:
		w := &traceWorkflow{WorkflowID: e.WorkflowID, Document: r.documents[e.WorkflowID], Depth: e.Depth, StartedAt: e.Time, Outputs: map[string]any{}, Steps: []int{}}
		r.doc.Workflows = append(r.doc.Workflows, w)
		r.wfOpen = append(r.wfOpen, w)
	case runtime.EventWorkflowFinished:
		for i := len(r.wfOpen) - 1; i >= 0; i-- {
			w := r.wfOpen[i]
			if w.WorkflowID == e.WorkflowID && w.Depth == e.Depth {
				w.DurationMS = ms(e.Time.Sub(w.StartedAt))
				if e.Result != nil {
					w.Status = string(e.Result.Status)
					w.Outputs = r.m.values(e.Result.Outputs)
					if e.Result.Err != nil {
						w.Error = r.m.text(e.Result.Err.Error())
					}
				}
				r.wfOpen = append(r.wfOpen[:i], r.wfOpen[i+1:]...)
				break
			}
		}
	case runtime.EventStepStarted:
		if s := r.open[k]; s == nil || e.Attempt <= 1 {
			r.startStep(k, e.Time)
		}
	case runtime.EventRequest:
		s := r.step(k, e.Time)
		x := &traceExchange{Attempt: e.Attempt, StartedAt: e.Time}
		if req := e.Request; req != nil {
			x.Request = traceRequest{Method: req.Method, URL: r.m.url(req.URL, req.Security), Headers: r.m.header(req.Header, req.Security),
				Body: r.body(req.Body, req.Header.Get("Content-Type"))}
		}
		s.Exchanges = append(s.Exchanges, x)
	case runtime.EventResponse:
		s := r.step(k, e.Time)
		if len(s.Exchanges) == 0 || e.Response == nil {
			return
		}
		x := s.Exchanges[len(s.Exchanges)-1]
		resp := e.Response
		var sec []runtime.SecurityOption
		if e.Request != nil {
			sec = e.Request.Security
		}
		if !resp.Started.IsZero() {
			x.StartedAt = resp.Started
		}
		x.DurationMS = ms(resp.Duration)
		if sent := resp.Sent; sent != nil {
			// The request as it went: with the credentials the driver added, masked.
			x.Request.URL = r.m.url(sent.URL.String(), sec)
			x.Request.Headers = r.m.header(sent.Header, sec)
		}
		if resp.Err != nil {
			x.Error, x.ErrorKind = r.m.text(resp.Err.Error()), resp.ErrKind
		}
		if resp.StatusCode != 0 {
			x.Response = &traceResponse{Status: resp.StatusCode, Headers: r.m.header(resp.Header, sec), Body: r.body(resp.Body, resp.Header.Get("Content-Type"))}
		}
	case runtime.EventCriterion:
		if c := e.Criterion; c != nil {
			s := r.step(k, e.Time)
			tc := traceCriterion{Attempt: e.Attempt, Condition: c.Condition, Context: c.Context, Type: c.Type, Pass: c.Pass, Reason: r.m.text(c.Reason), Operands: []traceOperand{}, Action: c.Action}
			for _, o := range c.Operands {
				tc.Operands = append(tc.Operands, traceOperand{Expr: o.Expr, Value: r.m.value(o.Value), Missing: o.Missing})
			}
			s.Criteria = append(s.Criteria, tc)
		}
	case runtime.EventAction:
		s := r.step(k, e.Time)
		s.Actions = append(s.Actions, traceAction{Attempt: e.Attempt, Time: e.Time, Action: e.Action, WaitMS: ms(e.Wait)})
	case runtime.EventStepFinished:
		s := r.step(k, e.Time)
		r.fill(s, e.Step)
		if s.DurationMS == 0 {
			// The executor sets a step's duration once the step returns, after
			// this event: measure it here; finish takes the executor's figure.
			s.DurationMS = ms(e.Time.Sub(s.StartedAt))
		}
		delete(r.open, k)
	case runtime.EventWarning:
		r.doc.Warnings = append(r.doc.Warnings, r.m.text(e.Message))
	}
}

func (r *recorder) startStep(k stepKey, at time.Time) *traceStep {
	s := &traceStep{WorkflowID: k.wf, StepID: k.step, Depth: k.depth, StartedAt: at, Outputs: map[string]any{},
		Exchanges: []*traceExchange{}, Criteria: []traceCriterion{}, Actions: []traceAction{}}
	r.doc.Steps = append(r.doc.Steps, s)
	r.open[k] = s
	for i := len(r.wfOpen) - 1; i >= 0; i-- {
		if w := r.wfOpen[i]; w.WorkflowID == k.wf && w.Depth == k.depth {
			w.Steps = append(w.Steps, len(r.doc.Steps)-1)
			break
		}
	}
	return s
}

// step returns the open record of a step; a step that a retry action runs
// before retrying reports no start of its own, so its first event opens it.
func (r *recorder) step(k stepKey, at time.Time) *traceStep {
	if s := r.open[k]; s != nil {
		return s
	}
	return r.startStep(k, at)
}

func (r *recorder) fill(s *traceStep, res *runtime.StepResult) {
	if res == nil || s.closed {
		return
	}
	s.closed, s.result = true, res
	s.Operation, s.Status, s.StatusCode, s.Attempts = res.Operation, string(res.Status), res.StatusCode, res.Attempts
	s.DurationMS, s.Action, s.Error = ms(res.Duration), r.m.text(res.Action), r.m.text(res.Err)
	if res.Outputs != nil {
		s.Outputs = r.m.values(res.Outputs)
	}
}

// finish completes the record with the run's result: steps that reported no
// end of their own (those a retry action ran) take their result from it.
func (r *recorder) finish(res *runtime.Result) *traceDoc {
	r.mu.Lock()
	defer r.mu.Unlock()
	claimed := map[*runtime.StepResult]bool{}
	for _, s := range r.doc.Steps {
		if s.result != nil {
			claimed[s.result] = true
		}
	}
	for _, sr := range res.Steps {
		if claimed[sr] {
			continue
		}
		for _, s := range r.doc.Steps {
			if !s.closed && s.WorkflowID == sr.WorkflowID && s.StepID == sr.StepID && s.Depth == sr.Depth {
				r.fill(s, sr)
				break
			}
		}
	}
	for _, s := range r.doc.Steps {
		if !s.closed {
			s.Status = string(runtime.StatusError)
		}
		if s.result != nil && s.result.Duration > 0 {
			s.DurationMS = ms(s.result.Duration)
		}
	}
	r.doc.Status = string(res.Status)
	r.doc.Outputs = r.m.values(res.Outputs)
	if r.doc.Outputs == nil {
		r.doc.Outputs = map[string]any{}
	}
	if res.Err != nil {
		r.doc.Error = r.m.text(res.Err.Error())
	}
	r.doc.StartedAt = res.Started
	r.doc.DurationMS = ms(res.Duration)
	top := false
	for _, w := range r.doc.Workflows {
		top = top || (w.Depth == 0 && w.WorkflowID == res.WorkflowID)
		if w.Status == "" {
			w.Status = string(runtime.StatusError)
		}
	}
	if !top {
		// The workflow ended before its first step: a dependency failed.
		w := &traceWorkflow{WorkflowID: res.WorkflowID, Document: r.doc.Document, Status: r.doc.Status, Error: r.doc.Error,
			Outputs: r.doc.Outputs, StartedAt: res.Started, DurationMS: r.doc.DurationMS, Steps: []int{}}
		r.doc.Workflows = append([]*traceWorkflow{w}, r.doc.Workflows...)
	}
	return &r.doc
}

// body records a body as masked text, or base64 when it is not UTF-8 text.
func (r *recorder) body(b []byte, contentType string) *traceBody {
	if b == nil {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	tb := &traceBody{MimeType: mt, Size: len(b)}
	if utf8.Valid(b) {
		tb.Text = r.m.text(string(b))
	} else {
		tb.Text, tb.Encoding = base64.StdEncoding.EncodeToString(b), "base64"
	}
	return tb
}

func writeTrace(path string, doc *traceDoc) error {
	return writeFileWith(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	})
}
