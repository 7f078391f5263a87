//go:build temporal

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
	"github.com/arazzo-run/arazzo/temporal"
)

// temporalRunFlags are the run command's flags for submitting a run to a
// Temporal cluster instead of executing it in process.
type temporalRunFlags struct {
	cluster clusterFlags
	detach  bool

	fl  *pflag.FlagSet
	rec *temporal.Recorder // the documents the load read, which travel with the run
}

func (t *temporalRunFlags) register(fl *pflag.FlagSet) {
	t.fl = fl
	t.cluster.register(fl, "submit the run to the Temporal cluster at `HOST:PORT` instead of running it here ('arazzo worker' executes it); with --inputs-file, one run per line")
	fl.BoolVar(&t.detach, "detach", false, "with --temporal: print the run's id (with --inputs-file, one JSON line per run) and return without waiting")
}

// check refuses the flags a run on Temporal does not take, before anything is read.
func (t *temporalRunFlags) check(f *runFlags) error {
	if t.cluster.addr == "" {
		if t.detach {
			return usageErr("--detach applies to runs submitted to a Temporal cluster: add --temporal HOST:PORT")
		}
		return t.cluster.checkUnset(t.fl)
	}
	if len(f.auth) > 0 {
		return usageErr("--auth does not go with --temporal: credentials stay on the workers ('arazzo worker --auth ...'), so they never enter the cluster")
	}
	for _, c := range []struct {
		set  bool
		flag string
	}{
		{f.mock, "--mock"}, {f.dryRun, "--dry-run"}, {f.journal.resume != "", "--resume"}, {f.trace != "", "--trace"},
		{f.har != "", "--har"}, {len(f.reports) > 0, "--report"}, {len(f.sources) > 0, "--source"},
	} {
		if c.set {
			return usageErr("%s does not go with --temporal: the run executes on the cluster's workers (see 'arazzo runs show ID --temporal')", c.flag)
		}
	}
	return nil
}

// record makes the load keep every document it reads.
func (t *temporalRunFlags) record(opts []runtime.PlanOption, read runtime.ReadFunc) []runtime.PlanOption {
	if t.cluster.addr == "" {
		return opts
	}
	t.rec = &temporal.Recorder{}
	return append(opts, runtime.WithReadFunc(t.rec.Wrap(read)))
}

// pollInterval is how often a waiting run command asks for progress.
const pollInterval = 500 * time.Millisecond

// runOnTemporal submits the run (or, with --inputs-file, one run per line) to
// the cluster and waits for it, printing what a local run prints.
func (a *app) runOnTemporal(ctx context.Context, location string, plan *runtime.Plan, wfID string, inputs map[string]any,
	f *runFlags, secrets *runtime.Secrets) error {
	t := &f.temporal
	wfID, err := batchWorkflow(plan, wfID)
	if err != nil {
		return err
	}
	maskSecretInputs(plan, wfID, inputs, secrets) // before anything prints them
	if f.batch.file == "" {
		if err := plan.CheckInputs(wfID, inputs); err != nil {
			return &exitError{code: ExitUsage, err: errors.New(secrets.Mask(err.Error()))}
		}
	}
	docs, err := t.rec.Documents(location)
	if err != nil {
		return &exitError{code: ExitInvalid, err: err}
	}
	set := temporal.Settings{Timeout: f.timeout, RunTimeout: f.runTimeout, MaxSteps: f.maxSteps, MaxRetryWait: f.maxRetryWait, MaxBody: f.maxBody}
	for _, s := range f.servers {
		name, u, _ := strings.Cut(s, "=")
		if pu, err := url.Parse(u); err == nil && pu.User != nil {
			return usageErr("--server %s=URL holds credentials, which would be written to the Temporal history; give them to the worker with --auth", name)
		}
		if set.Servers == nil {
			set.Servers = map[string]string{}
		}
		set.Servers[name] = u
	}
	for _, s := range f.serverVars {
		key, val, _ := strings.Cut(s, "=")
		src, name, _ := strings.Cut(key, ".")
		if set.ServerVars == nil {
			set.ServerVars = map[string]map[string]string{}
		}
		if set.ServerVars[src] == nil {
			set.ServerVars[src] = map[string]string{}
		}
		set.ServerVars[src][name] = val
	}
	cl, err := t.cluster.dial(ctx, a.stderr, slog.LevelError)
	if err != nil {
		return err
	}
	defer cl.Close()
	sub := &submitter{a: a, cl: cl, plan: plan, docs: docs, wfID: wfID, set: set, t: t}
	if f.batch.file != "" {
		return sub.batch(ctx, inputs, f)
	}
	return sub.single(ctx, inputs, f, secrets)
}

