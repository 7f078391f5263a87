package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/internal/show"
	"github.com/arazzo-run/arazzo/runtime"
)

// The text lines a run prints as it goes (Progress) and its summary
// (WriteSummary). Everything they show comes from the record, masked, and
// goes through Line, so that text from a document or a response cannot drive
// the terminal or a CI log.

// verboseBodyLimit caps each body the verbose lines show.
const verboseBodyLimit = 4 << 10

// Line makes one line of untrusted text safe to print on a terminal or in a
// CI log: control characters are shown as escapes (\x1b, \n, \r; a tab
// stays), and a line never starts with "::" (a GitHub Actions workflow
// command such as ::add-mask:: or ::stop-commands::): its first colon is
// shown as \x3a.
func Line(s string) string {
	s = escape(s, func(r rune) bool {
		// C0 and C1 controls (ESC, CSI and OSC as single characters), line breaks.
		return r == '\t' || (r >= 0x20 && r != 0x7f && (r < 0x80 || r >= 0xa0) && r != '\u2028' && r != '\u2029')
	})
	if t := strings.TrimLeft(s, " \t"); strings.HasPrefix(t, "::") {
		at := len(s) - len(t)
		s = s[:at] + `\x3a` + s[at+1:]
	}
	return s
}

// Lines is Line for a text of several lines (an error that lists problems):
// each line is made safe, the line breaks stay.
func Lines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Line(l)
	}
	return strings.Join(lines, "\n")
}

// escape writes the characters of s that keep refuses as escapes: \n, \r,
// \xHH (a byte that is not UTF-8, an ASCII control), \uHHHH.
func escape(s string, keep func(rune) bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !keep(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keep(r):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

func indent(depth int) string { return strings.Repeat("  ", depth) }

// FormatDuration prints a duration with a precision that suits it: 0ms,
// <0.01ms, 0.42ms, 12ms, 1.25s.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0ms" // nothing was timed (a replayed step), not a measure rounded away
	case d < 10*time.Microsecond:
		return "<0.01ms"
	case d < time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func fromMS(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// FormatValue shows a value as the text output does: a string as it is, the
// rest as JSON. The result may hold control characters: print it with Line.
func FormatValue(v any) string { return show.Value(v) }

// StepLines are the lines of a finished step execution: its mark, id,
// operation, status code, duration, attempts and the action that left it,
// then, when it failed without a criterion to say why, its error.
func StepLines(s *Step) []string {
	mark := "✓"
	if s.Status != runtime.StatusPassed {
		mark = "✗"
	}
	code := "-"
	if s.StatusCode != 0 {
		code = strconv.Itoa(s.StatusCode)
	}
	line := fmt.Sprintf("%s%s %-20s %-48s %4s %8s", indent(s.Depth), mark, s.StepID, s.Operation, code, FormatDuration(fromMS(s.DurationMS)))
	if s.Attempts > 1 {
		line += fmt.Sprintf("  (%d attempts)", s.Attempts)
	}
	if s.Action != "" {
		line += "  → " + s.Action
	}
	lines := []string{strings.TrimRight(line, " ")}
	if s.Error != "" && s.Status != runtime.StatusPassed && !hasSuccessCriteria(s) {
		lines = append(lines, indent(s.Depth)+"    "+s.Error)
	}
	return lines
}

func hasSuccessCriteria(s *Step) bool {
	for _, c := range s.Criteria {
		if c.Action == "" {
			return true
		}
	}
	return false
}

// CriterionLine is a criterion as evaluated: its mark, condition and reason,
// and the action it belongs to.
func CriterionLine(depth int, c Criterion) string {
	mark := "✓"
	if !c.Pass {
		mark = "✗"
	}
	s := fmt.Sprintf("%s    %s %s", indent(depth), mark, c.Condition)
	if c.Reason != "" {
		s += " — " + c.Reason
	}
	if c.Action != "" {
		s += " (action " + c.Action + ")"
	}
	return s
}

// OperandLines show the values a criterion saw.
func OperandLines(depth int, c Criterion) []string {
	var out []string
	for _, o := range c.Operands {
		v := "(no value)"
		if !o.Missing {
			v = truncate(compact(o.Value), 300)
		}
		out = append(out, fmt.Sprintf("%s        %s = %s", indent(depth), o.Expr, v))
	}
	return out
}

// ExchangeLines show an HTTP exchange: the request as sent (credentials
// masked), then the response or why none came.
func ExchangeLines(depth int, x *Exchange) []string {
	if x == nil || x.Request == nil {
		return nil
	}
	pad := indent(depth) + "    "
	req := x.Request
	lines := []string{fmt.Sprintf("%s→ %s %s", pad, req.Method, req.URL)}
	lines = append(lines, headerLines(pad+"  ", req.Headers)...)
	lines = append(lines, bodyLines(pad+"  ", req.Body)...)
	if x.Response == nil {
		kind := ""
		if x.ErrorKind != "" {
			kind = " (" + x.ErrorKind + ")"
		}
		return append(lines, fmt.Sprintf("%s← no response after %s: %s%s", pad, FormatDuration(fromMS(x.DurationMS)), x.Error, kind))
	}
	resp := x.Response
	lines = append(lines, fmt.Sprintf("%s← %d %s (%s)", pad, resp.Status, http.StatusText(resp.Status), FormatDuration(fromMS(x.DurationMS))))
	lines = append(lines, headerLines(pad+"  ", resp.Headers)...)
	return append(lines, bodyLines(pad+"  ", resp.Body)...)
}

func headerLines(pad string, h http.Header) []string {
	var out []string
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			out = append(out, fmt.Sprintf("%s%s: %s", pad, k, v))
		}
	}
	return out
}

// bodyLines show a body up to verboseBodyLimit: JSON indented, text as is,
// anything else as its size.
func bodyLines(pad string, b *Body) []string {
	if b == nil || b.Size == 0 {
		return nil
	}
	if b.Encoding != "" {
		return []string{fmt.Sprintf("%s(%d bytes of %s)", pad, b.Size, orUnknown(b.MimeType))}
	}
	text := b.Text
	if !b.Truncated && json.Valid([]byte(text)) {
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(text), "", "  ") == nil {
			text = buf.String()
		}
	}
	cut := ""
	if len(text) > verboseBodyLimit || b.Truncated {
		cut = fmt.Sprintf("… (%d bytes in all)", b.Size)
		text = truncateBytes(text, verboseBodyLimit)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		out = append(out, pad+l)
	}
	if cut != "" {
		out = append(out, pad+cut)
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "data"
	}
	return s
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// truncate cuts s to n bytes and says how long it was.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return truncateBytes(s, n) + fmt.Sprintf("… (%d bytes)", len(s))
}

