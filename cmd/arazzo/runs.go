package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

func (a *app) runsCommand() *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List and show the runs in the journal",
		Long: `Every run is recorded in a journal (an SQLite database in --state DIR,
$XDG_STATE_HOME/arazzo or ~/.local/state/arazzo by default): each step's status
and outputs, and the responses they came from. A request that is not safe to
repeat (the POST that renews a token) is on disk before it is sent, and its
response before the run goes on; the rest is written within 50 ms
(docs/reliability.md). A run that was interrupted or failed can be continued
with 'arazzo run --resume ID'.`,
		Example: `  arazzo runs list
  arazzo runs show 20261125-195912-3fa9c2
  arazzo runs show 20261125-1959 --reveal --output json`,
	}
	addStateFlag(cmd.PersistentFlags(), &state)
	cmd.AddCommand(a.runsListCommand(&state), a.runsShowCommand(&state))
	return cmd
}

func (a *app) runsListCommand(state *string) *cobra.Command {
	var limit int
	var cluster clusterFlags // --temporal: the runs submitted to a Temporal cluster (temporal.go)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the journaled runs and batches, newest first",
		Long: `List the journaled runs and batches (arazzo run --inputs-file), newest first. A
batch is one line with its lines counted by status, followed by the lines that
did not pass; 'arazzo runs show BATCH' lists them all.`,
		Example: `  arazzo runs list
  arazzo runs list --limit 0
  arazzo runs list --state ./ci-state`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cluster.checkUnset(cmd.Flags()); err != nil {
				return err
			}
			if cluster.addr != "" {
				return a.listTemporalRuns(cmd.Context(), &cluster, limit)
			}
			st, err := readJournal(cmd.Context(), *state)
			var none *errNoJournal
			if errors.As(err, &none) {
				return (&report.RunList{Where: none.path}).Write(a.stdout)
			}
			if err != nil {
				return err
			}
			defer st.Close()
			return a.listJournal(cmd.Context(), st, limit)
		},
	}
	cmd.Flags().IntVarP(&limit, "limit", "n", 20, "show at most this many runs (0: all)")
	cluster.register(cmd.Flags(), "list the runs submitted to the Temporal cluster at `HOST:PORT` instead of the journal's")
	return cmd
}

