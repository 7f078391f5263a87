package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// Batch mode: `arazzo run DOC --inputs-file runs.jsonl [--parallel N] [--unordered]`
// runs the workflow once per line of the file, each line a JSON object of
// inputs laid over the --input/--inputs values. Every run shares the compiled
// plan and one connection pool; each has its own state and its own set of
// secrets to mask, so memory does not grow with the number of lines. Results
// stream to stdout as JSON lines, in input order unless --unordered; a
// progress line is drawn on a terminal; a summary goes to stderr. The exit code
// is 1 when any run did not pass.

// batchFlags are the run command's batch-mode flags.
type batchFlags struct {
	file      string
	parallel  int
	unordered bool
}

func (b *batchFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&b.file, "inputs-file", "", "batch mode: run the workflow once per line of `FILE` (- for stdin), each a JSON object of inputs; results are printed as JSON lines")
	fl.IntVar(&b.parallel, "parallel", 1, "batch mode: how many runs at a time")
	fl.BoolVar(&b.unordered, "unordered", false, "batch mode: print each result when its run ends instead of in input order")
}

// maxParallel bounds --parallel: beyond it a run mostly waits for a connection.
const maxParallel = 1024

// maxBatchLine bounds one line of an --inputs-file.
const maxBatchLine = maxInputsFile

// check rejects batch flags without --inputs-file and the flags batch mode does
// not support.
func (b *batchFlags) check(f *runFlags) error {
	if b.file == "" {
		if b.parallel != 1 || b.unordered {
			return usageErr("--parallel and --unordered apply to batch mode: add --inputs-file FILE")
		}
		return nil
	}
	if b.parallel < 1 || b.parallel > maxParallel {
		return usageErr("--parallel must be between 1 and %d, got %d", maxParallel, b.parallel)
	}
	for _, c := range []struct {
		set  bool
		flag string
	}{
		{f.dryRun, "--dry-run"}, {f.trace != "", "--trace"}, {f.har != "", "--har"}, {len(f.reports) > 0, "--report"},
		{f.journal.outputFile != "", "--output-file"}, {f.verbose, "--verbose"},
	} {
		if c.set {
			return usageErr("%s does not go with --inputs-file: batch mode prints one JSON line per run; run a single line without --inputs-file to use it", c.flag)
		}
	}
	if b.file == "-" {
		for _, in := range f.inputFiles {
			if in == "-" {
				return usageErr("--inputs - and --inputs-file -: standard input can be read only once")
			}
		}
	}
	return nil
}

// batchResult is one line of batch output.
type batchResult struct {
	Line       int            `json:"line"`
	Status     runtime.Status `json:"status"`
	Outputs    map[string]any `json:"outputs"`
	Error      string         `json:"error,omitempty"`
	DurationMS float64        `json:"durationMs"`

	seq     int
	runID   string // its journaled run (none with --no-journal)
	ran     bool   // the workflow ran (Unused is meaningful)
	skipped bool   // not run: the batch was stopped first; nothing is printed
	unused  []runtime.Unused
}

// batchJob is one line to run; err is set when the line is not a JSON object.
type batchJob struct {
	seq, line int
	inputs    map[string]any
	err       error
	// prev is the latest run of the line in the batch this one resumes.
	prev *journal.Run
}

// batch is one batch execution.
type batch struct {
	a     *app
	plan  *runtime.Plan
	wfID  string
	base  map[string]any
	opts  []runtime.RunOption
	creds runtime.CredentialMap
	// credSecrets masks the credentials in what is not one run's (warnings).
	credSecrets *runtime.Secrets
	flags       batchFlags
	mock        bool // --mock: see mutedByMock
	started     time.Time

	passed, failed, errored atomic.Int64
	notPassed               []int // first lines that did not pass, for the summary
	unused                  map[string]*unusedCount
	completed               int

	warnMu sync.Mutex
	warned map[string]bool

	// The journal of the batch (nil with --no-journal), and of the batch it
	// resumes (nil unless --resume).
	store    *journal.Store
	journal  *journal.BatchSession
	prev     *journal.LineCursor
	sessOpts journal.SessionOptions
	lines    int // lines read
}

