package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

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
$XDG_STATE_HOME/arazzo or ~/.local/state/arazzo by default): each step's status and
outputs, and the responses they came from, committed before the next step starts.
A run that was interrupted or failed can be continued with 'arazzo run --resume ID'.`,
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
			st, err := openJournal(cmd.Context(), *state)
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
		Long: `Show a run: its inputs, each step's status and outputs, and the workflow's outputs;
or a batch: each of its lines, with its run and status.
ID may be any unique prefix of a run or batch ID, or last for the most recent. Secret values — inputs whose schema says
format: password or writeOnly: true, and inputs and outputs with secret-like names
(token, access_token, password, api_key...) — are masked unless --reveal is given.
Credentials given with --auth are never in the journal.`,
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
			st, err := openJournal(cmd.Context(), *state)
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
	var set runSettings // what a resume must be given again
	if len(r.Settings) > 0 {
		_ = json.Unmarshal(r.Settings, &set)
	}
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
	if len(runs) == 0 && len(batches) == 0 {
		fmt.Fprintf(a.stdout, "no runs in %s\n", st.Path())
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tSTATUS\tSTEPS\tWORKFLOW")
	runRow := func(prefix string, r *journal.Run) {
		status := string(r.EffectiveStatus())
		if r.ResumedFrom != "" {
			status += " (resumes " + r.ResumedFrom + ")"
		}
		var set runSettings
		if json.Unmarshal(r.Settings, &set) == nil && set.Mock {
			status += " (mock)" // its outputs came from no real API
		}
		if r.Line > 0 {
			status = fmt.Sprintf("line %d: %s", r.Line, status)
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%d\t%s\n", prefix, r.ID, r.Started.Local().Format(time.DateTime), status, r.Steps, report.Line(r.WorkflowID))
	}
	for n := 0; (len(runs) > 0 || len(batches) > 0) && (limit <= 0 || n < limit); n++ {
		if len(batches) == 0 || len(runs) > 0 && runs[0].Started.After(batches[0].Started) {
			runRow("", runs[0])
			runs = runs[1:]
			continue
		}
		b := batches[0]
		batches = batches[1:]
		fmt.Fprintf(tw, "%s\t%s\t%s\t-\t%s\n", b.ID, b.Started.Local().Format(time.DateTime), batchStatus(b), report.Line(b.WorkflowID))
		shown := 0
		for after := 0; shown < maxListedLines; {
			lines, err := st.BatchLines(ctx, b.ID, after, 256)
			if err != nil {
				return &exitError{code: ExitIncomplete, err: err}
			}
			for _, r := range lines {
				if r.EffectiveStatus() != journal.StatusPassed && shown < maxListedLines {
					runRow("  ", r)
					shown++
				}
			}
			if len(lines) < 256 {
				break
			}
			after = lines[len(lines)-1].Line
		}
		if shown == maxListedLines {
			fmt.Fprintf(tw, "  … 'arazzo runs show %s' lists every line\t\t\t\t\n", b.ID)
		}
	}
	return tw.Flush()
}

// batchStatus is a batch's status with its journaled lines counted.
func batchStatus(b *journal.Batch) string {
	var parts []string
	total := 0
	for _, s := range []journal.Status{journal.StatusPassed, journal.StatusFailed, journal.StatusError, journal.StatusInterrupted, journal.StatusRunning} {
		if n := b.Runs[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
			total += n
		}
	}
	st := fmt.Sprintf("batch %s: ", b.EffectiveStatus())
	if b.Lines > 0 {
		st += fmt.Sprintf("%d line(s), ", b.Lines)
	}
	if len(parts) == 0 {
		parts = []string{"no line journaled"}
	}
	st += strings.Join(parts, ", ")
	if b.ResumedFrom != "" {
		st += " (resumes " + b.ResumedFrom + ")"
	}
	return st
}

// batchView is a batch as 'runs show BATCH --output json' prints it.
type batchView struct {
	ID          string                 `json:"id"`
	WorkflowID  string                 `json:"workflowId"`
	Location    string                 `json:"document"`
	InputsFile  string                 `json:"inputsFile,omitempty"`
	Status      string                 `json:"status"`
	Started     time.Time              `json:"started"`
	Finished    *time.Time             `json:"finished,omitempty"`
	Lines       int                    `json:"lines,omitempty"`
	Runs        map[journal.Status]int `json:"runs"`
	ResumedFrom string                 `json:"resumedFrom,omitempty"`
	ResumedBy   []string               `json:"resumedBy,omitempty"`
	LineRuns    []batchLineView        `json:"lineRuns"`
}

type batchLineView struct {
	Line   int    `json:"line"`
	Run    string `json:"run"`
	Status string `json:"status"`
	Steps  int    `json:"steps"`
}

// showBatch prints a batch and each of its lines, read a page at a time.
func showBatch(ctx context.Context, w io.Writer, st *journal.Store, b *journal.Batch, output string) error {
	v := &batchView{ID: b.ID, WorkflowID: b.WorkflowID, Location: b.Location, InputsFile: b.InputsFile, Status: string(b.EffectiveStatus()),
		Started: b.Started, Lines: b.Lines, Runs: b.Runs, ResumedFrom: b.ResumedFrom, ResumedBy: b.ResumedBy, LineRuns: []batchLineView{}}
	if !b.Finished.IsZero() {
		v.Finished = &b.Finished
	}
	for after := 0; ; {
		lines, err := st.BatchLines(ctx, b.ID, after, 256)
		if err != nil {
			return &exitError{code: ExitIncomplete, err: err}
		}
		for _, r := range lines {
			v.LineRuns = append(v.LineRuns, batchLineView{Line: r.Line, Run: r.ID, Status: string(r.EffectiveStatus()), Steps: r.Steps})
		}
		if len(lines) < 256 {
			break
		}
		after = lines[len(lines)-1].Line
	}
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	fmt.Fprintf(w, "%s %s\n", v.ID, batchStatus(b))
	fmt.Fprintf(w, "  workflow  %s\n", report.Line(v.WorkflowID))
	fmt.Fprintf(w, "  document  %s\n", report.Line(v.Location))
	in := v.InputsFile
	if in == "" {
		in = "standard input"
	}
	fmt.Fprintf(w, "  lines     %s\n", report.Line(in))
	when := v.Started.Local().Format(time.DateTime)
	if v.Finished != nil {
		when += ", ran " + report.FormatDuration(v.Finished.Sub(v.Started))
	}
	fmt.Fprintf(w, "  started   %s\n", when)
	if v.ResumedFrom != "" {
		fmt.Fprintf(w, "  resumes   batch %s\n", v.ResumedFrom)
	}
	if len(v.ResumedBy) > 0 {
		fmt.Fprintf(w, "  resumed   as batch %s\n", strings.Join(v.ResumedBy, ", batch "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tRUN\tSTATUS\tSTEPS")
	for _, l := range v.LineRuns {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\n", l.Line, l.Run, l.Status, l.Steps)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.ResumedBy) == 0 && v.Status != string(journal.StatusRunning) && v.Status != string(journal.StatusPassed) {
		fmt.Fprintf(w, "\nfinish the lines that did not complete with: arazzo run --resume %s (and the same --auth)\n", v.ID)
	}
	return nil
}
