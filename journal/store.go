package journal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the journal's database file inside its directory.
const FileName = "journal.db"

// Store is a journal: a SQLite database of runs and what happened in them.
// Several processes may use one store at a time.
type Store struct {
	db   *sql.DB
	w    *writer
	path string
}

// Open opens the journal in dir, creating the directory (mode 0700) and the
// database (mode 0600) when absent, and migrating an older schema.
//
// The database is in WAL mode. A record is on the disk before the run goes on
// only where a crash could lose what cannot be had again: the intent to send a
// request that is not safe to repeat, its response, and the end of a run (see
// Session.write and docs/reliability.md). Every other record is written
// without waiting for the disk, many to a transaction: a crash of the process
// or of the machine can lose the last of them, and a resumed run then repeats
// only requests that are safe to repeat.
func Open(ctx context.Context, dir string) (*Store, error) {
	return open(ctx, dir, len(migrations))
}

func open(ctx context.Context, dir string, version int) (*Store, error) {
	if dir == "" {
		return nil, errors.New("journal: no directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	path := filepath.Join(dir, FileName)
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	dsn := path + "?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("journal: opening %s: %w", path, err)
	}
	// Two connections: the writer's (see writer), and one for reading.
	db.SetMaxOpenConns(2)
	// Opening a connection sets the journal mode, which another process
	// creating or migrating the database can make fail at once with
	// SQLITE_BUSY, without waiting for the busy timeout: try again.
	if err := retryBusy(ctx, func() error { return db.PingContext(ctx) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("journal: opening %s: %w", path, err)
	}
	if err := migrate(ctx, db, path, version); err != nil {
		db.Close()
		return nil, err
	}
	// SQLite creates the -wal and -shm files with the database's permissions.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(p, 0o600)
		}
	}
	var w *writer
	err = retryBusy(ctx, func() (err error) {
		w, err = newWriter(ctx, db, path)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("journal: opening %s: %w", path, err)
	}
	return &Store{db: db, w: w, path: path}, nil
}

// retryBusy calls f until it does not fail with SQLITE_BUSY, for about 10 s.
func retryBusy(ctx context.Context, f func() error) error {
	for i := 0; ; i++ {
		err := f()
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || i == 500 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// createPrivate creates an empty file readable by its owner only, unless it exists.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// hostname is the machine's name, read once: every run records it, and a
// run of this machine that is marked running but whose process is gone was
// interrupted (see Run.Gone).
var hostname = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	return h
})

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close writes what is queued and closes the database.
func (s *Store) Close() error {
	werr := s.w.close()
	if err := s.db.Close(); err != nil && werr == nil {
		werr = err
	}
	return werr
}

// Status of a journaled run.
type Status string

const (
	StatusRunning     Status = "running"
	StatusPassed      Status = "passed"
	StatusFailed      Status = "failed"
	StatusError       Status = "error"
	StatusInterrupted Status = "interrupted" // stopped by a signal, or its process died
	// StatusRefused is a line of a batch that never ran: its text is not a
	// JSON object of inputs, or the workflow refused its inputs. A resumed
	// batch reads it again.
	StatusRefused Status = "refused"
)

// Run is a journaled run.
type Run struct {
	ID         string
	WorkflowID string
	// Location is where the entry document was read from.
	Location string
	// Digest is the plan's runtime.Plan.SourceDigest.
	Digest string
	// Inputs are the workflow inputs, secret ones included (a resumed run needs
	// them), with numbers as json.Number; SecretInputs names the ones to mask
	// when showing the run.
	Inputs       map[string]any
	SecretInputs []string
	// Settings are the caller's (server overrides...), never credentials.
	Settings json.RawMessage
	Status   Status
	Started  time.Time
	Finished time.Time
	PID      int
	Host     string
	Outputs  map[string]any
	Error    string
	// Delivered is when the caller handed the outputs over (see MarkDelivered);
	// zero when it did not, or not yet.
	Delivered time.Time
	// ResumedFrom is the run this one continues; ResumedBy the runs that continue this one.
	ResumedFrom string
	ResumedBy   []string
	// Steps counts the finished step executions recorded.
	Steps int
	// BatchID and Line: the run is line Line of a batch (see BeginBatch).
	BatchID string
	Line    int
}

// Gone reports whether the run is marked running but its process no longer exists.
func (r *Run) Gone() bool {
	if r.Status != StatusRunning {
		return false
	}
	host := hostname()
	return r.Host == host && !processAlive(r.PID)
}

// EffectiveStatus is Status, with a run whose process died reported as interrupted.
func (r *Run) EffectiveStatus() Status {
	if r.Gone() {
		return StatusInterrupted
	}
	return r.Status
}

const runColumns = `id, workflow_id, location, digest, inputs, secret_inputs, settings, status, started_at, finished_at,
	pid, host, outputs, error, resumed_from, delivered_at, batch_id, line,
	coalesce(runs.steps, (SELECT coalesce(sum(records.steps + (records.kind = 'step')), 0) FROM records WHERE records.run_id = runs.id))`

func scanRun(sc interface{ Scan(...any) error }) (*Run, error) {
	var r Run
	var inputs, secretInputs, settings, outputs string
	var started, finished, delivered int64
	if err := sc.Scan(&r.ID, &r.WorkflowID, &r.Location, &r.Digest, &inputs, &secretInputs, &settings, &r.Status, &started, &finished,
		&r.PID, &r.Host, &outputs, &r.Error, &r.ResumedFrom, &delivered, &r.BatchID, &r.Line, &r.Steps); err != nil {
		return nil, err
	}
	r.Delivered = fromMillis(delivered)
	r.Started = fromMillis(started)
	r.Finished = fromMillis(finished)
	r.Settings = json.RawMessage(settings)
	d := json.NewDecoder(strings.NewReader(inputs))
	d.UseNumber() // numbers come back as written: 5 stays 5, not 5.0
	if err := d.Decode(&r.Inputs); err != nil {
		return nil, fmt.Errorf("journal: run %s: inputs: %w", r.ID, err)
	}
	_ = json.Unmarshal([]byte(secretInputs), &r.SecretInputs)
	_ = json.Unmarshal([]byte(outputs), &r.Outputs)
	return &r, nil
}

// Runs lists the most recent runs first, at most limit (0: all); the lines
// of batches are not among them (see Batches and BatchLines).
func (s *Store) Runs(ctx context.Context, limit int) ([]*Run, error) {
	q := "SELECT " + runColumns + " FROM runs WHERE batch_id = '' ORDER BY started_at DESC, id DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return s.queryRuns(ctx, q)
}

// NotFoundError reports a run ID that matches no run, or several.
type NotFoundError struct {
	ID      string
	Matches []string
}

func (e *NotFoundError) Error() string {
	if len(e.Matches) > 1 {
		return fmt.Sprintf("run ID %q is ambiguous: %s...; give more of it", e.ID, strings.Join(e.Matches, ", "))
	}
	if e.ID == Last {
		return "the journal holds no run yet"
	}
	return fmt.Sprintf("no run %q in the journal (list them with 'arazzo runs list')", e.ID)
}

// Last names the most recent run wherever a run ID is expected.
const Last = "last"

// Run finds a run by its ID, a unique prefix of it, or Last.
func (s *Store) Run(ctx context.Context, id string) (*Run, error) {
	id, err := s.resolveID(ctx, "runs", id)
	if err != nil {
		return nil, err
	}
	r, err := scanRun(s.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	by, err := s.db.QueryContext(ctx, "SELECT id FROM runs WHERE resumed_from = ? ORDER BY started_at", r.ID)
	if err != nil {
		return nil, err
	}
	defer by.Close()
	for by.Next() {
		var x string
		if err := by.Scan(&x); err != nil {
			return nil, err
		}
		r.ResumedBy = append(r.ResumedBy, x)
	}
	return r, by.Err()
}

// resolveID turns id — a full ID, a unique prefix of one, or Last (the most
// recently started) — into the ID of a row of table (runs or batches). A
// NotFoundError says none matches, or lists the few that a prefix matches.
func (s *Store) resolveID(ctx context.Context, table, id string) (string, error) {
	if id == Last {
		if err := s.db.QueryRowContext(ctx, "SELECT id FROM "+table+" ORDER BY started_at DESC, id DESC LIMIT 1").Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return "", &NotFoundError{ID: Last}
			}
			return "", err
		}
	}
	if id == "" || strings.ContainsAny(id, "%_\\") {
		return "", &NotFoundError{ID: id}
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM "+table+" WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 4", id+"%")
	if err != nil {
		return "", err
	}
	var ids []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			rows.Close()
			return "", err
		}
		if x == id { // a full ID, though it is the prefix of others
			rows.Close()
			return x, nil
		}
		ids = append(ids, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", &NotFoundError{ID: id, Matches: ids}
	}
	return ids[0], nil
}