type unusedCount struct {
	u runtime.Unused
	n int
}

// maxWarnings bounds the distinct warnings remembered, so a warning that
// names a per-run value cannot make memory grow with the lines.
const maxWarnings = 64

func (a *app) runBatch(ctx context.Context, plan *runtime.Plan, wfID string, base map[string]any, opts []runtime.RunOption, f *runFlags) error {
	wfID, err := batchWorkflow(plan, wfID)
	if err != nil {
		return err
	}
	if prev := f.journal.prevBatch; prev != nil {
		base = prev.Inputs // laid under every line, as in the batch it resumes
	}
	// Each run masks with its own set of secrets, seeded with the credentials:
	// one set shared by every run would collect each run's tokens for ever.
	creds, err := parseAuth(f.auth, &runtime.Secrets{})
	if err != nil {
		return err
	}
	in, total, closeIn, err := a.openBatchInput(f.batch.file)
	if err != nil {
		return err
	}
	defer closeIn()
	if !f.mock { // the mock's client is in opts already
		// One pool for every run, wide enough for every run in flight.
		cl := runtime.NewHTTPClient()
		if tr, ok := cl.Transport.(*http.Transport); ok {
			tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, f.batch.parallel)
			tr.MaxIdleConns = max(tr.MaxIdleConns, 2*f.batch.parallel)
		}
		opts = append(opts, runtime.WithHTTPClient(cl))
	}
	b := &batch{a: a, plan: plan, wfID: wfID, base: base, creds: creds, flags: f.batch, mock: f.mock, started: time.Now(),
		unused: map[string]*unusedCount{}, warned: map[string]bool{}}
	b.credSecrets = b.secrets()
	b.opts = append(opts, runtime.WithObserver(runtime.ObserverFunc(b.warning)))
	if !f.journal.off {
		st, err := openJournal(ctx, f.journal.state)
		if err != nil {
			return err
		}
		defer st.Close()
		b.store = st
		if err := b.beginJournal(ctx, st, f); err != nil {
			return err
		}
	}
	prog := b.startProgress(total)
	interrupted := b.execute(ctx, in)
	prog.stop()
	b.summary(interrupted)
	if b.journal != nil {
		id := b.journal.Batch().ID
		if err := b.journal.Finish(b.lines, interrupted, b.passed.Load() == int64(b.lines)); err != nil {
			fmt.Fprintln(a.stderr, "arazzo:", err)
		}
		if interrupted || b.passed.Load() != int64(b.lines) {
			fmt.Fprintf(a.stderr, "arazzo: batch %s is journaled: 'arazzo runs show %s' lists its lines; 'arazzo run --resume %s' finishes those that did not complete\n", id, id, id)
		}
	}
	if interrupted {
		var sig *signalError
		if cause := context.Cause(ctx); cause != nil && errors.As(cause, &sig) {
			return exitWith(exitCodeForSignal(sig.sig))
		}
		return exitWith(ExitIncomplete)
	}
	if b.failed.Load()+b.errored.Load() > 0 {
		return exitWith(ExitFailed)
	}
	return nil
}

