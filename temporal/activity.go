package temporal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/arazzo-run/arazzo/runtime"
)

// SendInput is one request the executor decided on, as it travels to a
// worker: no credentials, only the security requirements the worker
// satisfies with its own.
type SendInput struct {
	WorkflowID string      `json:"workflowId"`
	StepID     string      `json:"stepId"`
	Attempt    int         `json:"attempt"`
	Source     string      `json:"source,omitempty"`
	Method     string      `json:"method"`
	URL        string      `json:"url"`
	Header     http.Header `json:"header,omitempty"`
	Body       []byte      `json:"body,omitempty"`
	// Security lists the acceptable credential combinations (scheme
	// descriptions from the OpenAPI document, never secrets).
	Security   []runtime.SecurityOption `json:"security,omitempty"`
	Timeout    time.Duration            `json:"timeout"`
	Idempotent bool                     `json:"idempotent"`
	// NoFollow lists the redirect statuses the operation declares: not followed.
	NoFollow []int `json:"noFollow,omitempty"`
	// MaxBody is the run's cap on the response body.
	MaxBody int64 `json:"maxBody,omitempty"`
}

func newSendInput(req *runtime.Request, set *Settings) *SendInput {
	in := &SendInput{WorkflowID: req.WorkflowID, StepID: req.StepID, Attempt: req.Attempt, Source: req.Source, Method: req.Method,
		URL: req.URL, Header: req.Header, Body: req.Body, Security: req.Security, Timeout: req.Timeout, Idempotent: req.Idempotent,
		NoFollow: req.NoFollow, MaxBody: set.MaxBody}
	if in.Timeout <= 0 {
		in.Timeout = set.timeout()
	}
	return in
}

func (in *SendInput) request() *runtime.Request {
	return &runtime.Request{WorkflowID: in.WorkflowID, StepID: in.StepID, Attempt: in.Attempt, Source: in.Source, Method: in.Method,
		URL: in.URL, Header: in.Header, Body: in.Body, Security: in.Security, Timeout: in.Timeout, Idempotent: in.Idempotent,
		NoFollow: in.NoFollow}
}

// SendOutput is the response to a SendInput, or the transport error that
// prevented one. Credentials of the worker that appear in it are masked.
type SendOutput struct {
	StatusCode int         `json:"statusCode,omitempty"`
	Header     http.Header `json:"header,omitempty"`
	Body       []byte      `json:"body,omitempty"`
	Err        string      `json:"error,omitempty"`
	ErrKind    string      `json:"errorKind,omitempty"`
	// MaxBody is the bound a body-too-large body crossed.
	MaxBody  int64         `json:"maxBody,omitempty"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration"`
}

func (o *SendOutput) response() *runtime.Response {
	r := &runtime.Response{StatusCode: o.StatusCode, Header: o.Header, Body: o.Body, ErrKind: o.ErrKind, Started: o.Started, Duration: o.Duration}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	switch {
	case o.ErrKind == "body-too-large" && o.MaxBody > 0:
		r.Err = &runtime.LimitError{Kind: runtime.LimitBody, Max: o.MaxBody}
	case o.Err != "":
		r.Err = errors.New(o.Err)
	}
	return r
}

// Send is the activity: it sends one request with the worker's credentials
// and returns the response. A transport error is a result, not an activity
// failure — the executor decides what it means, as in a local run — so
// Temporal attempts a request again only when the activity itself did not
// complete (its worker died or stalled past the heartbeat timeout). An
// idempotent request is then simply sent again; one that is not goes through
// sendOnce, which never sends it twice.
func (w *Worker) Send(ctx context.Context, in *SendInput) (*SendOutput, error) {
	if !resendable(in.Method, in.Idempotent) {
		return w.sendOnce(ctx, in)
	}
	stop := heartbeat(ctx, func(ctx context.Context) error { activity.RecordHeartbeat(ctx); return nil })
	resp := w.sender.Send(ctx, in.request())
	stop()
	if err := ctx.Err(); err != nil {
		return nil, err // the run was cancelled or timed out; nobody reads the response
	}
	return w.sendOutput(resp, in.MaxBody), nil
}

