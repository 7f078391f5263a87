package report

import (
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/runtime"
)

// Line shows control characters as escapes and keeps a line from starting
// with a GitHub workflow command, whatever the indentation.
func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain ✓ text\twith a tab", "plain ✓ text\twith a tab"},
		{"\x1b[2Jclear", `\x1b[2Jclear`},
		{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`},
		{"a\nb\rc", `a\nb\rc`},
		{"::add-mask::x", `\x3a:add-mask::x`},
		{"      ::error::pwned", `      \x3a:error::pwned`},
		{"not :: at the start", "not :: at the start"},
		{"\u009b31m C1 CSI", `\u009b31m C1 CSI`},
		{"bad \xff byte", `bad \xff byte`},
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := xmlText("a\x1bb\x00\uFFFE\n"), `a\x1bb\x00\ufffe`+"\n"; got != want {
		t.Errorf("xmlText: %q, want %q", got, want)
	}
}

// A run stopped between steps (its step budget spent) does not pass, yet no
// step failed: the summary says it stopped, not "0 failed".
func TestSummaryOfAStoppedRun(t *testing.T) {
	for _, tc := range []struct {
		status runtime.Status
		steps  []runtime.Status
		want   string
	}{
		{runtime.StatusPassed, []runtime.Status{runtime.StatusPassed, runtime.StatusPassed}, "\nworkflow w passed: 2 step(s) passed, 0 failed in 1.50s\n"},
		{runtime.StatusFailed, []runtime.Status{runtime.StatusPassed, runtime.StatusFailed}, "\nworkflow w failed: 1 step(s) passed, 1 failed in 1.50s\n"},
		{runtime.StatusError, []runtime.Status{runtime.StatusPassed, runtime.StatusPassed, runtime.StatusPassed}, "\nworkflow w error: stopped after 3 step(s) passed in 1.50s\n"},
	} {
		rec := &Record{WorkflowID: "w", Status: tc.status, DurationMS: 1500}
		for _, st := range tc.steps {
			rec.Steps = append(rec.Steps, &Step{StepID: "s", Status: st})
		}
		var b strings.Builder
		if err := WriteSummary(&b, rec, false); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s run: %q, want %q", tc.status, b.String(), tc.want)
		}
	}
}
