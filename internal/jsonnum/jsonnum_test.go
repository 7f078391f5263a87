package jsonnum

import "testing"

func TestValid(t *testing.T) {
	valid := []string{"0", "-0", "1", "-12", "1.5", "0.25", "1e5", "1E+5", "2.5e-3"}
	invalid := []string{"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x1", "NaN", "1 "}
	for _, s := range valid {
		if !Valid(s) {
			t.Errorf("Valid(%q) = false", s)
		}
	}
	for _, s := range invalid {
		if Valid(s) {
			t.Errorf("Valid(%q) = true", s)
		}
	}
}

func TestPrefix(t *testing.T) {
	for s, want := range map[string]int{
		"0": 1, "-12,": 3, "1.5]": 3, "2.5e-3}": 6, "01": 1, "1 ": 1, "0x1": 1,
		"": -1, "-": -1, "1.": -1, "1.x": -1, "1e": -1, "1e+": -1, ".5": -1, "+1": -1, "NaN": -1,
	} {
		if got := Prefix(s); got != want {
			t.Errorf("Prefix(%q) = %d, want %d", s, got, want)
		}
	}
}
