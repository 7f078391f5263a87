package journal

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// Kinds of records. A run's records, in order, are what happened: each step
// execution sends requests (send, then response once it is answered), waits
// (sleep, then slept) and finishes (step). Journals written by earlier versions
// also hold a step-start record before each attempt; it is no effect, and
// every reader passes over it.
const (
	kindSend     = "send"
	kindResponse = "response"
	kindSleep    = "sleep"
	kindSlept    = "slept"
	kindStep     = "step"
)

// record is one row of the records table.
type record struct {
	seq      int
	kind     string
	workflow string
	step     string
	attempt  int
	depth    int
	at       time.Time
	replayed bool
	data     []byte
	body     []byte
	resp     *responseData // a response record's data, while its session keeps it
	// sent is the record of a response's request when both are written in
	// one row (Session.write): the request record is seq-1, sent at sentAt.
	sent   []byte
	sentAt time.Time
}

func (r *record) isEffect() bool {
	switch r.kind {
	case kindSend, kindResponse, kindSleep, kindSlept:
		return true
	}
	return false
}

type sendData struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	Idempotent  bool   `json:"idempotent"`
	Fingerprint string `json:"fingerprint"`
}

// Reasons a response is recorded without its content: a resumed run sends its
// request again instead of replaying it.
const (
	omittedCredential = "credential" // it contained a credential, which is never journaled
	omittedSize       = "size"       // its body was larger than the journal keeps
	omittedSuperseded = "superseded" // its body was dropped for a later attempt's of the same step
)

type responseData struct {
	StatusCode int         `json:"status,omitempty"`
	Header     http.Header `json:"header,omitempty"`
	Err        string      `json:"err,omitempty"`
	ErrKind    string      `json:"errKind,omitempty"`
	Started    int64       `json:"startedNs,omitempty"`
	Duration   int64       `json:"durationNs,omitempty"`
	Omitted    string      `json:"omitted,omitempty"`
	// Message is what the response of a message request (an AsyncAPI step's
	// SUBSCRIBE, PUBLISH or RECEIVE) says besides the message: the
	// subscription and its cursor, where a message was.
	Message *runtime.MessageMeta `json:"message,omitempty"`
}

type sleepData struct {
	Duration int64 `json:"durationNs"`
}

type stepData struct {
	Status     string         `json:"status"`
	StatusCode int            `json:"statusCode,omitempty"`
	Attempts   int            `json:"attempts"`
	Operation  string         `json:"operation,omitempty"`
	Method     string         `json:"method,omitempty"`
	URL        string         `json:"url,omitempty"`
	Action     string         `json:"action,omitempty"`
	Outputs    map[string]any `json:"outputs,omitempty"`
	Err        string         `json:"err,omitempty"`
	Duration   int64          `json:"durationNs"`
}

// fingerprint identifies a request: a resumed run replays a recorded response
// only for the very request that received it.
func fingerprint(req *runtime.Request) string {
	h := sha256.New()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(req.WorkflowID)
	w(req.StepID)
	w(req.Method)
	w(req.URL)
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w(k)
		for _, v := range req.Header[k] {
			w(v)
		}
	}
	h.Write(req.Body)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// records are a run's records in order. A row that holds a response and its
// request (sent) is read as the two records it stands for.
func (s *Store) records(ctx context.Context, runID string) ([]*record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, kind, workflow_id, step_id, attempt, depth, at, replayed, data, body, sent, sent_at
		FROM records WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*record
	for rows.Next() {
		var r record
		var at, sentAt int64
		var data string
		var sent sql.NullString
		if err := rows.Scan(&r.seq, &r.kind, &r.workflow, &r.step, &r.attempt, &r.depth, &at, &r.replayed, &data, &r.body, &sent, &sentAt); err != nil {
			return nil, err
		}
		if r.kind == kindChunk {
			recs, err := decodeChunk(r.body)
			if err != nil {
				return nil, fmt.Errorf("journal: run %s, record %d: %w", runID, r.seq, err)
			}
			for _, c := range recs {
				out = appendRecord(out, c)
			}
			continue
		}
		r.at = fromMillis(at)
		r.data = []byte(data)
		if sent.Valid {
			r.sent, r.sentAt = []byte(sent.String), fromMillis(sentAt)
		}
		out = appendRecord(out, &r)
	}
	return out, rows.Err()
}

