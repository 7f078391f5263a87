package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// Batch is a journaled batch: one workflow run per line of an inputs file.
// Each line's run is a Run with BatchID and Line set; see BatchLines.
type Batch struct {
	ID         string
	WorkflowID string
	Location   string
	Digest     string
	// Inputs are laid under every line's (the --input and --inputs values).
	Inputs       map[string]any
	SecretInputs []string
	Settings     json.RawMessage
	// InputsFile is the absolute path of the inputs file, "" for standard input.
	InputsFile string
	Status     Status // running; when it ended: passed (every line passed), failed, interrupted
	Started    time.Time
	Finished   time.Time
	PID        int
	Host       string
	// Lines counts the lines it read, once it ended.
	Lines int
	// ResumedFrom is the batch this one continues; ResumedBy those that continue it.
	ResumedFrom string
	ResumedBy   []string
	// Runs counts the lines journaled, by their runs' effective status: the
	// lines it handed over from the batches it resumes included.
	Runs map[Status]int
}

// Gone reports whether the batch is marked running but its process no longer exists.
func (b *Batch) Gone() bool {
	if b.Status != StatusRunning {
		return false
	}
	host := hostname()
	return b.Host == host && !processAlive(b.PID)
}

// EffectiveStatus is Status, with a batch whose process died reported as interrupted.
func (b *Batch) EffectiveStatus() Status {
	if b.Gone() {
		return StatusInterrupted
	}
	return b.Status
}

// NewBatch describes a batch about to start.
type NewBatch struct {
	WorkflowID   string
	Location     string
	Digest       string
	Inputs       map[string]any
	SecretInputs []string
	Settings     any
	InputsFile   string
	// Secrets are the credentials the batch's runs are given: inputs that
	// hold one are refused with ErrCredentialInput, as Begin refuses a run's,
	// before anything is written.
	Secrets *runtime.Secrets
}

// BatchSession journals a batch: Line begins the journaled run of one line.
type BatchSession struct {
	store *Store
	batch *Batch
	// prev is the batch it resumes; its lines' runs are looked up by Previous.
	prev *Batch
}

// Batch is the journaled batch.
func (b *BatchSession) Batch() *Batch { return b.batch }

// BeginBatch records a new batch, marked running by this process.
func (st *Store) BeginBatch(ctx context.Context, nb NewBatch) (*BatchSession, error) {
	return st.beginBatch(ctx, nb, nil)
}

