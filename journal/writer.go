package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
)

// writer is a store's only writer: the sessions queue their statements, and
// one goroutine executes them in the order they were queued, many at a time in
// one transaction, on a connection of its own.
//
// A statement is queued without waiting (add), or queued and waited for
// (wait): the caller goes on once the transaction that holds it committed. A
// durable wait also waits for the disk: that transaction commits with
// synchronous=FULL, which syncs the write-ahead log — and with it every
// transaction committed before, since the log is written in order. Every other
// transaction commits with synchronous=NORMAL: it is in the operating system's
// hands at once (a crash of the process loses none of it) and on the disk at
// the next sync or checkpoint (a power cut may lose it). Whatever is lost is
// always a suffix of what was queued: the log never holds a later transaction
// without the earlier ones.
//
// Sessions of runs on several goroutines share the writer, so the
// transactions of concurrent runs are grouped, and so are their syncs.
type writer struct {
	conn *sql.Conn
	path string
	// linger is how long a batch of statements nobody waits for may wait for
	// more before it is committed.
	linger time.Duration

	mu      sync.Mutex
	space   *sync.Cond // signalled when the writer took the queue
	queue   []*op
	queued  int  // bytes of the queue's arguments
	durable bool // a statement in the queue waits for the disk
	waited  bool // someone waits for a statement in the queue
	now     bool // the queue is to be committed without lingering (flush)
	err     error
	closed  bool
	wake    chan struct{}
	done    chan struct{}

	multi map[string]string // multiRow's statements (the writer's goroutine only)
	// stmts are the statements prepared on conn, kept for the writer's life:
	// preparing one costs about as much as executing it, and a transaction
	// holds only a few records of each kind (the writer's goroutine only).
	stmts map[string]*sql.Stmt
}

// op is one statement. done, when set, receives the outcome of the
// transaction that held it; affected, the rows the statement changed.
type op struct {
	query    string
	args     []any
	done     chan error
	affected int64
	// rows: query is an INSERT of one row, VALUES (...) at its end, which
	// the writer may join with the next ones into one statement (affected
	// is then not set).
	rows bool
	// rec, when set, is a record of run run to insert (no query, no args):
	// the writer joins the records of a run a transaction holds into one row
	// (see kindChunk).
	rec *record
	run string
}

// A queue this long, or holding this many bytes, makes add wait.
const (
	maxQueue       = 4 * maxBatch
	maxQueuedBytes = 64 << 20
)

// size is about how many bytes o's arguments hold.
func (o *op) size() int {
	if o.rec != nil {
		return chunkSize(o.rec)
	}
	n := 0
	for _, a := range o.args {
		switch x := a.(type) {
		case string:
			n += len(x)
		case []byte:
			n += len(x)
		default:
			n += 8
		}
	}
	return n
}

// maxBatch is how many statements make a transaction start without waiting
// for more.
const maxBatch = 1024

// defaultLinger is how long statements nobody waits for may wait to be
// committed together. A transaction costs about 0.4 ms of CPU whatever it
// holds (its log frames rewrite the last pages of the table and its index,
// and the writer is woken for it), so a run of fast GET steps commits a few
// times a second, not once every few steps; a crash of the process can lose
// what was queued in the last 50 ms, never a record someone waited for (see
// Session.write) nor one queued before it. A record nobody waits for but that
// should be seen at once is flushed (see flush).
const defaultLinger = 50 * time.Millisecond

