package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// Recovery is what a run's journaled responses say beyond its step records.
// A step record is written without waiting for the disk, after the response
// it comes from: a process that died in between leaves a response — a renewed
// token — with no step to show it. Replaying the responses through the
// executor, without sending anything, gives the steps they complete and, when
// the replay reaches the end of the workflow, its outputs.
type Recovery struct {
	// Steps are the step executions the replay completed beyond the run's
	// step records, in order (credentials are never in them; sensitive values
	// are, as in the journal's: mask them with a Redactor).
	Steps []*Step
	// Outputs are the workflow's outputs when the replay reached its end, nil
	// when it stopped at a request the journal holds no response to.
	Outputs map[string]any
	// Status is the status the run would have ended with (when Outputs is set).
	Status Status
}

// Recover replays the journaled responses of run r through plan's executor
// without sending anything; plan must be built from the run's document
// (r.Digest) with the run's settings. The replay stops at the first request
// the journal holds no usable response to, or when it departs from the
// journal.
func (st *Store) Recover(ctx context.Context, r *Run, plan *runtime.Plan, opts ...runtime.RunOption) (*Recovery, error) {
	if plan.SourceDigest() != r.Digest {
		return nil, fmt.Errorf("the document or one of its sources changed since run %s (%s, was %s)", r.ID,
			shortDigest(plan.SourceDigest()), shortDigest(r.Digest))
	}
	recs, err := st.records(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	recorded := 0
	var effects []*record
	for _, rec := range recs {
		switch {
		case rec.kind == kindStep:
			recorded++
		case rec.isEffect():
			effects = append(effects, rec)
		}
	}
	inputs, err := r.PlanInputs(plan)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fx := &replayer{recs: effects, stop: cancel, now: r.Started}
	var mu sync.Mutex
	var steps []*Step
	obs := runtime.ObserverFunc(func(e *runtime.Event) {
		if e.Kind != runtime.EventStepFinished || e.Step == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fx.stopped() {
			return // it ended because the replay stopped: not what happened
		}
		s := e.Step
		steps = append(steps, &Step{WorkflowID: e.WorkflowID, StepID: e.StepID, Depth: e.Depth, Status: string(s.Status), StatusCode: s.StatusCode,
			Attempts: s.Attempts, Operation: s.Operation, Method: s.Method, URL: s.URL, Action: s.Action, Outputs: s.Outputs, Err: s.Err,
			Duration: s.Duration, At: e.Time})
	})
	opts = append(opts[:len(opts):len(opts)], runtime.WithObserver(obs))
	res, err := plan.Execute(ctx, r.WorkflowID, inputs, fx, opts...)
	if err != nil {
		return nil, err
	}
	out := &Recovery{}
	if recorded < len(steps) {
		out.Steps = steps[recorded:]
	}
	if !fx.stopped() {
		out.Outputs, out.Status = res.Outputs, Status(res.Status)
	}
	return out, nil
}

// replayer is an Effects that hands back journaled responses and waits, and
// never sends: at the first request it has no response to, it stops the run.
type replayer struct {
	mu   sync.Mutex
	recs []*record
	stop context.CancelFunc
	done bool
	now  time.Time // the replay's clock: the run's start, on by each recorded exchange and wait
}

func (p *replayer) stopped() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

func (p *replayer) halt() *runtime.Response {
	p.done = true
	p.recs = nil
	p.stop()
	return &runtime.Response{Err: context.Canceled, ErrKind: "canceled"}
}

func (p *replayer) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

func (p *replayer) Sleep(ctx context.Context, d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.recs) > 0 && p.recs[0].kind == kindSleep {
		p.recs = p.recs[1:]
		if len(p.recs) > 0 && p.recs[0].kind == kindSlept {
			p.recs = p.recs[1:]
			p.now = p.now.Add(d)
			return nil
		}
	}
	// A wait the run had not finished, or did not make: the replay ends here.
	p.halt()
	return context.Canceled
}

func (p *replayer) Send(ctx context.Context, req *runtime.Request) *runtime.Response {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.recs) > 0 && p.recs[0].kind != kindSend {
		p.recs = p.recs[1:]
	}
	if len(p.recs) < 2 || p.recs[1].kind != kindResponse {
		return p.halt()
	}
	var sd sendData
	if err := json.Unmarshal(p.recs[0].data, &sd); err != nil || sd.Fingerprint != fingerprint(req) {
		return p.halt()
	}
	var rd responseData
	if err := json.Unmarshal(p.recs[1].data, &rd); err != nil || rd.Omitted != "" {
		return p.halt()
	}
	got := p.recs[1]
	p.recs = p.recs[2:]
	p.now = p.now.Add(time.Duration(rd.Duration))
	return recordedResponse(got, &rd)
}

// recordedResponse is the response a response record holds.
func recordedResponse(got *record, rd *responseData) *runtime.Response {
	resp := &runtime.Response{StatusCode: rd.StatusCode, Header: rd.Header, Body: got.body, ErrKind: rd.ErrKind, Duration: time.Duration(rd.Duration)}
	if resp.Header == nil && rd.Err == "" {
		resp.Header = http.Header{}
	}
	if rd.Started != 0 {
		resp.Started = time.Unix(0, rd.Started)
	}
	if rd.Err != "" {
		resp.Err = errors.New(rd.Err)
	}
	resp.Message = rd.Message
	return resp
}

// PlanInputs are the run's inputs with the types plan's workflow declares
// (the journal keeps numbers as written).
func (r *Run) PlanInputs(plan *runtime.Plan) (map[string]any, error) {
	out := make(map[string]any, len(r.Inputs))
	for k, v := range r.Inputs {
		if n, ok := v.(json.Number); ok {
			c, err := plan.CoerceInput(r.WorkflowID, k, n.String())
			if err != nil {
				return nil, err
			}
			v = c
		}
		out[k] = v
	}
	return out, nil
}
