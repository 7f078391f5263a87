package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// NewRun describes a run about to start.
type NewRun struct {
	WorkflowID string
	Location   string
	// Digest is plan.SourceDigest(): a resumed run must be built from the same bytes.
	Digest       string
	Inputs       map[string]any
	SecretInputs []string
	// Settings are stored as given and handed back by Run; never put credentials in them.
	Settings any
	// Batch and Line: the run is line Line of batch Batch (see BeginBatch).
	Batch string
	Line  int
}

// SessionOptions configure a journaled run.
type SessionOptions struct {
	// Secrets are the run's credentials: no record ever contains one. A
	// response that contains one is recorded without its content, and a resumed
	// run sends its request again.
	Secrets *runtime.Secrets
	// Warn receives what a person should know about a resumed run (a request
	// sent again, a replay that ends early).
	Warn func(msg string)
	// MaxBody is the largest response body recorded (default 16 MiB).
	MaxBody int64
	// MaxStepBody bounds the response bodies recorded for one step
	// execution, all its attempts together (default MaxBody): a retried step
	// keeps its latest attempts' bodies, however many attempts it makes.
	//
	// A resumed run replays a response recorded without its body only if its
	// request is safe to send again (it then sends it: see Repeatable);
	// otherwise it stops there with a NotKeptError, sending nothing.
	MaxStepBody int64
	// Now is the clock of the records (default time.Now).
	Now func() time.Time
	// slowAnswer: see the constant (its default); tests that count rows set
	// it out of a loaded machine's reach.
	slowAnswer time.Duration
}

// Session journals one run: its Effects wrap the local driver, its Observer
// records the steps. Give both to the run:
//
//	res, err := plan.Run(ctx, wf, inputs,
//		runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()))
//	sess.Finish(res, err, ctx.Err() != nil)
type Session struct {
	store *Store
	run   *Run
	opts  SessionOptions

	mu       sync.Mutex
	seq      int
	err      error      // the first failure to record: no effect starts after it
	replay   []*record  // effect records of the resumed run still to replay
	open     []openStep // the steps open now, innermost last
	replayed int        // exchanges replayed
	steps    int        // step records written
}

// openStep is a step execution that started and has not finished.
type openStep struct {
	live bool // it did something live (not replayed)
	// kept are the response bodies of its attempts in the journal, oldest
	// first (see keepBody).
	kept      []keptBody
	keptBytes int64
}

type keptBody struct {
	seq  int
	size int64
	resp *responseData
}

// Run is the journaled run.
func (s *Session) Run() *Run { return s.run }

// Err is the first failure to write the journal, if any.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed()
}

// Replayed counts the exchanges replayed from the resumed run so far.
func (s *Session) Replayed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replayed
}

// Begin records a new run, marked running by this process.
func (st *Store) Begin(ctx context.Context, nr NewRun, opts SessionOptions) (*Session, error) {
	return st.begin(ctx, nr, "", nil, opts)
}

