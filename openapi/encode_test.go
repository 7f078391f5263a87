package openapi

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
)

// orderedTestObject is an OrderedObject, as a YAML decoder that keeps document
// order could produce.
type orderedTestObject struct {
	keys   []string
	values map[string]any
}

func (o orderedTestObject) Keys() []string { return o.keys }

func (o orderedTestObject) Get(key string) (any, bool) {
	v, ok := o.values[key]
	return v, ok
}

// ordered builds an orderedTestObject from alternating keys and values.
func encObject(kv ...any) orderedTestObject {
	o := orderedTestObject{values: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		o.keys = append(o.keys, k)
		o.values[k] = kv[i+1]
	}
	return o
}

func TestEncodeErrorMessages(t *testing.T) {
	tests := []struct {
		err  *EncodeError
		want string
	}{
		{&EncodeError{Param: "ids", In: "query", Msg: "style deepObject requires an object, got array"},
			`query parameter "ids": style deepObject requires an object, got array`},
		{&EncodeError{In: "body", Msg: "no media type given"}, `request body: no media type given`},
		{&EncodeError{Param: "avatar", In: "body", Msg: "x"}, `request body property "avatar": x`},
		{&EncodeError{Param: "p", Msg: "x"}, `parameter "p": x`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestEncodeErrorUnwrap(t *testing.T) {
	_, _, err := EncodeBody(&MediaType{Name: "application/json"}, map[string]any{"n": json.Number("1x")})
	var ee *EncodeError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v is not an *EncodeError", err)
	}
	if ee.In != "body" || ee.Err == nil || errors.Unwrap(err) != ee.Err {
		t.Errorf("EncodeError = %+v, want In body and an underlying error", ee)
	}
	const want = `request body: cannot serialize the value as JSON: "1x" is not a JSON number`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

// TestEncodeScalarText checks the canonical text of every kind of primitive, as
// it appears in a parameter.
func TestEncodeScalarText(t *testing.T) {
	type named string
	type level int
	tests := []struct {
		v    any
		want string
	}{
		{"blue", "blue"},
		{true, "true"},
		{false, "false"},
		{3, "3"},
		{int64(-9007199254740993), "-9007199254740993"},
		{int8(-8), "-8"},
		{uint8(7), "7"},
		{uint64(math.MaxUint64), "18446744073709551615"},
		{100.0, "100"},
		{1.5, "1.5"},
		{-0.25, "-0.25"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{1e-7, "1e-7"},
		{float32(0.1), "0.1"},
		{json.Number("1.50"), "1.50"},
		{json.Number("12345678901234567890123"), "12345678901234567890123"},
		{named("n"), "n"},
		{level(4), "4"},
		{[]byte("raw"), "raw"},
		{time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), "2024-05-06T07:08:09Z"},
	}
	for _, tt := range tests {
		p := &Parameter{Name: "v", In: "header", Style: "simple"}
		got, err := p.EncodeHeader(tt.v)
		if err != nil || got != tt.want {
			t.Errorf("EncodeHeader(%#v) = %q, %v; want %q", tt.v, got, err, tt.want)
		}
	}
}

func TestEncodeUnsupportedValues(t *testing.T) {
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"NaN", math.NaN(), `query parameter "v": the number NaN cannot be serialized`},
		{"infinity", []any{math.Inf(1)}, `query parameter "v": array item 0: the number +Inf cannot be serialized`},
		{"struct", struct{ A int }{1}, `query parameter "v": unsupported value of Go type struct { A int }`},
		{"channel", make(chan int), `query parameter "v": unsupported value of Go type chan int`},
		{"int keys", map[int]string{1: "a"}, `query parameter "v": unsupported value of Go type map[int]string (object keys must be strings)`},
		{"cycle", map[string]any{"a": cyclic}, `query parameter "v": the value is nested more than 256 levels deep (or contains a cycle)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Parameter{Name: "v", In: "query", Style: "deepObject"}
			if tt.name != "cycle" {
				p.Style, p.Explode = "form", true
			}
			_, err := p.EncodeQuery(tt.v)
			if err == nil || err.Error() != tt.want {
				t.Errorf("EncodeQuery error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestEncodeJSONValues(t *testing.T) {
	type tags []string
	cyclic := []any{nil}
	cyclic[0] = cyclic
	tests := []struct {
		name string
		v    any
		want string
		err  string
	}{
		{"sorted map", map[string]any{"b": 1, "a": []any{true, nil, 2.5}}, `{"a":[true,null,2.5],"b":1}`, ""},
		{"ordered", encObject("z", 1, "a", encObject("y", "x", "b", 2)), `{"z":1,"a":{"y":"x","b":2}}`, ""},
		{"numbers", []any{100.0, 1e21, json.Number("1.10"), int64(7), uint16(3), float32(1.5)}, `[100,1e+21,1.10,7,3,1.5]`, ""},
		{"strings", "<a href=\"x\">&\n\t\u2028\x01", `"<a href=\"x\">&\n\t\u2028\u0001"`, ""},
		{"invalid UTF-8", map[string]any{"k": "a\xffb"}, `{"k":"a\ufffdb"}`, ""},
		{"bytes are base64", map[string]any{"b": []byte("hi")}, `{"b":"aGk="}`, ""},
		{"raw message", map[string]any{"r": json.RawMessage(` { "x" : 1 } `)}, `{"r":{"x":1}}`, ""},
		{"typed slice and map", map[string]any{"t": tags{"a"}, "m": map[string]int{"b": 2, "a": 1}}, `{"m":{"a":1,"b":2},"t":["a"]}`, ""},
		{"time", map[string]any{"at": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, `{"at":"2024-01-02T03:04:05Z"}`, ""},
		{"nil pointer", map[string]any{"p": (*int)(nil)}, `{"p":null}`, ""},
		{"json.Marshaler before TextMarshaler", []any{big.NewInt(12), (*big.Int)(nil)}, `[12,null]`, ""},
		{"NaN", map[string]any{"n": math.NaN()}, "", "the number NaN cannot be serialized"},
		{"bad number", json.Number("0x10"), "", `"0x10" is not a JSON number`},
		{"cycle", cyclic, "", "nested more than 256 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendJSON(nil, tt.v, 0)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("appendJSON error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("appendJSON = %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestEncodeEscapeModes(t *testing.T) {
	const all = "aZ09-._~ !$&'()*+,;=:/?#[]@%\"<>\\^`{|}é"
	tests := []struct {
		mode escMode
		in   string
		want string
	}{
		{escStrict, all, "aZ09-._~%20%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%2F%3F%23%5B%5D%40%25%22%3C%3E%5C%5E%60%7B%7C%7D%C3%A9"},
		{escPathReserved, all, "aZ09-._~%20!$&'()*+,;=:%2F%3F%23%5B%5D@%25%22%3C%3E%5C%5E%60%7B%7C%7D%C3%A9"},
		{escQueryReserved, all, "aZ09-._~%20!$&'()*+,;=:/?%23[]@%25%22%3C%3E%5C%5E%60%7B%7C%7D%C3%A9"},
		{escCookieReserved, all, "aZ09-._~%20!$&'()*+%2C%3B=:/?#[]@%25%22%3C%3E%5C%5E%60%7B%7C%7D%C3%A9"},
		{escForm, all, "aZ09-._%7E+%21%24%26%27%28%29*%2B%2C%3B%3D%3A%2F%3F%23%5B%5D%40%25%22%3C%3E%5C%5E%60%7B%7C%7D%C3%A9"},
		{escNone, all, all},
		// reserved expansion keeps percent-encoded triples, and only those
		{escPathReserved, "50%25 %zz %4", "50%25%20%25zz%20%254"},
		{escQueryReserved, "%E2%9D%A4", "%E2%9D%A4"},
		{escStrict, "%E2", "%25E2"},
	}
	for _, tt := range tests {
		if got := tt.mode.escape(tt.in); got != tt.want {
			t.Errorf("mode %d escape(%q) = %q, want %q", tt.mode, tt.in, got, tt.want)
		}
	}
}