func newWriter(ctx context.Context, db *sql.DB, path string) (*writer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &writer{conn: conn, path: path, linger: defaultLinger, multi: map[string]string{}, stmts: map[string]*sql.Stmt{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.space = sync.NewCond(&w.mu)
	go w.loop()
	return w, nil
}

// add queues a statement without waiting for it. Its failure, if any, is
// reported by the writer's next wait and by failed.
func (w *writer) add(query string, args ...any) { w.addOp(&op{query: query, args: args}) }

// addRow queues an INSERT of one row (see op.rows) without waiting for it.
func (w *writer) addRow(query string, args ...any) {
	w.addOp(&op{query: query, args: args, rows: true})
}

// addRecord queues an insert of record r of run without waiting for it.
func (w *writer) addRecord(run string, r *record) { w.addOp(&op{rec: r, run: run}) }

func (w *writer) addOp(o *op) {
	w.mu.Lock()
	// A run that writes faster than the disk takes waits: what is queued stays
	// bounded.
	for (len(w.queue) >= maxQueue || w.queued >= maxQueuedBytes) && w.err == nil && !w.closed {
		w.space.Wait()
	}
	if w.err == nil && !w.closed {
		w.queue = append(w.queue, o)
		w.queued += o.size()
	}
	n := len(w.queue)
	w.mu.Unlock()
	if n == 1 || n >= maxBatch {
		w.signal()
	}
}

// wait queues a statement (none: a barrier) and waits until the transaction
// holding it committed — and, when durable, until it is on the disk. It
// returns the rows the statement changed.
func (w *writer) wait(durable bool, query string, args ...any) (int64, error) {
	return w.waitOp(durable, &op{query: query, args: args, done: make(chan error, 1)})
}

// waitRecord is wait for an insert of record r of run (see addRecord).
func (w *writer) waitRecord(durable bool, run string, r *record) error {
	_, err := w.waitOp(durable, &op{rec: r, run: run, done: make(chan error, 1)})
	return err
}

func (w *writer) waitOp(durable bool, o *op) (int64, error) {
	w.mu.Lock()
	if w.err != nil || w.closed {
		err := w.err
		w.mu.Unlock()
		if err == nil {
			err = errors.New("journal: the store is closed")
		}
		return 0, err
	}
	w.queue = append(w.queue, o)
	w.waited = true
	w.durable = w.durable || durable
	w.mu.Unlock()
	w.signal()
	err := <-o.done
	return o.affected, err
}

// failed is the first failure to write, if any: nothing is written after it.
func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// flush has what is queued committed now rather than at the end of the
// linger, without waiting for it: for a record a reader of the journal should
// see while the run waits anyway (a request slow to be answered).
func (w *writer) flush() {
	w.mu.Lock()
	w.now = true
	w.mu.Unlock()
	w.signal()
}

func (w *writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// close commits what is queued and stops the writer.
func (w *writer) close() error {
	w.mu.Lock()
	w.closed = true
	w.space.Broadcast()
	w.mu.Unlock()
	w.signal()
	<-w.done
	for _, st := range w.stmts {
		_ = st.Close()
	}
	cerr := w.conn.Close()
	if err := w.failed(); err != nil {
		return err
	}
	return cerr
}

func (w *writer) loop() {
	defer close(w.done)
	for {
		<-w.wake
		w.mu.Lock()
		if !w.waited && !w.now && !w.closed && len(w.queue) > 0 && len(w.queue) < maxBatch && w.linger > 0 {
			// Nobody waits: let more statements join this transaction.
			w.mu.Unlock()
			t := time.NewTimer(w.linger)
			select {
			case <-t.C:
			case <-w.wake:
				t.Stop()
			}
			w.mu.Lock()
			// A statement someone waits for may have arrived meanwhile: it is
			// in the queue, and committed now.
		}
		batch, durable, closed := w.queue, w.durable, w.closed
		w.queue, w.durable, w.waited, w.now, w.queued = nil, false, false, false, 0
		w.space.Broadcast()
		w.mu.Unlock()
		if len(batch) > 0 {
			err := w.commit(batch, durable)
			if err != nil {
				w.mu.Lock()
				if w.err == nil {
					w.err = &WriteError{Path: w.path, Err: err}
				}
				err = w.err
				// Nothing is written after a failure: what is queued fails too.
				rest := w.queue
				w.queue, w.queued = nil, 0
				w.space.Broadcast()
				w.mu.Unlock()
				batch = append(batch, rest...)
			}
			for _, o := range batch {
				if o.done != nil {
					o.done <- err
				}
			}
		}
		if closed {
			return
		}
	}
}

// maxRows bounds the rows of one INSERT statement (SQLite allows 32,766
// parameters in a statement).
const maxRows = 32 // a power of two (see commit)

// multiRow is query, an INSERT of one row, made an INSERT of n rows.
func (w *writer) multiRow(query string, n int) string {
	k := query + "\x00" + strconv.Itoa(n)
	if q, ok := w.multi[k]; ok {
		return q
	}
	i := strings.LastIndex(query, "VALUES")
	tuple := strings.TrimSpace(query[i+len("VALUES"):])
	q := query[:i] + "VALUES " + strings.Repeat(tuple+", ", n-1) + tuple
	w.multi[k] = q
	return q
}

// commit executes a batch in one transaction; durable: with the disk synced.
func (w *writer) commit(batch []*op, durable bool) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exec := func(query string, args []any) (sql.Result, error) {
		st := w.stmts[query]
		if st == nil {
			var err error
			if st, err = w.conn.PrepareContext(ctx, query); err != nil {
				return nil, err
			}
			w.stmts[query] = st
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return nil, fmt.Errorf("%w (%.40s…)", err, query)
		}
		return res, nil
	}
	if durable {
		// Not prepared once: SQLite applies a PRAGMA when the statement is
		// prepared, not each time it is executed.
		if _, err := w.conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
			return err
		}
		defer func() {
			if _, rerr := w.conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	// The transaction is begun and ended with statements on the writer's own
	// connection, not with a database/sql Tx, whose statements would be
	// prepared again in every transaction. These are prepared once too.
	if _, err := exec("BEGIN IMMEDIATE", nil); err != nil {
		return err
	}
	rollback := func() { _, _ = w.conn.ExecContext(context.Background(), "ROLLBACK") }
	batch = recordRows(batch)
	for i := 0; i < len(batch); {
		o := batch[i]
		if o.query == "" {
			i++
			continue // a barrier
		}
		// Consecutive rows of one INSERT go in one statement: each statement
		// costs about as much as the rows it inserts. Statements of 1, 2, 4...
		// maxRows rows only: each is prepared once, and preparing one costs
		// more than executing it.
		n := 1
		if o.rows {
			for n < maxRows && i+n < len(batch) && batch[i+n].rows && batch[i+n].query == o.query {
				n++
			}
			n = 1 << (bits.Len(uint(n)) - 1)
		}
		query, args := o.query, o.args
		if n > 1 {
			query = w.multiRow(o.query, n)
			args = make([]any, 0, n*len(o.args))
			for _, x := range batch[i : i+n] {
				args = append(args, x.args...)
			}
		}
		res, err := exec(query, args)
		if err != nil {
			rollback()
			return err
		}
		if o.done != nil && !o.rows {
			o.affected, _ = res.RowsAffected()
		}
		if o.query == updateBody {
			if n, _ := res.RowsAffected(); n == 0 {
				if err := w.updateChunkBody(ctx, o.args); err != nil {
					rollback()
					return err
				}
			}
		}
		i += n
	}
	if _, err := exec("COMMIT", nil); err != nil {
		// A commit that failed (the disk is full, say) leaves the
		// transaction open: nothing of it is written.
		rollback()
		return err
	}
	return nil
}

// recordRows is batch with its record inserts made rows of the records
// table: each stretch of them, one row per run (a chunk, or the record's own
// row when it is its run's only one in the stretch). A run's records keep
// their order; no other statement is passed over.
func recordRows(batch []*op) []*op {
	out := make([]*op, 0, len(batch))
	for i := 0; i < len(batch); {
		if batch[i].rec == nil {
			out = append(out, batch[i])
			i++
			continue
		}
		j := i + 1
		for j < len(batch) && batch[j].rec != nil {
			j++
		}
		out = appendRecordRows(out, batch[i:j])
		i = j
	}
	return out
}

func appendRecordRows(out []*op, stretch []*op) []*op {
	type group struct {
		run  string
		recs []*record
	}
	// A batch's stretch may hold the records of hundreds of runs.
	var groups []*group
	byRun := map[string]*group{}
	for _, o := range stretch {
		g := byRun[o.run]
		if g == nil {
			g = &group{run: o.run}
			byRun[o.run] = g
			groups = append(groups, g)
		}
		g.recs = append(g.recs, o.rec)
	}
	for _, g := range groups {
		for recs := g.recs; len(recs) > 0; {
			n, size := 1, chunkSize(recs[0])
			for n < len(recs) && size+chunkSize(recs[n]) <= maxChunk {
				size += chunkSize(recs[n])
				n++
			}
			out = append(out, &op{query: insertRecord, args: recordArgs(g.run, recs[:n]), rows: true})
			recs = recs[n:]
		}
	}
	return out
}

// recordArgs are insertRecord's arguments for recs of run: the record's own
// row, or a chunk of them.
func recordArgs(run string, recs []*record) []any {
	// Integers as int64, which database/sql passes on as they are (an int it
	// converts by reflection).
	if len(recs) == 1 {
		r := recs[0]
		var sent any
		var sentAt int64
		if r.sent != nil {
			sent, sentAt = string(r.sent), millis(r.sentAt)
		}
		return []any{run, int64(r.seq), r.kind, r.workflow, r.step, int64(r.attempt), int64(r.depth), millis(r.at), r.replayed, string(r.data), r.body, sent, sentAt, int64(0)}
	}
	size, steps := 0, int64(0)
	for _, r := range recs {
		size += chunkSize(r)
		if r.kind == kindStep {
			steps++
		}
	}
	body := make([]byte, 0, size)
	for _, r := range recs {
		body = appendChunk(body, r)
	}
	first := recs[0]
	seq := first.seq
	if first.sent != nil {
		seq-- // the first record's request's
	}
	return []any{run, int64(seq), kindChunk, "", "", int64(0), int64(0), millis(first.at), false, "", body, nil, int64(0), steps}
}

// updateBody drops the body of a recorded response (see keepBody): its
// arguments are the body, the data, the run and the record's seq.
const updateBody = "UPDATE records SET body = ?, data = ? WHERE run_id = ? AND seq = ? AND kind <> 'chunk'"

// updateChunkBody is updateBody for a record held in a chunk: the chunk is
// written again with the record changed.
func (w *writer) updateChunkBody(ctx context.Context, args []any) error {
	body, _ := args[0].([]byte)
	data, _ := args[1].(string)
	run, _ := args[2].(string)
	seq, _ := args[3].(int64)
	var first int64
	var chunk []byte
	err := w.conn.QueryRowContext(ctx, "SELECT seq, body FROM records WHERE run_id = ? AND seq <= ? AND kind = ? ORDER BY seq DESC LIMIT 1",
		run, seq, kindChunk).Scan(&first, &chunk)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no such record (UPDATE changes no row either)
	}
	if err != nil {
		return err
	}
	recs, err := decodeChunk(chunk)
	if err != nil {
		return fmt.Errorf("run %s, record %d: %w", run, first, err)
	}
	changed := false
	out := make([]byte, 0, len(chunk))
	for _, r := range recs {
		if int64(r.seq) == seq {
			r.body, r.data, changed = body, []byte(data), true
		}
		out = appendChunk(out, r)
	}
	if !changed {
		return nil
	}
	_, err = w.conn.ExecContext(ctx, "UPDATE records SET body = ? WHERE run_id = ? AND seq = ?", out, run, first)
	return err
}