// submitter submits runs of one workflow to the cluster.
type submitter struct {
	a    *app
	cl   client.Client
	plan *runtime.Plan
	docs *temporal.Documents
	wfID string
	set  temporal.Settings
	t    *temporalRunFlags
}

func (s *submitter) start(ctx context.Context, id string, inputs map[string]any) error {
	if err := s.plan.CheckInputs(s.wfID, inputs); err != nil {
		return err
	}
	in, err := temporal.NewRunInput(s.plan, s.docs, s.wfID, inputs, s.set)
	if err != nil {
		return err
	}
	if _, err := temporal.Start(ctx, s.cl, id, s.t.cluster.taskQueue, in); err != nil {
		return fmt.Errorf("cannot submit run %s to %s: %v", id, s.t.cluster.addr, err)
	}
	return nil
}

func (s *submitter) showHint(id string) string {
	return fmt.Sprintf("arazzo runs show %s --temporal %s", id, s.t.cluster.addr) + s.t.cluster.nsFlag()
}

// nsFlag is what a command about the same runs needs besides --temporal:
// --namespace and --payload-key (a reference to the key, not the key).
func (c *clusterFlags) nsFlag() string {
	s := ""
	if c.namespace != "default" {
		s += " --namespace " + c.namespace
	}
	for _, k := range c.payloadKey {
		s += " --payload-key " + k
	}
	return s
}