// beginJournal records the batch in the journal, or with --resume the batch
// that continues the one it names.
func (b *batch) beginJournal(ctx context.Context, st *journal.Store, f *runFlags) error {
	b.sessOpts = journal.SessionOptions{MaxBody: f.maxBody}
	var err error
	if prev := f.journal.prevBatch; prev != nil {
		if b.journal, err = st.ResumeBatch(ctx, prev, b.plan.SourceDigest(), f.settings()); err != nil {
			var re *journal.ResumeError
			if errors.As(err, &re) {
				return usageErr("%v", err)
			}
			return &exitError{code: ExitIncomplete, err: err}
		}
		b.prev = b.journal.Previous()
		fmt.Fprintf(b.a.stderr, "arazzo: resuming batch %s as batch %s: the lines it completed are handed over from the journal, the others continue where they stopped\n",
			prev.ID, b.journal.Batch().ID)
		return nil
	}
	var secretInputs []string
	for _, w := range b.plan.Workflows() {
		if w.ID == b.wfID {
			for _, in := range w.Inputs {
				if in.Secret {
					secretInputs = append(secretInputs, in.Name)
				}
			}
		}
	}
	file := ""
	if f.batch.file != "-" {
		if abs, err := filepath.Abs(f.batch.file); err == nil {
			file = abs
		}
	}
	b.journal, err = st.BeginBatch(ctx, journal.NewBatch{WorkflowID: b.wfID, Location: runLocation(f.journal.location), Digest: b.plan.SourceDigest(),
		Inputs: b.base, SecretInputs: secretInputs, Settings: f.settings(), InputsFile: file, Secrets: b.secrets()})
	if err != nil {
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("%w%s", err, flagHint(err))}
	}
	return nil
}

// batchWorkflow resolves the workflow every line runs, before any line is read.
func batchWorkflow(plan *runtime.Plan, id string) (string, error) {
	ws := plan.Workflows()
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
		if w.ID == id {
			return id, nil
		}
	}
	sort.Strings(ids)
	if id == "" {
		if len(ws) == 1 {
			return ws[0].ID, nil
		}
		return "", usageErr("the document has %d workflows; choose one with --workflow: %s", len(ws), strings.Join(ids, ", "))
	}
	return "", usageErr("unknown workflow %q%s (workflows: %s)", id, runtime.Suggest(id, ids), strings.Join(ids, ", "))
}

// openBatchInput opens the --inputs-file; total is its number of non-blank
// lines when it is a regular file (for the progress line), else -1.
func (a *app) openBatchInput(file string) (io.Reader, int, func(), error) {
	if file == "-" {
		return a.stdin, -1, func() {}, nil
	}
	fh, err := os.Open(file)
	if err != nil {
		return nil, 0, nil, usageErr("--inputs-file: %v", err)
	}
	total := -1
	if fi, err := fh.Stat(); err == nil && fi.Mode().IsRegular() && detectDisplay(a.stderr).live {
		total = countLines(fh)
		if _, err := fh.Seek(0, io.SeekStart); err != nil {
			fh.Close()
			return nil, 0, nil, usageErr("--inputs-file: %v", err)
		}
	}
	return fh, total, func() { fh.Close() }, nil
}

func countLines(r io.Reader) int {
	n := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxBatchLine+1)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n
}

// execute reads the lines, runs them on flags.parallel workers and writes the
// results; it reports whether it stopped early because ctx ended.
func (b *batch) execute(ctx context.Context, in io.Reader) bool {
	workers := b.flags.parallel
	// window bounds the runs started but not yet written: with ordered output a
	// slow line holds back at most window finished ones.
	window := workers
	if !b.flags.unordered {
		window = 4 * workers
	}
	return b.pump(ctx, in, workers, window, func(j batchJob) *batchResult { return b.runLine(ctx, j) })
}

// pump reads the lines into jobs, runs them with run on workers goroutines and
// writes the results, with at most window runs started but not yet written; it
// reports whether it stopped early because ctx ended.
func (b *batch) pump(ctx context.Context, in io.Reader, workers, window int, run func(batchJob) *batchResult) bool {
	slots := make(chan struct{}, window)
	jobs := make(chan batchJob)
	results := make(chan *batchResult, window)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- run(j)
			}
		}()
	}
	written := make(chan struct{})
	go func() {
		defer close(written)
		b.write(results, slots)
	}()

	interrupted := b.read(ctx, in, jobs, slots)
	close(jobs)
	wg.Wait()
	close(results)
	<-written
	return interrupted || ctx.Err() != nil
}

