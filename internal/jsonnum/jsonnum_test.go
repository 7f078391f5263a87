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
