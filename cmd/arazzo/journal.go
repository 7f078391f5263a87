package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/runtime"
)

// journalFlags are the run command's flags about durability: the journal and
// the output file.
type journalFlags struct {
	state      string
	off        bool
	resume     string
	outputFile string

	prev      *journal.Run   // the run --resume continues
	prevBatch *journal.Batch // or the batch
	runID     string         // this run, once journaled
	location  string         // the document argument, once known

	// keepStore: the journal stays open after the run (in store), so that
	// noting the outputs handed over does not open it again; closeStore
	// closes it.
	keepStore bool
	store     *journal.Store
}

func (j *journalFlags) closeStore() {
	if j.store != nil {
		_ = j.store.Close()
		j.store = nil
	}
}

func (j *journalFlags) register(fl *pflag.FlagSet) {
	j.registerState(fl)
	fl.StringVar(&j.resume, "resume", "", "continue run `ID` (or last) from the first step it did not complete, replaying what it completed (see 'arazzo runs list')")
	fl.StringVar(&j.outputFile, "output-file", "", "write the workflow outputs as JSON to `FILE` (mode 0600, replaced atomically) instead of printing them")
}

// registerState registers where runs are journaled, and whether (run, mcp).
func (j *journalFlags) registerState(fl *pflag.FlagSet) {
	addStateFlag(fl, &j.state)
	fl.BoolVar(&j.off, "no-journal", false, "do not record the run in the journal (it cannot be shown or resumed)")
}

func addStateFlag(fl *pflag.FlagSet, state *string) {
	fl.StringVar(state, "state", "", "journal directory (default $XDG_STATE_HOME/arazzo, else ~/.local/state/arazzo)")
}

// stateDir is where the journal lives.
func stateDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if x := os.Getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "arazzo"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("no journal directory: neither $XDG_STATE_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "state", "arazzo"), nil
}

// errNoJournal says that --state DIR holds no journal: no run was journaled
// there. Commands that only read the journal say so rather than create one.
type errNoJournal struct{ path string }

func (e *errNoJournal) Error() string {
	return fmt.Sprintf("no journal at %s: no run was journaled there (is --state the directory the runs used?)", e.path)
}

// readJournal opens the journal of --state DIR to read it: an *errNoJournal
// when there is none, which it does not create (a misspelt --state would
// leave a directory behind).
func readJournal(ctx context.Context, flag string) (*journal.Store, error) {
	dir, err := stateDir(flag)
	if err == nil {
		path := filepath.Join(dir, journal.FileName)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, &errNoJournal{path: path}
		}
	}
	return openJournal(ctx, flag)
}

// openJournal opens the journal of --state DIR.
func openJournal(ctx context.Context, flag string) (*journal.Store, error) {
	dir, err := stateDir(flag)
	if err == nil {
		var st *journal.Store
		if st, err = journal.Open(ctx, dir); err == nil {
			return st, nil
		}
	}
	var sig *signalError
	if errors.As(context.Cause(ctx), &sig) {
		// Stopped while the journal was opening: nothing was sent.
		return nil, &exitError{code: exitCodeForSignal(sig.sig), err: errors.New("interrupted before the run started; nothing was sent")}
	}
	return nil, &exitError{code: ExitIncomplete, err: fmt.Errorf("cannot open the run journal: %v; choose a directory with --state DIR, or run with --no-journal", err)}
}

// runSettings are what a resumed run must reuse besides the document and
// inputs: they shape the requests. Never credentials: Auth names the --auth
// flags a resume needs again, each as SCHEME=env:VAR or SCHEME=file:PATH when
// given so, else as SCHEME alone.
type runSettings struct {
	Servers    []string `json:"servers,omitempty"`
	ServerVars []string `json:"serverVars,omitempty"`
	Sources    []string `json:"sources,omitempty"`
	Mock       bool     `json:"mock,omitempty"`
	Auth       []string `json:"auth,omitempty"`
}

// recordedSettings are the settings a journaled run or batch recorded; none
// when they cannot be read (a journal of an older version).
func recordedSettings(raw json.RawMessage) runSettings {
	var set runSettings
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &set)
	}
	return set
}

