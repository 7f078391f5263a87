package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// progressPrinter draws a run's progress on the terminal: the lines come from
// report.Progress (rendered from the run's record, masked); on a terminal the
// running step also shows with a spinner (terminal.go).
type progressPrinter struct {
	mu       sync.Mutex
	w        io.Writer
	secrets  *runtime.Secrets
	d        display
	live     *liveLine // nil unless d.live
	progress *report.Progress
	// stderr gets the run's warnings (os.Stderr when nil): they are
	// diagnostics, not progress, and stdout may be read by a program.
	stderr io.Writer
	mock   bool // the mock enforces no security: its missing credentials are no warning
}

// newProgressPrinter draws live and in colour when w is a terminal. It
// records the run into rec.
func newProgressPrinter(w io.Writer, rec *report.Recorder, secrets *runtime.Secrets, verbose, mock bool) *progressPrinter {
	p := &progressPrinter{w: w, secrets: secrets, d: detectDisplay(w), mock: mock}
	if p.d.live {
		p.live = newLiveLine(p.d, w, &p.mu)
	}
	p.progress = report.NewProgress(rec, p.println, report.ProgressOptions{Verbose: verbose, Color: p.d.color, NoWarnings: true})
	return p
}

// println prints a line; it is called with p.mu held.
func (p *progressPrinter) println(s string) {
	if p.live != nil {
		p.live.println(s)
		return
	}
	fmt.Fprintln(p.w, s)
}

func (p *progressPrinter) Event(e *runtime.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live != nil {
		switch e.Kind {
		case runtime.EventStepStarted:
			p.live.begin(report.Running(e, p.secrets))
		case runtime.EventRequest:
			if s := report.Running(e, p.secrets); s != "" {
				p.live.setDetail(s)
			}
		case runtime.EventStepFinished:
			p.live.end()
		}
	}
	if e.Kind == runtime.EventWarning && !mutedByMock(e, p.mock) {
		p.warn(e.Message + flagHint(e.Err))
	}
	p.progress.Event(e)
}

// warn prints a warning on stderr, above the running step's line when both
// go to the same terminal; it is called with p.mu held.
func (p *progressPrinter) warn(msg string) {
	w := p.stderr
	if w == nil {
		w = os.Stderr
	}
	if p.live != nil {
		p.live.clear()
		defer p.live.draw()
	}
	fmt.Fprintln(w, warningLine(p.secrets.Mask(msg)))
}

// warningLine is how a run's warning is printed on stderr.
func warningLine(msg string) string { return report.Line("arazzo: warning: " + msg) }

// close stops the live display.
func (p *progressPrinter) close() {
	if p != nil && p.live != nil {
		p.live.close()
	}
}

// summary prints the outcome and the workflow outputs of the record.
func (p *progressPrinter) summary(rec *report.Record) {
	p.close()
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = report.WriteSummary(p.w, rec, p.d.color)
}

// mutedByMock tells the warnings a run against the mock (--mock) does not
// print: that credentials are missing, which the mock does not check. Every
// other warning (a misspelt input, an AsyncAPI message) is the document's or
// the user's, and holds against the real API too.
func mutedByMock(e *runtime.Event, mock bool) bool {
	var ce *runtime.CredentialsError
	return mock && errors.As(e.Err, &ce)
}

// warningPrinter prints run warnings to stderr when stdout carries JSON.
type warningPrinter struct {
	w       io.Writer
	secrets *runtime.Secrets
	mock    bool
}

func (p *warningPrinter) Event(e *runtime.Event) {
	if e.Kind == runtime.EventWarning && !mutedByMock(e, p.mock) {
		fmt.Fprintln(p.w, warningLine(p.secrets.Mask(e.Message)+flagHint(e.Err)))
	}
}