func (st *Store) beginBatch(ctx context.Context, nb NewBatch, prev *Batch) (*BatchSession, error) {
	if !jsonEqual(maskCredentials(nb.Secrets, nb.Inputs), nb.Inputs) {
		return nil, ErrCredentialInput
	}
	inputs, err := json.Marshal(nonNil(nb.Inputs))
	if err != nil {
		return nil, fmt.Errorf("journal: inputs: %w", err)
	}
	secret, _ := json.Marshal(nonNilSlice(nb.SecretInputs))
	settings := []byte("{}")
	if nb.Settings != nil {
		if settings, err = json.Marshal(nb.Settings); err != nil {
			return nil, fmt.Errorf("journal: settings: %w", err)
		}
	}
	host := hostname()
	now := time.Now()
	b := &Batch{WorkflowID: nb.WorkflowID, Location: nb.Location, Digest: nb.Digest, Inputs: nb.Inputs, SecretInputs: nb.SecretInputs,
		Settings: settings, InputsFile: nb.InputsFile, Status: StatusRunning, Started: now, PID: os.Getpid(), Host: host}
	if prev != nil {
		b.ResumedFrom = prev.ID
	}
	for i := 0; ; i++ {
		b.ID = newRunID(now)
		var n int64
		// A batch is resumed once (as a run is, see begin): the check is in
		// the insert. A new batch's resumed_from is '', which the check skips.
		n, err = st.w.wait(false, `INSERT OR IGNORE INTO batches (id, workflow_id, location, digest, inputs, secret_inputs, settings, inputs_file, status, started_at, pid, host, resumed_from)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ? = '' OR NOT EXISTS (SELECT 1 FROM batches WHERE resumed_from = ?)`,
			b.ID, b.WorkflowID, b.Location, b.Digest, string(inputs), string(secret), string(settings), b.InputsFile, string(b.Status), millis(now),
			b.PID, b.Host, b.ResumedFrom, b.ResumedFrom, b.ResumedFrom)
		if err == nil && n == 0 {
			if by := st.resumedBy(ctx, "batches", b.ResumedFrom); by != "" {
				return nil, &ResumeError{RunID: b.ResumedFrom, Msg: fmt.Sprintf("it was resumed already as batch %s; resume that one instead", by)}
			}
			err = fmt.Errorf("batch ID %s exists already", b.ID)
		}
		if err == nil || i == 3 {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("journal: recording the batch: %w", err)
	}
	return &BatchSession{store: st, batch: b, prev: prev}, nil
}

// Line begins the journaled run of line n of the batch, with the line's
// inputs (the batch's laid under). It does not wait for the disk.
func (b *BatchSession) Line(ctx context.Context, n int, inputs map[string]any, opts SessionOptions) (*Session, error) {
	bt := b.batch
	return b.store.begin(ctx, NewRun{WorkflowID: bt.WorkflowID, Location: bt.Location, Digest: bt.Digest, Inputs: inputs,
		SecretInputs: bt.SecretInputs, Settings: bt.Settings, Batch: bt.ID, Line: n}, "", nil, opts)
}

// Refuse records line n of the batch as refused (StatusRefused): it never
// ran, for reason, which the caller has masked. It does not wait for the disk.
func (b *BatchSession) Refuse(n int, reason string) error {
	bt := b.batch
	now := millis(time.Now())
	b.store.w.add(`INSERT OR IGNORE INTO runs (id, workflow_id, location, digest, inputs, settings, status, started_at, finished_at, pid, host, error, batch_id, line, steps)
		VALUES (?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
		fmt.Sprintf("%s-%d", bt.ID, n), bt.WorkflowID, bt.Location, bt.Digest, string(bt.Settings), string(StatusRefused), now, now, os.Getpid(), hostname(), reason, bt.ID, n)
	return b.store.w.failed()
}

// ResumeLine continues old, the run of one line of the batch this one
// resumes, as the run of the same line of this batch (see Store.Resume).
func (b *BatchSession) ResumeLine(ctx context.Context, old *Run, opts SessionOptions) (*Session, error) {
	return b.store.resume(ctx, old, b.batch.Digest, b.batch.Settings, b.batch.ID, opts)
}

// Finish records how the batch ended: lines read, and whether it was
// interrupted (by a signal) or every line it ran passed. It waits for the disk.
func (b *BatchSession) Finish(lines int, interrupted, allPassed bool) error {
	st := StatusFailed
	switch {
	case interrupted:
		st = StatusInterrupted
	case allPassed:
		st = StatusPassed
	}
	now := time.Now()
	if _, err := b.store.w.wait(true, "UPDATE batches SET status = ?, finished_at = ?, lines = ? WHERE id = ?", string(st), millis(now), lines, b.batch.ID); err != nil {
		return fmt.Errorf("journal: recording the end of batch %s: %w", b.batch.ID, err)
	}
	b.batch.Status, b.batch.Finished, b.batch.Lines = st, now, lines
	return nil
}

const batchColumns = `id, workflow_id, location, digest, inputs, secret_inputs, settings, inputs_file, status, started_at, finished_at,
	pid, host, lines, resumed_from`

func scanBatch(sc interface{ Scan(...any) error }) (*Batch, error) {
	var b Batch
	var inputs, secret, settings string
	var started, finished int64
	if err := sc.Scan(&b.ID, &b.WorkflowID, &b.Location, &b.Digest, &inputs, &secret, &settings, &b.InputsFile, &b.Status, &started, &finished,
		&b.PID, &b.Host, &b.Lines, &b.ResumedFrom); err != nil {
		return nil, err
	}
	b.Started, b.Finished, b.Settings = fromMillis(started), fromMillis(finished), json.RawMessage(settings)
	d := json.NewDecoder(strings.NewReader(inputs))
	d.UseNumber()
	if err := d.Decode(&b.Inputs); err != nil {
		return nil, fmt.Errorf("journal: batch %s: inputs: %w", b.ID, err)
	}
	_ = json.Unmarshal([]byte(secret), &b.SecretInputs)
	return &b, nil
}

// Batches lists the most recent batches first, at most limit (0: all), with
// their lines counted by status.
func (st *Store) Batches(ctx context.Context, limit int) ([]*Batch, error) {
	q := "SELECT " + batchColumns + " FROM batches ORDER BY started_at DESC, id DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := st.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []*Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, b := range out {
		if err := st.completeBatch(ctx, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// completeBatch counts the batch's lines by status — each line's run in this
// batch or, for a line it handed over, in the batch of its chain that ran it
// (ChainLines) — and finds the batches resuming it.
func (st *Store) completeBatch(ctx context.Context, b *Batch) error {
	b.Runs = map[Status]int{}
	query, args := "SELECT status, count(*) FROM runs WHERE batch_id = ? GROUP BY status", []any{b.ID}
	if b.ResumedFrom != "" {
		ids, err := st.chainIDs(ctx, b)
		if err != nil {
			return err
		}
		values := make([]string, len(ids))
		args = args[:0]
		for i, id := range ids {
			values[i] = "(?, ?)"
			args = append(args, id, i)
		}
		query = "WITH chain(id, depth) AS (VALUES " + strings.Join(values, ", ") + ") " + chainCounts
	}
	rows, err := st.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	gone := b.Gone()
	for rows.Next() {
		var s Status
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return err
		}
		if s == StatusRunning && (gone || b.Status != StatusRunning) {
			s = StatusInterrupted // its process is gone
		}
		b.Runs[s] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	by, err := st.db.QueryContext(ctx, "SELECT id FROM batches WHERE resumed_from = ? ORDER BY started_at", b.ID)
	if err != nil {
		return err
	}
	defer by.Close()
	for by.Next() {
		var x string
		if err := by.Scan(&x); err != nil {
			return err
		}
		b.ResumedBy = append(b.ResumedBy, x)
	}
	return by.Err()
}

// Batch finds a batch by its ID, a unique prefix of it, or Last (the most
// recent batch). A NotFoundError says no batch matches.
func (st *Store) Batch(ctx context.Context, id string) (*Batch, error) {
	id, err := st.resolveID(ctx, "batches", id)
	if err != nil {
		return nil, err
	}
	b, err := scanBatch(st.db.QueryRowContext(ctx, "SELECT "+batchColumns+" FROM batches WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	return b, st.completeBatch(ctx, b)
}

// chainIDs are the batch and those it resumes, nearest first (at most
// maxBatchChain).
func (st *Store) chainIDs(ctx context.Context, b *Batch) ([]string, error) {
	ids := []string{b.ID}
	for id := b.ResumedFrom; id != "" && len(ids) < maxBatchChain; {
		ids = append(ids, id)
		if err := st.db.QueryRowContext(ctx, "SELECT resumed_from FROM batches WHERE id = ?", id).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			return nil, err
		}
	}
	return ids, nil
}

// chainCounts are the statuses of the lines of a chain of batches, nearest
// first, each line counted once with the run of the nearest batch that has
// one for it.
const chainCounts = `SELECT status, count(*) FROM (
	SELECT runs.status, row_number() OVER (PARTITION BY runs.line ORDER BY chain.depth) AS pick
	FROM runs JOIN chain ON runs.batch_id = chain.id) WHERE pick = 1 GROUP BY status`

// ChainLines lists, after line after and in line order (at most limit), the
// run of each line of batch b as a resumed batch sees it: its own run of the
// line, else — for a line it handed over — the run of the nearest batch
// before it in its chain that ran the line, followed to the run that resumed
// it if one did (as the resumed batch found it). A run whose BatchID is not
// b's was handed over.
func (st *Store) ChainLines(ctx context.Context, b *Batch, after, limit int) ([]*Run, error) {
	ids, err := st.chainIDs(ctx, b)
	if err != nil || len(ids) == 1 {
		if err != nil {
			return nil, err
		}
		return st.BatchLines(ctx, b.ID, after, limit)
	}
	// A page of each batch; a line is known for sure up to the end of the
	// shortest full page (past it, a full page may have more).
	best := map[int]*Run{}
	bound := -1
	pages := make([][]*Run, len(ids))
	for i, id := range ids {
		if pages[i], err = st.BatchLines(ctx, id, after, limit); err != nil {
			return nil, err
		}
		if p := pages[i]; len(p) == limit && (bound < 0 || p[len(p)-1].Line < bound) {
			bound = p[len(p)-1].Line
		}
	}
	for i := len(pages) - 1; i >= 0; i-- { // the nearer batch last: its run wins
		for _, r := range pages[i] {
			if bound < 0 || r.Line <= bound {
				best[r.Line] = r
			}
		}
	}
	out := make([]*Run, 0, len(best))
	for _, r := range best {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	if len(out) > limit {
		out = out[:limit]
	}
	// Only a handed-over run that another resumed needs following: ask once which.
	var handed []any
	for _, r := range out {
		if r.BatchID != b.ID {
			handed = append(handed, r.ID)
		}
	}
	if len(handed) == 0 {
		return out, nil
	}
	resumed := map[string]bool{}
	rs, err := st.db.QueryContext(ctx, "SELECT resumed_from FROM runs WHERE resumed_from IN (?"+strings.Repeat(", ?", len(handed)-1)+")", handed...)
	if err != nil {
		return nil, err
	}
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return nil, err
		}
		resumed[id] = true
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, err
	}
	for i, r := range out {
		if resumed[r.ID] && r.BatchID != b.ID {
			if out[i], err = st.latest(ctx, r); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// BatchLines lists the runs of a batch's lines after line after, in line
// order, at most limit of them.
func (st *Store) BatchLines(ctx context.Context, batchID string, after, limit int) ([]*Run, error) {
	rows, err := st.db.QueryContext(ctx, "SELECT "+runColumns+" FROM runs WHERE batch_id = ? AND line > ? ORDER BY line LIMIT ?", batchID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResumeBatch starts a new batch that continues old: the caller reads the
// inputs again and, for each line, asks Previous what old did with it.
func (st *Store) ResumeBatch(ctx context.Context, old *Batch, digest string, settings any) (*BatchSession, error) {
	fail := func(format string, args ...any) error {
		return &ResumeError{RunID: old.ID, Msg: fmt.Sprintf(format, args...)}
	}
	if old.EffectiveStatus() == StatusRunning {
		return nil, fail("it is still running (process %d on %s); stop it first, or wait for it to end", old.PID, old.Host)
	}
	if len(old.ResumedBy) > 0 {
		return nil, fail("it was resumed already as batch %s; resume that one instead", old.ResumedBy[len(old.ResumedBy)-1])
	}
	if digest != old.Digest {
		return nil, fail("the document or one of its sources changed since it ran (%s, was %s); a resumed batch replays what the first one received, which is only right for the same document — start a new batch instead",
			shortDigest(digest), shortDigest(old.Digest))
	}
	nb := NewBatch{WorkflowID: old.WorkflowID, Location: old.Location, Digest: old.Digest, Inputs: old.Inputs, SecretInputs: old.SecretInputs,
		Settings: settings, InputsFile: old.InputsFile}
	if settings == nil {
		nb.Settings = old.Settings
	}
	return st.beginBatch(ctx, nb, old)
}

// LineCursor walks the lines of the batch a BatchSession resumes, in order,
// and finds the run each had (ChainLines): in that batch, or — for a line it
// handed over from the batch it resumed in turn, which it ran no run for — in
// the batches before it, nearest first.
type LineCursor struct {
	b    *BatchSession
	page []*Run
	last int
	done bool
}

// Previous is a cursor over the lines of the batch this one resumes (nil
// when it resumes none).
func (b *BatchSession) Previous() *LineCursor {
	if b.prev == nil {
		return nil
	}
	return &LineCursor{b: b}
}

// maxBatchChain bounds how many batches back a line's run is looked for.
const maxBatchChain = 1000

// Run is the latest run of line n — following the runs that resumed it one
// by one — in the resumed batch or, when that one ran none for the line, in
// the batch it resumed, and so on; nil when no batch of the chain ran one.
// Lines are asked for in increasing order.
func (c *LineCursor) Run(ctx context.Context, n int) (*Run, error) {
	for {
		for len(c.page) > 0 && c.page[0].Line < n {
			c.page = c.page[1:]
		}
		if len(c.page) > 0 {
			if c.page[0].Line > n {
				return nil, nil
			}
			return c.b.store.latest(ctx, c.page[0])
		}
		if c.done {
			return nil, nil
		}
		page, err := c.b.store.ChainLines(ctx, c.b.prev, c.last, 256)
		if err != nil {
			return nil, err
		}
		if len(page) < 256 {
			c.done = true
		}
		if len(page) > 0 {
			c.last = page[len(page)-1].Line
		}
		c.page = page
	}
}

// latest follows the runs that resumed r to the newest.
func (st *Store) latest(ctx context.Context, r *Run) (*Run, error) {
	for i := 0; i < 1000; i++ {
		full, err := st.Run(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if len(full.ResumedBy) == 0 {
			return full, nil
		}
		r = &Run{ID: full.ResumedBy[len(full.ResumedBy)-1]}
	}
	return nil, fmt.Errorf("journal: run %s was resumed more than 1000 times", r.ID)
}
