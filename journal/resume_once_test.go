package journal

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A run, and a batch, is resumed once, even by two processes that both read
// it before either resumed it: the second is refused, naming the first's
// run, instead of sending its requests — a renewal among them — again.
func TestResumedOnceByTwoProcesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, dir) // another process's store
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	sess, err := a.Begin(ctx, NewRun{WorkflowID: "w", Inputs: map[string]any{}}, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Finish(nil, nil, true); err != nil {
		t.Fatal(err)
	}
	oldA, errA := a.Run(ctx, sess.Run().ID)
	oldB, errB := b.Run(ctx, sess.Run().ID)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	first, err := a.Resume(ctx, oldA, oldA.Digest, nil, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var re *ResumeError
	if _, err := b.Resume(ctx, oldB, oldB.Digest, nil, SessionOptions{}); !errors.As(err, &re) || !strings.Contains(err.Error(), "resumed already as run "+first.Run().ID) {
		t.Errorf("second resume of run %s: %v, want it refused naming %s", oldB.ID, err, first.Run().ID)
	}
	runs, err := b.Runs(ctx, 10)
	if err != nil || len(runs) != 2 {
		t.Errorf("%d runs after the two resumes, want the run and one resumed run (%v)", len(runs), err)
	}

	bs, err := a.BeginBatch(ctx, NewBatch{WorkflowID: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if err := bs.Finish(3, true, false); err != nil {
		t.Fatal(err)
	}
	batchA, errA := a.Batch(ctx, bs.Batch().ID)
	batchB, errB := b.Batch(ctx, bs.Batch().ID)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	firstBatch, err := a.ResumeBatch(ctx, batchA, batchA.Digest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ResumeBatch(ctx, batchB, batchB.Digest, nil); !errors.As(err, &re) || !strings.Contains(err.Error(), "resumed already as batch "+firstBatch.Batch().ID) {
		t.Errorf("second resume of batch %s: %v, want it refused naming %s", batchB.ID, err, firstBatch.Batch().ID)
	}
	// A new batch, resuming nothing, is not held back by the check.
	if _, err := b.BeginBatch(ctx, NewBatch{WorkflowID: "w"}); err != nil {
		t.Errorf("a new batch after the resumes: %v", err)
	}
}
