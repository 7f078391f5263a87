package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// ResumeError says why a run cannot be resumed.
type ResumeError struct {
	RunID string
	Msg   string
}

func (e *ResumeError) Error() string { return "cannot resume run " + e.RunID + ": " + e.Msg }

// Resume starts a new run that continues old: the exchanges and waits old
// completed are replayed from the journal, not sent again, up to the first step
// that did not complete; from there the run is live. digest is the
// SourceDigest of the plan the caller loaded for old.Location: it must be
// old's, since the replay is only right for the same document.
//
// Which steps replay:
//   - a run that passed replays everything and sends nothing: its process may
//     have died before it handed the outputs over, and this hands them over;
//   - a run that was interrupted (a signal, a crash, a kill) replays every
//     exchange that was answered; a request that was in flight is sent again
//     (SessionOptions.Warn hears about it first, with a stronger warning when
//     the operation is not idempotent);
//   - a run that failed, or ended in error, replays up to the step execution
//     whose failure ended it, which runs again from its first attempt.
//
// settings are the new run's (nil: old's).
func (st *Store) Resume(ctx context.Context, old *Run, digest string, settings any, opts SessionOptions) (*Session, error) {
	return st.resume(ctx, old, digest, settings, "", opts)
}

// resume continues old as a new run, a line of batch when batch is set.
func (st *Store) resume(ctx context.Context, old *Run, digest string, settings any, batch string, opts SessionOptions) (*Session, error) {
	fail := func(format string, args ...any) error {
		return &ResumeError{RunID: old.ID, Msg: fmt.Sprintf(format, args...)}
	}
	switch old.EffectiveStatus() {
	case StatusRunning:
		return nil, fail("it is still running (process %d on %s); stop it first, or wait for it to end", old.PID, old.Host)
	case StatusRefused:
		return nil, fail("line %d of batch %s was refused and never ran (%s); resume the batch after correcting the line, or run it anew", old.Line, old.BatchID, old.Error)
	}
	if len(old.ResumedBy) > 0 {
		last := old.ResumedBy[len(old.ResumedBy)-1]
		return nil, fail("it was resumed already as run %s; resume that one instead", last)
	}
	if digest != old.Digest {
		return nil, fail("the document or one of its sources changed since it ran (%s, was %s); a resumed run replays what the first one received, which is only right for the same document — start a new run instead",
			shortDigest(digest), shortDigest(old.Digest))
	}
	recs, err := st.records(ctx, old.ID)
	if err != nil {
		return nil, err
	}
	cut := len(recs)
	if st := old.EffectiveStatus(); st == StatusFailed || st == StatusError {
		cut = failedStepStart(recs)
	}
	var replay []*record
	for _, r := range recs[:cut] {
		if r.isEffect() {
			replay = append(replay, r)
		}
	}
	nr := NewRun{WorkflowID: old.WorkflowID, Location: old.Location, Digest: old.Digest, Inputs: old.Inputs, SecretInputs: old.SecretInputs, Settings: settings}
	if batch != "" {
		nr.Batch, nr.Line = batch, old.Line
	}
	if settings == nil && len(old.Settings) > 0 {
		nr.Settings = old.Settings
	}
	return st.begin(ctx, nr, old.ID, replay, opts)
}

// failedStepStart finds where the step execution that ended a failed run
// started: the last step record, or — when it failed because a workflow it
// called failed — the step inside that workflow that failed, innermost first.
// Everything before it completed and is replayed.
func failedStepStart(recs []*record) int {
	var steps []int // indexes of step records
	for i, r := range recs {
		if r.kind == kindStep {
			steps = append(steps, i)
		}
	}
	if len(steps) == 0 {
		return 0
	}
	k := len(steps) - 1
	if stepStatus(recs[steps[k]]) == "passed" {
		return len(recs)
	}
	// Walk down the chain of failed steps: a failed step at depth d right after
	// a failed step at depth d+1 failed because of it.
	for k > 0 {
		prev, cur := recs[steps[k-1]], recs[steps[k]]
		if prev.depth != cur.depth+1 || stepStatus(prev) == "passed" {
			break
		}
		k--
	}
	failed := recs[steps[k]]
	// It began after the last step that ended before it at its depth or above
	// (steps ending in between, deeper, ran inside it: a workflow it called),
	// with its first request: a wait before that request is the retry of a
	// step that called it, and is replayed. A step that sent nothing began
	// where it ended.
	from := 0
	for j := k - 1; j >= 0; j-- {
		if recs[steps[j]].depth <= failed.depth {
			from = steps[j] + 1
			break
		}
	}
	for i := from; i < steps[k]; i++ {
		if recs[i].kind == kindSend {
			return i
		}
	}
	return steps[k]
}

func stepStatus(r *record) string {
	var d stepData
	_ = json.Unmarshal(r.data, &d)
	return d.Status
}

func shortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}
