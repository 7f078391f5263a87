package report

import "testing"

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
