package main

import (
	"fmt"
	"io"
	"strings"
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
}

// newProgressPrinter draws live and in colour when w is a terminal. It
// records the run into rec.
func newProgressPrinter(w io.Writer, rec *report.Recorder, secrets *runtime.Secrets, verbose, mock bool) *progressPrinter {
	p := &progressPrinter{w: w, secrets: secrets, d: detectDisplay(w)}
	if p.d.live {
		p.live = newLiveLine(p.d, w, &p.mu)
	}
	// The mock enforces no security: its missing credentials are no warning.
	p.progress = report.NewProgress(rec, p.println, report.ProgressOptions{Verbose: verbose, Color: p.d.color, NoWarnings: mock})
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
			label := indent(e.Depth) + e.StepID
			if e.Attempt > 1 {
				label += fmt.Sprintf(" (attempt %d)", e.Attempt)
			}
			p.live.begin(report.Line(label))
		case runtime.EventRequest:
			if e.Request != nil {
				p.live.setDetail(report.Line(e.Request.Method + " " + p.secrets.MaskURL(e.Request.URL, e.Request.Security)))
			}
		case runtime.EventStepFinished:
			p.live.end()
		}
	}
	p.progress.Event(e)
}

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

func indent(depth int) string { return strings.Repeat("  ", depth) }

// warningPrinter prints run warnings to stderr when stdout carries JSON.
type warningPrinter struct {
	w       io.Writer
	secrets *runtime.Secrets
	mock    bool
}

func (p *warningPrinter) Event(e *runtime.Event) {
	if e.Kind == runtime.EventWarning && !p.mock {
		fmt.Fprintln(p.w, report.Line("arazzo: "+p.secrets.Mask(e.Message)))
	}
}
