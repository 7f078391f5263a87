package runtime

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// Two kinds of values are masked in what a run prints:
//
//   - credentials (Secrets.Add): what --auth, the environment or a file supplied,
//     and the oauth2 tokens fetched with them. They never leave the driver: not
//     in output, not in the journal.
//   - sensitive values (Secrets.AddSensitive): inputs whose schema says
//     format: password or writeOnly: true, and response fields with secret-like
//     names (token, access_token, password, api_key...). They are masked in
//     progress lines, errors, traces and reports; a journal stores them (a
//     resumed run needs them) and masks them when it shows a run.
//
// The workflow's own outputs are not masked where they are handed over
// (stdout, --output-file): handing them over is the point of a run.

// minSensitiveLen is the shortest response value registered as sensitive:
// masking shorter ones ("true", "bearer") would mangle ordinary text.
const minSensitiveLen = 6

// AddSensitive registers values to mask in output that are not credentials.
func (s *Secrets) AddSensitive(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]struct{}{}
	}
	for _, v := range values {
		if len(v) >= 4 {
			s.values[v] = struct{}{}
		}
	}
}

// MaskCredentials replaces the registered credentials in text with ***, leaving
// sensitive values alone.
func (s *Secrets) MaskCredentials(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for v := range s.creds {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, "***")
		}
	}
	return text
}

// HasCredential reports whether data contains a registered credential.
func (s *Secrets) HasCredential(data []byte) bool {
	if s == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for v := range s.creds {
		if bytes.Contains(data, []byte(v)) {
			return true
		}
	}
	return false
}

// secretSuffixes are the endings of secret-like field names, compared in lower
// case with '_', '-' and '.' removed: access_token, refreshToken, client-secret,
// api_key, X-Api-Key, privateKey, sessionId...
var secretSuffixes = []string{"token", "secret", "password", "passwd", "passphrase", "apikey", "privatekey",
	"credential", "credentials", "sessionid", "authorization", "cookie", "signature"}

// IsSecretName reports whether a field, header or output name is secret-like:
// token, access_token, refresh_token, secret, client_secret, password, api_key,
// private_key, credentials, Authorization, Cookie, Set-Cookie...
func IsSecretName(name string) bool {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(name))
	for _, s := range secretSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return n == "pwd" || n == "pin"
}

// secretHints are cheap substrings that a body holding a secret-like field
// contains; a body with none of them is not decoded.
var secretHints = [][]byte{[]byte("oken"), []byte("ecret"), []byte("assw"), []byte("ey"), []byte("redential"),
	[]byte("ession"), []byte("uthoriz"), []byte("ookie"), []byte("ignature"), []byte("hrase"), []byte("wd"), []byte("pin")}

// addResponseSecrets registers the values of a response's secret-like fields as
// sensitive: JSON body fields with secret-like names (at any depth) and the
// values of cookies it sets.
func (s *Secrets) addResponseSecrets(resp *Response) {
	if s == nil || resp == nil || resp.Err != nil {
		return
	}
	for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
		if len(c.Value) >= minSensitiveLen {
			s.AddSensitive(c.Value)
		}
	}
	body := bytes.TrimSpace(resp.Body)
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return
	}
	lower := bytes.ToLower(body)
	hinted := false
	for _, h := range secretHints {
		if bytes.Contains(lower, h) {
			hinted = true
			break
		}
	}
	if !hinted {
		return
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return
	}
	var vals []string
	collectSecretFields(v, false, &vals, 0)
	s.AddSensitive(vals...)
}

// collectSecretFields appends the strings found under secret-like keys.
func collectSecretFields(v any, secret bool, out *[]string, depth int) {
	if depth > 64 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			collectSecretFields(e, secret || IsSecretName(k), out, depth+1)
		}
	case []any:
		for _, e := range x {
			collectSecretFields(e, secret, out, depth+1)
		}
	case string:
		if secret && len(x) >= minSensitiveLen {
			*out = append(*out, x)
		}
	case json.Number:
		if secret && len(x) >= minSensitiveLen {
			*out = append(*out, x.String())
		}
	}
}

// addInputSecrets registers the values of inputs whose schema says
// format: password or writeOnly: true.
func (s *Secrets) addInputSecrets(schema *inputSchema, inputs map[string]any) {
	if s == nil || schema == nil {
		return
	}
	for _, in := range schema.Inputs() {
		if !in.Secret {
			continue
		}
		switch v := inputs[in.Name].(type) {
		case string:
			s.AddSensitive(v)
		case nil:
		default:
			if b, err := json.Marshal(v); err == nil {
				s.AddSensitive(string(b))
			}
		}
	}
}