func (a *app) runsShowCommand(state *string) *cobra.Command {
	var reveal bool
	var output string
	var cluster clusterFlags // --temporal: a run submitted to a Temporal cluster (temporal.go)
	cmd := &cobra.Command{
		Use:   "show ID|last",
		Short: "Show a journaled run (its inputs, steps and outputs) or batch (its lines)",
		Long: `Show a run: its inputs, each step's status and outputs, and the workflow's
outputs; or a batch: each of its lines, with its run and status. ID may be any
unique prefix of a run or batch ID, or last for the most recent. Secret values —
inputs whose schema says format: password or writeOnly: true, and inputs and
outputs with secret-like names (token, access_token, password, api_key...) — are
masked unless --reveal is given. Credentials given with --auth are never in the
journal.`,
		Example: `  arazzo runs show last
  arazzo runs show 20261125-1959
  arazzo runs show last --reveal --output json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return usageErr("--output must be text or json, got %q", output)
			}
			if err := cluster.checkUnset(cmd.Flags()); err != nil {
				return err
			}
			if cluster.addr != "" {
				return a.showTemporalRun(cmd.Context(), args[0], &cluster, reveal, output)
			}
			st, err := readJournal(cmd.Context(), *state)
			if none := (*errNoJournal)(nil); errors.As(err, &none) {
				return usageErr("%v", err)
			}
			if err != nil {
				return err
			}
			defer st.Close()
			r, b, err := findJournaled(cmd.Context(), st, args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			if b != nil {
				return showBatch(cmd.Context(), a.stdout, st, b, output)
			}
			v, err := journalRunView(cmd.Context(), st, r, reveal)
			if err != nil {
				return &exitError{code: ExitIncomplete, err: err}
			}
			return v.Write(a.stdout, output)
		},
	}
	cmd.Flags().BoolVar(&reveal, "reveal", false, "show secret values (tokens, passwords) instead of ***")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	cluster.register(cmd.Flags(), "show a run submitted to the Temporal cluster at `HOST:PORT` instead of one in the journal")
	return cmd
}

// journalRunView is the view of a journaled run, masked unless reveal by
// the rule of the live channels (the responses the journal recorded tell
// which values are sensitive). A run whose process died before it recorded
// its end may hold responses beyond its step records: they are replayed,
// sending nothing, for the steps and outputs they give.
func journalRunView(ctx context.Context, st *journal.Store, r *journal.Run, reveal bool) (*report.RunView, error) {
	steps, err := st.Steps(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	exchanges, err := st.Exchanges(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var rec *journal.Recovery
	var recErr error
	if r.Finished.IsZero() && r.EffectiveStatus() == journal.StatusInterrupted {
		rec, recErr = recoverRun(ctx, st, r)
	}
	all := steps
	if rec != nil {
		all = append(steps[:len(steps):len(steps)], rec.Steps...)
	}
	red, err := st.Redactor(ctx, r, all)
	if err != nil {
		return nil, err
	}
	return newRunView(r, steps, exchanges, rec, recErr, red, reveal), nil
}

// reportedStep is a step execution of a run reported by a Temporal cluster,
// with the names of its outputs the run marked sensitive.
type reportedStep struct {
	st        *runtime.StepResult
	sensitive []string
}

// reportedRunView is the view of a run a Temporal cluster reports: masked by
// the rule of the live channels, the outputs the run marked sensitive
// (outputs names those of the workflow) included.
func reportedRunView(r *journal.Run, outputs []string, reported []reportedStep, reveal bool) *report.RunView {
	var steps []*journal.Step
	var sensitive []string
	mark := func(names []string, values map[string]any) {
		for _, n := range names {
			if v, ok := values[n]; ok {
				sensitive = append(sensitive, report.FormatValue(v))
			}
		}
	}
	mark(outputs, r.Outputs)
	for _, rs := range reported {
		st := rs.st
		steps = append(steps, &journal.Step{WorkflowID: st.WorkflowID, StepID: st.StepID, Depth: st.Depth, Status: string(st.Status),
			StatusCode: st.StatusCode, Attempts: st.Attempts, Operation: st.Operation, Method: st.Method, URL: st.URL, Action: st.Action,
			Outputs: st.Outputs, Err: st.Err, Duration: st.Duration})
		mark(rs.sensitive, st.Outputs)
	}
	red := journal.NewRedactor(r, steps)
	red.AddSensitive(sensitive...)
	v := newRunView(r, steps, nil, nil, nil, red, reveal)
	v.HandOverHint, v.ResumeHint = "", "" // not in the journal: nothing to resume
	return v
}

// newRunView masks the run with red (the rule of the live channels, built
// from the steps and the recovered steps), unless reveal.
func newRunView(r *journal.Run, steps []*journal.Step, exchanges []*journal.Exchange, rec *journal.Recovery, recErr error,
	red *journal.Redactor, reveal bool) *report.RunView {
	all := steps
	if rec != nil {
		all = append(steps[:len(steps):len(steps)], rec.Steps...)
	}
	value := red.Value
	text, input, output, link := red.Text, red.Input, red.Output, red.URL
	if reveal {
		text = func(s string) string { return s }
		link = text
		input = func(_ string, v any) any { return v }
		output = input
		value = func(v any) any { return v }
	}
	outs := func(m map[string]any) map[string]any {
		o := make(map[string]any, len(m))
		for k, v := range m {
			o[k] = output(k, v)
		}
		return o
	}
	v := &report.RunView{ID: r.ID, WorkflowID: r.WorkflowID, Location: r.Location, Status: string(r.EffectiveStatus()), Started: r.Started,
		Inputs: map[string]any{}, Steps: []report.RunStep{}, Outputs: outs(r.Outputs), Error: text(r.Error), ResumedFrom: r.ResumedFrom,
		ResumedBy: r.ResumedBy, Batch: r.BatchID, Line: r.Line, Masked: !reveal, Gone: r.Gone(), RevealHint: "--reveal shows them"}
	set := recordedSettings(r.Settings) // what a resume must be given again
	v.Mock = set.Mock
	if !r.Finished.IsZero() {
		v.Finished = &r.Finished
	}
	v.NotHandedOver = r.Status == journal.StatusPassed && r.Delivered.IsZero() && len(r.Outputs) > 0
	for k, x := range r.Inputs {
		v.Inputs[k] = input(k, x)
	}
	for i, s := range all {
		v.Steps = append(v.Steps, report.RunStep{WorkflowID: s.WorkflowID, StepID: s.StepID, Status: s.Status, StatusCode: s.StatusCode,
			Attempts: s.Attempts, Operation: s.Operation, Action: s.Action, Outputs: outs(s.Outputs), Error: text(s.Err),
			DurationMS: ms(s.Duration), Depth: s.Depth, Replayed: s.Replayed, Recovered: i >= len(steps)})
	}
	if rec != nil && rec.Outputs != nil && len(r.Outputs) == 0 {
		v.Outputs, v.OutputsRecovered = outs(rec.Outputs), true
	}
	lastStep := 0
	if len(steps) > 0 {
		lastStep = steps[len(steps)-1].Seq
	}
	for _, e := range exchanges {
		switch {
		case !e.Answered:
			v.InFlight = append(v.InFlight, report.InFlight{Request: e.Method + " " + link(e.URL), MayHaveActed: !e.Repeatable()})
		case recErr != nil && e.Seq > lastStep && !e.Repeatable():
			// No step shows what the server answered: show the answer.
			rv := report.RecordedResponse{StepID: e.StepID, Request: e.Method + " " + link(e.URL), StatusCode: e.StatusCode, Error: text(e.Err)}
			if len(e.Body) > 0 {
				var body any
				if json.Unmarshal(e.Body, &body) == nil {
					rv.Body = value(body)
				} else {
					rv.Body = text(string(e.Body))
				}
			}
			v.Responses = append(v.Responses, rv)
		}
	}
	if recErr != nil {
		v.Unreplayed = text(recErr.Error())
	}
	if len(r.ResumedBy) == 0 {
		switch {
		case v.NotHandedOver:
			v.HandOverHint = fmt.Sprintf("arazzo run --resume %s (nothing is sent again)", r.ID)
		case slices.Contains([]journal.Status{journal.StatusInterrupted, journal.StatusFailed, journal.StatusError}, r.EffectiveStatus()):
			v.ResumeHint = resumeCommand(r.ID, set)
		}
	}
	return v
}

// listJournal prints the runs and batches of the journal, newest first; under
// each batch, the lines that did not pass.
func (a *app) listJournal(ctx context.Context, st *journal.Store, limit int) error {
	runs, err := st.Runs(ctx, limit)
	if err != nil {
		return &exitError{code: ExitIncomplete, err: err}
	}
	batches, err := st.Batches(ctx, limit)
	if err != nil {
		return &exitError{code: ExitIncomplete, err: err}
	}
	list := &report.RunList{Where: st.Path()}
	for n := 0; (len(runs) > 0 || len(batches) > 0) && (limit <= 0 || n < limit); n++ {
		if len(batches) == 0 || len(runs) > 0 && runs[0].Started.After(batches[0].Started) {
			list.Entries = append(list.Entries, report.RunListEntry{Run: listedRun(runs[0])})
			runs = runs[1:]
			continue
		}
		b := batches[0]
		batches = batches[1:]
		e := report.RunListEntry{Batch: newBatchView(b)}
		for after := 0; len(e.Lines) < maxListedLines; {
			lines, err := st.ChainLines(ctx, b, after, 256)
			if err != nil {
				return &exitError{code: ExitIncomplete, err: err}
			}
			for _, r := range lines {
				if r.EffectiveStatus() != journal.StatusPassed && len(e.Lines) < maxListedLines {
					e.Lines = append(e.Lines, *listedRun(r))
				}
			}
			if len(lines) < 256 {
				break
			}
			after = lines[len(lines)-1].Line
		}
		if len(e.Lines) == maxListedLines {
			e.More = fmt.Sprintf("'arazzo runs show %s' lists every line", b.ID)
		}
		list.Entries = append(list.Entries, e)
	}
	return list.Write(a.stdout)
}

// listedRun is a journaled run as 'runs list' shows it.
func listedRun(r *journal.Run) *report.ListedRun {
	return &report.ListedRun{ID: r.ID, WorkflowID: r.WorkflowID, Started: r.Started, Status: string(r.EffectiveStatus()), Steps: r.Steps,
		ResumedFrom: r.ResumedFrom, Mock: recordedSettings(r.Settings).Mock, Line: r.Line}
}

// newBatchView is the view of a journaled batch, without its lines.
func newBatchView(b *journal.Batch) *report.BatchView {
	v := &report.BatchView{ID: b.ID, WorkflowID: b.WorkflowID, Location: b.Location, InputsFile: b.InputsFile, Status: string(b.EffectiveStatus()),
		Started: b.Started, Lines: b.Lines, Runs: map[string]int{}, ResumedFrom: b.ResumedFrom, ResumedBy: b.ResumedBy, LineRuns: []report.BatchLine{}}
	for s, n := range b.Runs {
		v.Runs[string(s)] = n
	}
	if !b.Finished.IsZero() {
		v.Finished = &b.Finished
	}
	return v
}

// showBatch prints a batch and each of its lines, read a page at a time: a
// line it handed over from the batch it resumes with the run that ran it.
func showBatch(ctx context.Context, w io.Writer, st *journal.Store, b *journal.Batch, output string) error {
	v := newBatchView(b)
	for after := 0; ; {
		lines, err := st.ChainLines(ctx, b, after, 256)
		if err != nil {
			return &exitError{code: ExitIncomplete, err: err}
		}
		for _, r := range lines {
			l := report.BatchLine{Line: r.Line, Run: r.ID, Status: string(r.EffectiveStatus()), Steps: r.Steps, HandedOver: r.BatchID != b.ID}
			if r.Status == journal.StatusRefused {
				l.Error = r.Error
			}
			v.LineRuns = append(v.LineRuns, l)
		}
		if len(lines) < 256 {
			break
		}
		after = lines[len(lines)-1].Line
	}
	if len(v.ResumedBy) == 0 && v.Status != string(journal.StatusRunning) && v.Status != string(journal.StatusPassed) {
		v.ResumeHint = fmt.Sprintf("arazzo run --resume %s (and the same --auth)", v.ID)
	}
	return v.Write(w, output)
}
