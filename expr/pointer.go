package expr

import (
	"strconv"
	"strings"
)

// ptrToken is one decoded RFC 6901 reference token. index is the array
// index the token denotes, or -1 when it is not a valid array index
// ("0" or a digit string without leading zero; "-" is never an index).
type ptrToken struct {
	key   string
	index int
}

// pointer is a pre-split JSON pointer (RFC 6901). The empty pointer refers to
// the whole value.
type pointer []ptrToken

func newPtrToken(key string) ptrToken {
	return ptrToken{key: key, index: arrayIndex(key)}
}

// arrayIndex implements RFC 6901 array-index = %x30 / ( %x31-39 *(%x30-39) ).
func arrayIndex(s string) int {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		if n > (1<<31)/10 {
			return -1 // far beyond any array we can hold; treat as no index
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// parsePointer reads a json-pointer = *( "/" reference-token ) from
// src[start:end], stopping early at a byte for which stop returns true (nil:
// never). It returns the decoded tokens and the offset after the pointer.
//
//	reference-token = *( unescaped / escaped )
//	unescaped       = %x00-2E / %x30-7A / %x7C / %x7F-10FFFF  ; no / { } ~
//	escaped         = "~" ( "0" / "1" )
func parsePointer(src string, start, end int, stop func(byte) bool) (pointer, int, error) {
	i := start
	if i < end && src[i] != '/' && (stop == nil || !stop(src[i])) {
		return nil, i, syntaxErr(src, i, "JSON pointer must start with '/', found "+quoteChar(src, i))
	}
	var p pointer
	if i < end {
		p = make(pointer, 0, strings.Count(src[i:end], "/"))
	}
	for i < end && src[i] == '/' {
		i++
		tokStart := i
		escaped := false
	token:
		for i < end {
			c := src[i]
			switch {
			case c == '/':
				break token
			case stop != nil && stop(c):
				break token
			case c == '~':
				if i+1 >= end || (src[i+1] != '0' && src[i+1] != '1') {
					return nil, i, syntaxErr(src, i, "invalid escape in JSON pointer: '~' must be followed by '0' or '1'")
				}
				escaped = true
				i += 2
			case c == '{' || c == '}':
				return nil, i, syntaxErr(src, i, "invalid character "+quoteChar(src, i)+" in JSON pointer")
			default:
				i++
			}
		}
		tok := src[tokStart:i]
		if escaped {
			tok = unescapePtrToken(tok)
		}
		p = append(p, newPtrToken(tok))
	}
	return p, i, nil
}

func unescapePtrToken(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '~' && i+1 < len(s) {
			if s[i+1] == '1' {
				b.WriteByte('/')
			} else {
				b.WriteByte('~')
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapePtrToken encodes a key as an RFC 6901 reference token.
func escapePtrToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	s = strings.ReplaceAll(s, "~", "~0")
	return strings.ReplaceAll(s, "/", "~1")
}

// String renders the pointer in RFC 6901 form ("" for the whole value).
func (p pointer) String() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteByte('/')
		b.WriteString(escapePtrToken(t.key))
	}
	return b.String()
}

// resolve applies p to v. On failure it returns the index of the token that
// did not resolve; describe explains why. It does not allocate.
func (p pointer) resolve(v any) (any, int) {
	for i := range p {
		t := &p[i]
		switch c := v.(type) {
		case map[string]any:
			m, ok := c[t.key]
			if !ok {
				return nil, i
			}
			v = m
		case []any:
			if t.index < 0 || t.index >= len(c) {
				return nil, i
			}
			v = c[t.index]
		default:
			return nil, i
		}
	}
	return v, -1
}

// describe explains why token failed resolving p against v (slow path).
func (p pointer) describe(v any, failed int) string {
	for i := 0; i < failed; i++ {
		v, _ = pointer{p[i]}.resolve(v)
	}
	at := p[:failed].String()
	if at == "" {
		at = "the root"
	}
	t := p[failed]
	switch c := v.(type) {
	case map[string]any:
		return "no member " + strconv.Quote(t.key) + " in the object at " + at
	case []any:
		switch {
		case t.key == "-":
			return "\"-\" (past the last element) never selects a value, in the array at " + at
		case t.index < 0:
			return strconv.Quote(t.key) + " is not an array index, in the array at " + at
		default:
			return "index " + t.key + " out of range, the array at " + at + " has " + strconv.Itoa(len(c)) + " elements"
		}
	default:
		return "cannot select " + strconv.Quote(t.key) + " in the " + typeName(v) + " at " + at
	}
}
