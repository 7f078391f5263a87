package openapi

// This file holds what parameter and request body serialization share: the error
// type, the view of decoded values through the JSON data model, the canonical text
// of numbers, percent-encoding and a JSON writer that keeps the order of ordered
// objects.
//
// Values to serialize are what JSON or YAML decoding produces: nil, bool, string,
// the Go integer and float types, json.Number, []any and map[string]any. Slices and
// string-keyed maps of other element types, []byte, json.RawMessage and
// encoding.TextMarshaler values (time.Time) are accepted as well. Members of a Go
// map are serialized with their keys in sorted (byte-wise) order, so a request is
// the same on every run; a value implementing OrderedObject keeps its own order.

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/internal/jsonnum"
)

// EncodeError reports a value that cannot be serialized for a parameter or a
// request body. Its message names the parameter and its location:
//
//	query parameter "ids": style deepObject requires an object, got array
//	request body property "avatar": ...
type EncodeError struct {
	// Param is the parameter name, or the property name of a form or multipart
	// body; "" when the error is about the request body as a whole.
	Param string
	// In is the parameter location (path, query, querystring, header, cookie),
	// or "body" for request bodies.
	In string
	// Msg says what is wrong, in words a workflow author understands.
	Msg string
	// Err is the underlying error, if any (for example from a JSON text).
	Err error
}

