package report

import (
	"mime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/runtime"
)

// DefaultMaxBody is how many bytes of each request and response body a
// Recorder keeps by default; a longer body keeps its first DefaultMaxBody
// bytes and is marked Truncated.
const DefaultMaxBody = 256 << 10

// DefaultMaxBodies bounds the body bytes a Recorder keeps for a whole run by
// default: once they are used up, later bodies keep their size only (and are
// marked Truncated), so that a step retried many times on a large response
// does not make the record grow with every attempt.
const DefaultMaxBodies = 16 << 20

// Recorder is a runtime.Observer that builds the Record of a run. It keeps
// what the events carry as they come (bodies up to a cap) and masks it once,
// when the run is finished, with every secret the run came to know:
//
//	secrets := &runtime.Secrets{}
//	rec := report.NewRecorder(plan, report.WithSecrets(secrets))
//	res, err := plan.Run(ctx, "wf", inputs, runtime.WithObserver(rec), runtime.WithSecrets(secrets))
//	...
//	record := rec.Finish(res)
//
// It is safe for concurrent use; one Recorder records one run.
type Recorder struct {
	mu        sync.Mutex
	cfg       config
	rec       Record // as received, not masked
	open      map[stepKey]*Step
	wfOpen    []*Workflow
	entry     string   // the file of the plan's document
	secretIn  []string // names of the inputs whose schema says they are secret
	bodyBytes int      // body bytes kept so far
	finished  *Record
	lastEvent *runtime.Event
	last      *Step // the step the last event concerned
}

type stepKey struct {
	wf, step string
	depth    int
}

type config struct {
	secrets   *runtime.Secrets
	document  string
	tool      string
	inputs    map[string]any
	maxBody   int
	maxBodies int
	exchanges bool
}

// Option configures a Recorder.
type Option func(*config)

// WithSecrets gives the secrets the run registers (pass the same to
// runtime.WithSecrets): the record is masked with them.
func WithSecrets(s *runtime.Secrets) Option { return func(c *config) { c.secrets = s } }

// WithDocument names the document in the record as the user named it (a
// relative path, a URL); by default it is the file the plan was loaded from.
func WithDocument(name string) Option { return func(c *config) { c.document = name } }

// WithTool names the program in the record (default "arazzo").
func WithTool(tool string) Option { return func(c *config) { c.tool = tool } }

// WithInputs records the inputs the run is given.
func WithInputs(inputs map[string]any) Option { return func(c *config) { c.inputs = inputs } }

// WithMaxBody sets how many bytes of each body the record keeps (default
// DefaultMaxBody), and how many in all (default DefaultMaxBodies).
func WithMaxBody(each, total int) Option {
	return func(c *config) { c.maxBody, c.maxBodies = each, total }
}

// WithoutExchanges records no exchanges: a record for the reports that do
// not show them (the result JSON, JUnit) costs no body copies.
func WithoutExchanges() Option { return func(c *config) { c.exchanges = false } }

// NewRecorder returns a Recorder for one run of a workflow of plan.
func NewRecorder(plan *runtime.Plan, opts ...Option) *Recorder {
	cfg := config{tool: "arazzo", maxBody: DefaultMaxBody, maxBodies: DefaultMaxBodies, exchanges: true}
	for _, o := range opts {
		o(&cfg)
	}
	r := &Recorder{cfg: cfg, open: map[stepKey]*Step{}}
	if plan != nil {
		if d := plan.Document(); d != nil {
			r.entry, r.rec.Title = d.File, d.Info.Title
		}
		for _, w := range plan.Workflows() {
			for _, in := range w.Inputs {
				if in.Secret {
					r.secretIn = append(r.secretIn, in.Name)
				}
			}
		}
	}
	if cfg.document == "" {
		cfg.document, r.cfg.document = r.entry, r.entry
	}
	r.rec = Record{TraceVersion: Version, Tool: cfg.tool, Document: cfg.document, Title: r.rec.Title,
		Inputs: cfg.inputs, Outputs: map[string]any{}, Workflows: []*Workflow{}, Steps: []*Step{}, Warnings: []string{}}
	return r
}

// docName is how the record names a document: the run's own as the user named it.
func (r *Recorder) docName(file string) string {
	if file == r.entry {
		return r.cfg.document
	}
	return file
}

