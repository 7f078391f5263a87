package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// Effects wraps the local driver: each request that is not safe to repeat is
// recorded before it is sent, on the disk; each response once it is back
// (with its request, when that is safe to repeat), each wait before and
// after it. While a resumed run replays, recorded responses are handed back
// instead of sending again.
func (s *Session) Effects(local runtime.Effects) runtime.Effects {
	return &driver{s: s, next: local}
}

type driver struct {
	s    *Session
	next runtime.Effects
}

var _ runtime.Effects = (*driver)(nil)

func (d *driver) Now() time.Time { return d.next.Now() }

// ErrKindJournal is the Response.ErrKind of a request the journal stopped.
const ErrKindJournal = "journal"

func (d *driver) Send(ctx context.Context, req *runtime.Request) *runtime.Response {
	s := d.s
	s.mu.Lock()
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return &runtime.Response{Err: err, ErrKind: ErrKindJournal}
	}
	fp := fingerprint(req)
	if resp, ok := s.replaySend(req, fp); ok {
		s.mu.Unlock()
		return resp
	}
	if s.err != nil { // the replay diverged
		err := s.err
		s.mu.Unlock()
		return &runtime.Response{Err: err, ErrKind: ErrKindJournal}
	}
	s.markLive()
	// A request that is not safe to repeat is on the disk before it goes out:
	// a resumed run knows it may have been sent. One that is safe to repeat
	// is recorded with its answer, in one row (a resumed run sends it again
	// whether or not its record survived a crash); or alone, when it is
	// interrupted or its answer is slow to come, so that a run stopped while
	// waiting shows what it was waiting for.
	durable := !Repeatable(req)
	sent := &record{kind: kindSend, workflow: req.WorkflowID, step: req.StepID, attempt: req.Attempt, at: s.opts.Now(),
		data: encodeSend(&sendData{Method: req.Method, URL: s.opts.Secrets.MaskCredentials(req.URL), Idempotent: req.Idempotent, Fingerprint: fp})}
	var err error
	var f *inFlight
	if durable {
		err = s.write(sent, true)
	} else if err = s.failed(); err == nil {
		f = s.inFlight(sent)
	}
	s.mu.Unlock()
	if err != nil {
		return &runtime.Response{Err: err, ErrKind: ErrKindJournal}
	}
	resp := d.next.Send(ctx, req)
	s.mu.Lock()
	folded := f != nil && f.answered()
	if resp.Err != nil && ctx.Err() != nil {
		// Interrupted: no answer is recorded, so a resumed run sends it again
		// (saying it was sent).
		if folded {
			_ = s.write(sent, false)
		}
		s.mu.Unlock()
		return resp
	}
	// Its response too, before the executor derives anything from it: what
	// the server did in answer cannot be had again.
	rec := s.responseRecord(req, resp)
	if folded {
		rec.sent, rec.sentAt = sent.data, sent.at
	}
	if s.write(rec, durable) == nil {
		s.keepBody(rec)
	}
	s.mu.Unlock()
	// Even if that record failed, the exchange happened: the executor gets its
	// response (and its outputs are printed); the next effect stops the run.
	return resp
}

// slowAnswer is how long a request safe to repeat may wait for its answer
// before its record is written alone (SessionOptions.slowAnswer's default):
// an answer faster than that shares a row with it. Most requests to a local
// or nearby service are answered well within it; a slower one costs a row in
// time it spends waiting anyway.
const slowAnswer = 10 * time.Millisecond

// inFlight is a request safe to repeat on its way. rec is its record while
// it is held back for its answer's row: nil once the answer came, or once
// the answer was slow and the record was written alone.
type inFlight struct {
	timer *time.Timer
	rec   *record
}

// inFlight holds back r, the record of a request being sent, until the
// answer comes or the session's slowAnswer passes, whichever is first. Call
// with s.mu held.
func (s *Session) inFlight(r *record) *inFlight {
	f := &inFlight{rec: r}
	f.timer = time.AfterFunc(s.opts.slowAnswer, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if f.rec != nil {
			// Committed now, not a linger later: the run is waiting anyway,
			// and the journal shows what for.
			if s.write(f.rec, false) == nil {
				s.store.w.flush()
			}
			f.rec = nil
		}
	})
	return f
}

// answered reports, once the request is back, whether its record is still
// held back, to be written with the answer. Call with s.mu held.
func (f *inFlight) answered() bool {
	f.timer.Stop()
	held := f.rec != nil
	f.rec = nil
	return held
}

