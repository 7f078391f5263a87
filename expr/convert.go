package expr

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/internal/jsonnum"
)

// typeName names the JSON type of v for messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if _, ok := toNumber(v); ok {
		return "number"
	}
	return "value"
}

// number is a numeric value: an exact integer when isInt, else a float.
// f is always set. text is the JSON text of a number that is not an int64
// (12345678901234567890, 0.1): numbers compare by it exactly, and messages
// show it as written.
type number struct {
	i     int64
	f     float64
	isInt bool
	text  string
}

func intNumber(i int64) number { return number{i: i, f: float64(i), isInt: true} }

// toNumber converts the numeric Go types a YAML or JSON decoder produces.
func toNumber(v any) (number, bool) {
	switch n := v.(type) {
	case int:
		return intNumber(int64(n)), true
	case int64:
		return intNumber(n), true
	case float64:
		return floatNumber(n), true
	case json.Number:
		return parseNumber(string(n))
	case int32:
		return intNumber(int64(n)), true
	case int16:
		return intNumber(int64(n)), true
	case int8:
		return intNumber(int64(n)), true
	case uint:
		return uintNumber(uint64(n)), true
	case uint64:
		return uintNumber(n), true
	case uint32:
		return intNumber(int64(n)), true
	case uint16:
		return intNumber(int64(n)), true
	case uint8:
		return intNumber(int64(n)), true
	case float32:
		return floatNumber(float64(n)), true
	}
	return number{}, false
}

func uintNumber(u uint64) number {
	if u <= math.MaxInt64 {
		return intNumber(int64(u))
	}
	return number{f: float64(u)}
}

// floatNumber keeps integral floats exact so that 200.0 == 200 compares as
// integers.
func floatNumber(f float64) number {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return intNumber(int64(f))
	}
	return number{f: f}
}

// parseNumber parses a JSON number; it does not allocate.
func parseNumber(s string) (number, bool) {
	if !jsonnum.Valid(s) {
		return number{}, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return intNumber(i), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return number{}, false
	}
	n := floatNumber(f)
	if !n.isInt {
		n.text = s
	}
	return n, true
}

// cmpNumbers returns -1, 0 or 1, or 2 when the numbers are unordered (NaN).
// Integers compare as integers; a number written in JSON that is not an
// int64 compares by its exact value, not its nearest float64
// (12345678901234567890 < 12345678901234567891, 0.1 < 0.10000000000000001).
func cmpNumbers(a, b number) int {
	if a.isInt && b.isInt {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	if a.text != "" || b.text != "" {
		if x, ok := a.exact(); ok {
			if y, ok := b.exact(); ok {
				return x.Cmp(y)
			}
		}
	}
	switch {
	case a.f < b.f:
		return -1
	case a.f > b.f:
		return 1
	case a.f == b.f:
		return 0
	}
	return 2
}

// maxExactExponent and maxExactDigits bound the numbers compared exactly:
// beyond them (1e400, a thousand digits) their float64 values are compared,
// so that no text makes a comparison costly.
const (
	maxExactExponent = 400
	maxExactDigits   = 1000
)

// exact is the exact value of n, when it can be had cheaply.
func (n number) exact() (*big.Rat, bool) {
	switch {
	case n.isInt:
		return new(big.Rat).SetInt64(n.i), true
	case n.text != "" && len(n.text) <= maxExactDigits:
		if i := strings.IndexAny(n.text, "eE"); i >= 0 {
			if e, err := strconv.Atoi(n.text[i+1:]); err != nil || e > maxExactExponent || e < -maxExactExponent {
				return nil, false
			}
		}
		return new(big.Rat).SetString(n.text)
	case math.IsInf(n.f, 0) || math.IsNaN(n.f):
		return nil, false
	}
	return new(big.Rat).SetFloat64(n.f), true
}

// appendFloat formats f like encoding/json does: no exponent for ordinary
// magnitudes and no trailing ".0" for integral values.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendText appends v converted to text by the Arazzo 1.1 embedding rules:
// strings as is, numbers without quotes (integral floats without ".0"),
// true/false, null as "null", objects and arrays as compact JSON.
func appendText(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return append(b, x...), nil
	case []byte:
		return append(b, x...), nil
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case json.Number:
		return append(b, x...), nil
	case float64:
		return appendFloat(b, x), nil
	case float32:
		return appendFloat(b, float64(x)), nil
	case map[string]any, []any:
		return appendJSON(b, v)
	}
	if n, ok := toNumber(v); ok {
		switch {
		case n.isInt:
			return strconv.AppendInt(b, n.i, 10), nil
		case n.text != "":
			return append(b, n.text...), nil
		}
		return appendFloat(b, n.f), nil
	}
	return appendJSON(b, v)
}

// toText converts v to text (see appendText).
func toText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := appendText(nil, v)
	return string(b), err
}

// appendJSON appends the compact JSON encoding of v without HTML escaping.
func appendJSON(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

// describeValue renders v for human-readable reasons: strings quoted,
// structures as JSON cut to about 80 bytes.
func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 80 {
			return strconv.Quote(truncate(x, 80)) + "..."
		}
		return strconv.Quote(x)
	case map[string]any, []any:
		b, err := appendJSON(nil, v)
		if err != nil {
			return typeName(v)
		}
		if len(b) > 80 {
			return truncate(string(b), 80) + "..."
		}
		return string(b)
	}
	b, err := appendText(nil, v)
	if err != nil {
		return typeName(v)
	}
	return string(b)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// deepCopy returns v with every map and slice copied, so the caller may
// mutate the result without touching the original.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