// Event implements runtime.Observer.
func (r *Recorder) Event(e *runtime.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished != nil || e == r.lastEvent {
		return // an event seen twice (a Progress feeds its Recorder) is recorded once
	}
	r.lastEvent = e
	k := stepKey{e.WorkflowID, e.StepID, e.Depth}
	switch e.Kind {
	case runtime.EventWorkflowStarted:
		w := &Workflow{WorkflowID: e.WorkflowID, Document: r.docName(e.File), Depth: e.Depth, StartedAt: e.Time, Outputs: map[string]any{}, Steps: []int{}}
		r.rec.Workflows = append(r.rec.Workflows, w)
		r.wfOpen = append(r.wfOpen, w)
	case runtime.EventWorkflowFinished:
		for i := len(r.wfOpen) - 1; i >= 0; i-- {
			w := r.wfOpen[i]
			if w.WorkflowID == e.WorkflowID && w.Depth == e.Depth {
				w.DurationMS = ms(e.Time.Sub(w.StartedAt))
				if e.Result != nil {
					w.Status, w.Outputs = e.Result.Status, e.Result.Outputs
					if e.Result.Err != nil {
						w.Error = e.Result.Err.Error()
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
		if !r.cfg.exchanges {
			return
		}
		x := &Exchange{Kind: ExchangeHTTP, Attempt: e.Attempt, StartedAt: e.Time}
		if req := e.Request; req != nil {
			x.security = req.Security
			ct := req.Header.Get("Content-Type")
			if op := req.Message; op != nil {
				x.Kind, ct = ExchangeMessage, op.ContentType
				x.Message = &Message{Operation: strings.ToLower(req.Method), Server: op.Server, Channel: op.Channel, ContentType: op.ContentType}
				if op.Correlation != nil {
					x.Message.CorrelationID = op.Correlation.Value
				}
			}
			x.Request = &Request{Method: req.Method, URL: req.URL, Headers: req.Header.Clone(), Body: r.body(req.Body, ct)}
		}
		s.Exchanges = append(s.Exchanges, x)
	case runtime.EventResponse:
		s := r.step(k, e.Time)
		if !r.cfg.exchanges || len(s.Exchanges) == 0 || e.Response == nil {
			return
		}
		x := s.Exchanges[len(s.Exchanges)-1]
		resp := e.Response
		if !resp.Started.IsZero() {
			x.StartedAt = resp.Started
		}
		x.DurationMS = ms(resp.Duration)
		if sent := resp.Sent; sent != nil && x.Request != nil {
			// The request as it went: with the credentials the driver added.
			x.Request.URL, x.Request.Headers = sent.URL.String(), sent.Header.Clone()
		}
		if resp.Err != nil {
			x.Error, x.ErrorKind = resp.Err.Error(), resp.ErrKind
		}
		if resp.StatusCode != 0 {
			x.Response = &Response{Status: resp.StatusCode, Headers: resp.Header.Clone(), Body: r.body(resp.Body, resp.Header.Get("Content-Type"))}
		}
		if m, meta := x.Message, resp.Message; m != nil && meta != nil {
			if meta.Channel != "" {
				m.Channel = meta.Channel
			}
			m.Skipped = meta.Skipped
			if resp.Err == nil && strings.HasPrefix(m.Server, "kafka") && m.Operation != "subscribe" {
				p, o := meta.Partition, meta.Offset
				m.Partition, m.Offset = &p, &o
			}
		}
	case runtime.EventCriterion:
		if c := e.Criterion; c != nil {
			s := r.step(k, e.Time)
			s.Criteria = append(s.Criteria, criterion(e.Attempt, c))
		}
	case runtime.EventAction:
		s := r.step(k, e.Time)
		s.Actions = append(s.Actions, Action{Attempt: e.Attempt, Time: e.Time, Action: e.Action, WaitMS: ms(e.Wait)})
	case runtime.EventStepFinished:
		s := r.step(k, e.Time)
		fill(s, e.Step)
		if s.DurationMS == 0 {
			// The executor may set a step's duration once the step returns,
			// after this event: measure it here; Finish takes the executor's figure.
			s.DurationMS = ms(e.Time.Sub(s.StartedAt))
		}
		delete(r.open, k)
	case runtime.EventWarning:
		r.rec.Warnings = append(r.rec.Warnings, e.Message)
	}
}

func (r *Recorder) startStep(k stepKey, at time.Time) *Step {
	s := &Step{WorkflowID: k.wf, StepID: k.step, Depth: k.depth, StartedAt: at, Outputs: map[string]any{},
		Exchanges: []*Exchange{}, Criteria: []Criterion{}, Actions: []Action{}}
	r.rec.Steps = append(r.rec.Steps, s)
	r.open[k], r.last = s, s
	for i := len(r.wfOpen) - 1; i >= 0; i-- {
		if w := r.wfOpen[i]; w.WorkflowID == k.wf && w.Depth == k.depth {
			w.Steps = append(w.Steps, len(r.rec.Steps)-1)
			break
		}
	}
	return s
}

// step returns the open record of a step; a step that a retry action runs
// before retrying reports no start of its own, so its first event opens it.
func (r *Recorder) step(k stepKey, at time.Time) *Step {
	s := r.open[k]
	if s == nil {
		s = r.startStep(k, at)
	}
	r.last = s
	return s
}

// view returns, masked with the secrets known so far, the step the last
// event concerned without its exchanges, and its last exchange: what a live
// display shows of that event.
func (r *Recorder) view() (*Step, *Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		return nil, nil
	}
	st := *r.last
	var last *Exchange
	if n := len(st.Exchanges); n > 0 {
		last = maskExchange(st.Exchanges[n-1], r.cfg.secrets)
	}
	st.Exchanges = nil
	return maskStep(&st, r.cfg.secrets), last
}

func fill(s *Step, res *runtime.StepResult) {
	if res == nil || s.closed {
		return
	}
	s.closed, s.result = true, res
	s.Operation, s.Status, s.StatusCode, s.Attempts = res.Operation, res.Status, res.StatusCode, res.Attempts
	s.DurationMS, s.Action, s.Error = ms(res.Duration), res.Action, res.Err
	if res.Outputs != nil {
		s.Outputs = res.Outputs
	}
	if len(s.Criteria) == 0 {
		// No criterion events came (a result from elsewhere): the step's own list.
		for _, c := range res.Criteria {
			s.Criteria = append(s.Criteria, criterion(res.Attempts, &c))
		}
	}
}

func criterion(attempt int, c *runtime.CriterionResult) Criterion {
	rc := Criterion{Attempt: attempt, Condition: c.Condition, Context: c.Context, Type: c.Type, Pass: c.Pass, Reason: c.Reason,
		Operands: make([]Operand, 0, len(c.Operands)), Action: c.Action}
	for _, o := range c.Operands {
		rc.Operands = append(rc.Operands, Operand{Expr: o.Expr, Value: o.Value, Missing: o.Missing})
	}
	return rc
}

// body keeps a copy of at most the configured number of bytes of b: the
// caller's slice may be reused, and a subslice would keep all of it alive.
func (r *Recorder) body(b []byte, contentType string) *Body {
	if b == nil {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	rb := &Body{MimeType: mt, Size: len(b)}
	n := min(len(b), r.cfg.maxBody, max(r.cfg.maxBodies-r.bodyBytes, 0))
	for n > 0 && n < len(b) && !utf8.RuneStart(b[n]) {
		n-- // text stays text: cut between characters
	}
	rb.raw = append([]byte(nil), b[:n]...)
	rb.Truncated = n < len(b)
	r.bodyBytes += n
	return rb
}

// Finish completes the record with the run's result and returns it, masked.
// Steps that reported no end of their own (those a retry action ran) take
// their result from res. Later calls return the same record; events after
// Finish are ignored.
func (r *Recorder) Finish(res *runtime.Result) *Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished != nil {
		return r.finished
	}
	claimed := map[*runtime.StepResult]bool{}
	for _, s := range r.rec.Steps {
		if s.result != nil {
			claimed[s.result] = true
		}
	}
	for _, sr := range res.Steps {
		if claimed[sr] {
			continue
		}
		found := false
		for _, s := range r.rec.Steps {
			if !s.closed && s.WorkflowID == sr.WorkflowID && s.StepID == sr.StepID && s.Depth == sr.Depth {
				fill(s, sr)
				found = true
				break
			}
		}
		if !found {
			// No event told of it (a result from elsewhere: a Temporal run's).
			s := &Step{WorkflowID: sr.WorkflowID, StepID: sr.StepID, Depth: sr.Depth, StartedAt: res.Started, Outputs: map[string]any{},
				Exchanges: []*Exchange{}, Criteria: []Criterion{}, Actions: []Action{}}
			fill(s, sr)
			r.rec.Steps = append(r.rec.Steps, s)
		}
	}
	for _, s := range r.rec.Steps {
		if !s.closed {
			s.Status = runtime.StatusError
		}
		if s.result != nil && s.result.Duration > 0 {
			s.DurationMS = ms(s.result.Duration)
		}
	}
	doc := &r.rec
	doc.WorkflowID, doc.Status = res.WorkflowID, res.Status
	doc.Outputs = res.Outputs
	if doc.Outputs == nil {
		doc.Outputs = map[string]any{}
	}
	if res.Err != nil {
		doc.Error = res.Err.Error()
	}
	doc.StartedAt, doc.DurationMS = res.Started, ms(res.Duration)
	top := false
	for _, w := range doc.Workflows {
		top = top || (w.Depth == 0 && w.WorkflowID == res.WorkflowID)
		if w.Status == "" {
			w.Status = runtime.StatusError
		}
	}
	if !top {
		// The workflow ended before its first step: a dependency failed.
		w := &Workflow{WorkflowID: res.WorkflowID, Document: doc.Document, Status: doc.Status, Error: doc.Error,
			Outputs: doc.Outputs, StartedAt: res.Started, DurationMS: doc.DurationMS, Steps: []int{}}
		doc.Workflows = append([]*Workflow{w}, doc.Workflows...)
	}
	r.finished = mask(doc, r.cfg.secrets, r.secretIn)
	return r.finished
}

// mask masks text with the secrets known so far.
func (r *Recorder) mask(text string) string { return r.cfg.secrets.Mask(text) }
