package journal

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// A journal written at schema version 1 opens with this version: its runs are
// kept, the columns added later have their defaults, and new runs can resume.
func TestMigrateFromVersion1(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	v1, err := open(ctx, dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v1.db.Exec(`INSERT INTO runs (id, workflow_id, location, digest, inputs, status, started_at)
		VALUES ('20260101-000000-abcdef', 'w', 'file:///w.yaml', 'sha256:00', '{"search":"x"}', 'failed', 1767225600000)`); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.db.Exec(`INSERT INTO records (run_id, seq, kind, at, data) VALUES ('20260101-000000-abcdef', 1, 'step', 1767225600000, '{"status":"failed"}')`); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.db.Exec(`SELECT replayed FROM records`); err == nil {
		t.Fatal("version 1 already has records.replayed: the test does not start from version 1")
	}
	v1.Close()

	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var v int
	if err := st.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d (%v), want %d", v, err, SchemaVersion)
	}
	r, err := st.Run(ctx, "20260101")
	if err != nil {
		t.Fatal(err)
	}
	if r.WorkflowID != "w" || r.Inputs["search"] != "x" || r.ResumedFrom != "" || r.Steps != 1 || r.Started.Year() != 2026 {
		t.Errorf("migrated run: %+v", r)
	}
	steps, err := st.Steps(ctx, r.ID)
	if err != nil || len(steps) != 1 || steps[0].Replayed {
		t.Errorf("migrated steps %+v (%v)", steps, err)
	}
	// Opening again is a no-op.
	st.Close()
	again, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
}

// A journal from a newer arazzo is refused, untouched.
func TestRefuseNewerSchema(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = Open(ctx, dir)
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Version != 99 {
		t.Fatalf("opening a newer journal: %v", err)
	}
	t.Log(err)
}

// Two processes (here: two stores) journal runs into one directory at once.
func TestConcurrentStores(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		go func() {
			st, err := Open(ctx, dir)
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			for i := 0; i < 20; i++ {
				sess, err := st.Begin(ctx, NewRun{WorkflowID: "w", Inputs: map[string]any{"i": i}}, SessionOptions{})
				if err != nil {
					errs <- err
					return
				}
				if err := sess.write(&record{kind: kindStep, data: []byte(`{"status":"passed"}`)}, false); err != nil {
					errs <- err
					return
				}
				if err := sess.Finish(nil, nil, true); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx, 0)
	if err != nil || len(runs) != 40 {
		t.Fatalf("%d runs (%v), want 40", len(runs), err)
	}
	for _, r := range runs {
		if r.Steps != 1 || r.Status != StatusInterrupted {
			t.Fatalf("run %s: %d steps, %s", r.ID, r.Steps, r.Status)
		}
	}
}

// Opening a journal at this version reads it only: it does not wait while
// another process holds the write lock (a batch committing, say), so
// `arazzo runs` and a new run's start are not held up by it.
func TestOpenDoesNotWaitForWriters(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Another process's write transaction, open until released.
	conn, err := st.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var held atomic.Bool
	held.Store(true)
	opened := make(chan bool, 1)
	go func() {
		other, err := Open(ctx, dir)
		if err != nil {
			t.Error(err)
		} else {
			other.Close()
		}
		opened <- held.Load()
	}()
	var whileHeld bool
	select {
	case whileHeld = <-opened:
	case <-time.After(5 * time.Second):
		held.Store(false)
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		whileHeld = <-opened
	}
	if !whileHeld {
		t.Error("Open waited for another connection's write transaction to end")
	}
	held.Store(false)
	_, _ = conn.ExecContext(ctx, "ROLLBACK")
}
