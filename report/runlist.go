package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// RunList is a list of recorded runs and batches, newest first, as
// 'arazzo runs list' prints it: from a journal or from what a Temporal
// cluster reports.
type RunList struct {
	// Where names where the runs are (a journal's path, a cluster's
	// namespace), for the line that says there are none.
	Where   string
	Entries []RunListEntry
}

// RunListEntry is one run of a RunList, or one batch with some of its
// lines under it.
type RunListEntry struct {
	Run   *ListedRun
	Batch *BatchView
	// Lines are the lines of Batch listed under it; More is a line said
	// after them (how to see the others), "" for none.
	Lines []ListedRun
	More  string
}

// ListedRun is a run as a RunList shows it.
type ListedRun struct {
	ID         string
	WorkflowID string
	Started    time.Time
	Status     string
	// Steps counts its step executions; negative when it is not known.
	Steps int
	// ResumedFrom is the run it continues, Mock says it was answered by
	// the mock of its sources, Line is its line in a batch (0: none).
	ResumedFrom string
	Mock        bool
	Line        int
}

// Write writes the list as a table: run, start, status, steps, workflow.
func (l *RunList) Write(w io.Writer) error {
	if len(l.Entries) == 0 {
		_, err := fmt.Fprintln(w, Line("no runs in "+l.Where))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(cells ...string) {
		for i, c := range cells {
			cells[i] = Line(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("RUN", "STARTED", "STATUS", "STEPS", "WORKFLOW")
	run := func(prefix string, r *ListedRun) {
		status := r.Status
		if r.ResumedFrom != "" {
			status += " (resumes " + r.ResumedFrom + ")"
		}
		if r.Mock {
			status += " (mock)" // its outputs came from no real API
		}
		if r.Line > 0 {
			status = fmt.Sprintf("line %d: %s", r.Line, status)
		}
		steps := "-"
		if r.Steps >= 0 {
			steps = strconv.Itoa(r.Steps)
		}
		row(prefix+r.ID, r.Started.Local().Format(time.DateTime), status, steps, r.WorkflowID)
	}
	for _, e := range l.Entries {
		switch {
		case e.Run != nil:
			run("", e.Run)
		case e.Batch != nil:
			b := e.Batch
			row(b.ID, b.Started.Local().Format(time.DateTime), b.summary(), "-", b.WorkflowID)
			for i := range e.Lines {
				run("  ", &e.Lines[i])
			}
			if e.More != "" {
				row("  … "+e.More, "", "", "", "")
			}
		}
	}
	return tw.Flush()
}

// BatchView is a recorded batch (arazzo run --inputs-file) as 'arazzo runs
// show' shows it: each of its lines with its run and status. Its JSON
// encoding is the output of 'runs show BATCH --output json'.
type BatchView struct {
	ID         string     `json:"id"`
	WorkflowID string     `json:"workflowId"`
	Location   string     `json:"document"`
	InputsFile string     `json:"inputsFile,omitempty"`
	Status     string     `json:"status"`
	Started    time.Time  `json:"started"`
	Finished   *time.Time `json:"finished,omitempty"`
	// Lines is how many lines the batch read; Runs counts its runs by status.
	Lines       int            `json:"lines,omitempty"`
	Runs        map[string]int `json:"runs"`
	ResumedFrom string         `json:"resumedFrom,omitempty"`
	ResumedBy   []string       `json:"resumedBy,omitempty"`
	LineRuns    []BatchLine    `json:"lineRuns"`

	// ResumeHint is the command that finishes the lines that did not
	// complete, printed after them; "" for none.
	ResumeHint string `json:"-"`
}

// BatchLine is one line of a BatchView.
type BatchLine struct {
	Line   int    `json:"line"`
	Run    string `json:"run"`
	Status string `json:"status"`
	Steps  int    `json:"steps"`
	// Error says why a refused line never ran.
	Error string `json:"error,omitempty"`
	// HandedOver says that the batch handed the line over from a batch it
	// resumes: Run is that batch's run of the line (or the run that resumed it).
	HandedOver bool `json:"handedOver,omitempty"`
}

// batchStatuses are the statuses of a batch's runs, in the order they are counted.
// (A journal adds refused lines, and interrupted and running runs.)
var batchStatuses = []string{string(runtime.StatusPassed), string(runtime.StatusFailed), string(runtime.StatusError), "refused", "interrupted", "running"}

// summary is the batch's status with its runs counted by status.
func (v *BatchView) summary() string {
	var parts []string
	for _, s := range batchStatuses {
		if n := v.Runs[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	st := fmt.Sprintf("batch %s: ", v.Status)
	if v.Lines > 0 {
		st += fmt.Sprintf("%d line(s), ", v.Lines)
	}
	if len(parts) == 0 {
		parts = []string{"no line journaled"}
	}
	st += strings.Join(parts, ", ")
	if v.ResumedFrom != "" {
		st += " (resumes " + v.ResumedFrom + ")"
	}
	return st
}

// Write writes the view as text, or with format "json" as its JSON object.
func (v *BatchView) Write(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	ln := func(format string, args ...any) { fmt.Fprintln(w, Line(fmt.Sprintf(format, args...))) }
	ln("%s %s", v.ID, v.summary())
	ln("  workflow  %s", v.WorkflowID)
	ln("  document  %s", v.Location)
	in := v.InputsFile
	if in == "" {
		in = "standard input"
	}
	ln("  lines     %s", in)
	when := v.Started.Local().Format(time.DateTime)
	if v.Finished != nil {
		when += ", ran " + FormatDuration(v.Finished.Sub(v.Started))
	}
	ln("  started   %s", when)
	if v.ResumedFrom != "" {
		ln("  resumes   batch %s", v.ResumedFrom)
	}
	if len(v.ResumedBy) > 0 {
		ln("  resumed   as batch %s", strings.Join(v.ResumedBy, ", batch "))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tRUN\tSTATUS\tSTEPS")
	for _, l := range v.LineRuns {
		status := l.Status
		if l.HandedOver {
			status += " (handed over)"
		}
		fmt.Fprintln(tw, Line(fmt.Sprintf("%d\t%s\t%s\t%d", l.Line, l.Run, status, l.Steps)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range v.LineRuns {
		if l.Error != "" {
			first, rest, _ := strings.Cut(l.Error, "\n")
			ln("line %d was refused: %s", l.Line, first)
			for _, more := range strings.Split(rest, "\n") {
				if more != "" {
					ln("  %s", more)
				}
			}
		}
	}
	if v.ResumeHint != "" {
		fmt.Fprintln(w)
		ln("finish the lines that did not complete with: %s", v.ResumeHint)
	}
	return nil
}