func (d *driver) Sleep(ctx context.Context, dur time.Duration) error {
	s := d.s
	s.mu.Lock()
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return err
	}
	if rest, ok := s.replaySleep(dur); ok {
		if rest <= 0 {
			s.mu.Unlock()
			return nil
		}
		dur = rest
	}
	s.markLive()
	err := s.write(&record{kind: kindSleep, data: mustJSON(sleepData{Duration: int64(dur)})}, false)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := d.next.Sleep(ctx, dur); err != nil {
		return err
	}
	s.mu.Lock()
	err = s.write(&record{kind: kindSlept, data: []byte("{}")}, false)
	s.mu.Unlock()
	return err
}

// responseRecord turns a response into a record: never a credential, never
// more than MaxBody bytes (either way the content is left out, and a resumed
// run sends the request again).
func (s *Session) responseRecord(req *runtime.Request, resp *runtime.Response) *record {
	d := responseData{StatusCode: resp.StatusCode, Header: resp.Header, ErrKind: resp.ErrKind, Duration: int64(resp.Duration), Message: resp.Message}
	if !resp.Started.IsZero() {
		d.Started = resp.Started.UnixNano()
	}
	if resp.Err != nil {
		d.Err = resp.Err.Error()
	}
	body := resp.Body
	sec := s.opts.Secrets
	switch {
	case sec.HasCredential(body) || sec.HasCredential([]byte(d.Err)) || headerHasCredential(sec, resp.Header):
		d.Omitted = omittedCredential
	case int64(len(body)) > s.opts.MaxBody || int64(len(body)) > s.opts.MaxStepBody:
		d.Omitted = omittedSize
	}
	if d.Omitted != "" {
		body = nil
		d.Err = sec.MaskCredentials(d.Err)
		if resp.Header != nil {
			h := http.Header{}
			for k, vs := range resp.Header {
				for _, v := range vs {
					h.Add(k, sec.MaskCredentials(v))
				}
			}
			d.Header = h
		}
	}
	if body == nil {
		body = []byte{} // recorded and empty, unlike a response left out
	}
	return &record{kind: kindResponse, workflow: req.WorkflowID, step: req.StepID, attempt: req.Attempt, data: encodeResponse(&d), body: body, resp: &d}
}

// keepBody makes room for a response body of n bytes in the budget of the
// step execution open now: the bodies of its earlier attempts are dropped,
// oldest first, until the step's bodies fit in MaxStepBody. A dropped body's
// record says so (omitted "superseded"); a resumed run stops replaying there.
func (s *Session) keepBody(r *record) {
	if len(s.open) == 0 || len(r.body) == 0 {
		return
	}
	st := &s.open[len(s.open)-1]
	for len(st.kept) > 0 && st.keptBytes+int64(len(r.body)) > s.opts.MaxStepBody {
		k := st.kept[0]
		st.kept, st.keptBytes = st.kept[1:], st.keptBytes-k.size
		d := *k.resp
		d.Omitted = omittedSuperseded
		s.store.w.add(updateBody, []byte{}, string(encodeResponse(&d)), s.run.ID, int64(k.seq))
	}
	st.kept = append(st.kept, keptBody{seq: r.seq, size: int64(len(r.body)), resp: r.resp})
	st.keptBytes += int64(len(r.body))
}

func headerHasCredential(sec *runtime.Secrets, h http.Header) bool {
	for _, vs := range h {
		for _, v := range vs {
			if sec.HasCredential([]byte(v)) {
				return true
			}
		}
	}
	return false
}

// Repeatable reports whether a resumed run may send req again without asking,
// when the process died before its response was on the disk: a request whose
// method is safe (GET, HEAD, OPTIONS, TRACE, QUERY) unless its operation says
// x-idempotent: false, or a POST or PATCH whose operation says
// x-idempotent: true. PUT and DELETE are idempotent by definition but may
// still not be repeated unseen (a DELETE answers 404 the second time; a PUT
// may overwrite what another client wrote in between), so they are treated as
// not repeatable: their records are waited for.
func Repeatable(req *runtime.Request) bool {
	switch req.Method {
	case http.MethodPut, http.MethodDelete:
		return false
	}
	return req.Idempotent
}

// markLive notes that the steps open now did something live.
func (s *Session) markLive() {
	for i := range s.open {
		s.open[i].live = true
	}
}

func (s *Session) warn(format string, args ...any) {
	if s.opts.Warn != nil {
		s.opts.Warn(fmt.Sprintf(format, args...))
	}
}

