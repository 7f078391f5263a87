package runtime

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
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

// Each redaction works on the value, before it is encoded: a secret is masked
// in every form a text can hold it in.
func TestRedactForms(t *testing.T) {
	s := &Secrets{}
	cred := `a"b\c<d/e SECRET`
	s.Add(cred)
	key := "k+/=SECRET2=="
	s.Add(key)
	s.AddSensitive("subj-SECRET-3")
	j, _ := json.Marshal(cred)
	esc := string(j[1 : len(j)-1])
	for _, tc := range []struct{ name, got, want string }{
		{"JSON-escaped in a nested value",
			mustBody(s, `{"a":{"b":["x `+esc+` y"]}}`, "application/json"), `{"a":{"b":["x *** y"]}}`},
		{"escaped as \\/ in JSON",
			mustBody(s, `{"v":"`+strings.ReplaceAll(esc, "/", `\/`)+`"}`, "application/json"), `{"v":"***"}`},
		{"secret-like member, any length and type",
			mustBody(s, `{"session_token":"x","n":{"pin":1234},"token_type":"bearer"}`, "application/json"), `{"session_token":"***","n":{"pin":"***"},"token_type":"bearer"}`},
		{"cut JSON: the member under a secret-like name",
			mustCutBody(s, `{"ok":1,"access_token":"abcdef`), `{"ok":1,"access_token":"***"`},
		{"cut text: the beginning of a secret", mustCutBody(s, "see subj-SEC"), "see ***"},
		{"URL-encoded query value", s.MaskURL("http://h/p?key="+url.QueryEscape(key)+"&q=1", nil), "http://h/p?key=***&q=1"},
		{"URL-encoded query value of any name", s.MaskURL("http://h/p?x="+url.QueryEscape(key)+"&q={a}", nil), "http://h/p?x=***&q={a}"},
		{"secret-like query name", s.MaskURL("http://h/p?access_token=zz&q=1", nil), "http://h/p?access_token=***&q=1"},
		{"path segment", s.MaskURL("http://h/a/"+url.PathEscape(cred)+"/b", nil), "http://h/a/***/b"},
		{"user information", s.MaskURL("http://TOKEN@h/a", nil), "http://***@h/a"},
		{"form body", mustBody(s, "a=1&password=hunter22&k="+url.QueryEscape(key), "application/x-www-form-urlencoded"), "a=1&password=***&k=***"},
		{"text", s.Mask("x " + base64.StdEncoding.EncodeToString([]byte(key)) + " " + url.PathEscape(cred)), "x *** ***"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
	// A body that is not UTF-8 is masked byte by byte before its base64.
	text, b64 := s.MaskBody(append([]byte{0xff, 0}, key...), "application/octet-stream", false)
	raw, _ := base64.StdEncoding.DecodeString(text)
	if !b64 || string(raw) != "\xff\x00***" {
		t.Errorf("binary body: %q base64=%v", raw, b64)
	}
	h := s.MaskHeader(http.Header{"X-Subject-Token": {"anything"}, "Set-Cookie": {"sid=subj-SECRET-3; Path=/"}, "X-Other": {esc}}, nil)
	if h.Get("X-Subject-Token") != Masked || h.Get("Set-Cookie") != "sid=***; Path=/" || h.Get("X-Other") != Masked {
		t.Errorf("headers: %v", h)
	}
	// Outputs handed over keep sensitive values, lose credentials.
	out := s.MaskCredentialValues(map[string]any{"echo": "Bearer " + cred, "subject": "subj-SECRET-3", "token": "t-123456"})
	if out["echo"] != "Bearer ***" || out["subject"] != "subj-SECRET-3" || out["token"] != "t-123456" {
		t.Errorf("handed-over outputs: %v", out)
	}
}

func mustBody(s *Secrets, body, ct string) string {
	text, _ := s.MaskBody([]byte(body), ct, false)
	return text
}

func mustCutBody(s *Secrets, body string) string {
	text, _ := s.MaskBody([]byte(body), "", true)
	return text
}

// --server credentials are found and masked as written, also when the URL
// does not parse; a user name alone is a token.
func TestServerURLCredentials(t *testing.T) {
	for _, tc := range []struct{ raw, masked, secret string }{
		{"http://ops:p#w/?%^ x@127.0.0.1:8080/v1", "http://ops:***@127.0.0.1:8080/v1", "p#w/?%^ x"},
		{"https://TOKEN-123@api.example.com", "https://***@api.example.com", "TOKEN-123"},
		{"https://api.example.com/a@b", "https://api.example.com/a@b", ""},
	} {
		got, ok := MaskServerURL(tc.raw)
		if got != tc.masked || ok != (tc.secret != "") {
			t.Errorf("MaskServerURL(%q) = %q, %v; want %q", tc.raw, got, ok, tc.masked)
		}
		s := &Secrets{}
		s.AddServerURL(tc.raw)
		if tc.secret != "" && s.Mask("x "+tc.secret) != "x ***" {
			t.Errorf("AddServerURL(%q) did not register %q", tc.raw, tc.secret)
		}
	}
}