// appendRecord appends r to a run's records: a response that holds its
// request's record (sent) is two.
func appendRecord(out []*record, r *record) []*record {
	if r.sent != nil {
		out = append(out, &record{seq: r.seq - 1, kind: kindSend, workflow: r.workflow, step: r.step, attempt: r.attempt, depth: r.depth,
			at: r.sentAt, replayed: r.replayed, data: r.sent})
		r.sent, r.sentAt = nil, time.Time{}
	}
	return append(out, r)
}

// Step is a finished step execution, as recorded.
type Step struct {
	Seq        int
	WorkflowID string
	StepID     string
	Depth      int
	Status     string
	StatusCode int
	Attempts   int
	Operation  string
	Method     string
	URL        string
	Action     string
	// Outputs are the step's outputs (credentials masked, sensitive values not:
	// mask them with a Redactor before showing them).
	Outputs  map[string]any
	Err      string
	Duration time.Duration
	At       time.Time
	// Replayed: the step's exchanges came from the run this one resumed.
	Replayed bool
}

// Exchange is a request a run sent and what came back.
type Exchange struct {
	Seq        int
	WorkflowID string
	StepID     string
	Attempt    int
	Method     string
	URL        string
	Idempotent bool
	// Answered is false when the run stopped before a response came back.
	Answered   bool
	StatusCode int
	Err        string
	// Omitted says why the response content was not kept ("credential", "size").
	Omitted string
	// Body is the response body as journaled (sensitive values in it: mask
	// them with a Redactor before showing it).
	Body     []byte
	Replayed bool
}

// Repeatable reports whether a resumed run may send the request again unasked (see Repeatable).
func (e *Exchange) Repeatable() bool {
	return Repeatable(&runtime.Request{Method: e.Method, Idempotent: e.Idempotent})
}

// Steps lists the finished step executions of a run, in order.
func (s *Store) Steps(ctx context.Context, runID string) ([]*Step, error) {
	recs, err := s.records(ctx, runID)
	if err != nil {
		return nil, err
	}
	var out []*Step
	for _, r := range recs {
		if r.kind != kindStep {
			continue
		}
		var d stepData
		if err := json.Unmarshal(r.data, &d); err != nil {
			return nil, err
		}
		out = append(out, &Step{Seq: r.seq, WorkflowID: r.workflow, StepID: r.step, Depth: r.depth, Status: d.Status, StatusCode: d.StatusCode,
			Attempts: d.Attempts, Operation: d.Operation, Method: d.Method, URL: d.URL, Action: d.Action, Outputs: d.Outputs, Err: d.Err,
			Duration: time.Duration(d.Duration), At: r.at, Replayed: r.replayed})
	}
	return out, nil
}

// Exchanges lists the requests of a run, in order.
func (s *Store) Exchanges(ctx context.Context, runID string) ([]*Exchange, error) {
	recs, err := s.records(ctx, runID)
	if err != nil {
		return nil, err
	}
	var out []*Exchange
	var cur *Exchange
	for _, r := range recs {
		switch r.kind {
		case kindSend:
			var d sendData
			if err := json.Unmarshal(r.data, &d); err != nil {
				return nil, err
			}
			cur = &Exchange{Seq: r.seq, WorkflowID: r.workflow, StepID: r.step, Attempt: r.attempt, Method: d.Method, URL: d.URL,
				Idempotent: d.Idempotent, Replayed: r.replayed}
			out = append(out, cur)
		case kindResponse:
			if cur == nil {
				return nil, errors.New("journal: a response without its request")
			}
			var d responseData
			if err := json.Unmarshal(r.data, &d); err != nil {
				return nil, err
			}
			cur.Answered, cur.StatusCode, cur.Err, cur.Omitted, cur.Body = true, d.StatusCode, d.Err, d.Omitted, r.body
			cur = nil
		}
	}
	return out, nil
}
