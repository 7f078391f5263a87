package arazzo

import (
	"regexp"
	"testing"
)

// isID accepts exactly what the specification's pattern for ids matches.
func TestIsIDMatchesPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)
	for _, s := range []string{"", "a", "Z", "0", "_", "-", "get-pet_2", "a b", "a.b", "a\n", "\na", "é", "a$", "[x]", "~", "`", "@", "/", ":", "{", "\x00", "a\u00a0"} {
		if got, want := isID(s), pattern.MatchString(s); got != want {
			t.Errorf("isID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
	for c := range 256 {
		s := string([]byte{byte(c)})
		if got, want := isID(s), pattern.MatchString(s); got != want {
			t.Errorf("isID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
