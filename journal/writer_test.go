package journal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
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

// Records nobody waits for are committed a few times a second, not once
// every few steps, and never later than docs/reliability.md says (50 ms: the
// most a crash of the process can lose): a session writing a record every
// half millisecond makes one transaction, a chunk row of the run, per 50 ms,
// where a linger of a few milliseconds made dozens.
func TestWriterLingersForRecordsNobodyWaitsFor(t *testing.T) {
	const documented = 50 * time.Millisecond
	st, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.w.linger > documented {
		t.Fatalf("the writer lingers %v, more than the %v a crash may lose", st.w.linger, documented)
	}
	sess, err := st.Begin(context.Background(), NewRun{WorkflowID: "w", Inputs: map[string]any{}}, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	start := time.Now()
	for k := range n {
		sess.mu.Lock()
		err := sess.write(&record{kind: kindStep, step: fmt.Sprint(k), data: []byte(`{"status":"passed"}`)}, k == n-1)
		sess.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Microsecond)
	}
	elapsed := time.Since(start)
	var rows int
	if err := st.db.QueryRow("SELECT count(*) FROM records WHERE run_id = ?", sess.Run().ID).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	// One transaction per linger that passed, and the synced record's.
	if most := 2 + int(elapsed/documented); rows > most {
		t.Errorf("%d records written over %v took %d rows, want at most %d (one per %v)", n, elapsed.Round(time.Millisecond), rows, most, documented)
	}
	recs, err := st.records(context.Background(), sess.Run().ID)
	if err != nil || len(recs) != n {
		t.Fatalf("%d records read back, want %d (%v)", len(recs), n, err)
	}
}
