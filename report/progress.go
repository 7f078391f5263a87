package report

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// ANSI SGR sequences, for Color.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
)

type painter bool

func (p painter) paint(sgr, s string) string {
	if !p || s == "" {
		return s
	}
	return sgr + s + sgrReset
}

// paintMark colours the first ✓ or ✗ of a line.
func (p painter) paintMark(line string, pass bool) string {
	if !p {
		return line
	}
	mark, sgr := "✓", sgrGreen
	if !pass {
		mark, sgr = "✗", sgrRed
	}
	return strings.Replace(line, mark, sgr+mark+sgrReset, 1)
}

// ProgressOptions say what a Progress shows.
type ProgressOptions struct {
	// Verbose shows every exchange, and every criterion with the values it saw;
	// otherwise a failed step shows its failed success criteria only.
	Verbose bool
	// Color paints marks and retries with ANSI colours (for a terminal).
	Color bool
	// NoWarnings leaves the run's warnings out.
	NoWarnings bool
}

// Progress renders a run as it goes, line by line: one line per finished
// step, each retry as it happens, warnings, and with Verbose each exchange and
// criterion. It records the run into its Recorder and renders from the
// record, masked with the secrets known at that moment: observe the run with
// the Progress (observing it with the Recorder as well does no harm).
type Progress struct {
	mu   sync.Mutex
	rec  *Recorder
	out  func(line string)
	opts ProgressOptions
	p    painter
}

// NewProgress returns a Progress that records into rec and prints each line
// with out (called with one line at a time, without a line break; lines from
// one event are printed in a row).
func NewProgress(rec *Recorder, out func(line string), opts ProgressOptions) *Progress {
	return &Progress{rec: rec, out: out, opts: opts, p: painter(opts.Color)}
}

// Event implements runtime.Observer.
func (p *Progress) Event(e *runtime.Event) {
	p.rec.Event(e)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case runtime.EventResponse:
		if p.opts.Verbose {
			_, x := p.rec.view()
			for _, l := range ExchangeLines(e.Depth, x) {
				p.out(Line(l))
			}
		}
	case runtime.EventStepFinished:
		st, _ := p.rec.view()
		if st == nil {
			return
		}
		for _, l := range StepLines(st) {
			p.out(p.p.paintMark(Line(l), st.Status == runtime.StatusPassed))
		}
		if !p.opts.Verbose && st.Status == runtime.StatusPassed {
			return
		}
		for _, c := range st.Criteria {
			if !p.opts.Verbose && c.Attempt != st.Attempts && st.Attempts > 0 {
				// An earlier attempt's: the retry lines said it failed.
				continue
			}
			if !p.opts.Verbose && (c.Pass || c.Action != "") {
				continue
			}
			p.out(p.p.paintMark(Line(CriterionLine(st.Depth, c)), c.Pass))
			if p.opts.Verbose {
				for _, l := range OperandLines(st.Depth, c) {
					p.out(p.p.paint(sgrDim, Line(l)))
				}
			}
		}
	case runtime.EventWarning:
		if !p.opts.NoWarnings {
			p.out(p.p.paint(sgrYellow, Line("! "+p.rec.mask(e.Message))))
		}
	case runtime.EventAction:
		// Retries show as they happen; gotos and ends close the step's line.
		if strings.HasPrefix(e.Action, "retry") {
			line := fmt.Sprintf("%s  ↻ %s: %s", indent(e.Depth), e.StepID, p.rec.mask(e.Action))
			if e.Wait > 0 {
				line += fmt.Sprintf(", waiting %s before retrying", e.Wait.Round(time.Millisecond))
			}
			p.out(p.p.paint(sgrYellow, Line(line)))
		}
	}
}

// Running is what a terminal shows of a run between its progress lines: for
// the start of a step, its id (indented by depth, with the attempt after the
// first); for a request, its method and URL, masked with secrets. It is ""
// for the other events.
func Running(e *runtime.Event, secrets *runtime.Secrets) string {
	switch e.Kind {
	case runtime.EventStepStarted:
		label := indent(e.Depth) + e.StepID
		if e.Attempt > 1 {
			label += fmt.Sprintf(" (attempt %d)", e.Attempt)
		}
		return Line(label)
	case runtime.EventRequest:
		if e.Request != nil {
			return Line(e.Request.Method + " " + secrets.MaskURL(e.Request.URL, e.Request.Security))
		}
	}
	return ""
}
