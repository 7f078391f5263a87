package report

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// BatchCounts count the runs of a batch (one run of a workflow per line of
// inputs) that have ended.
type BatchCounts struct {
	Passed, Failed, Errors int
	// NotPassed are lines that did not pass, the first ones only when there
	// are many: the summary says when it lists fewer than there are.
	NotPassed []int
	// Elapsed is how long the batch has been running.
	Elapsed time.Duration
}

func (c BatchCounts) ended() int { return c.Passed + c.Failed + c.Errors }

// rate is the runs ended per second.
func (c BatchCounts) rate() float64 { return float64(c.ended()) / c.Elapsed.Seconds() }

// BatchSummary is the line that ends a batch: "batch: 12 run(s) in 1.20s
// (10/s): 11 passed, 1 failed, 0 error(s); not passed: line 7", and, when
// stopped, that it stopped before the end of its input.
func BatchSummary(c BatchCounts, stopped bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "batch: %d run(s) in %s (%.0f/s): %d passed, %d failed, %d error(s)", c.ended(), FormatDuration(c.Elapsed), c.rate(), c.Passed, c.Failed, c.Errors)
	if len(c.NotPassed) > 0 {
		lines := slices.Sorted(slices.Values(c.NotPassed))
		ls := make([]string, len(lines))
		for i, l := range lines {
			ls[i] = fmt.Sprint(l)
		}
		more := ""
		if len(lines) < c.Failed+c.Errors {
			more = ", …"
		}
		s := "s"
		if len(ls) == 1 {
			s = ""
		}
		fmt.Fprintf(&b, "; not passed: line%s %s%s", s, strings.Join(ls, ", "), more)
	}
	if stopped {
		b.WriteString("; stopped before the end of the input")
	}
	return b.String()
}

// BatchProgress is the line a terminal redraws while a batch runs: "7/12
// runs · 1 not passed · 10/s" (total < 0: the number of lines is not known;
// the rate once half a second has passed). Color paints the runs that did
// not pass red.
func BatchProgress(c BatchCounts, total int, color bool) string {
	s := fmt.Sprint(c.ended())
	if total >= 0 {
		s += fmt.Sprintf("/%d", total)
	}
	s += " runs"
	if n := c.Failed + c.Errors; n > 0 {
		s += painter(color).paint(sgrRed, fmt.Sprintf(" · %d not passed", n))
	}
	if c.Elapsed.Seconds() > 0.5 {
		s += fmt.Sprintf(" · %.0f/s", c.rate())
	}
	return s
}
