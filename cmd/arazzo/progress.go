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

// progressPrinter prints one line per finished step, then the outputs.
type progressPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	secrets *runtime.Secrets
	verbose bool
	mock    bool // the mock enforces no security: do not warn about missing credentials
}

func (p *progressPrinter) Event(e *runtime.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case runtime.EventStepFinished:
		fmt.Fprintln(p.w, p.secrets.Mask(stepLine(e.Step)))
		if p.verbose || e.Step.Status != runtime.StatusPassed {
			for _, c := range e.Step.Criteria {
				if p.verbose || !c.Pass {
					fmt.Fprintln(p.w, p.secrets.Mask(criterionLine(e.Step.Depth, c)))
				}
			}
		}
	case runtime.EventWarning:
		if !p.mock {
			fmt.Fprintln(p.w, "! "+p.secrets.Mask(e.Message))
		}
	case runtime.EventRetryWait:
		fmt.Fprintf(p.w, "%s  ↻ %s: waiting %s before retrying\n", indent(e.Depth), e.StepID, e.Wait.Round(time.Millisecond))
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
	fmt.Fprintf(p.w, "\nworkflow %s %s: %d step(s) passed, %d failed in %s\n", res.WorkflowID, res.Status, passed, failed, formatDuration(res.Duration))
	if len(res.Outputs) == 0 {
		return
	}
	fmt.Fprintln(p.w, "\noutputs:")
	for _, k := range sortedKeys(res.Outputs) {
		fmt.Fprintf(p.w, "  %s: %s\n", k, formatValue(res.Outputs[k]))
	}
}

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