// read turns lines into jobs, waiting for a free slot before each.
func (b *batch) read(ctx context.Context, in io.Reader, jobs chan<- batchJob, slots chan struct{}) bool {
	r := bufio.NewReaderSize(in, 64<<10)
	seq := 0
	for line := 1; ; line++ {
		text, tooLong, err := readLine(ctx, r, maxBatchLine)
		if err != nil && ctx.Err() != nil && !errors.Is(err, io.EOF) {
			return true // stopped while reading a line: it is not a line read
		}
		if len(bytes.TrimSpace(text)) > 0 || tooLong {
			j := batchJob{seq: seq, line: line}
			if tooLong {
				j.err = fmt.Errorf("the line is longer than %d bytes", maxBatchLine)
			} else {
				j.inputs, j.err = b.lineInputs(text)
			}
			if b.prev != nil {
				prev, err := b.prev.Run(ctx, line)
				if err != nil {
					fmt.Fprintf(b.a.stderr, "arazzo: journal: line %d: %v\n", line, err)
					return true
				}
				if prev == nil || prev.Status != journal.StatusRefused {
					j.prev = prev // a refused line is read again: it never ran
				}
			}
			b.lines++
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return true
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				<-slots
				return true
			}
			seq++
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(b.a.stderr, "arazzo: --inputs-file: reading line %d: %v\n", line, err)
				return true
			}
			return false
		}
	}
}

// readLine reads one line without its end, at most limit bytes of it; a
// longer line is consumed and reported as tooLong. It stops, with ctx's
// error, when ctx ends before the line does.
func readLine(ctx context.Context, r *bufio.Reader, limit int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		if err := ctx.Err(); err != nil {
			return nil, tooLong, err // stopped in a line that does not end (/dev/zero)
		}
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > limit+1 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		buf = bytes.TrimRight(buf, "\r\n")
		return buf, tooLong, err
	}
}

// lineInputs decodes one line and lays it over the --input/--inputs values.
func (b *batch) lineInputs(text []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("column %d: invalid JSON: %v", se.Offset, err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("expected a JSON object of input names to values, got %s", te.Value)
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if d.More() {
		return nil, errors.New("invalid JSON: more than one value on the line")
	}
	if m == nil {
		return nil, errors.New("expected a JSON object of input names to values, got null")
	}
	if key, obj, off, ok := duplicateKey(text); ok {
		return nil, fmt.Errorf("column %d: %s", off+1, duplicateKeyError(key, obj))
	}
	in := make(map[string]any, len(b.base)+len(m))
	for k, v := range b.base {
		in[k] = v
	}
	for k, v := range m {
		in[k] = v
	}
	return in, nil
}

// runLine runs one line's workflow with a private set of secrets.
func (b *batch) runLine(ctx context.Context, j batchJob) *batchResult {
	out := &batchResult{seq: j.seq, Line: j.line, Outputs: map[string]any{}}
	if ctx.Err() != nil {
		// Handed over as the batch was stopped: it never ran, so it is not reported.
		out.skipped = true
		return out
	}
	if j.err != nil {
		out.Status, out.Error = runtime.StatusError, b.credSecrets.Mask(j.err.Error())
		if b.journal != nil {
			if err := b.journal.Refuse(j.line, out.Error); err != nil {
				out.Error += "; " + err.Error()
			}
		}
		return out
	}
	if p := j.prev; p != nil && p.EffectiveStatus() != journal.StatusInterrupted && p.EffectiveStatus() != journal.StatusRunning {
		// It completed in the batch this one resumes: hand its result over again.
		return b.handOver(out, j)
	}
	secrets := b.secrets()
	// A slice of its own: appending to the shared b.opts from several runs at
	// once would write into the same spare capacity.
	opts := make([]runtime.RunOption, 0, len(b.opts)+3)
	opts = append(append(opts, b.opts...), runtime.WithSecrets(secrets))
	inputs := j.inputs
	var sess *journal.Session
	if b.journal != nil {
		so := b.sessOpts
		so.Secrets = secrets
		so.Warn = func(msg string) { b.warnOnce(fmt.Sprintf("line %d: %s", j.line, secrets.Mask(msg))) }
		var err error
		if j.prev != nil {
			if !sameInputs(j.prev.Inputs, j.inputs) {
				out.Status, out.Error = runtime.StatusError, fmt.Sprintf("the line differs from the one run %s ran: the inputs file changed since; run it in a new batch", j.prev.ID)
				return out
			}
			sess, err = b.journal.ResumeLine(ctx, j.prev, so)
			if err == nil {
				inputs, err = j.prev.PlanInputs(b.plan)
			}
		} else {
			sess, err = b.journal.Line(ctx, j.line, j.inputs, so)
		}
		if err != nil {
			out.Status, out.Error = runtime.StatusError, secrets.Mask(err.Error())+flagHint(err)
			return out
		}
		opts = append(opts, runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()))
		out.runID = sess.Run().ID
	}
	res, err := b.plan.Run(ctx, b.wfID, inputs, opts...)
	if sess != nil {
		// On the disk before the result is printed: see write.
		if ferr := sess.FinishQueued(res, err, interruptedBySignal(ctx)); ferr != nil && err == nil && res != nil && res.Err == nil {
			res.Err = ferr
		}
	}
	if err != nil {
		out.Status, out.Error = runtime.StatusError, secrets.Mask(err.Error())
		return out
	}
	out.Status, out.DurationMS, out.ran, out.unused = res.Status, ms(res.Duration), true, res.Unused
	if res.Outputs != nil {
		out.Outputs = secrets.MaskCredentialValues(res.Outputs) // handed over, but for the credentials the run was given
	}
	if res.Err != nil {
		out.Error = secrets.Mask(res.Err.Error())
	}
	return out
}