// newID names a run (or a batch of runs) after its workflow, the time and a random part.
func newID(kind string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return "arazzo-" + kind + "-" + time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// single submits one run, waits for it and prints its progress and result.
func (s *submitter) single(ctx context.Context, inputs map[string]any, f *runFlags, secrets *runtime.Secrets) error {
	a := s.a
	id := newID(s.wfID)
	if err := s.start(ctx, id, inputs); err != nil {
		return &exitError{code: ExitIncomplete, err: err}
	}
	if s.t.detach {
		fmt.Fprintln(a.stdout, id)
		fmt.Fprintf(a.stderr, "arazzo: run %s submitted; see it with: %s\n", id, s.showHint(id))
		return nil
	}
	fmt.Fprintf(a.stderr, "arazzo: run %s submitted to %s; waiting for it (Ctrl-C stops waiting, not the run)\n", id, s.t.cluster.addr)
	var progress *progressPrinter
	var onEvent func(temporal.Event)
	rec := report.NewRecorder(s.plan, report.WithSecrets(secrets), report.WithTool(versionString()), report.WithInputs(inputs), report.WithoutExchanges())
	if f.output == "text" {
		progress = newProgressPrinter(a.stdout, rec, secrets, f.verbose, false)
		progress.stderr = a.stderr
		defer progress.close()
		onEvent = func(ev temporal.Event) { progress.Event(runtimeEvent(ev, secrets)) }
	}
	out, err := temporal.Wait(ctx, s.cl, id, pollInterval, onEvent)
	if err != nil {
		return s.waitFailure(ctx, id, err)
	}
	res := out.Result()
	addSecretOutputs(res, secrets)
	if f.journal.outputFile != "" && len(res.Outputs) > 0 {
		if werr := writeFileAtomic(f.journal.outputFile, secrets.MaskCredentialValues(res.Outputs)); werr != nil {
			fmt.Fprintf(a.stderr, "arazzo: cannot write the outputs to %s: %v\n", f.journal.outputFile, werr)
		} else {
			fmt.Fprintf(a.stderr, "arazzo: outputs written to %s\n", f.journal.outputFile)
			res.Outputs = nil
		}
	}
	// The record is built from the run's result alone: the progress events
	// carry copies of its steps, which would be counted twice.
	final := report.NewRecorder(s.plan, report.WithSecrets(secrets), report.WithTool(versionString()), report.WithInputs(inputs), report.WithoutExchanges())
	record := final.Finish(res).WithOutputs(secrets.MaskCredentialValues(res.Outputs)) // stdout hands the outputs over
	if f.output == "json" {
		if err := report.WriteResult(a.stdout, record); err != nil {
			return &exitError{code: ExitIncomplete, err: err}
		}
	} else {
		progress.summary(record)
	}
	if out.Omitted > 0 {
		fmt.Fprintf(a.stderr, "arazzo: %d step execution(s) after the first %d are not listed\n", out.Omitted, len(out.Steps))
	}
	a.warnUnused(res)
	if res.Err != nil {
		fmt.Fprintln(a.stderr, "arazzo:", report.Lines(secrets.Mask(res.Err.Error())))
	}
	return exitWith(exitCode(ctx, res))
}

// waitFailure maps a run that ended without an output, or a wait that
// stopped, to an exit code.
func (s *submitter) waitFailure(ctx context.Context, id string, err error) error {
	if ctx.Err() != nil {
		fmt.Fprintf(s.a.stderr, "arazzo: stopped waiting; run %s goes on in the cluster: %s\n", id, s.showHint(id))
		return exitWith(exitCode(ctx, &runtime.Result{Status: runtime.StatusError}))
	}
	var se *runtime.SettingsError
	if errors.As(err, &se) {
		fmt.Fprintf(s.a.stderr, "arazzo: run %s was refused by the worker that took it, before anything was sent: the worker's --auth names nothing in the document\n", id)
		return settingsUsage(se)
	}
	var re *temporal.RunError
	if errors.As(err, &re) {
		switch re.Type {
		case temporal.ErrorUsage:
			return &exitError{code: ExitUsage, err: err}
		case temporal.ErrorDocument:
			return &exitError{code: ExitInvalid, err: err}
		}
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("run %s: %v", id, err)}
	}
	return &exitError{code: ExitIncomplete, err: fmt.Errorf("lost contact with the cluster while waiting for run %s (it goes on: %s): %v", id, s.showHint(id), err)}
}

// runtimeEvent turns a progress event back into the event a local run emits.
func runtimeEvent(ev temporal.Event, secrets *runtime.Secrets) *runtime.Event {
	switch ev.Kind {
	case temporal.EventStep:
		e := &runtime.Event{Kind: runtime.EventStepFinished}
		if ev.Step != nil {
			st := ev.Step.Result()
			addSecretFields(st.Outputs, secrets)
			e.Step, e.WorkflowID, e.StepID, e.Attempt, e.Depth = st, st.WorkflowID, st.StepID, st.Attempts, st.Depth
		}
		return e
	case temporal.EventRetry:
		return &runtime.Event{Kind: runtime.EventAction, WorkflowID: ev.WorkflowID, StepID: ev.StepID, Attempt: ev.Attempt,
			Depth: ev.Depth, Action: ev.Action, Wait: ev.Wait}
	}
	return &runtime.Event{Kind: runtime.EventWarning, Message: "unknown progress event " + ev.Kind}
}

// addSecretOutputs registers the step outputs with secret-like names as
// sensitive, as a local run registers secret-like response fields: they are
// masked in progress lines and errors, not in the workflow's outputs.
func addSecretOutputs(res *runtime.Result, secrets *runtime.Secrets) {
	for _, s := range res.Steps {
		addSecretFields(s.Outputs, secrets)
	}
}