// compact shows a value on one line: a string quoted, the rest as JSON.
func compact(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// WriteSummary writes the outcome of the run and its outputs, as the text
// output ends: "workflow ID passed: 3 step(s) passed, 0 failed in 1.20s"
// ("workflow ID error: stopped after 3 step(s) passed in 1.20s" for a run
// that ended between steps), then each output. The outputs are the record's: pass rec.WithOutputs(...)
// to show the ones handed over.
func WriteSummary(w io.Writer, rec *Record, color bool) error {
	passed, failed := 0, 0
	for _, s := range rec.Steps {
		if s.Status == runtime.StatusPassed {
			passed++
		} else {
			failed++
		}
	}
	p := painter(color)
	status := p.paint(sgrBold+sgrRed, string(rec.Status))
	if rec.Status == runtime.StatusPassed {
		status = p.paint(sgrBold+sgrGreen, string(rec.Status))
	}
	var b strings.Builder
	counts := fmt.Sprintf("%d step(s) passed, %d failed", passed, failed)
	if failed == 0 && rec.Status != runtime.StatusPassed {
		// Stopped between steps (a step budget, a timeout, a signal): no step failed, yet the run did not pass.
		counts = fmt.Sprintf("stopped after %d step(s) passed", passed)
	}
	fmt.Fprintf(&b, "\nworkflow %s %s: %s in %s\n", Line(rec.WorkflowID), status, counts, FormatDuration(fromMS(rec.DurationMS)))
	if len(rec.Outputs) > 0 {
		fmt.Fprintln(&b, "\n"+p.paint(sgrBold, "outputs:"))
		for _, k := range sortedKeys(rec.Outputs) {
			fmt.Fprintln(&b, Line(fmt.Sprintf("  %s: %s", k, FormatValue(rec.Outputs[k]))))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