// journaledAuth returns the --auth flags as the journal keeps them: the
// references to where a credential is, never a credential.
func journaledAuth(auth []string) []string {
	var out []string
	for _, a := range auth {
		name, val, _ := strings.Cut(a, "=")
		if strings.HasPrefix(val, "env:") || strings.HasPrefix(val, "file:") {
			out = append(out, name+"="+val)
		} else {
			out = append(out, name)
		}
	}
	return out
}

// resumeCommand is the command that continues run id, with the flags whose
// values the journal does not keep: each --auth (by its reference when it was
// given as env:VAR or file:PATH), and each --server whose URL held a password.
func resumeCommand(id string, set runSettings) string {
	args := []string{"arazzo", "run", "--resume", id}
	for _, a := range set.Auth {
		if !strings.Contains(a, "=") {
			a += "=VALUE"
		}
		args = append(args, "--auth", shellWord(a))
	}
	for _, srv := range set.Servers {
		if name, masked := maskedServer(srv); masked {
			args = append(args, "--server", shellWord(name+"=URL"))
		}
	}
	return strings.Join(args, " ")
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// journaledServers returns the --server values as the journal keeps them:
// credentials in a server URL (a password, or a token given as the user
// name) are replaced by *** (credentials are never journaled), also in a URL
// that does not parse.
func journaledServers(servers []string) []string {
	out := make([]string, 0, len(servers))
	for _, s := range servers {
		name, raw, _ := strings.Cut(s, "=")
		if m, ok := runtime.MaskServerURL(raw); ok {
			s = name + "=" + m
		}
		out = append(out, s)
	}
	return out
}

// maskedServer reports whether a journaled --server value had its
// credentials replaced (journaledServers), and names its source.
func maskedServer(s string) (string, bool) {
	name, raw, _ := strings.Cut(s, "=")
	return name, strings.Contains(raw, runtime.Masked+"@")
}

// planOptions are the load options the settings stand for: where sources
// were read from.
func (s runSettings) planOptions() []runtime.PlanOption {
	var opts []runtime.PlanOption
	for _, x := range s.Sources {
		name, loc, _ := strings.Cut(x, "=")
		opts = append(opts, runtime.WithSourceLocation(name, loc))
	}
	return opts
}

// options are the run options the settings stand for (a journaled run's
// settings were checked when it started).
func (s runSettings) options() []runtime.RunOption {
	var opts []runtime.RunOption
	for _, x := range s.Servers {
		name, u, _ := strings.Cut(x, "=")
		opts = append(opts, runtime.WithServer(name, u))
	}
	for _, x := range s.ServerVars {
		key, val, _ := strings.Cut(x, "=")
		src, name, _ := strings.Cut(key, ".")
		opts = append(opts, runtime.WithServerVariable(src, name, val))
	}
	if s.Mock {
		opts = append(opts, runtime.WithServerBase(mockBase), runtime.WithServerOrigin(mockBase))
	}
	return opts
}

// recover replays the journaled responses of a run whose process died before
// it recorded its end (see journal.Store.Recover): its document is loaded
// again, with the settings it ran with, and nothing is sent.
func recoverRun(ctx context.Context, st *journal.Store, r *journal.Run) (*journal.Recovery, error) {
	tgt, err := resolveTarget(r.Location)
	if err != nil {
		return nil, err
	}
	set := recordedSettings(r.Settings)
	opts := append([]runtime.PlanOption{runtime.WithReadFunc(readFunc(runtime.ReaderOptions{}))}, set.planOptions()...)
	plan, _, err := runtime.Load(ctx, tgt.location, opts...)
	if err != nil {
		return nil, err
	}
	return st.Recover(ctx, r, plan, set.options()...)
}

// settings are the run's settings as the journal keeps them.
func (f *runFlags) settings() runSettings {
	return runSettings{Servers: journaledServers(f.servers), ServerVars: f.serverVars, Sources: f.sources, Mock: f.mock, Auth: journaledAuth(f.auth)}
}

// runArgs: one document argument, optional with --resume.
func runArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageErr("run takes one FILE, URL or PROVIDER/WORKFLOW, got %d arguments", len(args))
	}
	return nil
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// prepareResume reads the run --resume names: its document (unless one is
// given), workflow and settings become this run's.
func (a *app) prepareResume(ctx context.Context, arg *string, f *runFlags) error {
	j := &f.journal
	if j.resume == "" {
		if *arg == "" {
			return usageErr("run needs a FILE, URL or PROVIDER/WORKFLOW (or --resume ID)")
		}
		j.location = *arg
		return nil
	}
	if j.off {
		return usageErr("--resume reads the journal: it cannot go with --no-journal")
	}
	if len(f.inputs) > 0 || len(f.inputFiles) > 0 {
		return usageErr("--resume uses the inputs recorded with the run; drop --input and --inputs")
	}
	st, err := readJournal(ctx, j.state)
	if none := (*errNoJournal)(nil); errors.As(err, &none) {
		return usageErr("--resume: %v", err)
	}
	if err != nil {
		return err
	}
	prev, batch, err := findJournaled(ctx, st, j.resume)
	st.Close()
	if err != nil {
		return usageErr("--resume: %v", err)
	}
	if batch != nil {
		return a.prepareBatchResume(arg, f, batch)
	}
	if f.batch.file != "" {
		return usageErr("--resume %s: run %s is not a batch; --inputs-file goes with --resume only to give a batch its lines again", j.resume, prev.ID)
	}
	j.prev = prev
	if *arg == "" {
		*arg = prev.Location
	}
	j.location = *arg
	if err := resumedWorkflow(f, "run", prev.ID, prev.WorkflowID); err != nil {
		return err
	}
	return f.applyRecorded(prev.ID, recordedSettings(prev.Settings))
}

