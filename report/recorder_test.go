package report

import (
	"bytes"
	"net/http"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// A step retried 61 times on a 15 MiB response keeps at most DefaultMaxBody
// bytes of each body and DefaultMaxBodies in all: what the record holds
// stays flat with the number of attempts (counted in bytes kept, and in the
// heap the record holds on to).
func TestRecordBoundedAcrossRetries(t *testing.T) {
	const attempts, size = 61, 15 << 20
	body := bytes.Repeat([]byte(`{"items":["0123456789abcdef"]}`), size/30)
	var before, after goruntime.MemStats
	goruntime.GC()
	goruntime.ReadMemStats(&before)

	rec := NewRecorder(nil, WithSecrets(&runtime.Secrets{}))
	now := time.Now()
	rec.Event(&runtime.Event{Kind: runtime.EventWorkflowStarted, Time: now, WorkflowID: "w"})
	for a := 1; a <= attempts; a++ {
		rec.Event(&runtime.Event{Kind: runtime.EventStepStarted, Time: now, WorkflowID: "w", StepID: "s", Attempt: a})
		req := &runtime.Request{Method: "GET", URL: "http://api.test/big", Header: http.Header{}}
		rec.Event(&runtime.Event{Kind: runtime.EventRequest, Time: now, WorkflowID: "w", StepID: "s", Attempt: a, Request: req})
		resp := &runtime.Response{StatusCode: 503, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
		rec.Event(&runtime.Event{Kind: runtime.EventResponse, Time: now, WorkflowID: "w", StepID: "s", Attempt: a, Request: req, Response: resp})
		rec.Event(&runtime.Event{Kind: runtime.EventAction, Time: now, WorkflowID: "w", StepID: "s", Attempt: a, Action: "retry busy"})
	}
	goruntime.GC()
	goruntime.ReadMemStats(&after)
	goruntime.KeepAlive(body)

	kept, truncated := 0, 0
	for _, s := range rec.rec.Steps {
		for _, x := range s.Exchanges {
			b := x.Response.Body
			if len(b.raw) > DefaultMaxBody {
				t.Fatalf("attempt %d keeps %d bytes of its body", x.Attempt, len(b.raw))
			}
			if b.Size != size/30*30 {
				t.Fatalf("attempt %d: size %d, want the whole body's", x.Attempt, b.Size)
			}
			if b.Truncated {
				truncated++
			}
			kept += len(b.raw)
		}
	}
	if kept > DefaultMaxBodies || truncated != attempts {
		t.Errorf("the record keeps %d body bytes (%d truncated); at most %d", kept, truncated, DefaultMaxBodies)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc) - int64(len(body)); grew > 3*DefaultMaxBodies {
		t.Errorf("the heap grew by %d MiB while recording", grew>>20)
	}
	r := rec.Finish(&runtime.Result{WorkflowID: "w", Status: runtime.StatusFailed})
	var trace bytes.Buffer
	if err := WriteTrace(&trace, r); err != nil {
		t.Fatal(err)
	}
	if trace.Len() > 2*DefaultMaxBodies {
		t.Errorf("the trace is %d MiB", trace.Len()>>20)
	}
	t.Logf("kept %d KiB of %d MiB received; trace %d KiB", kept>>10, attempts*size>>20, trace.Len()>>10)
}

// WithMaxBody's bounds replace the defaults: each body is cut at the first,
// and the bodies kept in all stop at the second.
func TestRecordWithMaxBody(t *testing.T) {
	const each, total, attempts = 10, 25, 5
	rec := NewRecorder(nil, WithSecrets(&runtime.Secrets{}), WithMaxBody(each, total))
	now := time.Now()
	rec.Event(&runtime.Event{Kind: runtime.EventWorkflowStarted, Time: now, WorkflowID: "w"})
	for a := 1; a <= attempts; a++ {
		rec.Event(&runtime.Event{Kind: runtime.EventStepStarted, Time: now, WorkflowID: "w", StepID: "s", Attempt: a})
		req := &runtime.Request{Method: "GET", URL: "http://api.test/x", Header: http.Header{}}
		rec.Event(&runtime.Event{Kind: runtime.EventRequest, Time: now, WorkflowID: "w", StepID: "s", Attempt: a, Request: req})
		resp := &runtime.Response{StatusCode: 503, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("0123456789abcdefghij")}
		rec.Event(&runtime.Event{Kind: runtime.EventResponse, Time: now, WorkflowID: "w", StepID: "s", Attempt: a, Request: req, Response: resp})
	}
	kept, exchanges := 0, 0
	for _, s := range rec.rec.Steps {
		for _, x := range s.Exchanges {
			exchanges++
			if n := len(x.Response.Body.raw); n > each {
				t.Errorf("attempt %d keeps %d bytes of its body; WithMaxBody says %d", x.Attempt, n, each)
			}
			if !x.Response.Body.Truncated || x.Response.Body.Size != 20 {
				t.Errorf("attempt %d: truncated %v, size %d", x.Attempt, x.Response.Body.Truncated, x.Response.Body.Size)
			}
			kept += len(x.Response.Body.raw)
		}
	}
	if exchanges != attempts || kept > total || kept == 0 {
		t.Errorf("%d exchanges keep %d body bytes; want %d exchanges and at most %d bytes", exchanges, kept, attempts, total)
	}
}
