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

// Records several runs wait for at once may share one statement: each is
// written once, in its run's order.
func TestWriterJoinsWaitedRecords(t *testing.T) {
	st, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const sessions, each = 8, 40
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
				err := sess.write(&record{kind: kindSend, step: fmt.Sprint(k), data: []byte(`{}`)}, k%2 == 0)
				sess.mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := st.Sync(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		recs, err := st.records(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != each {
			t.Fatalf("run %s: %d records, want %d", id, len(recs), each)
		}
		for k, r := range recs {
			if r.seq != k+1 || r.step != fmt.Sprint(k) {
				t.Fatalf("run %s, record %d: seq %d, step %s", id, k, r.seq, r.step)
			}
		}
	}
}

// MarkDelivered marks every run it names, however many, and no other.
func TestMarkDeliveredMany(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := st.BeginBatch(ctx, NewBatch{WorkflowID: "w"})
	if err != nil {
		t.Fatal(err)
	}
	const lines = 1203 // more than one statement's worth
	var ids []string
	for n := 1; n <= lines+1; n++ {
		sess, err := b.Line(ctx, n, map[string]any{}, SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sess.Run().ID)
	}
	if err := st.MarkDelivered(ctx, ids[:lines]...); err != nil {
		t.Fatal(err)
	}
	if err := st.Sync(); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		r, err := st.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if marked := !r.Delivered.IsZero(); marked != (i < lines) {
			t.Fatalf("run %d of %d (%s): delivered %v", i+1, len(ids), id, marked)
		}
	}
}
