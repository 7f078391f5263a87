package runtime

import (
	"net/http"
	"testing"

	"github.com/arazzo-run/arazzo/openapi"
)

// The headers that carry credentials lose their values whatever they hold,
// apiKey parameters too, and registered secrets anywhere.
func TestMaskExchange(t *testing.T) {
	m := &Secrets{}
	m.Add("s3cr3t-value")
	sec := []SecurityOption{{
		{Source: "api", Name: "hdr", Scheme: &openapi.SecurityScheme{Type: "apiKey", In: "header", ParamName: "x-api-key"}},
		{Source: "api", Name: "qry", Scheme: &openapi.SecurityScheme{Type: "apiKey", In: "query", ParamName: "key"}},
	}}
	h := http.Header{
		"Authorization":       {"Bearer abc.def"},
		"Proxy-Authorization": {"Basic dXNlcjpwYXNz"},
		"Cookie":              {"session=abc; theme=dark"},
		"Set-Cookie":          {"session=xyz; Path=/; HttpOnly"},
		"X-Api-Key":           {"k-1"},
		"X-Trace":             {"id s3cr3t-value"},
		"Accept":              {"application/json"},
	}
	got := m.MaskHeader(h, sec)
	want := map[string]string{
		"Authorization":       "Bearer ***",
		"Proxy-Authorization": "Basic ***",
		"Cookie":              "session=***; theme=***",
		"Set-Cookie":          "session=***; Path=/; HttpOnly",
		"X-Api-Key":           "***",
		"X-Trace":             "id ***",
		"Accept":              "application/json",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, got.Get(k), v)
		}
	}
	if h.Get("Authorization") != "Bearer abc.def" {
		t.Error("the masker changed the header it was given")
	}
	if got, want := m.MaskURL("https://x/a?key=k-1&q=s3cr3t-value&page=2", sec), "https://x/a?key=***&q=***&page=2"; got != want {
		t.Errorf("url %s, want %s", got, want)
	}
	if got := m.MaskValue(map[string]any{"a": []any{"s3cr3t-value", 1}}); jsonText(got) != `{"a":["***",1]}` {
		t.Errorf("value %s", jsonText(got))
	}
	if got := m.Mask("token s3cr3t-value."); got != "token ***." {
		t.Errorf("text %q", got)
	}
}