// resumedBy is the row of table (runs or batches) that resumed id, "" when
// none did (or id is "").
func (s *Store) resumedBy(ctx context.Context, table, id string) string {
	if id == "" {
		return ""
	}
	var by string
	_ = s.db.QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE resumed_from = ? ORDER BY started_at LIMIT 1", id).Scan(&by)
	return by
}

// Sync returns once everything written so far is on the disk.
func (s *Store) Sync() error {
	_, err := s.w.wait(true, "")
	return err
}

// MarkDelivered records that the runs' outputs were handed over (printed,
// written to a file). A run that passed without it died before it could: a
// resumed run replays everything and hands them over.
//
// The mark is not waited for: lost in a crash, it makes a resumed run hand
// the outputs over once more, never less. The runs of a batch printed
// together are marked in one statement.
func (s *Store) MarkDelivered(ctx context.Context, ids ...string) error {
	const most = 500 // runs in one statement
	now := time.Now().UnixMilli()
	for len(ids) > 0 {
		n := min(len(ids), most)
		args := make([]any, 0, n+1)
		args = append(args, now)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		s.w.add("UPDATE runs SET delivered_at = ? WHERE id IN (?"+strings.Repeat(", ?", n-1)+")", args...)
		ids = ids[n:]
	}
	return s.w.failed()
}

// newRunID is sortable by time and short enough to type: 20261125-195912-3fa9c2.
func newRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