// Error implements error.
func (e *EncodeError) Error() string {
	var b strings.Builder
	switch {
	case e.In == "body" && e.Param == "":
		b.WriteString("request body")
	case e.In == "body":
		fmt.Fprintf(&b, "request body property %q", e.Param)
	case e.In == "":
		fmt.Fprintf(&b, "parameter %q", e.Param)
	default:
		fmt.Fprintf(&b, "%s parameter %q", e.In, e.Param)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *EncodeError) Unwrap() error { return e.Err }

// OrderedObject is an object value whose members have a meaningful order, such as
// a mapping decoded from YAML in document order. Serializers emit its members in
// the order of Keys (skipping keys for which Get reports false); Go maps are
// emitted with their keys sorted instead.
type OrderedObject interface {
	Keys() []string
	Get(key string) (any, bool)
}

// encSite is where a value is being serialized; it makes EncodeErrors.
type encSite struct {
	param, in string
	prefix    string // prepended to messages, e.g. `property "a": `
}

func (s encSite) errorf(format string, args ...any) *EncodeError {
	return &EncodeError{Param: s.param, In: s.in, Msg: s.prefix + fmt.Sprintf(format, args...)}
}

// property is the site of one property of an object serialized at s: a request
// body's properties are named by Param, others in the message.
func (s encSite) property(key string) encSite {
	if s.in == "body" && s.param == "" {
		return encSite{param: key, in: s.in}
	}
	s.prefix += fmt.Sprintf("property %q: ", key)
	return s
}

func (s encSite) wrap(err error, format string, args ...any) *EncodeError {
	e := s.errorf(format, args...)
	e.Err = err
	if err != nil {
		e.Msg += ": " + err.Error()
	}
	return e
}

// encMaxDepth bounds the nesting of values, so that a cyclic value is an error
// instead of a stack overflow.
const encMaxDepth = 256

// encKind is the JSON data model kind of a value.
type encKind uint8

const (
	valNull   encKind = iota // nil, a nil pointer, slice or map
	valScalar                // string, number, boolean, bytes
	valArray
	valObject
)

// encScalar says which kind of scalar a valScalar value is.
type encScalar uint8

const (
	primString encScalar = iota
	primNumber
	primBool
	primBytes   // []byte: text in parameters and forms, base64 in JSON, raw in binary bodies
	primRawJSON // json.RawMessage: raw in JSON, text elsewhere
)

// encMember is one member of an object value.
type encMember struct {
	key   string
	value any
}

// encView is a value seen through the JSON data model, one level deep.
type encView struct {
	kind    encKind
	scalar  encScalar
	text    string // valScalar: the canonical text (numbers rendered, bytes as is)
	items   []any
	members []encMember
}

// typeName is the JSON type of the value, for error messages.
func (v encView) typeName() string {
	switch v.kind {
	case valNull:
		return "null"
	case valArray:
		return "array"
	case valObject:
		return "object"
	}
	switch v.scalar {
	case primNumber:
		return "number"
	case primBool:
		return "boolean"
	case primBytes:
		return "binary data"
	}
	return "string"
}

// inspectValue classifies v. Unsupported Go types (structs, channels, functions,
// complex numbers, maps with non-string keys) are an error.
func inspectValue(v any) (encView, error) {
	switch x := v.(type) {
	case nil:
		return encView{kind: valNull}, nil
	case string:
		return encView{kind: valScalar, scalar: primString, text: x}, nil
	case bool:
		return encView{kind: valScalar, scalar: primBool, text: strconv.FormatBool(x)}, nil
	case int:
		return numberView(strconv.Itoa(x)), nil
	case int64:
		return numberView(strconv.FormatInt(x, 10)), nil
	case float64:
		s, err := formatJSONFloat(x, 64)
		return numberView(s), err
	case json.Number:
		return numberView(string(x)), nil
	case json.RawMessage:
		if x == nil {
			return encView{kind: valNull}, nil
		}
		return encView{kind: valScalar, scalar: primRawJSON, text: string(x)}, nil
	case []byte:
		if x == nil {
			return encView{kind: valNull}, nil
		}
		return encView{kind: valScalar, scalar: primBytes, text: string(x)}, nil
	case []any:
		if x == nil {
			return encView{kind: valNull}, nil
		}
		return encView{kind: valArray, items: x}, nil
	case map[string]any:
		if x == nil {
			return encView{kind: valNull}, nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		members := make([]encMember, len(keys))
		for i, k := range keys {
			members[i] = encMember{k, x[k]}
		}
		return encView{kind: valObject, members: members}, nil
	case OrderedObject:
		if rv := reflect.ValueOf(x); isNilableKind(rv.Kind()) && rv.IsNil() {
			return encView{kind: valNull}, nil
		}
		keys := x.Keys()
		members := make([]encMember, 0, len(keys))
		for _, k := range keys {
			if val, ok := x.Get(k); ok {
				members = append(members, encMember{k, val})
			}
		}
		return encView{kind: valObject, members: members}, nil
	case encoding.TextMarshaler:
		if rv := reflect.ValueOf(x); isNilableKind(rv.Kind()) && rv.IsNil() {
			return encView{kind: valNull}, nil
		}
		b, err := x.MarshalText()
		if err != nil {
			return encView{}, err
		}
		return encView{kind: valScalar, scalar: primString, text: string(b)}, nil
	}
	return inspectReflectValue(reflect.ValueOf(v))
}

func isNilableKind(k reflect.Kind) bool {
	switch k {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return true
	}
	return false
}

func numberView(s string) encView {
	return encView{kind: valScalar, scalar: primNumber, text: s}
}

// inspectReflectValue handles named and less common types: other integer and float
// widths, typed slices and string-keyed maps, pointers.
func inspectReflectValue(rv reflect.Value) (encView, error) {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return encView{kind: valNull}, nil
		}
		rv = rv.Elem()
		if rv.CanInterface() {
			if _, ok := rv.Interface().(encoding.TextMarshaler); ok {
				return inspectValue(rv.Interface())
			}
		}
	}
	switch rv.Kind() {
	case reflect.Bool:
		return encView{kind: valScalar, scalar: primBool, text: strconv.FormatBool(rv.Bool())}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return numberView(strconv.FormatInt(rv.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return numberView(strconv.FormatUint(rv.Uint(), 10)), nil
	case reflect.Float32:
		s, err := formatJSONFloat(rv.Float(), 32)
		return numberView(s), err
	case reflect.Float64:
		s, err := formatJSONFloat(rv.Float(), 64)
		return numberView(s), err
	case reflect.String:
		return encView{kind: valScalar, scalar: primString, text: rv.String()}, nil
	case reflect.Slice:
		if rv.IsNil() {
			return encView{kind: valNull}, nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return encView{kind: valScalar, scalar: primBytes, text: string(rv.Bytes())}, nil
		}
		fallthrough
	case reflect.Array:
		items := make([]any, rv.Len())
		for i := range items {
			items[i] = reflectInterface(rv.Index(i))
		}
		return encView{kind: valArray, items: items}, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return encView{}, fmt.Errorf("unsupported value of Go type %s (object keys must be strings)", rv.Type())
		}
		if rv.IsNil() {
			return encView{kind: valNull}, nil
		}
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		members := make([]encMember, len(keys))
		for i, k := range keys {
			members[i] = encMember{k.String(), reflectInterface(rv.MapIndex(k))}
		}
		return encView{kind: valObject, members: members}, nil
	case reflect.Invalid:
		return encView{kind: valNull}, nil
	}
	return encView{}, fmt.Errorf("unsupported value of Go type %s", rv.Type())
}

// reflectInterface is rv as an interface value; unexported struct fields cannot be
// reached from here, so CanInterface always holds for slice elements and map values.
func reflectInterface(rv reflect.Value) any {
	if !rv.CanInterface() {
		return nil
	}
	return rv.Interface()
}

// formatJSONFloat renders f the way encoding/json does: the shortest representation
// that reads back as f, without a trailing ".0" for integral values, in exponent
// form only below 1e-6 and from 1e21. NaN and infinities have no JSON form.
func formatJSONFloat(f float64, bits int) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("the number %v cannot be serialized", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
			bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b := strconv.AppendFloat(nil, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b), nil
}

// escMode is a percent-encoding rule set.
type escMode uint8

const (
	// escStrict keeps only RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~).
	escStrict escMode = iota
	// escPathReserved is allowReserved in a path segment: it also keeps the
	// sub-delims, ":" and "@" and percent-encoded triples, but still encodes
	// "/", "?", "#", "[" and "]", which would change the URL's structure.
	escPathReserved
	// escQueryReserved is allowReserved in a query: it keeps every RFC 3986
	// reserved character and percent-encoded triples, except "#", which would
	// end the query.
	escQueryReserved
	// escCookieReserved is allowReserved for a form-style cookie: it keeps every
	// RFC 3986 reserved character and percent-encoded triples, except ";" and ","
	// (which delimit cookies and values).
	escCookieReserved
	// escForm is WHATWG application/x-www-form-urlencoded: it keeps ALPHA
	// DIGIT * - . _ and writes a space as "+".
	escForm
	// escNone applies no encoding (headers, style cookie, multipart parts).
	escNone
)

func isURIUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isURISubDelim(c byte) bool {
	return strings.IndexByte("!$&'()*+,;=", c) >= 0
}

func isURIGenDelim(c byte) bool {
	return strings.IndexByte(":/?#[]@", c) >= 0
}

func (m escMode) keep(c byte) bool {
	switch m {
	case escStrict:
		return isURIUnreserved(c)
	case escPathReserved:
		return isURIUnreserved(c) || isURISubDelim(c) || c == ':' || c == '@'
	case escQueryReserved:
		return isURIUnreserved(c) || isURISubDelim(c) || isURIGenDelim(c) && c != '#'
	case escCookieReserved:
		return isURIUnreserved(c) || (isURISubDelim(c) || isURIGenDelim(c)) && c != ';' && c != ','
	case escForm:
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '*' || c == '-' || c == '.' || c == '_'
	}
	return true
}

// keepsTriples reports whether the mode passes percent-encoded triples through
// unchanged (RFC 6570 reserved expansion).
func (m escMode) keepsTriples() bool {
	return m == escPathReserved || m == escQueryReserved || m == escCookieReserved
}

// escape percent-encodes the UTF-8 bytes of s that the mode does not keep.
func (m escMode) escape(s string) string {
	if m == escNone {
		return s
	}
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = m.keep(s[i])
	}
	if clean {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case m.keep(c):
			b.WriteByte(c)
		case c == '%' && m.keepsTriples() && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			b.WriteString(s[i : i+3])
			i += 2
		case c == ' ' && m == escForm:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// appendJSON writes v as compact JSON. Object members keep the order inspectValue gives
// them (sorted Go maps, ordered objects as they are); numbers are canonical;
// json.Number and json.RawMessage are written as they are (after validation);
// []byte is a base64 string, as with encoding/json; other types implementing
// json.Marshaler are asked for their JSON.
func appendJSON(b []byte, v any, depth int) ([]byte, error) {
	if depth > encMaxDepth {
		return nil, fmt.Errorf("the value is nested more than %d levels deep (or contains a cycle)", encMaxDepth)
	}
	switch x := v.(type) {
	case string:
		return appendJSONString(b, x), nil
	case json.Number:
		if !jsonnum.Valid(string(x)) {
			return nil, fmt.Errorf("%q is not a JSON number", string(x))
		}
		return append(b, x...), nil
	case json.RawMessage:
		if x == nil {
			return append(b, "null"...), nil
		}
		return appendCompactJSON(b, x)
	case nil, bool, int, int64, float64, []byte, []any, map[string]any, OrderedObject:
	case json.Marshaler: // before encoding.TextMarshaler: *big.Int is a number, not a string
		if rv := reflect.ValueOf(x); isNilableKind(rv.Kind()) && rv.IsNil() {
			return append(b, "null"...), nil
		}
		raw, err := x.MarshalJSON()
		if err != nil {
			return nil, err
		}
		return appendCompactJSON(b, raw)
	}
	view, err := inspectValue(v)
	if err != nil {
		return nil, err
	}
	switch view.kind {
	case valNull:
		return append(b, "null"...), nil
	case valScalar:
		switch view.scalar {
		case primNumber:
			if !jsonnum.Valid(view.text) {
				return nil, fmt.Errorf("%q is not a JSON number", view.text)
			}
			return append(b, view.text...), nil
		case primBool:
			return append(b, view.text...), nil
		case primBytes:
			return appendJSONString(b, base64.StdEncoding.EncodeToString([]byte(view.text))), nil
		case primRawJSON:
			return appendCompactJSON(b, []byte(view.text))
		}
		return appendJSONString(b, view.text), nil
	case valArray:
		b = append(b, '[')
		for i, item := range view.items {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, item, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	b = append(b, '{')
	for i, m := range view.members {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.key)
		b = append(b, ':')
		if b, err = appendJSON(b, m.value, depth+1); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendCompactJSON appends raw JSON text without insignificant white space, and
// fails when it is not valid JSON.
func appendCompactJSON(b []byte, raw []byte) ([]byte, error) {
	compact, err := compactJSONText(raw)
	if err != nil {
		return nil, err
	}
	return append(b, compact...), nil
}

// compactJSONText returns raw without insignificant white space, or an error when raw
// is not valid JSON.
func compactJSONText(raw []byte) ([]byte, error) {
	var dst bytes.Buffer
	if err := json.Compact(&dst, raw); err != nil {
		return nil, err
	}
	return dst.Bytes(), nil
}

// appendJSONString writes s as a JSON string. Unlike encoding/json it does not
// escape <, > and &: request bodies are not embedded in HTML. Invalid UTF-8 is
// replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// valid JSON, but not valid JavaScript in older engines
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&15])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
