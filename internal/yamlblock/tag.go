package yamlblock

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v4"
)

// plainTag is the tag YAML's core schema, as go.yaml.in/yaml/v4 applies it,
// resolves a plain scalar to.
func plainTag(s string) string {
	if s == "" {
		return "!!null"
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "~", "null", "Null", "NULL":
		return "!!null"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "-0", "-0.0":
		return "!!float"
	case "<<":
		return "!!merge"
	}
	switch c := s[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	case c == '+' || c == '-' || (c >= '0' && c <= '9'):
		return numberTag(s)
	}
	return "!!str"
}

// numberTag resolves a plain scalar that starts with a sign or a digit: a
// timestamp, an integer (any base strconv reads, _ between digits), or a
// float.
func numberTag(s string) string {
	if decimal(s) {
		return "!!int"
	}
	if timestamp(s) {
		return "!!timestamp"
	}
	digits := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(digits, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(strings.TrimPrefix(digits, "+"), 0, 64); err == nil {
		return "!!int"
	}
	if floatText.MatchString(digits) {
		if _, err := strconv.ParseFloat(digits, 64); err == nil {
			return "!!float"
		}
	}
	return "!!str"
}

// decimal reports whether s is a plain decimal integer, 0 or without a
// leading zero, short enough for an int64: the common case, without parsing.
func decimal(s string) bool {
	if len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var floatText = regexp.MustCompile(`^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$`)

// timestamp reports whether s is one of the timestamp forms the YAML
// resolver reads (four digits and a dash first).
func timestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	for _, layout := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// Scalar is the value of a scalar node by its resolved tag, as YAML 1.2's
// core schema (of which JSON is a part) reads it: nil, a bool, an int64
// (a float64 when it does not fit), a float64 (infinities and NaN too), or
// the text itself for a string and any other tag.
func Scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return b
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "!!float":
		switch strings.ToLower(n.Value) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f
		}
	}
	return n.Value
}
