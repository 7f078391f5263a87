// Package jsonnum holds the JSON number grammar, shared by the expression
// evaluator, the request encoders and the response decoder. It imports
// nothing.
package jsonnum

// Valid reports whether s matches the JSON number grammar (RFC 8259 §6).
func Valid(s string) bool {
	n := Prefix(s)
	return n > 0 && n == len(s)
}

// Prefix returns the length of the number the JSON grammar reads at the
// start of s, reading as far as it can (what follows is the caller's to
// check), or -1 when the grammar fails first: no digit, "1.", "1e".
func Prefix(s string) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		start := i + 1
		if i = digits(s, start); i == start {
			return -1
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		if i = digits(s, start); i == start {
			return -1
		}
	}
	return i
}

// digits returns the index after the run of decimal digits starting at i.
func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