// resumedWorkflow makes the workflow the resumed run or batch (what, id) ran,
// recorded, this run's; a --workflow that names another is refused: what was
// recorded is another workflow's.
func resumedWorkflow(f *runFlags, what, id, recorded string) error {
	if f.workflow != "" && f.workflow != recorded {
		return usageErr("--resume %s: %s %s ran workflow %q, not %q; drop --workflow (a resumed %s continues the workflow it ran)", f.journal.resume, what, id, recorded, f.workflow, what)
	}
	f.workflow = recorded
	return nil
}

// applyRecorded takes the settings a journaled run or batch (id) ran with,
// unless the command line gives them.
func (f *runFlags) applyRecorded(id string, set runSettings) error {
	if len(f.servers) == 0 {
		for _, s := range set.Servers {
			if name, masked := maskedServer(s); masked {
				return usageErr("run %s was given credentials in --server %s=URL, and credentials are not journaled: give the same --server options again with --resume", id, name)
			}
		}
		f.servers = set.Servers
	}
	if len(f.serverVars) == 0 {
		f.serverVars = set.ServerVars
	}
	if len(f.sources) == 0 {
		f.sources = set.Sources
	}
	if f.mock && !set.Mock {
		// What it recorded came from the servers: the mock would answer the
		// rest (a renewal with a made-up token), or depart from the record.
		return usageErr("--resume: %s went to its servers, not the mock; drop --mock to continue it", id)
	}
	f.mock = f.mock || set.Mock
	return nil
}

// prepareBatchResume makes the run a batch that continues batch b: its
// document, workflow, settings and inputs file (unless --inputs-file gives
// its lines again).
func (a *app) prepareBatchResume(arg *string, f *runFlags, b *journal.Batch) error {
	j := &f.journal
	j.prevBatch = b
	if *arg == "" {
		*arg = b.Location
	}
	j.location = *arg
	if err := resumedWorkflow(f, "batch", b.ID, b.WorkflowID); err != nil {
		return err
	}
	if f.batch.file == "" {
		if b.InputsFile == "" {
			return usageErr("batch %s read its lines from standard input: give them again with --inputs-file FILE (or - for standard input)", b.ID)
		}
		f.batch.file = b.InputsFile
	}
	if err := f.applyRecorded(b.ID, recordedSettings(b.Settings)); err != nil {
		return err
	}
	return f.batch.check(f) // batch mode now: its flags apply
}

