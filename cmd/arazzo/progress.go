package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// progressPrinter prints one line per finished step, then the outputs. On a
// terminal it also shows the running step with a spinner (terminal.go).
type progressPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	secrets *runtime.Secrets
	verbose bool
	mock    bool // the mock enforces no security: do not warn about missing credentials
	d       display
	live    *liveLine // nil unless d.live
}

// newProgressPrinter draws live and in colour when w is a terminal.
func newProgressPrinter(w io.Writer, secrets *runtime.Secrets, verbose, mock bool) *progressPrinter {
	p := &progressPrinter{w: w, secrets: secrets, verbose: verbose, mock: mock, d: detectDisplay(w)}
	if p.d.live {
		p.live = newLiveLine(p.d, w, &p.mu)
	}
	return p
}

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
	m := masker{p.secrets}
	switch e.Kind {
	case runtime.EventStepStarted:
		if p.live != nil {
			label := indent(e.Depth) + e.StepID
			if e.Attempt > 1 {
				label += fmt.Sprintf(" (attempt %d)", e.Attempt)
			}
			p.live.begin(label)
		}
	case runtime.EventRequest:
		if p.live != nil && e.Request != nil {
			p.live.setDetail(e.Request.Method + " " + m.url(e.Request.URL, e.Request.Security))
		}
	case runtime.EventResponse:
		if p.verbose {
			for _, l := range exchangeLines(e, m) {
				p.println(l)
			}
		}
	case runtime.EventStepFinished:
		if p.live != nil {
			p.live.end()
		}
		p.println(p.paintStep(p.secrets.Mask(stepLine(e.Step)), e.Step))
		if p.verbose || e.Step.Status != runtime.StatusPassed {
			for _, c := range e.Step.Criteria {
				if p.verbose || !c.Pass {
					p.println(p.paintCriterion(p.secrets.Mask(criterionLine(e.Step.Depth, c)), c.Pass))
					if p.verbose {
						for _, l := range operandLines(e.Step.Depth, c, m) {
							p.println(p.d.paint(sgrDim, l))
						}
					}
				}
			}
		}
	case runtime.EventWarning:
		if !p.mock {
			p.println(p.d.paint(sgrYellow, "! "+p.secrets.Mask(e.Message)))
		}
	case runtime.EventAction:
		// Retries show as they happen; gotos and ends close the step's line.
		if strings.HasPrefix(e.Action, "retry") {
			line := fmt.Sprintf("%s  ↻ %s: %s", indent(e.Depth), e.StepID, e.Action)
			if e.Wait > 0 {
				line += fmt.Sprintf(", waiting %s before retrying", e.Wait.Round(time.Millisecond))
			}
			p.println(p.d.paint(sgrYellow, line))
		}
	}
}

// paintStep colours a step line's mark and status code.
func (p *progressPrinter) paintStep(line string, s *runtime.StepResult) string {
	if !p.d.color {
		return line
	}
	mark, sgr := "✓", sgrGreen
	if s.Status != runtime.StatusPassed {
		mark, sgr = "✗", sgrRed
	}
	return strings.Replace(line, mark, sgr+mark+sgrReset, 1)
}

func (p *progressPrinter) paintCriterion(line string, pass bool) string {
	if !p.d.color {
		return line
	}
	mark, sgr := "✓", sgrGreen
	if !pass {
		mark, sgr = "✗", sgrRed
	}
	return strings.Replace(line, mark, sgr+mark+sgrReset, 1)
}

// close stops the live display.
func (p *progressPrinter) close() {
	if p != nil && p.live != nil {
		p.live.close()
	}
}

func indent(depth int) string { return strings.Repeat("  ", depth) }

func stepLine(s *runtime.StepResult) string {
	mark := "✓"
	if s.Status != runtime.StatusPassed {
		mark = "✗"
	}
	code := "-"
	if s.StatusCode != 0 {
		code = fmt.Sprint(s.StatusCode)
	}
	line := fmt.Sprintf("%s%s %-20s %-48s %4s %8s", indent(s.Depth), mark, s.StepID, s.Operation, code, formatDuration(s.Duration))
	if s.Attempts > 1 {
		line += fmt.Sprintf("  (%d attempts)", s.Attempts)
	}
	if s.Action != "" {
		line += "  → " + s.Action
	}
	if s.Err != "" && s.Status != runtime.StatusPassed && len(s.Criteria) == 0 {
		line += "\n" + indent(s.Depth) + "    " + s.Err
	}
	return strings.TrimRight(line, " ")
}

func criterionLine(depth int, c runtime.CriterionResult) string {
	mark := "✓"
	if !c.Pass {
		mark = "✗"
	}
	s := fmt.Sprintf("%s    %s %s", indent(depth), mark, c.Condition)
	if c.Reason != "" {
		s += " — " + c.Reason
	}
	return s
}

// summary prints the outcome and the workflow outputs.
func (p *progressPrinter) summary(res *runtime.Result) {
	p.close()
	p.mu.Lock()
	defer p.mu.Unlock()
	passed, failed := 0, 0
	for _, s := range res.Steps {
		if s.Status == runtime.StatusPassed {
			passed++
		} else {
			failed++
		}
	}
	status := string(res.Status)
	if res.Status == runtime.StatusPassed {
		status = p.d.paint(sgrBold+sgrGreen, status)
	} else {
		status = p.d.paint(sgrBold+sgrRed, status)
	}
	fmt.Fprintf(p.w, "\nworkflow %s %s: %d step(s) passed, %d failed in %s\n", res.WorkflowID, status, passed, failed, formatDuration(res.Duration))
	if len(res.Outputs) == 0 {
		return
	}
	fmt.Fprintln(p.w, "\n"+p.d.paint(sgrBold, "outputs:"))
	for _, k := range sortedKeys(res.Outputs) {
		fmt.Fprintf(p.w, "  %s: %s\n", k, formatValue(res.Outputs[k]))
	}
}

// formatValue shows a value: strings as they are, the rest as JSON.
func formatValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// warningPrinter prints run warnings to stderr when stdout carries JSON.
type warningPrinter struct {
	w       io.Writer
	secrets *runtime.Secrets
	mock    bool
}

func (p *warningPrinter) Event(e *runtime.Event) {
	if e.Kind == runtime.EventWarning && !p.mock {
		fmt.Fprintln(p.w, "arazzo: "+p.secrets.Mask(e.Message))
	}
}

// formatDuration prints a duration with a precision that suits it: 0.42ms, 12ms, 1.25s.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
