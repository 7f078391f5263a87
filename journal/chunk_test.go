package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// A chunk reads back the records it was written from, field by field: a
// body left out stays left out, an empty one stays empty, a request's
// record held by its response stays with it.
func TestChunkRoundTrip(t *testing.T) {
	at := time.UnixMilli(1796319837986)
	recs := []*record{
		{seq: 2, kind: kindResponse, workflow: "w", step: "find", attempt: 1, at: at, data: []byte(`{"status":200}`), body: []byte(`{"items":[]}`),
			sent: []byte(`{"method":"GET"}`), sentAt: at.Add(-time.Millisecond)},
		{seq: 3, kind: kindStep, workflow: "w", step: "find", attempt: 1, at: at, data: []byte(`{"status":"passed"}`)},
		{seq: 4, kind: kindSend, workflow: "w", step: "renew", attempt: 2, depth: 3, at: at, data: []byte(`{"method":"POST"}`), replayed: true},
		{seq: 5, kind: kindResponse, workflow: "w", step: "renew", attempt: 2, depth: 3, at: at, data: []byte(`{"omitted":"size"}`), body: []byte{}},
		{seq: 300, kind: kindSleep, workflow: "wé", step: strings.Repeat("s", 200), at: time.UnixMilli(1), data: []byte{}},
	}
	var b []byte
	for _, r := range recs {
		b = appendChunk(b, r)
	}
	got, err := decodeChunk(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records, want %d", len(got), len(recs))
	}
	for i, w := range recs {
		g := got[i]
		if g.seq != w.seq || g.kind != w.kind || g.workflow != w.workflow || g.step != w.step || g.attempt != w.attempt || g.depth != w.depth ||
			!g.at.Equal(w.at) || g.replayed != w.replayed || !bytes.Equal(g.data, w.data) ||
			!bytes.Equal(g.body, w.body) || (g.body == nil) != (w.body == nil) ||
			!bytes.Equal(g.sent, w.sent) || (g.sent == nil) != (w.sent == nil) || !g.sentAt.Equal(w.sentAt) && w.sent != nil {
			t.Errorf("record %d read back as %+v, want %+v", i, g, w)
		}
	}

	// Damage never panics: a cut or a changed byte reads as an error, or as
	// records (a cut between two records cannot be told from the end).
	for n := range len(b) {
		if recs, err := decodeChunk(b[:n]); err == nil && len(recs) >= len(got) {
			t.Errorf("cut at %d of %d bytes: %d records, no error", n, len(b), len(recs))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		c := bytes.Clone(b)
		c[rng.IntN(len(c))] = byte(rng.IntN(256))
		_, _ = decodeChunk(c)
	}
}

// The records a transaction holds for a run are one row, read back as the
// records they are: a run's GET steps before its renewal, which the renewal's
// synced send commits, take one row, not four; the step count of the run
// counts the steps in it.
func TestRecordsJoinedPerTransaction(t *testing.T) {
	f := newFixture(t)
	f.slowAnswer = time.Hour
	// Nothing is committed until a record is waited for: the transactions
	// are the synced ones, however fast the machine.
	f.store.w.linger = time.Hour
	in := map[string]any{"search": "support"}
	sess := f.begin(in)
	f.execute(context.Background(), f.plan, sess, in)
	id := sess.Run().ID
	if got, want := f.rows(id), "chunk(response step response step send) response step"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	if got, want := f.recordKinds(id), strings.Repeat("send response step ", 3); got != want {
		t.Errorf("records %q, want %q", got, want)
	}
	steps, err := f.store.Steps(context.Background(), id)
	if err != nil || len(steps) != 3 || steps[0].StepID != "findServer" || steps[2].StepID != "renewToken" || steps[2].Outputs["token"] == nil {
		t.Errorf("steps %s, %v", stepSummary(steps), err)
	}
	r, err := f.store.Run(context.Background(), id)
	if err != nil || r.Steps != 3 {
		t.Errorf("run %+v counts its steps as %d, want 3 (%v)", r, r.Steps, err)
	}
}

// A response body dropped for a later attempt's (keepBody) is dropped from
// the chunk that holds it, whether the response opens the chunk or not; the
// chunk's other records are untouched.
func TestBodyDroppedInAChunk(t *testing.T) {
	for _, first := range []bool{true, false} {
		f := newFixture(t)
		sess := f.begin(map[string]any{"search": "support"})
		id := sess.Run().ID
		w := f.store.w
		w.linger = time.Hour // the records share a transaction
		at := time.Now()
		var recs []*record
		if !first {
			recs = append(recs, &record{seq: 100, kind: kindSend, workflow: "w", step: "a", attempt: 1, at: at, data: []byte(`{"method":"POST"}`)})
		}
		recs = append(recs,
			&record{seq: 101, kind: kindResponse, workflow: "w", step: "a", attempt: 1, at: at, data: []byte(`{"status":503}`), body: []byte(`{"busy":true}`)},
			&record{seq: 102, kind: kindSleep, workflow: "w", step: "a", attempt: 1, at: at, data: []byte(`{"durationNs":1}`)})
		for _, r := range recs {
			w.addRecord(id, r)
		}
		if _, err := w.wait(false, ""); err != nil {
			t.Fatal(err)
		}
		w.add(updateBody, []byte{}, `{"status":503,"omitted":"superseded"}`, id, int64(101))
		if _, err := w.wait(false, ""); err != nil {
			t.Fatal(err)
		}
		got, err := f.store.records(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs) {
			t.Fatalf("first %v: %d records, want %d (rows %s)", first, len(got), len(recs), f.rows(id))
		}
		resp, sleep := got[len(got)-2], got[len(got)-1]
		if resp.seq != 101 || string(resp.data) != `{"status":503,"omitted":"superseded"}` || resp.body == nil || len(resp.body) != 0 {
			t.Errorf("first %v: the response reads %d %s body %q, want its body dropped", first, resp.seq, resp.data, resp.body)
		}
		if sleep.seq != 102 || string(sleep.data) != `{"durationNs":1}` || (!first && string(got[0].data) != `{"method":"POST"}`) {
			t.Errorf("first %v: the other records read %d %s, %s", first, sleep.seq, sleep.data, got[0].data)
		}
	}
}

// A run that did not start (a usage error) is removed with every record it
// wrote, in rows of their own or in chunks: nothing of it is left to list,
// show or resume.
func TestUnstartedRunLeavesNoRecords(t *testing.T) {
	f := newFixture(t)
	f.store.w.linger = time.Hour // the records share a row
	sess := f.begin(map[string]any{"search": "support"})
	id := sess.Run().ID
	for i := range 3 {
		if err := sess.write(&record{kind: kindStep, step: fmt.Sprint("s", i), data: []byte(`{"status":"passed"}`)}, i == 2); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.rows(id); got != "chunk(step step step)" {
		t.Fatalf("rows %q before the end", got)
	}
	if err := sess.Finish(nil, &runtime.UsageError{Msg: "no such workflow"}, false); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.store.db.QueryRow("SELECT count(*) FROM records WHERE run_id = ?", id).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows of the removed run left (%v)", n, err)
	}
	if _, err := f.store.Run(context.Background(), id); !errors.As(err, new(*NotFoundError)) {
		t.Errorf("the removed run: %v", err)
	}
}

// A transaction's stretch of records becomes one row per run, its runs in
// the order they first appear and each run's records in order, split where
// a chunk would pass maxChunk; a run's only record keeps its own row.
func TestRecordRowsPerRun(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 300<<10)
	var batch []*op
	for seq := 1; seq <= 8; seq++ {
		for _, run := range []string{"a", "b"} {
			batch = append(batch, &op{run: run, rec: &record{seq: seq, kind: kindResponse, data: []byte(`{}`), body: body}})
		}
	}
	batch = append(batch, &op{query: "UPDATE runs SET status = ?", args: []any{"passed"}})
	batch = append(batch, &op{run: "a", rec: &record{seq: 9, kind: kindStep, data: []byte(`{}`)}})
	var got []string
	for _, o := range recordRows(batch) {
		switch {
		case o.rec != nil:
			t.Fatalf("record %d of run %s left unwritten", o.rec.seq, o.run)
		case o.query != insertRecord:
			got = append(got, "update")
		case o.args[2] == kindChunk:
			recs, err := decodeChunk(o.args[10].([]byte))
			if err != nil {
				t.Fatal(err)
			}
			seqs := ""
			for _, r := range recs {
				seqs += fmt.Sprint(r.seq)
			}
			got = append(got, fmt.Sprintf("%s:chunk%d(%s)", o.args[0], o.args[1], seqs))
		default:
			got = append(got, fmt.Sprintf("%s:%s%d", o.args[0], o.args[2], o.args[1]))
		}
	}
	want := "a:chunk1(123) a:chunk4(456) a:chunk7(78) b:chunk1(123) b:chunk4(456) b:chunk7(78) update a:step9"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("rows\n%s\nwant\n%s", g, want)
	}
}

// A finished run keeps its step count with it: listing runs reads none of
// their records (before, every page of the journal). A run that has not
// finished — running, or killed — is counted from its records.
func TestFinishedRunCountsItsSteps(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "support"}
	sess := f.begin(in)
	f.execute(context.Background(), f.plan, sess, in)
	id := sess.Run().ID
	if _, err := f.store.db.Exec("DELETE FROM records WHERE run_id = ?", id); err != nil {
		t.Fatal(err)
	}
	if r := f.run(id); r.Steps != 3 {
		t.Errorf("the finished run counts %d steps without reading its records, want 3", r.Steps)
	}

	unfinished := f.begin(in)
	for i := range 2 {
		if err := unfinished.write(&record{kind: kindStep, step: fmt.Sprint("s", i), data: []byte(`{"status":"passed"}`)}, i == 1); err != nil {
			t.Fatal(err)
		}
	}
	if r := f.run(unfinished.Run().ID); r.Steps != 2 {
		t.Errorf("the unfinished run counts %d steps, want 2", r.Steps)
	}
}