// findJournaled finds what --resume or runs show names: a run or a batch, by
// ID, unique prefix, or last (the most recent of either).
func findJournaled(ctx context.Context, st *journal.Store, id string) (*journal.Run, *journal.Batch, error) {
	if id == journal.Last {
		// The most recent run that is not a batch's line, or batch.
		runs, err := st.Runs(ctx, 1)
		if err != nil {
			return nil, nil, err
		}
		batches, err := st.Batches(ctx, 1)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case len(batches) == 1 && (len(runs) == 0 || !runs[0].Started.After(batches[0].Started)):
			return nil, batches[0], nil
		case len(runs) == 1:
			r, err := st.Run(ctx, runs[0].ID) // with the runs that resumed it
			return r, nil, err
		}
		return nil, nil, &journal.NotFoundError{ID: journal.Last}
	}
	r, rerr := st.Run(ctx, id)
	b, berr := st.Batch(ctx, id)
	var nf *journal.NotFoundError
	switch {
	case rerr == nil && berr == nil:
		if r.ID == id {
			return r, nil, nil
		}
		if b.ID == id {
			return nil, b, nil
		}
		return nil, nil, &journal.NotFoundError{ID: id, Matches: []string{r.ID, b.ID}}
	case berr == nil && errors.As(rerr, &nf):
		return nil, b, nil // (a batch's ID is also a prefix of its lines')
	case rerr == nil && errors.As(berr, &nf):
		return r, nil, nil
	case rerr != nil && !errors.As(rerr, &nf):
		return nil, nil, rerr
	case berr != nil && !errors.As(berr, &nf):
		return nil, nil, berr
	}
	return nil, nil, rerr
}

// journaled runs the workflow, recorded in the journal unless --no-journal:
// a new run, or with --resume the continuation of an earlier one. With
// --output-file the outputs go to the file, not to stdout.
func (a *app) journaled(ctx context.Context, arg string, plan *runtime.Plan, wfID string, inputs map[string]any, f *runFlags,
	secrets *runtime.Secrets, opts []runtime.RunOption) (*runtime.Result, error) {
	res, err := a.runJournal(ctx, arg, plan, wfID, inputs, f, secrets, opts)
	if res != nil && f.journal.outputFile != "" && len(res.Outputs) > 0 {
		// The outputs are handed over as they are, but for the credentials the run was given.
		if werr := writeFileAtomic(f.journal.outputFile, secrets.MaskCredentialValues(res.Outputs)); werr != nil {
			fmt.Fprintf(a.stderr, "arazzo: cannot write the outputs to %s: %v\n", f.journal.outputFile, werr)
		} else {
			fmt.Fprintf(a.stderr, "arazzo: outputs written to %s\n", f.journal.outputFile)
			res.Outputs = nil // handed over through the file only
			a.delivered(ctx, f)
		}
	}
	return res, err
}

func (a *app) runJournal(ctx context.Context, arg string, plan *runtime.Plan, wfID string, inputs map[string]any, f *runFlags,
	secrets *runtime.Secrets, opts []runtime.RunOption) (*runtime.Result, error) {
	j := &f.journal
	if j.off {
		return plan.Run(ctx, wfID, inputs, opts...)
	}
	st, err := openJournal(ctx, j.state)
	if err != nil {
		return nil, err
	}
	if j.keepStore {
		j.closeStore()
		j.store = st
	} else {
		defer st.Close()
	}
	if wfID == "" {
		if wfs := plan.Workflows(); len(wfs) == 1 {
			wfID = wfs[0].ID
		}
	}
	sopts := journal.SessionOptions{Secrets: secrets, MaxBody: f.maxBody,
		Warn: func(msg string) { fmt.Fprintln(a.stderr, "arazzo: "+secrets.Mask(msg)) }}
	var sess *journal.Session
	if j.prev != nil {
		if sess, err = st.Resume(ctx, j.prev, plan.SourceDigest(), f.settings(), sopts); err != nil {
			var re *journal.ResumeError
			if errors.As(err, &re) {
				return nil, &runtime.UsageError{Msg: err.Error()}
			}
			return nil, err
		}
		if inputs, err = j.prev.PlanInputs(plan); err != nil {
			return nil, err
		}
		fmt.Fprintf(a.stderr, "arazzo: resuming run %s as run %s: what it completed is replayed from the journal, not sent again\n",
			j.prev.ID, sess.Run().ID)
	} else {
		var secretInputs []string
		for _, w := range plan.Workflows() {
			if w.ID != wfID {
				continue
			}
			for _, in := range w.Inputs {
				if in.Secret {
					secretInputs = append(secretInputs, in.Name)
				}
			}
		}
		sess, err = st.Begin(ctx, journal.NewRun{WorkflowID: wfID, Location: runLocation(arg), Digest: plan.SourceDigest(),
			Inputs: inputs, SecretInputs: secretInputs, Settings: f.settings()}, sopts)
		if err != nil {
			return nil, err // runWorkflow words it, with its hint
		}
	}
	j.runID = sess.Run().ID
	opts = append(opts[:len(opts):len(opts)], runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()))
	res, runErr := plan.Run(ctx, wfID, inputs, opts...)
	if ferr := sess.Finish(res, runErr, interruptedBySignal(ctx)); ferr != nil {
		fmt.Fprintln(a.stderr, "arazzo:", ferr.Error()+flagHint(ferr))
	}
	return res, runErr
}