// handOver is the result of a line that completed in the batch this one
// resumes, as its run recorded it.
func (b *batch) handOver(out *batchResult, j batchJob) *batchResult {
	p := j.prev
	if !sameInputs(p.Inputs, j.inputs) {
		out.Status, out.Error = runtime.StatusError, fmt.Sprintf("the line differs from the one run %s ran: the inputs file changed since; run it in a new batch", p.ID)
		return out
	}
	out.Status, out.Error = runtime.Status(p.Status), p.Error
	if !p.Finished.IsZero() {
		out.DurationMS = ms(p.Finished.Sub(p.Started))
	}
	if p.Outputs != nil {
		out.Outputs = p.Outputs
	}
	return out
}

// sameInputs compares a line's inputs with those a journaled run recorded.
func sameInputs(recorded, line map[string]any) bool {
	x, err1 := json.Marshal(recorded)
	y, err2 := json.Marshal(line)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// secrets is a fresh set holding the credentials (and the password half of
// user:password ones, as parseAuth registers them).
func (b *batch) secrets() *runtime.Secrets {
	s := &runtime.Secrets{}
	for _, v := range b.creds {
		s.Add(v)
		if _, p, ok := strings.Cut(v, ":"); ok {
			s.Add(p)
		}
	}
	return s
}

// write prints the results, in input order unless unordered, and frees a
// slot for each one printed.
func (b *batch) write(results <-chan *batchResult, slots <-chan struct{}) {
	// Results are encoded into buf and printed by flush: when journaled, only
	// once the ends of their runs are on the disk, one sync for all of them.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	pending := map[int]*batchResult{}
	next := 0
	var written []string // journaled runs whose results are in buf
	flush := func() {
		if buf.Len() == 0 {
			return
		}
		if b.store != nil && len(written) > 0 {
			if err := b.store.Sync(); err != nil {
				fmt.Fprintln(b.a.stderr, "arazzo:", err)
			}
		}
		if _, err := b.a.stdout.Write(buf.Bytes()); err == nil && b.store != nil {
			// Handed over: the journal notes it, without waiting for the
			// disk (a note lost makes a resumed batch hand it over again).
			_ = b.store.MarkDelivered(context.Background(), written...)
		}
		buf.Reset()
		written = written[:0]
	}
	emit := func(r *batchResult) {
		if r.skipped {
			<-slots
			return
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(&buf, "{\"line\":%d,\"status\":\"error\",\"outputs\":{},\"error\":%q}\n", r.Line, "cannot print the outputs: "+err.Error())
		}
		if r.runID != "" {
			written = append(written, r.runID)
		}
		b.count(r)
		<-slots
	}
	for r := range results {
		if b.flags.unordered {
			emit(r)
		} else {
			pending[r.seq] = r
			for p, ok := pending[next]; ok; p, ok = pending[next] {
				delete(pending, next)
				emit(p)
				next++
			}
		}
		if len(results) == 0 || buf.Len() >= 64<<10 {
			flush() // nothing else ready: let the reader of stdout see these
		}
	}
	flush()
}

const maxListedLines = 10

func (b *batch) count(r *batchResult) {
	switch r.Status {
	case runtime.StatusPassed:
		b.passed.Add(1)
	case runtime.StatusFailed:
		b.failed.Add(1)
	default:
		b.errored.Add(1)
	}
	if r.Status != runtime.StatusPassed && len(b.notPassed) < maxListedLines {
		b.notPassed = append(b.notPassed, r.Line)
	}
	if r.ran {
		b.completed++
		for _, u := range r.unused {
			k := u.Kind + "\x00" + u.Key
			if c := b.unused[k]; c != nil {
				c.n++
			} else if len(b.unused) < maxWarnings {
				b.unused[k] = &unusedCount{u: u, n: 1}
			}
		}
	}
}

// warning prints each distinct run warning once.
func (b *batch) warning(e *runtime.Event) {
	if e.Kind != runtime.EventWarning || mutedByMock(e, b.mock) {
		return
	}
	b.warnOnce(b.credSecrets.Mask(e.Message) + flagHint(e.Err))
}

// warnOnce prints a warning unless it was printed already.
func (b *batch) warnOnce(msg string) {
	b.warnMu.Lock()
	defer b.warnMu.Unlock()
	if b.warned[msg] || len(b.warned) >= maxWarnings {
		return
	}
	b.warned[msg] = true
	fmt.Fprintln(b.a.stderr, "arazzo: "+msg)
}

// counts are the runs that have ended so far.
func (b *batch) counts() report.BatchCounts {
	return report.BatchCounts{Passed: int(b.passed.Load()), Failed: int(b.failed.Load()), Errors: int(b.errored.Load()), Elapsed: time.Since(b.started)}
}

// summary prints the totals and the settings no run used.
func (b *batch) summary(interrupted bool) {
	c := b.counts()
	c.NotPassed = b.notPassed
	fmt.Fprintln(b.a.stderr, "arazzo: "+report.BatchSummary(c, interrupted))
	// A setting that no run used is most likely a typo.
	var keys []string
	for k, c := range b.unused {
		if c.n == b.completed && b.completed > 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		u := b.unused[k].u
		fmt.Fprintf(b.a.stderr, "arazzo: warning: %s %s was not used by any run: %s\n", unusedFlag[u.Kind], u.Key, u.Reason)
	}
}

// batchProgress redraws one line on a terminal: runs done, failures, rate.
type batchProgress struct {
	stopc chan struct{}
	done  chan struct{}
}

func (p *batchProgress) stop() {
	if p == nil {
		return
	}
	close(p.stopc)
	<-p.done
}

func (b *batch) startProgress(total int) *batchProgress {
	d := detectDisplay(b.a.stderr)
	if !d.live {
		return nil
	}
	var mu sync.Mutex
	line := newLiveLine(d, b.a.stderr, &mu)
	p := &batchProgress{stopc: make(chan struct{}), done: make(chan struct{})}
	detail := func() string { return report.BatchProgress(b.counts(), total, d.color) }
	mu.Lock()
	line.begin("batch")
	mu.Unlock()
	go func() {
		defer close(p.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stopc:
				line.close()
				return
			case <-t.C:
				mu.Lock()
				line.setDetail(detail())
				mu.Unlock()
			}
		}
	}()
	return p
}