func (st *Store) begin(ctx context.Context, nr NewRun, resumedFrom string, replay []*record, opts SessionOptions) (*Session, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 16 << 20
	}
	if opts.MaxStepBody <= 0 {
		opts.MaxStepBody = opts.MaxBody
	}
	if opts.slowAnswer <= 0 {
		opts.slowAnswer = slowAnswer
	}
	inputs := maskCredentials(opts.Secrets, nr.Inputs)
	inputsJSON, err := json.Marshal(nonNil(inputs))
	if err != nil {
		return nil, fmt.Errorf("journal: inputs: %w", err)
	}
	if !jsonEqual(inputs, nr.Inputs) {
		return nil, ErrCredentialInput
	}
	secretJSON, _ := json.Marshal(nonNilSlice(nr.SecretInputs))
	settings := []byte("{}")
	if nr.Settings != nil {
		if settings, err = json.Marshal(nr.Settings); err != nil {
			return nil, fmt.Errorf("journal: settings: %w", err)
		}
	}
	host := hostname()
	now := opts.Now()
	r := &Run{WorkflowID: nr.WorkflowID, Location: nr.Location, Digest: nr.Digest, Inputs: nr.Inputs, SecretInputs: nr.SecretInputs,
		Settings: settings, Status: StatusRunning, Started: now, PID: os.Getpid(), Host: host, ResumedFrom: resumedFrom,
		BatchID: nr.Batch, Line: nr.Line}
	const insert = `INSERT OR IGNORE INTO runs (id, workflow_id, location, digest, inputs, secret_inputs, settings, status, started_at, pid, host, resumed_from, batch_id, line)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	args := func() []any {
		return []any{r.ID, r.WorkflowID, r.Location, r.Digest, string(inputsJSON), string(secretJSON), string(settings), string(r.Status), millis(now),
			r.PID, r.Host, resumedFrom, r.BatchID, r.Line}
	}
	if nr.Batch != "" {
		// A line of a batch: its ID is the batch's and the line's, which no
		// other run has; its records follow it in the writer's queue.
		r.ID = fmt.Sprintf("%s-%d", nr.Batch, nr.Line)
		st.w.add(insert, args()...)
		if err := st.w.failed(); err != nil {
			return nil, err
		}
		return &Session{store: st, run: r, opts: opts, replay: replay}, nil
	}
	query := insert
	if resumedFrom != "" {
		// A run is resumed once: the check and the insert are one statement,
		// so of two processes resuming it at the same moment (both read it
		// not resumed yet) only one goes on, and no request not safe to
		// repeat is sent twice.
		query = insertResumed
	}
	for i := 0; ; i++ {
		r.ID = newRunID(now)
		a := args()
		if resumedFrom != "" {
			a = append(a, resumedFrom)
		}
		var n int64
		n, err = st.w.wait(false, query, a...)
		if err == nil && n == 0 {
			if by := st.resumedBy(ctx, "runs", resumedFrom); by != "" {
				return nil, &ResumeError{RunID: resumedFrom, Msg: fmt.Sprintf("it was resumed already as run %s; resume that one instead", by)}
			}
			err = fmt.Errorf("run ID %s exists already", r.ID) // drawn twice in one second: draw again
		}
		if err == nil || i == 3 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("journal: recording the run: %w", err)
	}
	return &Session{store: st, run: r, opts: opts, replay: replay}, nil
}

// Finish records how the run ended: interrupted when it was stopped from
// outside (a signal: interrupted is true) before it completed (a resumed run
// then replays everything recorded), else the result's status — also when
// the signal came after the run had passed or failed, whose outputs are then
// handed over as they are. A run that did not start (err is a usage error)
// is removed, but for the run of a batch's line, which is kept as refused.
// It returns once the end is on the disk: the outputs may be handed over.
func (s *Session) Finish(res *runtime.Result, runErr error, interrupted bool) error {
	return s.finish(res, runErr, interrupted, true)
}

// FinishQueued is Finish without waiting for the disk: the caller hands the
// outputs over only after a Store.Sync that follows it (a batch syncs once
// for all the lines it is about to print).
func (s *Session) FinishQueued(res *runtime.Result, runErr error, interrupted bool) error {
	return s.finish(res, runErr, interrupted, false)
}

func (s *Session) finish(res *runtime.Result, runErr error, interrupted, durable bool) error {
	if res == nil && !interrupted {
		var ue *runtime.UsageError
		if errors.As(runErr, &ue) && s.run.BatchID == "" {
			_, err := s.store.w.wait(false, "DELETE FROM runs WHERE id = ?", s.run.ID)
			return err
		}
	}
	st := StatusError
	msg := ""
	var outputs map[string]any
	var ue *runtime.UsageError
	switch {
	case interrupted && !completed(res):
		st = StatusInterrupted
	case res != nil:
		st = Status(res.Status)
	case errors.As(runErr, &ue): // a batch's line (see above)
		st = StatusRefused
	}
	if res != nil {
		outputs = res.Outputs
		if res.Err != nil {
			msg = res.Err.Error()
		}
	} else if runErr != nil {
		msg = runErr.Error()
	}
	if jerr := s.Err(); jerr != nil && st == StatusPassed {
		st = StatusError
	}
	out, err := json.Marshal(nonNil(maskCredentials(s.opts.Secrets, outputs)))
	if err != nil {
		out = []byte("{}")
	}
	msg = s.opts.Secrets.MaskCredentials(msg)
	now := s.opts.Now()
	// The end of a run is on the disk before its outputs are handed over.
	s.mu.Lock()
	steps := int64(s.steps)
	s.mu.Unlock()
	const update = "UPDATE runs SET status = ?, finished_at = ?, outputs = ?, error = ?, steps = ? WHERE id = ?"
	if durable {
		_, err = s.store.w.wait(true, update, string(st), millis(now), string(out), msg, steps, s.run.ID)
	} else {
		s.store.w.add(update, string(st), millis(now), string(out), msg, steps, s.run.ID)
		err = s.store.w.failed()
	}
	if err != nil {
		return fmt.Errorf("journal: recording the end of run %s: %w", s.run.ID, err)
	}
	s.run.Status, s.run.Finished, s.run.Error = st, now, msg
	return nil
}

// completed reports whether res is the outcome of a run that ran to its end:
// passed, failed, or ended in an error that is not its being stopped.
func completed(res *runtime.Result) bool {
	if res == nil {
		return false
	}
	if res.Status == runtime.StatusError {
		return res.Err != nil && !errors.Is(res.Err, context.Canceled) && !errors.Is(res.Err, context.DeadlineExceeded)
	}
	return true
}

// write records r. When durable it returns once r — and every record before
// it — is on the disk; else it returns at once, and r is committed shortly
// after with whatever other records were written meanwhile. A response
// record that holds its request's (r.sent) is one row standing for both, the
// request's record numbered just before it. After a failure nothing more is
// written and every later effect fails: a run does not go on without its
// journal.
func (s *Session) write(r *record, durable bool) error {
	if err := s.failed(); err != nil {
		return err
	}
	if r.sent != nil {
		s.seq++ // the request's
	}
	s.seq++
	r.seq = s.seq
	if r.kind == kindStep {
		s.steps++
	}
	if r.at.IsZero() {
		r.at = s.opts.Now()
	}
	if r.sent != nil && r.sentAt.IsZero() {
		r.sentAt = r.at
	}
	if !durable {
		s.store.w.addRecord(s.run.ID, r)
		return nil
	}
	if err := s.store.w.waitRecord(true, s.run.ID, r); err != nil {
		s.err = err
	}
	return s.err
}

// failed is the first failure to write the journal, if any: no effect starts
// after one.
func (s *Session) failed() error {
	if s.err == nil {
		s.err = s.store.w.failed()
	}
	return s.err
}

// insertResumed is begin's insert of a run that resumes another, made only
// if no run resumed that one yet (its last argument).
const insertResumed = `INSERT OR IGNORE INTO runs (id, workflow_id, location, digest, inputs, secret_inputs, settings, status, started_at, pid, host, resumed_from, batch_id, line)
	SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM runs WHERE resumed_from = ?)`

const insertRecord = `INSERT INTO records (run_id, seq, kind, workflow_id, step_id, attempt, depth, at, replayed, data, body, sent, sent_at, steps)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// ErrCredentialInput refuses to journal a run one of whose inputs holds a
// credential the run was also given as a credential: credentials are never
// journaled, and the input could not be masked without changing the run.
var ErrCredentialInput = errors.New("journal: an input holds a credential the run was given, and credentials are never journaled; pass it only once, or run without a journal")

// WriteError reports a journal that could not be written; the run stops
// before its next request.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("journal: cannot record the run in %s: %v (the run stopped before its next request; it can run without a journal)", e.Path, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"unencodable": err.Error()})
	}
	return b
}

// maskCredentials returns a copy of v with every credential in its strings replaced by ***.
func maskCredentials(sec *runtime.Secrets, v map[string]any) map[string]any {
	if v == nil || sec == nil {
		return v
	}
	out, _ := maskValue(v, sec.MaskCredentials).(map[string]any)
	return out
}

func maskValue(v any, mask func(string) string) any {
	switch x := v.(type) {
	case string:
		return mask(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = maskValue(e, mask)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = maskValue(e, mask)
		}
		return a
	}
	return v
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
