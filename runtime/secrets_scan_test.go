package runtime

import (
	"bytes"
	"encoding/json"
	"testing"
)

// hasSecretKeyReference decodes the text and looks at every member name.
func hasSecretKeyReference(data []byte) (secret, ok bool) {
	var v any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return false, false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if IsSecretName(k) || walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v), true
}

var secretKeyCases = []struct {
	body string
	want bool
}{
	{`{"id":1,"next":2,"items":[{"handle":"a","ok":true}],"note":"the key, the token, the password"}`, false},
	{`{"token":"abc"}`, true},
	{`{"data":{"Access-Token" : "abc"}}`, true},
	{`[{"x":1},{"refresh_token":"abc"}]`, true},
	{`{"X.API.KEY":"abc"}`, true},
	{`{"monkey":"abc"}`, false}, // ends in "key", not "apikey" or "privatekey"
	{`{"client_secret":"abc"}`, true},
	{`{"PWD":"abc"}`, true},
	{`{"pwds":"abc"}`, false},
	{`{"pin":"1234"}`, true},
	{`{"spin":"1234"}`, false},
	{`{"note":"say \"token\": yes"}`, false}, // inside a string value
	{`{"a":"\\","token":"x"}`, true},         // an escaped backslash ends before the quote
	{`{"a_very_long_member_name_that_ends_in_a_session_id":"x"}`, true},
	{`{"a_very_long_member_name_that_ends_in_nothing":"x"}`, false},
	{`{"clé_secret":"x"}`, true}, // not ASCII: IsSecretName itself decides
	{`{"Ｔoken":"x"}`, false},
	{`{"to\u006ben":"x"}`, true}, // escaped: counted as secret-like, decoding tells
	{`"token"`, false},
	{`{"token"`, false}, // not a member: no colon
	{`{"unterminated`, false},
}

func TestHasSecretKey(t *testing.T) {
	for _, c := range secretKeyCases {
		if got := hasSecretKey([]byte(c.body)); got != c.want {
			t.Errorf("hasSecretKey(%s) = %v, want %v", c.body, got, c.want)
		}
		// Never a miss where decoding finds a secret-like member.
		if ref, ok := hasSecretKeyReference([]byte(c.body)); ok && ref && !hasSecretKey([]byte(c.body)) {
			t.Errorf("%s: decoding finds a secret-like member, the scan does not", c.body)
		}
	}
}

// FuzzHasSecretKey: on any valid JSON the scan finds every secret-like member
// decoding finds (it may find more: escaped names count).
func FuzzHasSecretKey(f *testing.F) {
	for _, c := range secretKeyCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := hasSecretKey(data)
		if ref, ok := hasSecretKeyReference(data); ok && ref && !got {
			t.Fatalf("%q: decoding finds a secret-like member, the scan does not", data)
		}
	})
}

// The check every response body goes through: most hold no secret and are
// not decoded.
func BenchmarkAddResponseSecrets(b *testing.B) {
	for _, c := range []struct {
		name string
		body []byte
	}{{"1KiB-none", benchItem(7)}, {"token", []byte(`{"token":"mcp_0123456789abcdef"}`)}} {
		b.Run(c.name, func(b *testing.B) {
			resp := &Response{StatusCode: 200, Body: c.body}
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				(&Secrets{}).addResponse(resp)
			}
		})
	}
}

// TestSecretNameForms checks that the byte-wise reading of a name, which
// IsSecretName uses for ASCII names, decides as the Unicode one does.
func TestSecretNameForms(t *testing.T) {
	for _, c := range []struct {
		name string
		want bool
	}{
		{"token", true}, {"X-Subject-Token", true}, {"Set-Cookie", true}, {"Authorization", true},
		{"api_key", true}, {"X.API.KEY", true}, {"privateKey", true}, {"sessionId", true},
		{"PWD", true}, {"p_i_n", true}, {"spin", false}, {"pwds", false}, {"monkey", false},
		{"Content-Type", false}, {"", false}, {"___", false},
		{"a_very_long_header_name_that_ends_in_access_token", true},
		{"a_very_long_header_name_that_ends_in_a_pwd", false},
	} {
		if got := IsSecretName(c.name); got != c.want {
			t.Errorf("IsSecretName(%q) = %v, want %v", c.name, got, c.want)
		}
		if got := secretNameUnicode(c.name); got != c.want {
			t.Errorf("secretNameUnicode(%q) = %v, want %v", c.name, got, c.want)
		}
		if got := secretName([]byte(c.name)); got != c.want {
			t.Errorf("secretName(%q) = %v, want %v", c.name, got, c.want)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { IsSecretName("X-Subject-Token") }); allocs != 0 {
		t.Errorf("IsSecretName of an ASCII name allocates %v times", allocs)
	}
}
