package journal

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/arazzo-run/arazzo/runtime"
)

// strs are strings every escape of encoding/json applies to.
var strs = []string{"", "GET", "http://127.0.0.1:8787/a?b=c&d=<e>", "quote \" and \\", "tab\tnl\nbs\bff\f\x01\x1f",
	"é ü 日本", "\u2028\u2029", "bad \xff utf-8 \xc3", "plain-ascii_123"}

// The hand-written encoders write what json.Marshal writes: the readers
// decode the records with encoding/json.
func TestEncodersMatchMarshal(t *testing.T) {
	same := func(what string, got []byte, v any) {
		t.Helper()
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", what, got, want)
		}
	}
	for _, s := range strs {
		for _, idem := range []bool{false, true} {
			d := sendData{Method: s, URL: s + "/x", Idempotent: idem, Fingerprint: s}
			same("send", encodeSend(&d), d)
		}
		for _, d := range []responseData{
			{},
			{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}, "X-" + s: {s, "b"}, "Nil": nil, "Empty": {}},
				Started: 1764755000123456789, Duration: 1500},
			{Err: s, ErrKind: "connect", Omitted: omittedCredential, Header: http.Header{}},
			{StatusCode: -1, Message: &runtime.MessageMeta{Subscription: s, Cursor: "c", Channel: "ch", Partition: 3, Offset: 9, Skipped: 2}},
			{Duration: -5, Started: math.MinInt64},
		} {
			same("response", encodeResponse(&d), d)
		}
		for _, d := range []stepData{
			{},
			{Status: s, StatusCode: 201, Attempts: 2, Operation: "GET /a/{" + s + "}", Method: "GET", URL: s, Action: "goto " + s,
				Outputs: map[string]any{"b": 1.5, "a": []any{s, true, nil}, s: map[string]any{"n": json.Number("12")}}, Err: s, Duration: 99},
			{Status: "failed", Outputs: map[string]any{}, Duration: -1},
		} {
			same("step", encodeStep(&d), d)
		}
	}
	// Outputs json.Marshal cannot encode make the record mustJSON's.
	d := stepData{Status: "passed", Outputs: map[string]any{"x": math.NaN()}}
	if got, want := encodeStep(&d), mustJSON(d); string(got) != string(want) {
		t.Errorf("unencodable outputs: got %s, want %s", got, want)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range strs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: got %s, want %s", s, got[1:], want)
		}
	})
}
