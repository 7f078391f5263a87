package journal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Records written without waiting are committed in the order they were
// written, by the next wait at the latest, whatever the goroutine.
func TestWriterKeepsOrder(t *testing.T) {
	st, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const sessions, each = 4, 500
	var wg sync.WaitGroup
	ids := make([]string, sessions)
	for i := range sessions {
		sess, err := st.Begin(context.Background(), NewRun{WorkflowID: "w", Inputs: map[string]any{}}, SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = sess.Run().ID
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				sess.mu.Lock()
				err := sess.write(&record{kind: kindStep, step: fmt.Sprint(k), data: []byte(`{"status":"passed"}`), body: []byte(strings.Repeat("x", k))}, k == each-1)
				sess.mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		recs, err := st.records(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != each {
			t.Fatalf("run %s: %d records, want %d", id, len(recs), each)
		}
		for k, r := range recs {
			if r.seq != k+1 || r.step != fmt.Sprint(k) || len(r.body) != k {
				t.Fatalf("run %s, record %d: seq %d, step %s, %d bytes of body", id, k, r.seq, r.step, len(r.body))
			}
		}
	}
}

// A statement that fails stops the writer: the wait that follows reports it,
// and nothing queued after it is written.
func TestWriterStopsAtTheFirstFailure(t *testing.T) {
	st, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sess, err := st.Begin(context.Background(), NewRun{WorkflowID: "w", Inputs: map[string]any{}}, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.w.addRow(insertRecord, "no-such-run", 1, kindStep, "", "", 0, 0, 0, false, "{}", nil) // violates the foreign key
	sess.mu.Lock()
	werr := sess.write(&record{kind: kindSend, data: []byte(`{}`)}, true)
	sess.mu.Unlock()
	var we *WriteError
	if !errors.As(werr, &we) {
		t.Fatalf("the durable write after a failing one returned %v", werr)
	}
	if recs, err := st.records(context.Background(), sess.Run().ID); err != nil || len(recs) != 0 {
		t.Errorf("%d records written after the failure (%v)", len(recs), err)
	}
	sess.mu.Lock()
	if err := sess.write(&record{kind: kindSend, data: []byte(`{}`)}, false); !errors.As(err, &we) {
		t.Errorf("a later write returned %v", err)
	}
	sess.mu.Unlock()
}
