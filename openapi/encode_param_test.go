package openapi

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// encStyleValues are the values of the OpenAPI "Style Examples" table for a
// parameter named color: undefined (the 3.1.1+ column; 3.1.0 called it empty),
// the empty string, a string, an array and an object. The object is ordered so
// that its members come out as the table writes them (R, G, B); a Go map would
// come out sorted (B, G, R).
var encStyleValues = []struct {
	name  string
	value any
}{
	{"undefined", nil},
	{"empty", ""},
	{"string", "blue"},
	{"array", []any{"blue", "black", "brown"}},
	{"object", encObject("R", 100, "G", 200, "B", 150)},
}

// encNA marks a combination the table gives as n/a: encoding must fail with an
// *EncodeError.
const encNA = "n/a"

// TestEncodeStyleTable is the Style Examples table of OpenAPI 3.1 §4.8.12.4,
// as corrected in 3.1.1 and kept in 3.2 §4.12.5:
//
//   - label with explode false joins with "," as RFC 6570 does (3.1.0's table
//     showed ".blue.black.brown" for both explode values);
//   - the pipe and deepObject brackets are percent-encoded, as RFC 3986
//     requires in a query (3.1.0 showed "|", "[" and "]" raw);
//   - the "?" that 3.1.1 prefixes to query examples is not part of a single
//     parameter's serialization (3.2 drops it too);
//   - deepObject ignores explode, as 3.2 says, where 3.1.1 marked explode
//     false as n/a;
//   - the empty-string column, which the 3.1.1+ table leaves out, renders like
//     undefined, following RFC 6570 (3.1.0 had it, with n/a for simple).
func TestEncodeStyleTable(t *testing.T) {
	tests := []struct {
		style   string
		explode bool
		// expected renderings for undefined, empty, string, array, object
		want [5]string
	}{
		{"matrix", false, [5]string{";color", ";color", ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"}},
		{"matrix", true, [5]string{";color", ";color", ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"}},
		{"label", false, [5]string{".", ".", ".blue", ".blue,black,brown", ".R,100,G,200,B,150"}},
		{"label", true, [5]string{".", ".", ".blue", ".blue.black.brown", ".R=100.G=200.B=150"}},
		{"simple", false, [5]string{"", "", "blue", "blue,black,brown", "R,100,G,200,B,150"}},
		{"simple", true, [5]string{"", "", "blue", "blue,black,brown", "R=100,G=200,B=150"}},
		{"form", false, [5]string{"color=", "color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"}},
		{"form", true, [5]string{"color=", "color=", "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"}},
		{"spaceDelimited", false, [5]string{encNA, encNA, encNA, "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"}},
		{"spaceDelimited", true, [5]string{encNA, encNA, encNA, encNA, encNA}},
		{"pipeDelimited", false, [5]string{encNA, encNA, encNA, "color=blue%7Cblack%7Cbrown", "color=R%7C100%7CG%7C200%7CB%7C150"}},
		{"pipeDelimited", true, [5]string{encNA, encNA, encNA, encNA, encNA}},
		{"deepObject", false, [5]string{encNA, encNA, encNA, encNA, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"}},
		{"deepObject", true, [5]string{encNA, encNA, encNA, encNA, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"}},
	}
	for _, tt := range tests {
		in := "query"
		switch tt.style {
		case "matrix", "label", "simple":
			in = "path"
		}
		p := &Parameter{Name: "color", In: in, Style: tt.style, Explode: tt.explode}
		for i, sv := range encStyleValues {
			var got string
			var err error
			if in == "path" {
				got, err = p.EncodePath(sv.value)
			} else {
				got, err = p.EncodeQuery(sv.value)
			}
			encCheck(t, tt.style, tt.explode, sv.name, got, err, tt.want[i], in)
		}
	}
}

// TestEncodeStyleTableHeaderCookie covers the other locations of the table:
// header (simple) and cookie (form, and 3.2's cookie style, whose rows the 3.2
// table adds).
func TestEncodeStyleTableHeaderCookie(t *testing.T) {
	tests := []struct {
		in, style string
		explode   bool
		want      [5]string
	}{
		{"header", "simple", false, [5]string{"", "", "blue", "blue,black,brown", "R,100,G,200,B,150"}},
		{"header", "simple", true, [5]string{"", "", "blue", "blue,black,brown", "R=100,G=200,B=150"}},
		{"cookie", "form", false, [5]string{"color=", "color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"}},
		// 3.1's form style would join exploded pairs with "&", which makes a
		// single cookie of them; "; " is what a Cookie header needs.
		{"cookie", "form", true, [5]string{"color=", "color=", "color=blue", "color=blue; color=black; color=brown", "R=100; G=200; B=150"}},
		{"cookie", "cookie", false, [5]string{"color=", "color=", "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"}},
		{"cookie", "cookie", true, [5]string{"color=", "color=", "color=blue", "color=blue; color=black; color=brown", "R=100; G=200; B=150"}},
	}
	for _, tt := range tests {
		p := &Parameter{Name: "color", In: tt.in, Style: tt.style, Explode: tt.explode}
		for i, sv := range encStyleValues {
			var got string
			var err error
			if tt.in == "header" {
				got, err = p.EncodeHeader(sv.value)
			} else {
				got, err = p.EncodeCookie(sv.value)
			}
			encCheck(t, tt.in+" "+tt.style, tt.explode, sv.name, got, err, tt.want[i], tt.in)
		}
	}
}

func encCheck(t *testing.T, style string, explode bool, value, got string, err error, want, in string) {
	t.Helper()
	if want == encNA {
		var ee *EncodeError
		if !errors.As(err, &ee) {
			t.Errorf("%s explode=%v %s: got %q, %v; want an *EncodeError", style, explode, value, got, err)
			return
		}
		if ee.Param != "color" || ee.In != in {
			t.Errorf("%s explode=%v %s: error names %s parameter %q, want %s parameter \"color\"", style, explode, value, ee.In, ee.Param, in)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("%s explode=%v %s: got %q, %v; want %q", style, explode, value, got, err, want)
	}
}

// TestEncodeStyleErrors checks the messages of combinations the specification
// does not define, and of styles used where they are not allowed.
func TestEncodeStyleErrors(t *testing.T) {
	tests := []struct {
		name string
		p    Parameter
		v    any
		want string
	}{
		{"deepObject array", Parameter{Name: "ids", In: "query", Style: "deepObject"}, []any{1, 2},
			`query parameter "ids": style deepObject requires an object, got array`},
		{"deepObject string", Parameter{Name: "ids", In: "query", Style: "deepObject"}, "x",
			`query parameter "ids": style deepObject requires an object, got string`},
		{"spaceDelimited explode", Parameter{Name: "ids", In: "query", Style: "spaceDelimited", Explode: true}, []any{1, 2},
			`query parameter "ids": style spaceDelimited is not defined with explode true; the description should set explode: false`},
		{"pipeDelimited number", Parameter{Name: "ids", In: "query", Style: "pipeDelimited"}, 3,
			`query parameter "ids": style pipeDelimited requires an array or object, got number`},
		{"pipeDelimited null", Parameter{Name: "ids", In: "query", Style: "pipeDelimited"}, nil,
			`query parameter "ids": style pipeDelimited requires an array or object, got null`},
		{"label in query", Parameter{Name: "ids", In: "query", Style: "label"}, "x",
			`query parameter "ids": style label cannot be used in a query (use form, spaceDelimited, pipeDelimited or deepObject)`},
		{"form in path", Parameter{Name: "id", In: "path", Style: "form"}, "x",
			`path parameter "id": style form cannot be used in a path (use simple, label or matrix)`},
		{"matrix header", Parameter{Name: "X-Id", In: "header", Style: "matrix"}, "x",
			`header parameter "X-Id": style matrix cannot be used for a header (use simple)`},
		{"simple cookie", Parameter{Name: "id", In: "cookie", Style: "simple"}, "x",
			`cookie parameter "id": style simple cannot be used for a cookie (use form or cookie)`},
		{"nested object in path", Parameter{Name: "color", In: "path", Style: "simple"}, map[string]any{"a": map[string]any{"b": 1}},
			`path parameter "color": property "a" is an object; style simple can only serialize objects whose properties are primitive values`},
		{"nested array in path", Parameter{Name: "color", In: "path", Style: "label"}, []any{"a", []any{"b"}},
			`path parameter "color": array item 1 is an array; style label can only serialize arrays of primitive values`},
		{"object in array in query", Parameter{Name: "f", In: "query", Style: "form", Explode: true}, []any{map[string]any{}},
			`query parameter "f": array item 0 is an object; style form can only serialize arrays of primitive values`},
		{"deepObject array of objects", Parameter{Name: "f", In: "query", Style: "deepObject"}, map[string]any{"a": []any{map[string]any{}}},
			`query parameter "f": f[a] item 0 is an object; style deepObject can only serialize arrays of primitive values`},
		{"header line break", Parameter{Name: "X-Note", In: "header", Style: "simple"}, "a\r\nX-Evil: 1",
			`header parameter "X-Note": the value contains the control character '\r', which cannot appear in an HTTP header`},
		{"cookie style semicolon", Parameter{Name: "s", In: "cookie", Style: "cookie"}, "a;b",
			`cookie parameter "s": the value contains ';', which cannot appear in a cookie; escape it before sending (this style applies no percent-encoding)`},
		{"cookie name", Parameter{Name: "a b", In: "cookie", Style: "form"}, "x",
			`cookie parameter "a b": "a b" is not a valid cookie name`},
		{"cookie style key", Parameter{Name: "c", In: "cookie", Style: "cookie", Explode: true}, map[string]any{"x=y": "1"},
			`cookie parameter "c": "x=y" is not a valid cookie name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			switch tt.p.In {
			case "path":
				_, err = tt.p.EncodePath(tt.v)
			case "query":
				_, err = tt.p.EncodeQuery(tt.v)
			case "header":
				_, err = tt.p.EncodeHeader(tt.v)
			case "cookie":
				_, err = tt.p.EncodeCookie(tt.v)
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

// TestEncodePercentEncoding checks percent-encoding edge cases per location.
func TestEncodePercentEncoding(t *testing.T) {
	tests := []struct {
		name string
		p    Parameter
		v    any
		want string
	}{
		{"path space and slash", Parameter{Name: "id", In: "path", Style: "simple"}, "a b/c", "a%20b%2Fc"},
		{"path query and fragment chars", Parameter{Name: "id", In: "path", Style: "simple"}, "x?y#z", "x%3Fy%23z"},
		{"path unicode", Parameter{Name: "id", In: "path", Style: "simple"}, "café ❤", "caf%C3%A9%20%E2%9D%A4"},
		{"path reserved", Parameter{Name: "id", In: "path", Style: "simple"}, "a,b;c=d:e@f!$&'()*+", "a%2Cb%3Bc%3Dd%3Ae%40f%21%24%26%27%28%29%2A%2B"},
		{"path allowReserved keeps sub-delims", Parameter{Name: "id", In: "path", Style: "simple", AllowReserved: true}, "a,b;c=d:e@f!$&'()*+", "a,b;c=d:e@f!$&'()*+"},
		{"path allowReserved still encodes / ? # [ ]", Parameter{Name: "id", In: "path", Style: "simple", AllowReserved: true}, "a/b?c#d[0]", "a%2Fb%3Fc%23d%5B0%5D"},
		{"path allowReserved keeps triples", Parameter{Name: "id", In: "path", Style: "simple", AllowReserved: true}, "50%25 off 100%", "50%25%20off%20100%25"},
		{"path unreserved", Parameter{Name: "id", In: "path", Style: "simple"}, "A-z_0.9~", "A-z_0.9~"},
		{"path dot-dot is data", Parameter{Name: "id", In: "path", Style: "simple"}, "..", "%2E%2E"},
		{"path dot is data", Parameter{Name: "id", In: "path", Style: "simple"}, ".", "%2E"},
		{"path allowReserved dot-dot is data", Parameter{Name: "id", In: "path", Style: "simple", AllowReserved: true}, "..", "%2E%2E"},
		{"path label dot makes no dot-dot", Parameter{Name: "id", In: "path", Style: "label"}, ".", ".%2E"},
		{"path items and keys of dots are data", Parameter{Name: "id", In: "path", Style: "simple", Explode: true}, map[string]any{"..": "."}, "%2E%2E=%2E"},
		{"path content dot-dot is data", Parameter{Name: "id", In: "path", ContentType: "text/plain"}, "..", "%2E%2E"},
		{"path dots inside a value stay", Parameter{Name: "id", In: "path", Style: "simple"}, "..a", "..a"},
		{"path item commas encoded", Parameter{Name: "id", In: "path", Style: "simple"}, []any{"a,b", "c"}, "a%2Cb,c"},
		{"matrix name encoded", Parameter{Name: "the id", In: "path", Style: "matrix"}, "x", ";the%20id=x"},
		{"matrix explode empty items", Parameter{Name: "c", In: "path", Style: "matrix", Explode: true}, []any{"", "a"}, ";c;c=a"},
		{"matrix explode empty values", Parameter{Name: "c", In: "path", Style: "matrix", Explode: true}, encObject("R", "", "G", "1"), ";R;G=1"},
		{"label explode object keys encoded", Parameter{Name: "c", In: "path", Style: "label", Explode: true}, map[string]any{"a b": "c.d"}, ".a%20b=c.d"},
		{"query space is %20", Parameter{Name: "q", In: "query", Style: "form", Explode: true}, "a b", "q=a%20b"},
		{"query form delimiters", Parameter{Name: "q", In: "query", Style: "form", Explode: true}, "a&b=c+d", "q=a%26b%3Dc%2Bd"},
		{"query unicode", Parameter{Name: "q", In: "query", Style: "form", Explode: true}, "über", "q=%C3%BCber"},
		{"query allowReserved", Parameter{Name: "q", In: "query", Style: "form", Explode: true, AllowReserved: true}, "a/b:c?d=e&f", "q=a/b:c?d=e&f"},
		{"query allowReserved encodes # and space", Parameter{Name: "q", In: "query", Style: "form", Explode: true, AllowReserved: true}, "x#y z", "q=x%23y%20z"},
		{"query name always encoded", Parameter{Name: "a/b", In: "query", Style: "form", Explode: true, AllowReserved: true}, "c/d", "a%2Fb=c/d"},
		{"query item commas encoded", Parameter{Name: "q", In: "query", Style: "form"}, []any{"a,b", "c"}, "q=a%2Cb,c"},
		{"query allowReserved item commas kept", Parameter{Name: "q", In: "query", Style: "form", AllowReserved: true}, []any{"a,b", "c"}, "q=a,b,c"},
		{"query spaceDelimited data spaces", Parameter{Name: "q", In: "query", Style: "spaceDelimited"}, []any{"a b", "c"}, "q=a%20b%20c"},
		{"query null items skipped", Parameter{Name: "q", In: "query", Style: "form", Explode: true}, []any{"a", nil, "b"}, "q=a&q=b"},
		{"query null properties skipped", Parameter{Name: "q", In: "query", Style: "form", Explode: true}, map[string]any{"a": nil, "b": 1}, "b=1"},
		{"query all null is undefined", Parameter{Name: "q", In: "query", Style: "form", Explode: true}, []any{nil}, "q="},
		{"deepObject nested", Parameter{Name: "f", In: "query", Style: "deepObject"}, encObject("created", encObject("gte", "2024-01-01", "lt", "2025"), "q", "a b"), "f%5Bcreated%5D%5Bgte%5D=2024-01-01&f%5Bcreated%5D%5Blt%5D=2025&f%5Bq%5D=a%20b"},
		{"deepObject array repeats key", Parameter{Name: "f", In: "query", Style: "deepObject"}, map[string]any{"tag": []any{"x", "y"}}, "f%5Btag%5D=x&f%5Btag%5D=y"},
		{"deepObject empty object adds nothing", Parameter{Name: "f", In: "query", Style: "deepObject"}, map[string]any{}, ""},
		{"deepObject key encoded", Parameter{Name: "f", In: "query", Style: "deepObject"}, map[string]any{"a]b": 1}, "f%5Ba%5Db%5D=1"},
		{"header not percent-encoded", Parameter{Name: "X-Q", In: "header", Style: "simple"}, "a b/c%20é", "a b/c%20é"},
		{"cookie form percent-encodes", Parameter{Name: "s", In: "cookie", Style: "form", Explode: true}, "a b;c,d", "s=a%20b%3Bc%2Cd"},
		{"cookie form allowReserved keeps / and =", Parameter{Name: "s", In: "cookie", Style: "form", Explode: true, AllowReserved: true}, "a/b=c;d,e", "s=a/b=c%3Bd%2Ce"},
		{"cookie style sends as is", Parameter{Name: "s", In: "cookie", Style: "cookie"}, "a%20b/c=d", "s=a%20b/c=d"},
		{"array type wraps a single value", Parameter{Name: "ids", In: "query", Style: "spaceDelimited", Type: "array"}, "blue", "ids=blue"},
		{"array type wraps a single value in a path", Parameter{Name: "ids", In: "path", Style: "matrix", Explode: true, Type: "array"}, 7, ";ids=7"},
		{"primitives in an array", Parameter{Name: "n", In: "query", Style: "form"}, []any{1, 2.5, 100.0, true, int64(-3)}, "n=1,2.5,100,true,-3"},
		{"default style query", Parameter{Name: "n", In: "query"}, []any{1, 2}, "n=1&n=2"},
		{"default style cookie", Parameter{Name: "n", In: "cookie"}, []any{1, 2}, "n=1; n=2"},
		{"default style path", Parameter{Name: "n", In: "path"}, []any{1, 2}, "1,2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encodeAtLocation(&tt.p, tt.v)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// encodeAtLocation calls the encoder for the parameter's location.
func encodeAtLocation(p *Parameter, v any) (string, error) {
	switch p.In {
	case "path":
		return p.EncodePath(v)
	case "header":
		return p.EncodeHeader(v)
	case "cookie":
		return p.EncodeCookie(v)
	}
	return p.EncodeQuery(v)
}

// TestEncodeContentParameter covers parameters described with "content".
func TestEncodeContentParameter(t *testing.T) {
	filter := encObject("status", "open", "owner", encObject("name", "Jo Ann"), "ids", []any{1, 2})
	tests := []struct {
		name string
		p    Parameter
		v    any
		want string
	}{
		{"json in query", Parameter{Name: "filter", In: "query", ContentType: "application/json", Type: "object"}, filter,
			"filter=%7B%22status%22%3A%22open%22%2C%22owner%22%3A%7B%22name%22%3A%22Jo%20Ann%22%7D%2C%22ids%22%3A%5B1%2C2%5D%7D"},
		{"json text string in query is compacted", Parameter{Name: "filter", In: "query", ContentType: "application/json"}, "{\n  \"a\": [1, 2]\n}",
			"filter=%7B%22a%22%3A%5B1%2C2%5D%7D"},
		{"json string schema quotes strings", Parameter{Name: "name", In: "query", ContentType: "application/json", Type: "string"}, "42",
			"name=%2242%22"},
		{"json non-JSON string is quoted", Parameter{Name: "name", In: "query", ContentType: "application/json"}, "Jo",
			"name=%22Jo%22"},
		{"json in path", Parameter{Name: "key", In: "path", ContentType: "application/json"}, []any{"a/b"},
			"%5B%22a%2Fb%22%5D"},
		{"json in header", Parameter{Name: "X-Filter", In: "header", ContentType: "application/json; charset=utf-8"}, map[string]any{"b": "x y", "a": 1},
			`{"a":1,"b":"x y"}`},
		{"text in cookie", Parameter{Name: "pref", In: "cookie", ContentType: "text/plain"}, "dark-mode",
			"pref=dark-mode"},
		{"form querystring", Parameter{Name: "qs", In: "querystring", ContentType: "application/x-www-form-urlencoded"}, encObject("q", "a b", "tag", []any{"x", "y"}, "skip", nil),
			"q=a%20b&tag=x&tag=y"},
		{"json querystring", Parameter{Name: "qs", In: "querystring", ContentType: "application/json"}, map[string]any{"a": 1},
			"%7B%22a%22%3A1%7D"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encodeAtLocation(&tt.p, tt.v)
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}

	p := &Parameter{Name: "f", In: "header", ContentType: "multipart/form-data"}
	if _, err := p.EncodeHeader(map[string]any{}); err == nil || err.Error() != `header parameter "f": content type multipart/form-data cannot be used for a parameter` {
		t.Errorf("multipart content error = %v", err)
	}
	p = &Parameter{Name: "c", In: "cookie", ContentType: "application/json"}
	if _, err := p.EncodeCookie(map[string]any{"a": "x;y"}); err == nil {
		t.Errorf("a JSON cookie with ';' was accepted")
	}
}

// TestEncodeNoPanic runs every encoder over awkward values with every style;
// errors are fine, panics are not.
func TestEncodeNoPanic(t *testing.T) {
	var nilMap map[string]any
	var nilSlice []any
	var nilPtr *string
	var nilOrdered *encOrderedPtr
	deep := any("leaf")
	for range 300 {
		deep = map[string]any{"k": deep}
	}
	values := []any{
		nil, nilMap, nilSlice, nilPtr, nilOrdered, "", "x", []byte(nil), []byte{0, 0xff},
		map[string]any{"a": map[string]any{"b": []any{map[string]any{}}}},
		[]any{[]any{[]any{}}}, []any{nil, nil}, map[string]any{"": ""},
		struct{}{}, func() {}, complex(1, 2), [2]int{1, 2}, map[string][]int{"a": {1}},
		deep, encObject("a", nil), "\x00\r\n;", strings.Repeat("é", 10),
	}
	styles := []string{"", "simple", "label", "matrix", "form", "spaceDelimited", "pipeDelimited", "deepObject", "cookie", "bogus"}
	for _, in := range []string{"path", "query", "querystring", "header", "cookie"} {
		for _, style := range styles {
			for _, explode := range []bool{false, true} {
				for _, ct := range []string{"", "application/json", "text/plain", "application/x-www-form-urlencoded"} {
					p := &Parameter{Name: "p", In: in, Style: style, Explode: explode, ContentType: ct, Type: "array"}
					for _, v := range values {
						_, _ = p.EncodePath(v)
						_, _ = p.EncodeQuery(v)
						_, _ = p.EncodeHeader(v)
						_, _ = p.EncodeCookie(v)
					}
				}
			}
		}
	}
	for _, name := range []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "application/xml", "image/png", "*/*", "image/*"} {
		mt := &MediaType{Name: name, Encoding: map[string]Encoding{"a": {Style: "deepObject"}, "k": {ContentType: "multipart/mixed"}}}
		for _, v := range values {
			_, _, _ = EncodeBody(mt, v)
		}
	}
}

// encOrderedPtr is an OrderedObject with a pointer receiver, to check nil handling.
type encOrderedPtr struct{}

func (*encOrderedPtr) Keys() []string         { return []string{"a"} }
func (*encOrderedPtr) Get(string) (any, bool) { return 1, true }

// FuzzEncodeQuery checks that a form query value decodes back to the string
// given, and that a path value never contains a "/", "?" or "#".
func FuzzEncodeQuery(f *testing.F) {
	for _, s := range []string{"", "blue", "a b&c=d+e", "50%", "%zz", "ü/❤?#[]", "\x00\xff", "a,b;c"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, reserved bool) {
		q := &Parameter{Name: "q", In: "query", Style: "form", Explode: true}
		got, err := q.EncodeQuery(s)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := url.ParseQuery(got)
		if err != nil || len(vals["q"]) != 1 || vals["q"][0] != s {
			t.Fatalf("EncodeQuery(%q) = %q, which decodes to %v (%v)", s, got, vals, err)
		}
		p := &Parameter{Name: "p", In: "path", Style: "simple", AllowReserved: reserved}
		got, err = p.EncodePath(s)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(got, "/?#") {
			t.Fatalf("EncodePath(%q) = %q contains a URL delimiter", s, got)
		}
		if !reserved {
			if dec, err := url.PathUnescape(got); err != nil || dec != s {
				t.Fatalf("EncodePath(%q) = %q, which decodes to %q (%v)", s, got, dec, err)
			}
		}
		if !utf8.ValidString(got) {
			t.Fatalf("EncodePath(%q) = %q is not ASCII", s, got)
		}
	})
}