// resumeHint says, after why a journaled run did not pass, how to continue it.
func (a *app) resumeHint(res *runtime.Result, f *runFlags) {
	if res.Status == runtime.StatusPassed || f.journal.runID == "" {
		return
	}
	id := f.journal.runID
	fmt.Fprintf(a.stderr, "arazzo: continue this run with: %s\narazzo: see what it did with: arazzo runs show %s\n", resumeCommand(id, f.settings()), id)
}

// delivered records in the journal that the run's outputs were handed over.
func (a *app) delivered(ctx context.Context, f *runFlags) {
	if f.journal.runID == "" {
		return
	}
	var err error
	if st := f.journal.store; st != nil {
		err = st.MarkDelivered(context.WithoutCancel(ctx), f.journal.runID)
	} else if st, err = openJournal(context.WithoutCancel(ctx), f.journal.state); err == nil {
		err = st.MarkDelivered(context.WithoutCancel(ctx), f.journal.runID)
		st.Close()
	}
	if err != nil {
		fmt.Fprintln(a.stderr, "arazzo: journal:", err)
	}
}

// interruptedBySignal reports a run stopped from outside: by a signal, or by
// the MCP client that asked for it (errCallCancelled). Its journal says
// interrupted, so a resumed run replays every answered exchange.
func interruptedBySignal(ctx context.Context) bool {
	var sig *signalError
	cause := context.Cause(ctx)
	return errors.As(cause, &sig) || errors.Is(cause, errCallCancelled)
}

// runLocation is how a resumed run finds the document again: an absolute
// path for a file, else the argument as given (a URL, a bundled workflow).
func runLocation(arg string) string {
	if strings.Contains(arg, "://") {
		return arg
	}
	if _, err := os.Stat(arg); err == nil {
		if abs, err := filepath.Abs(arg); err == nil {
			return abs
		}
	}
	return arg
}

// tempBeside creates the temporary file (mode 0600) that writeFileAtomic
// renames over path, in path's directory.
func tempBeside(path string) (*os.File, error) {
	return os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
}

// writeFileAtomic writes v as JSON to path with mode 0600: to a temporary file
// in the same directory, synced, then renamed over path, so a reader sees the
// old content or the new, never a part.
func writeFileAtomic(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := tempBeside(path)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // the rename itself survives a power cut
		d.Close()
	}
	return nil
}

// maskSecretInputs registers the values of the inputs whose schema says
// format: password or writeOnly: true, so that nothing the command prints
// (progress, --verbose, traces, reports) shows them. The run registers them
// too, but only once it starts; reports and --dry-run read inputs before.
func maskSecretInputs(plan *runtime.Plan, wfID string, inputs map[string]any, secrets *runtime.Secrets) {
	for _, w := range plan.Workflows() {
		if wfID != "" && w.ID != wfID {
			continue
		}
		for _, in := range w.Inputs {
			if !in.Secret {
				continue
			}
			switch v := inputs[in.Name].(type) {
			case nil:
			case string:
				secrets.AddSensitive(v)
			default:
				if b, err := json.Marshal(v); err == nil {
					secrets.AddSensitive(string(b))
				}
			}
		}
	}
}