func addSecretFields(m map[string]any, secrets *runtime.Secrets) {
	for k, v := range m {
		if s, ok := v.(string); ok && runtime.IsSecretName(k) && len(s) >= 6 {
			secrets.AddSensitive(s)
		}
	}
}

// batchWindow bounds the runs of a batch submitted and not yet printed: the
// cluster's workers decide how many execute at once.
const batchWindow = 512

// batch submits one run per line of --inputs-file and prints their results as
// JSON lines, in input order unless --unordered, as a local batch does.
// --parallel does not apply: the workers' capacity decides how many run at
// once, and this command awaits up to batchWindow at a time.
func (s *submitter) batch(ctx context.Context, base map[string]any, f *runFlags) error {
	a := s.a
	in, total, closeIn, err := a.openBatchInput(f.batch.file)
	if err != nil {
		return err
	}
	defer closeIn()
	batchID := newID("batch")
	b := &batch{a: a, plan: s.plan, wfID: s.wfID, base: base, flags: f.batch, started: time.Now(),
		unused: map[string]*unusedCount{}, warned: map[string]bool{}}
	if s.t.detach {
		return s.detachBatch(ctx, b, in, batchID)
	}
	fmt.Fprintf(a.stderr, "arazzo: batch %s: one run per line on %s, named %s-LINE (Ctrl-C stops waiting, not the runs)\n",
		batchID, s.t.cluster.addr, batchID)
	prog := b.startProgress(total)
	interrupted := b.pump(ctx, in, batchWindow, batchWindow, func(j batchJob) *batchResult {
		return s.runLine(ctx, j, fmt.Sprintf("%s-%d", batchID, j.line))
	})
	prog.stop()
	b.summary(interrupted)
	if interrupted {
		fmt.Fprintf(a.stderr, "arazzo: stopped waiting; the runs submitted go on in the cluster (%s-LINE)\n", batchID)
		return exitWith(exitCode(ctx, &runtime.Result{Status: runtime.StatusError}))
	}
	if b.failed.Load()+b.errored.Load() > 0 {
		return exitWith(ExitFailed)
	}
	return nil
}

// runLine submits one line's run and waits for its result.
func (s *submitter) runLine(ctx context.Context, j batchJob, id string) *batchResult {
	out := &batchResult{seq: j.seq, Line: j.line, Outputs: map[string]any{}}
	if ctx.Err() != nil {
		out.skipped = true // the batch was stopped before this line was submitted
		return out
	}
	if j.err != nil {
		out.Status, out.Error = runtime.StatusError, j.err.Error()
		return out
	}
	if err := s.start(ctx, id, j.inputs); err != nil {
		out.Status, out.Error = runtime.StatusError, err.Error()
		return out
	}
	ro, err := temporal.Wait(ctx, s.cl, id, 0, nil)
	if err != nil {
		out.Status, out.Error = runtime.StatusError, fmt.Sprintf("run %s: %v", id, err)
		var se *runtime.SettingsError
		if errors.As(err, &se) {
			out.Error = fmt.Sprintf("run %s was refused by its worker, before anything was sent: %v", id, settingsUsage(se))
		}
		if ctx.Err() != nil {
			out.Error = fmt.Sprintf("run %s: stopped waiting; it goes on in the cluster", id)
		}
		return out
	}
	res := ro.Result()
	out.Status, out.DurationMS, out.ran, out.unused = res.Status, ms(res.Duration), true, res.Unused
	if res.Outputs != nil {
		out.Outputs = res.Outputs
	}
	if res.Err != nil {
		out.Error = res.Err.Error()
	}
	return out
}

