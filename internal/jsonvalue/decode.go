// Package jsonvalue decodes a JSON text into the generic values
// encoding/json's Decoder gives with UseNumber: map[string]any, []any,
// string, json.Number, bool and nil. It reads the text in one pass, where
// encoding/json scans it once to validate and again to build, and the strings
// that need no unescaping are slices of a single copy of the text rather than
// one allocation each (in texts up to SharedMax bytes). A response body is decoded on every step, so this is
// on the runtime's per-step path.
//
// Decode answers only for texts it reads exactly as encoding/json would; it
// reports false for anything else (every error, nesting deeper than
// MaxDepth), and the caller then asks encoding/json, whose answer stands. So
// Decode never accepts what encoding/json rejects, and never gives a different
// value: FuzzDecode checks both against encoding/json.
package jsonvalue

import (
	"encoding/json"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/internal/jsonnum"
)

// MaxDepth is the deepest nesting of arrays and objects Decode reads; deeper
// texts are left to encoding/json (whose own limit is 10,000).
const MaxDepth = 512

// SharedMax is the longest text whose strings are slices of one copy of it.
// A string kept from a value (a step output, a criterion's operand) keeps the
// whole copy alive: at most this many bytes. A longer text's strings are
// copies of their own, as encoding/json makes them.
const SharedMax = 8 << 10

// Decode returns the value of data, which must hold exactly one JSON value
// with optional whitespace around it, and true; or nil and false when data is
// not such a text or is outside what Decode reads (see the package comment).
func Decode(data []byte) (any, bool) {
	d := decoder{src: string(data), own: len(data) > SharedMax}
	d.space()
	v, ok := d.value()
	if !ok {
		return nil, false
	}
	d.space()
	if d.i != len(d.src) {
		return nil, false
	}
	return v, true
}

type decoder struct {
	src   string
	i     int
	depth int
	stack []any // array elements being read, shared by nested arrays
	buf   []byte
	own   bool // strings are copies, not slices of src (see SharedMax)
}

func (d *decoder) space() {
	for d.i < len(d.src) {
		switch d.src[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, bool) {
	if d.i >= len(d.src) {
		return nil, false
	}
	switch c := d.src[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, ok := d.string()
		if !ok {
			return nil, false
		}
		return s, true
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		n, ok := d.number()
		if !ok {
			return nil, false
		}
		return n, true
	}
	return nil, false
}

func (d *decoder) literal(word string) bool {
	if len(d.src)-d.i < len(word) || d.src[d.i:d.i+len(word)] != word {
		return false
	}
	d.i += len(word)
	return true
}

// open enters the array or object whose opening bracket is at d.i, and
// reports whether it is empty (closed at once) and whether it may be read.
func (d *decoder) open(closer byte) (empty, ok bool) {
	if d.depth++; d.depth > MaxDepth {
		return false, false
	}
	d.i++
	d.space()
	if d.i < len(d.src) && d.src[d.i] == closer {
		d.i++
		d.depth--
		return true, true
	}
	return false, true
}

// next reads what follows a member or element: a comma (more follows) or
// the closing bracket (the array or object is left).
func (d *decoder) next(closer byte) (more, ok bool) {
	d.space()
	if d.i >= len(d.src) {
		return false, false
	}
	switch d.src[d.i] {
	case ',':
		d.i++
		d.space()
		return true, true
	case closer:
		d.i++
		d.depth--
		return false, true
	}
	return false, false
}

func (d *decoder) object() (any, bool) {
	empty, ok := d.open('}')
	if !ok {
		return nil, false
	}
	m := make(map[string]any)
	for more := !empty; more; {
		if d.i >= len(d.src) || d.src[d.i] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.src) || d.src[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.space()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k] = v // a repeated name keeps its last value, as encoding/json does
		if more, ok = d.next('}'); !ok {
			return nil, false
		}
	}
	return m, true
}

func (d *decoder) array() (any, bool) {
	empty, ok := d.open(']')
	if !ok {
		return nil, false
	}
	base := len(d.stack)
	for more := !empty; more; {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		d.stack = append(d.stack, v)
		if more, ok = d.next(']'); !ok {
			return nil, false
		}
	}
	out := make([]any, len(d.stack)-base)
	copy(out, d.stack[base:])
	clear(d.stack[base:])
	d.stack = d.stack[:base]
	return out, true
}

// number reads a number of the JSON grammar (RFC 8259 §6) and returns its
// text; what follows it is the caller's to check.
func (d *decoder) number() (json.Number, bool) {
	n := jsonnum.Prefix(d.src[d.i:])
	if n < 0 {
		return "", false
	}
	text := d.src[d.i : d.i+n]
	d.i += n
	if d.own {
		text = strings.Clone(text)
	}
	return json.Number(text), true
}

// string reads a quoted string. One without escapes and in valid UTF-8 is a
// slice of the text (of a text up to SharedMax bytes; a copy of its own in a
// longer one); any other is built in d.buf: escapes decoded, a UTF-16
// surrogate pair joined, a lone surrogate and each byte of invalid UTF-8
// replaced by U+FFFD, all as encoding/json does.
func (d *decoder) string() (string, bool) {
	s := d.src
	start := d.i + 1
	i := start
	for i < len(s) {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			if d.own {
				return strings.Clone(s[start:i]), true
			}
			return s[start:i], true
		case c == '\\':
			return d.unquote(start, i)
		case c < ' ':
			return "", false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return d.unquote(start, i)
			}
			i += size
		}
	}
	return "", false
}

// unquote finishes a string from i, the first byte that cannot be kept as
// is; s[start:i] is kept.
func (d *decoder) unquote(start, i int) (string, bool) {
	s := d.src
	b := append(d.buf[:0], s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.buf = b
			return string(b), true
		case c < ' ':
			return "", false
		case c == '\\':
			if i+1 >= len(s) {
				return "", false
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(s, i+2)
				if r < 0 {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A pair only when a second \u escape follows and joins
					// with the first; else U+FFFD, and whatever follows is
					// read on its own.
					r2 := rune(-1)
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = hex4(s, i+2)
					}
					if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
						r = p
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", false
			}
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // invalid UTF-8: U+FFFD for each byte
			i += size
		}
	}
	return "", false
}

// plain marks the bytes a string keeps as they are without a second look:
// ASCII other than control characters, the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hex4 returns the value of the four hex digits at s[i:], or -1.
func hex4(s string, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
