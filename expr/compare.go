package expr

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ckind classifies a value inside a simple condition.
type ckind uint8

const (
	cNull ckind = iota
	cBool
	cNum
	cStr
	cStruct // object, array or any other non-scalar
)

// cval is a classified value. Literals are classified once, at parse time.
type cval struct {
	k   ckind
	b   bool
	n   number
	s   string
	raw any // cStruct: the value itself (for messages)
}

func stringVal(s string) cval { return cval{k: cStr, s: s} }

// classify converts a resolved value without allocating.
func classify(v any) cval {
	switch x := v.(type) {
	case nil:
		return cval{k: cNull}
	case bool:
		return cval{k: cBool, b: x}
	case string:
		return cval{k: cStr, s: x}
	case int:
		return cval{k: cNum, n: intNumber(int64(x))}
	case int64:
		return cval{k: cNum, n: intNumber(x)}
	case float64:
		return cval{k: cNum, n: floatNumber(x)}
	}
	if n, ok := toNumber(v); ok {
		return cval{k: cNum, n: n}
	}
	return cval{k: cStruct, raw: v}
}

// value converts back to a Go value (for messages and Outcome operands).
func (c cval) value() any {
	switch c.k {
	case cBool:
		return c.b
	case cNum:
		switch {
		case c.n.isInt:
			return c.n.i
		case c.n.text != "":
			return json.Number(c.n.text) // as written: every digit
		}
		return c.n.f
	case cStr:
		return c.s
	case cStruct:
		return c.raw
	}
	return nil
}

// compare applies op to a and b with the simple-condition rules. ok is false
// when the values cannot be compared with op (the condition then fails with
// an error).
//
//   - null equals only null; null cannot be ordered.
//   - numbers compare numerically; a string that is a JSON number compares
//     numerically with a number.
//   - strings compare case-insensitively (Unicode simple case folding).
//   - booleans compare with booleans, with == and != only.
//   - objects and arrays compare only with null, with == and !=.
func compare(op tokKind, a, b cval) (result, ok bool) {
	if a.k == cNull || b.k == cNull {
		switch op {
		case tEq:
			return a.k == b.k, true
		case tNe:
			return a.k != b.k, true
		}
		return false, false
	}
	var c int
	switch {
	case a.k == cNum && b.k == cNum:
		c = cmpNumbers(a.n, b.n)
	case a.k == cNum && b.k == cStr:
		bn, isNum := parseNumber(b.s)
		if !isNum {
			return false, false
		}
		c = cmpNumbers(a.n, bn)
	case a.k == cStr && b.k == cNum:
		an, isNum := parseNumber(a.s)
		if !isNum {
			return false, false
		}
		c = cmpNumbers(an, b.n)
	case a.k == cStr && b.k == cStr:
		if op == tEq || op == tNe {
			return strings.EqualFold(a.s, b.s) == (op == tEq), true
		}
		c = compareFold(a.s, b.s)
	case a.k == cBool && b.k == cBool:
		switch op {
		case tEq:
			return a.b == b.b, true
		case tNe:
			return a.b != b.b, true
		}
		return false, false
	default:
		return false, false
	}
	switch op {
	case tEq:
		return c == 0, true
	case tNe:
		return c != 0, true
	case tLt:
		return c == -1, true
	case tLe:
		return c == -1 || c == 0, true
	case tGt:
		return c == 1, true
	case tGe:
		return c == 1 || c == 0, true
	}
	return false, false
}

// incompatibleMsg explains why compare returned !ok (slow path).
func incompatibleMsg(op tokKind, a, b cval) string {
	switch {
	case a.k == cNull || b.k == cNull:
		return "null cannot be ordered with " + opText[op] + " (null compares only with == and !=)"
	case a.k == cBool && b.k == cBool:
		return "booleans cannot be ordered with " + opText[op]
	case a.k == cStruct || b.k == cStruct:
		return "cannot compare " + typeName(a.value()) + " " + describeValue(a.value()) + " with " +
			typeName(b.value()) + " " + describeValue(b.value()) + " (objects and arrays compare only with null, using == or !=)"
	}
	return "cannot compare " + typeName(a.value()) + " " + describeValue(a.value()) + " with " +
		typeName(b.value()) + " " + describeValue(b.value())
}

// compareFold orders strings by Unicode simple case folding, consistently
// with strings.EqualFold. It does not allocate.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := rune(a[0]), 1
		if ra >= utf8.RuneSelf {
			ra, na = utf8.DecodeRuneInString(a)
		}
		rb, nb := rune(b[0]), 1
		if rb >= utf8.RuneSelf {
			rb, nb = utf8.DecodeRuneInString(b)
		}
		if fa, fb := foldRune(ra), foldRune(rb); fa != fb {
			if fa < fb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// foldRune maps r to the smallest rune of its simple case-folding orbit.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}
