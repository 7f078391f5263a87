package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"reflect"
	"testing"
)

func TestEncodeBodyJSON(t *testing.T) {
	tests := []struct {
		name, mediaType string
		v               any
		want, wantType  string
	}{
		{"object, keys sorted", "application/json", map[string]any{"name": "Rex", "age": 3.0, "tags": []any{"a", "b"}},
			`{"age":3,"name":"Rex","tags":["a","b"]}`, "application/json"},
		{"ordered object", "application/json", encObject("name", "Rex", "age", 3),
			`{"name":"Rex","age":3}`, "application/json"},
		{"JSON text template sent verbatim", "application/json", "{\n  \"petId\": \"42\"\n}",
			"{\n  \"petId\": \"42\"\n}", "application/json"},
		{"JSON text number verbatim", "application/json", "42", "42", "application/json"},
		{"other string encoded", "application/json", `say "hi"`, `"say \"hi\""`, "application/json"},
		{"nil is null", "application/json", nil, "null", "application/json"},
		{"bytes of JSON verbatim", "application/json", []byte(`[1,2]`), `[1,2]`, "application/json"},
		{"parameters kept, case-insensitive", "Application/JSON; charset=utf-8", map[string]any{"a": "<&>"},
			`{"a":"<&>"}`, "Application/JSON; charset=utf-8"},
		{"+json suffix", "application/merge-patch+json", map[string]any{"a": nil}, `{"a":null}`, "application/merge-patch+json"},
		{"json.Number as written", "application/json", []any{json.Number("1.10"), 2.50}, `[1.10,2.5]`, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct, err := EncodeBody(&MediaType{Name: tt.mediaType}, tt.v)
			if err != nil || string(body) != tt.want || ct != tt.wantType {
				t.Errorf("EncodeBody = %s, %q, %v; want %s, %q", body, ct, err, tt.want, tt.wantType)
			}
		})
	}
	if _, _, err := EncodeBody(&MediaType{Name: "application/json"}, []byte("not json")); err == nil || err.Error() != "request body: the binary payload is not JSON text" {
		t.Errorf("invalid binary JSON error = %v", err)
	}
}

func TestEncodeBodyForm(t *testing.T) {
	payload := map[string]any{
		"name":    "Jane Doe",
		"tags":    []any{"a b", "c"},
		"address": encObject("city", "Berlin", "zip", "10115+1"),
		"id":      7,
		"skip":    nil,
	}
	tests := []struct {
		name     string
		encoding map[string]Encoding
		v        any
		want     string
	}{
		{"defaults: text, JSON objects, one pair per array item", nil, payload,
			"address=%7B%22city%22%3A%22Berlin%22%2C%22zip%22%3A%2210115%2B1%22%7D&id=7&name=Jane+Doe&tags=a+b&tags=c"},
		{"encoding styles", map[string]Encoding{
			"address": {Style: "deepObject"},
			"tags":    {Explode: encPtr(false)},
			"name":    {ContentType: "application/json"},
		}, payload,
			"address%5Bcity%5D=Berlin&address%5Bzip%5D=10115%2B1&id=7&name=%22Jane+Doe%22&tags=a%20b,c"},
		{"pipeDelimited and form explode of an object", map[string]Encoding{
			"tags":    {Style: "pipeDelimited"},
			"address": {Style: "form", Explode: encPtr(true)},
		}, payload,
			"city=Berlin&zip=10115%2B1&id=7&name=Jane+Doe&tags=a%20b%7Cc"},
		{"allowReserved", map[string]Encoding{"path": {AllowReserved: true}}, map[string]any{"path": "/a/b?c", "q": "/a/b?c"},
			"path=/a/b?c&q=%2Fa%2Fb%3Fc"},
		{"array items as JSON", map[string]Encoding{"items": {ContentType: "application/json"}}, map[string]any{"items": []any{encObject("a", 1), "x"}},
			"items=%7B%22a%22%3A1%7D&items=%22x%22"},
		{"nested arrays default to JSON per item", nil, map[string]any{"m": []any{[]any{1, 2}}}, "m=%5B1%2C2%5D"},
		{"string payload verbatim", nil, "a=1&b=two+words", "a=1&b=two+words"},
		{"nil payload is empty", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := &MediaType{Name: "application/x-www-form-urlencoded", Encoding: tt.encoding}
			body, ct, err := EncodeBody(mt, tt.v)
			if err != nil || string(body) != tt.want || ct != "application/x-www-form-urlencoded" {
				t.Fatalf("EncodeBody = %s, %q, %v\nwant %s", body, ct, err, tt.want)
			}
			if _, err := url.ParseQuery(string(body)); err != nil {
				t.Errorf("the body does not parse as a form: %v", err)
			}
		})
	}

	// decoded, the default encoding gives the values back
	body, _, err := EncodeBody(&MediaType{Name: "application/x-www-form-urlencoded"}, payload)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := url.ParseQuery(string(body))
	want := url.Values{"name": {"Jane Doe"}, "tags": {"a b", "c"}, "address": {`{"city":"Berlin","zip":"10115+1"}`}, "id": {"7"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded form = %v, want %v", got, want)
	}

	errTests := []struct {
		name     string
		encoding map[string]Encoding
		v        any
		want     string
	}{
		{"array payload", nil, []any{1}, "request body: a form payload must be an object (or an encoded form string), got an array"},
		{"bad style", map[string]Encoding{"a": {Style: "matrix"}}, map[string]any{"a": 1},
			`request body property "a": style matrix cannot be used in a form (use form, spaceDelimited, pipeDelimited or deepObject)`},
		{"deepObject of a string", map[string]Encoding{"a": {Style: "deepObject"}}, map[string]any{"a": "x"},
			`request body property "a": style deepObject requires an object, got string`},
	}
	for _, tt := range errTests {
		_, _, err := EncodeBody(&MediaType{Name: "application/x-www-form-urlencoded", Encoding: tt.encoding}, tt.v)
		var ee *EncodeError
		if !errors.As(err, &ee) || err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %s", tt.name, err, tt.want)
		}
	}
}

