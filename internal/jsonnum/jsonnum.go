// Package jsonnum holds the JSON number grammar, shared by the expression
// evaluator and the request encoders. It imports nothing.
package jsonnum

// Valid reports whether s matches the JSON number grammar (RFC 8259 §6).
func Valid(s string) bool {
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
		return false
	}
	if i < len(s) && s[i] == '.' {
		start := i + 1
		if i = digits(s, start); i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		if i = digits(s, start); i == start {
			return false
		}
	}
	return i == len(s)
}

// digits returns the index after the run of decimal digits starting at i.
func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