// detachBatch submits every line and prints {"line": N, "runId": ID} for each.
func (s *submitter) detachBatch(ctx context.Context, b *batch, in io.Reader, batchID string) error {
	type submitted struct {
		Line  int    `json:"line"`
		RunID string `json:"runId,omitempty"`
		Error string `json:"error,omitempty"`
	}
	enc := json.NewEncoder(s.a.stdout)
	jobs := make(chan batchJob)
	slots := make(chan struct{}, 1)
	failed := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for j := range jobs {
			r := submitted{Line: j.line}
			id := fmt.Sprintf("%s-%d", batchID, j.line)
			if j.err != nil {
				r.Error = j.err.Error()
			} else if err := s.start(ctx, id, j.inputs); err != nil {
				r.Error = err.Error()
			} else {
				r.RunID = id
			}
			if r.Error != "" {
				failed++
			}
			_ = enc.Encode(r)
			<-slots
		}
	}()
	interrupted := b.read(ctx, in, jobs, slots)
	close(jobs)
	<-done
	fmt.Fprintf(s.a.stderr, "arazzo: batch %s submitted; see a run with: %s\n", batchID, s.showHint(batchID+"-LINE"))
	if interrupted {
		return exitWith(exitCode(ctx, &runtime.Result{Status: runtime.StatusError}))
	}
	if failed > 0 {
		return exitWith(ExitIncomplete)
	}
	return nil
}

// listTemporalRuns is 'arazzo runs list --temporal HOST:PORT'.
func (a *app) listTemporalRuns(ctx context.Context, c *clusterFlags, limit int) error {
	cl, err := c.dial(ctx, a.stderr, slog.LevelError)
	if err != nil {
		return err
	}
	defer cl.Close()
	runs, err := temporal.List(ctx, cl, c.dataConverter(), limit)
	if err != nil {
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("listing the runs of namespace %s of %s: %v", c.namespace, c.addr, err)}
	}
	list := &report.RunList{Where: fmt.Sprintf("namespace %s of %s", c.namespace, c.addr)}
	for _, r := range runs {
		steps := r.Steps
		if steps == 0 {
			steps = -1 // counted once the run completed
		}
		list.Entries = append(list.Entries, report.RunListEntry{Run: &report.ListedRun{ID: r.ID, WorkflowID: r.WorkflowID, Started: r.Started,
			Status: r.Status, Steps: steps}})
	}
	return list.Write(a.stdout)
}

// showTemporalRun is 'arazzo runs show ID --temporal HOST:PORT'.
func (a *app) showTemporalRun(ctx context.Context, id string, c *clusterFlags, reveal bool, output string) error {
	cl, err := c.dial(ctx, a.stderr, slog.LevelError)
	if err != nil {
		return err
	}
	defer cl.Close()
	info, err := temporal.Describe(ctx, cl, id, c.dataConverter())
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return usageErr("no run %s in namespace %s of %s", id, c.namespace, c.addr)
		}
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("run %s: %v", id, err)}
	}
	r := &journal.Run{ID: id, Status: journal.Status(info.Status), Started: info.Started, Finished: info.Closed, Inputs: map[string]any{}}
	if in := info.Input; in != nil {
		r.WorkflowID, r.Location, r.SecretInputs = in.WorkflowID, in.Documents.Name, in.SecretInputs
		if len(in.Inputs) > 0 {
			_ = decodeJSONNumbers(in.Inputs, &r.Inputs)
		}
	}
	var steps []reportedStep
	switch {
	case info.Output != nil:
		res := info.Output.Result()
		r.Status, r.Outputs = journal.Status(res.Status), res.Outputs
		r.Delivered = info.Closed // the outputs stay in the cluster: nothing to hand over
		if res.Err != nil {
			r.Error = res.Err.Error()
		}
		for i, st := range res.Steps {
			steps = append(steps, reportedStep{st, info.Output.Steps[i].Sensitive})
		}
		return reportedRunView(r, info.Output.Sensitive, steps, reveal).Write(a.stdout, output)
	case info.Err != nil:
		r.Error = info.Err.Error()
	default:
		for _, ev := range info.Progress {
			if ev.Kind == temporal.EventStep && ev.Step != nil {
				steps = append(steps, reportedStep{ev.Step.Result(), ev.Step.Sensitive})
			}
		}
	}
	v := reportedRunView(r, nil, steps, reveal)
	return v.Write(a.stdout, output)
}

func decodeJSONNumbers(data []byte, v any) error {
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	return d.Decode(v)
}