func encPtr[T any](v T) *T { return &v }

// encMultipartPart is a part read back with mime/multipart.
type encMultipartPart struct {
	name, filename, contentType string
	header                      map[string]string
	body                        string
}

func encReadMultipart(t *testing.T, body []byte, contentType string) []encMultipartPart {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts []encMultipartPart
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			t.Fatalf("reading part: %v\n%s", err, body)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		mp := encMultipartPart{name: p.FormName(), filename: p.FileName(), contentType: p.Header.Get("Content-Type"), body: string(data)}
		if x := p.Header.Get("X-Rate-Limit"); x != "" {
			mp.header = map[string]string{"X-Rate-Limit": x}
		}
		parts = append(parts, mp)
	}
}

func TestEncodeBodyMultipart(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00binary")
	payload := map[string]any{
		"name":   "Rex",
		"age":    3,
		"meta":   encObject("color", "brown", "chip", true),
		"photos": []any{png, []byte("second")},
		"avatar": png,
		"tags":   []any{"a", "b"},
		"none":   nil,
		"doc":    "<a/>",
		"ranks":  []any{1, 2},
	}
	mt := &MediaType{Name: "multipart/form-data", Encoding: map[string]Encoding{
		"avatar": {ContentType: "image/png, image/jpeg", Headers: map[string]string{"X-Rate-Limit": "5", "Content-Type": "ignored/x"}},
		"doc":    {ContentType: "application/xml"},
		"ranks":  {Style: "form", Explode: encPtr(false)},
	}}
	body, ct, err := EncodeBody(mt, payload)
	if err != nil {
		t.Fatal(err)
	}
	got := encReadMultipart(t, body, ct)
	want := []encMultipartPart{
		{name: "age", body: "3"},
		{name: "avatar", filename: "avatar", contentType: "image/png", header: map[string]string{"X-Rate-Limit": "5"}, body: string(png)},
		{name: "doc", contentType: "application/xml", body: "<a/>"},
		{name: "meta", contentType: "application/json", body: `{"color":"brown","chip":true}`},
		{name: "name", body: "Rex"},
		{name: "photos", filename: "photos", contentType: "application/octet-stream", body: string(png)},
		{name: "photos", filename: "photos", contentType: "application/octet-stream", body: "second"},
		{name: "ranks", body: "1,2"},
		{name: "tags", body: "a"},
		{name: "tags", body: "b"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parts:\n got %+v\nwant %+v", got, want)
	}

	// the same value gives the same bytes
	again, ct2, err := EncodeBody(mt, payload)
	if err != nil || !bytes.Equal(body, again) || ct != ct2 {
		t.Errorf("encoding twice gave different bodies")
	}

	// content type parameters are kept, the boundary is replaced
	_, ct, err = EncodeBody(&MediaType{Name: "Multipart/Form-Data; charset=utf-8; boundary=old"}, map[string]any{"a": "b"})
	if _, params, perr := mime.ParseMediaType(ct); err != nil || perr != nil || params["charset"] != "utf-8" || params["boundary"] == "old" {
		t.Errorf("Content-Type = %q, %v", ct, err)
	}

	// names with quotes and line breaks are escaped as browsers do
	body, ct, err = EncodeBody(&MediaType{Name: "multipart/form-data"}, map[string]any{"a\"b\r\nc": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if parts := encReadMultipart(t, body, ct); len(parts) != 1 || parts[0].name != "a%22b%0D%0Ac" {
		t.Errorf("parts = %+v", parts)
	}

	// a Content-Disposition in the Encoding headers replaces the generated one
	mt = &MediaType{Name: "multipart/form-data", Encoding: map[string]Encoding{
		"file": {Headers: map[string]string{"Content-Disposition": `form-data; name="file"; filename="pet.png"`}},
	}}
	body, ct, err = EncodeBody(mt, map[string]any{"file": png})
	if err != nil {
		t.Fatal(err)
	}
	if parts := encReadMultipart(t, body, ct); len(parts) != 1 || parts[0].filename != "pet.png" {
		t.Errorf("parts = %+v", parts)
	}

	errTests := []struct {
		v    any
		enc  map[string]Encoding
		want string
	}{
		{"a=b", nil, "request body: a multipart payload must be an object, one property per part, got a string"},
		{map[string]any{"a": 1}, map[string]Encoding{"a": {Headers: map[string]string{"X-A": "1\r\nX-B: 2"}}},
			`request body property "a": the part header "X-A" has a line break or colon in its name or a line break in its value`},
		{map[string]any{"a": map[string]any{}}, map[string]Encoding{"a": {ContentType: "multipart/mixed"}},
			`request body property "a": nested multipart parts are not supported`},
	}
	for _, tt := range errTests {
		_, _, err := EncodeBody(&MediaType{Name: "multipart/form-data", Encoding: tt.enc}, tt.v)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error = %v, want %s", err, tt.want)
		}
	}
}

func TestEncodeBodyOtherMediaTypes(t *testing.T) {
	tests := []struct {
		name, mediaType string
		v               any
		want, wantType  string
	}{
		{"text string", "text/plain; charset=utf-8", "hello\nworld", "hello\nworld", "text/plain; charset=utf-8"},
		{"text number", "text/plain", 4.0, "4", "text/plain"},
		{"text boolean", "text/plain", false, "false", "text/plain"},
		{"text object as JSON", "text/plain", map[string]any{"a": 1}, `{"a":1}`, "text/plain"},
		{"text/csv string", "text/csv", "a,b\n1,2\n", "a,b\n1,2\n", "text/csv"},
		{"text nil", "text/plain", nil, "", "text/plain"},
		{"xml string", "application/xml", "<pet><id>1</id></pet>", "<pet><id>1</id></pet>", "application/xml"},
		{"text/xml string", "text/xml", "<a/>", "<a/>", "text/xml"},
		{"+xml string", "application/atom+xml", "<feed/>", "<feed/>", "application/atom+xml"},
		{"octet-stream bytes", "application/octet-stream", []byte{0, 1, 0xff}, "\x00\x01\xff", "application/octet-stream"},
		{"octet-stream string", "application/octet-stream", "raw", "raw", "application/octet-stream"},
		{"image bytes", "image/png", []byte("\x89PNG"), "\x89PNG", "image/png"},
		{"yaml string", "application/yaml", "a: 1\n", "a: 1\n", "application/yaml"},
		{"*/* object", "*/*", map[string]any{"a": 1}, `{"a":1}`, "application/json"},
		{"*/* bytes", "*/*", []byte("b"), "b", "application/octet-stream"},
		{"*/* text", "*/*", "hello", "hello", "text/plain"},
		{"*/* JSON text", "*/*", `{"a":1}`, `{"a":1}`, "application/json"},
		{"application/* text", "application/*", "hello", "hello", "application/octet-stream"},
		{"text/*", "text/*", "hello", "hello", "text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct, err := EncodeBody(&MediaType{Name: tt.mediaType}, tt.v)
			if err != nil || string(body) != tt.want || ct != tt.wantType {
				t.Errorf("EncodeBody = %q, %q, %v; want %q, %q", body, ct, err, tt.want, tt.wantType)
			}
		})
	}

	errTests := []struct {
		mt   *MediaType
		v    any
		want string
	}{
		{&MediaType{Name: "application/xml"}, map[string]any{"id": 1},
			"request body: an application/xml payload must be given as a string of XML text, got an object (objects are not converted to XML)"},
		{&MediaType{Name: "application/xml"}, 5,
			"request body: an application/xml payload must be given as a string of XML text, got a number (objects are not converted to XML)"},
		{&MediaType{Name: "application/octet-stream"}, []any{1},
			"request body: cannot send an array as application/octet-stream; give the payload as a string or binary data"},
		{&MediaType{Name: "image/*"}, []byte("x"),
			"request body: media type image/* is a range, not a type a request can be sent with; give the concrete media type as the requestBody contentType"},
		{&MediaType{Name: " "}, "x", "request body: no media type given"},
		{nil, "x", "request body: no media type given"},
	}
	for _, tt := range errTests {
		body, ct, err := EncodeBody(tt.mt, tt.v)
		if err == nil || err.Error() != tt.want || body != nil || ct != "" {
			t.Errorf("EncodeBody(%v) = %q, %q, %v\nwant error %s", tt.v, body, ct, err, tt.want)
		}
	}
}

func TestEncodeSelectMediaType(t *testing.T) {
	jsonMT := MediaType{Name: "application/json", impl: "json"}
	xmlMT := MediaType{Name: "application/xml", impl: "xml"}
	formMT := MediaType{Name: "application/x-www-form-urlencoded", Encoding: map[string]Encoding{"a": {Style: "form"}}, impl: "form"}
	multiMT := MediaType{Name: "multipart/form-data", impl: "multipart"}
	appRange := MediaType{Name: "application/*", impl: "application range"}
	anyRange := MediaType{Name: "*/*", impl: "any range"}
	textRange := MediaType{Name: "text/*", impl: "text range"}

	tests := []struct {
		name        string
		rb          *RequestBody
		contentType string
		want        MediaType
		ok          bool
	}{
		{"no body, no type", nil, "", MediaType{Name: "application/json"}, false},
		{"no body, a type", nil, "text/plain", MediaType{Name: "text/plain"}, false},
		{"only one", &RequestBody{Content: []MediaType{xmlMT}}, "", xmlMT, true},
		{"JSON preferred", &RequestBody{Content: []MediaType{xmlMT, formMT, jsonMT}}, "", jsonMT, true},
		{"else the first", &RequestBody{Content: []MediaType{formMT, xmlMT}}, "", formMT, true},
		{"exact", &RequestBody{Content: []MediaType{jsonMT, formMT}}, "application/x-www-form-urlencoded", formMT, true},
		{"case and parameters", &RequestBody{Content: []MediaType{jsonMT, xmlMT}}, " Application/JSON; charset=utf-8 ",
			MediaType{Name: "Application/JSON; charset=utf-8", impl: "json"}, true},
		{"declared range", &RequestBody{Content: []MediaType{xmlMT, appRange}}, "application/vnd.pet+json",
			MediaType{Name: "application/vnd.pet+json", impl: "application range"}, true},
		{"most specific range", &RequestBody{Content: []MediaType{anyRange, textRange}}, "text/csv",
			MediaType{Name: "text/csv", impl: "text range"}, true},
		{"any range", &RequestBody{Content: []MediaType{textRange, anyRange}}, "image/png",
			MediaType{Name: "image/png", impl: "any range"}, true},
		{"given range", &RequestBody{Content: []MediaType{jsonMT, multiMT}}, "multipart/*", multiMT, true},
		{"not declared", &RequestBody{Content: []MediaType{jsonMT}}, "application/xml", MediaType{Name: "application/xml"}, false},
		{"suffix is not a match", &RequestBody{Content: []MediaType{jsonMT}}, "application/merge-patch+json",
			MediaType{Name: "application/merge-patch+json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.rb.SelectMediaType(tt.contentType)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SelectMediaType(%q) = %+v, %v; want %+v, %v", tt.contentType, got, ok, tt.want, tt.ok)
			}
		})
	}
}