// replaySend hands back the recorded response of req while the resumed run
// replays. ok is false when req must be sent (the replay is over).
func (s *Session) replaySend(req *runtime.Request, fp string) (*runtime.Response, bool) {
	for len(s.replay) > 0 && s.replay[0].kind != kindSend {
		s.replay = s.replay[1:] // a wait the executor did not ask for again: nothing to do
	}
	if len(s.replay) == 0 {
		return nil, false
	}
	sent := s.replay[0]
	var sd sendData
	if err := json.Unmarshal(sent.data, &sd); err != nil || sd.Fingerprint != fp {
		s.err = &DivergedError{RunID: s.run.ResumedFrom, Seq: sent.seq, Recorded: sd.Method + " " + sd.URL + " (step " + sent.step + ")",
			Now: req.Method + " " + s.opts.Secrets.MaskCredentials(req.URL) + " (step " + req.StepID + ")"}
		s.replay = nil
		return nil, false
	}
	if len(s.replay) < 2 || s.replay[1].kind != kindResponse {
		// The resumed run was stopped while this request was in flight.
		s.replay = nil
		if req.Idempotent {
			s.warn("sending %s %s again: the interrupted run sent it but recorded no answer", req.Method, sd.URL)
		} else {
			s.warn("sending %s %s again: the interrupted run sent it but recorded no answer, and the operation is not idempotent — the server may have acted on the first one already", req.Method, sd.URL)
		}
		return nil, false
	}
	got := s.replay[1]
	var rd responseData
	if err := json.Unmarshal(got.data, &rd); err != nil {
		s.err = &WriteError{Path: s.store.path, Err: fmt.Errorf("record %d: %w", got.seq, err)}
		return nil, false
	}
	if rd.Omitted != "" {
		s.replay = nil
		why := omittedWhy[rd.Omitted]
		if !Repeatable(req) {
			// What the server did in answer is not in the journal, and asking
			// again is not safe: the run stops here, saying so.
			s.err = &NotKeptError{RunID: s.run.ResumedFrom, Request: req.Method + " " + sd.URL, StepID: req.StepID, Why: why}
			return nil, false
		}
		s.warn("sending %s %s again: the interrupted run received an answer but did not keep it (%s)", req.Method, sd.URL, why)
		return nil, false
	}
	s.replay = s.replay[2:]
	c := *got
	c.replayed, c.at, c.sent, c.sentAt = true, time.Time{}, sent.data, time.Time{}
	if s.write(&c, false) != nil {
		return nil, false
	}
	s.replayed++
	resp := recordedResponse(got, &rd)
	return resp, true
}

// replaySleep skips a recorded wait. A wait the resumed run was interrupted in
// is finished: rest is what remains of it (ok with rest > 0: wait that long).
func (s *Session) replaySleep(d time.Duration) (rest time.Duration, ok bool) {
	if len(s.replay) == 0 {
		return 0, false
	}
	if s.replay[0].kind != kindSleep {
		// The recorded run went on without this wait (a Retry-After date read
		// at another time): it is over already.
		return 0, true
	}
	slept := s.replay[0]
	if len(s.replay) > 1 && s.replay[1].kind == kindSlept {
		for _, r := range s.replay[:2] {
			c := *r
			c.replayed, c.at = true, time.Time{}
			if s.write(&c, false) != nil {
				return 0, true
			}
		}
		s.replay = s.replay[2:]
		return 0, true
	}
	// Interrupted while waiting: wait for what is left of it, live.
	s.replay = nil
	var sd sleepData
	_ = json.Unmarshal(slept.data, &sd)
	rest = slept.at.Add(time.Duration(sd.Duration)).Sub(s.opts.Now())
	if rest > d {
		rest = d
	}
	if rest <= 0 {
		return 0, true
	}
	return rest, true
}

// omittedWhy words the reasons a response was kept without its content.
var omittedWhy = map[string]string{
	omittedCredential: "it held a credential, which is never journaled",
	omittedSize:       "its body was larger than the journal keeps",
	omittedSuperseded: "its body was dropped for a later attempt's: the journal keeps a bounded amount per step",
}

// NotKeptError stops a resumed run at a request that is not safe to repeat
// whose answer the interrupted run received but did not keep: nothing is
// sent again.
type NotKeptError struct {
	RunID, Request, StepID, Why string
}

func (e *NotKeptError) Error() string {
	return fmt.Sprintf("journal: run %s received an answer to %s (step %s) but did not keep it (%s), and sending it again is not safe: nothing was sent; the run's record shows what the step gave",
		e.RunID, e.Request, e.StepID, e.Why)
}

// DivergedError reports a resumed run that asked for another request than the
// one its journal recorded at that point: the document, the inputs or the
// settings differ from the run's.
type DivergedError struct {
	RunID         string
	Seq           int
	Recorded, Now string
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("journal: the resumed run departs from run %s: it recorded %s where this run would send %s; nothing was sent (give the same servers and settings as the first run, or run it afresh)",
		e.RunID, e.Recorded, e.Now)
}