// sendRecord is what the send activity of a request that must not be sent
// twice keeps in its heartbeat details, where an attempt of the activity that
// follows a lost worker finds it. The details are payloads like any other:
// with a payload key, they are encrypted.
type sendRecord struct {
	// Sending: the request may have left (recorded before it is sent).
	Sending bool `json:"sending"`
	// Output is the response, recorded the moment it arrived.
	Output *SendOutput `json:"output,omitempty"`
}

// sendOnce sends a request that must not be sent twice. Before sending, it
// records in the heartbeat details that the request is leaving; when the
// response arrives, it records the response there before anything else.
// Both records are synchronous heartbeats: once recorded, the cluster holds
// them whatever happens to this worker; with a spool (WithSpool), the
// response is in it before the heartbeat leaves (see spoolResponse). An
// attempt that follows a lost worker reads them: a recorded response is returned as it was received (a
// renewed token is handed over, not renewed again); a request that left
// without a recorded response is reported lost (the server may or may not
// have acted on it); a request that never left is sent.
func (w *Worker) sendOnce(ctx context.Context, in *SendInput) (*SendOutput, error) {
	var key string // the activity's spool entry
	if w.spool != nil {
		key = spoolKey(ctx)
		rec, err := w.spool.read(key)
		switch {
		case err != nil:
			activity.GetLogger(ctx).Error("the spooled response cannot be read; the heartbeat details decide", "error", err)
		case rec != nil:
			activity.GetLogger(ctx).Info("response spooled before its worker was lost", "method", in.Method, "url", in.URL)
			if err := w.record(ctx, rec); err == nil {
				w.spool.remove(key)
			}
			return rec.Output, nil
		}
	}
	if activity.HasHeartbeatDetails(ctx) {
		var rec sendRecord
		err := activity.GetHeartbeatDetails(ctx, &rec)
		switch {
		case err == nil && rec.Output != nil:
			activity.GetLogger(ctx).Info("response recorded before its worker was lost", "method", in.Method, "url", in.URL)
			return rec.Output, nil
		case err != nil || rec.Sending:
			return lostOutput(in), nil
		}
	}
	if err := w.record(ctx, &sendRecord{Sending: true}); err != nil {
		return nil, err // not sent: the next attempt sends it
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := heartbeat(rctx, func(hctx context.Context) error {
		err := w.record(hctx, &sendRecord{Sending: true})
		var canceled *sdktemporal.CanceledError
		if errors.As(err, &canceled) {
			cancel() // the run was cancelled: so is its request
		}
		return err
	})
	resp := w.sender.Send(rctx, in.request())
	rec := &sendRecord{Sending: true, Output: w.sendOutput(resp, in.MaxBody)}
	synced := w.spoolResponse(ctx, key, rec) // first: nothing else stands between the response and the spool
	stop()
	if err := ctx.Err(); err != nil {
		return nil, err // the entry stays for an attempt that follows (or the sweep)
	}
	if rctx.Err() != nil {
		if synced != nil {
			<-synced
			w.spool.remove(key) // the run was cancelled: no attempt follows
		}
		return nil, sdktemporal.NewCanceledError()
	}
	w.keep(ctx, key, rec, synced)
	return rec.Output, nil
}

// spoolResponse writes rec to the worker's spool under key, if it has one: that takes a
// fraction of a millisecond, and once it returns the entry survives this
// process being killed. The entry is then synced to the disk in the
// background (the result arrives on the channel); nil when nothing was
// spooled.
func (w *Worker) spoolResponse(ctx context.Context, key string, rec *sendRecord) <-chan error {
	if w.spool == nil {
		return nil
	}
	sync, err := w.spool.write(key, rec)
	if err != nil {
		activity.GetLogger(ctx).Warn("could not spool the response; the heartbeat details will hold it", "error", err)
		return nil
	}
	synced := make(chan error, 1)
	go func() { synced <- sync() }()
	return synced
}

// keep records the response of rec in the heartbeat details, which any
// worker reads, and then removes its spool entry, key (synced is
// spoolResponse's channel). Should both fail (no disk, the cluster unreachable), the
// activity's result still carries the response if this worker lives to
// report it.
func (w *Worker) keep(ctx context.Context, key string, rec *sendRecord, synced <-chan error) {
	log := activity.GetLogger(ctx)
	err := w.record(ctx, rec)
	if err != nil {
		log.Warn("could not record the response in the heartbeat details", "error", err)
	}
	if synced == nil {
		return
	}
	if serr := <-synced; serr != nil {
		log.Warn("could not sync the spooled response to the disk", "error", serr)
	}
	if err == nil {
		w.spool.remove(key)
	}
}

// recordSend records rec as the activity's heartbeat details and returns
// once the cluster has them. activity.RecordHeartbeat would not do: it holds
// details back for up to 80% of the heartbeat timeout after the previous
// heartbeat, and a worker killed meanwhile loses them. The details are
// encoded with the worker's data converter (WithDataConverter), so a payload
// key encrypts them.
func (w *Worker) recordSend(ctx context.Context, rec *sendRecord) error {
	details, err := w.dc.ToPayloads(rec)
	if err != nil {
		return err
	}
	info := activity.GetInfo(ctx)
	resp, err := activity.GetClient(ctx).WorkflowService().RecordActivityTaskHeartbeat(ctx, &workflowservice.RecordActivityTaskHeartbeatRequest{
		TaskToken: info.TaskToken, Details: details, Namespace: info.Namespace, Identity: w.identity})
	if err != nil {
		return err
	}
	if resp.GetCancelRequested() {
		return sdktemporal.NewCanceledError()
	}
	return nil
}

// lostOutput is the result of a request whose worker was lost after it was
// sent and before its response was recorded.
func lostOutput(in *SendInput) *SendOutput {
	return &SendOutput{ErrKind: "lost", Err: fmt.Sprintf("its worker was lost after sending it and before the response was recorded: "+
		"the server may or may not have acted on it, and a %s is not sent again behind the workflow's back", in.Method)}
}

// sendOutput copies the response, capped by the run's MaxBody, with the
// worker's credentials masked wherever they appear: nothing the worker holds
// enters the workflow's history.
func (w *Worker) sendOutput(resp *runtime.Response, maxBody int64) *SendOutput {
	out := &SendOutput{StatusCode: resp.StatusCode, Body: resp.Body, ErrKind: resp.ErrKind, Started: resp.Started, Duration: resp.Duration}
	if resp.Err != nil {
		out.Err = resp.Err.Error()
	}
	if maxBody > 0 && int64(len(out.Body)) > maxBody && out.Err == "" {
		out.Body = nil
		out.Err, out.ErrKind, out.MaxBody = (&runtime.LimitError{Kind: runtime.LimitBody, Max: maxBody}).Error(), "body-too-large", maxBody
	}
	sec := w.secrets
	if len(resp.Header) > 0 {
		out.Header = make(http.Header, len(resp.Header))
		for k, vs := range resp.Header {
			for _, v := range vs {
				if sec.HasCredential([]byte(v)) {
					v = sec.MaskCredentials(v)
				}
				out.Header[k] = append(out.Header[k], v)
			}
		}
	}
	if sec.HasCredential(out.Body) {
		out.Body = []byte(sec.MaskCredentials(string(out.Body)))
	}
	out.Err = sec.MaskCredentials(out.Err)
	return out
}

// heartbeat records heartbeats while a request is in flight, so that the loss
// of this worker is noticed within heartbeatTimeout rather than at the end of
// the activity's start-to-close timeout.
func heartbeat(ctx context.Context, beat func(context.Context) error) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(heartbeatTimeout / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				_ = beat(ctx)
			}
		}
	}()
	return func() { close(done); <-finished }
}
