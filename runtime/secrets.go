package runtime

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
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

// Secrets collects values that must never be printed, and masks them in text.
// It is safe for concurrent use.
type Secrets struct {
	mu     sync.RWMutex
	values map[string]struct{} // every value to mask: credentials and sensitive values
	creds  map[string]struct{} // the credentials among them
}

// Add registers credentials (empty and very short values are ignored: masking
// them would mangle ordinary text).
func (s *Secrets) Add(values ...string) { s.add(true, values) }

// AddSensitive registers values to mask in output that are not credentials.
func (s *Secrets) AddSensitive(values ...string) { s.add(false, values) }

func (s *Secrets) add(credential bool, values []string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) < 4 {
			continue
		}
		if s.values == nil {
			s.values = map[string]struct{}{}
		}
		s.values[v] = struct{}{}
		if credential {
			if s.creds == nil {
				s.creds = map[string]struct{}{}
			}
			s.creds[v] = struct{}{}
		}
	}
}

// Mask replaces every registered secret in text with ***.
func (s *Secrets) Mask(text string) string { return s.mask(false, text) }

// MaskCredentials replaces the registered credentials in text with ***, leaving
// sensitive values alone.
func (s *Secrets) MaskCredentials(text string) string { return s.mask(true, text) }

func (s *Secrets) mask(credsOnly bool, text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for v := range s.set(credsOnly) {
		if strings.Contains(text, v) {
			text = strings.ReplaceAll(text, v, "***")
		}
	}
	return text
}

// Has reports whether text contains a registered secret.
func (s *Secrets) Has(text string) bool { return s.contains(false, []byte(text)) }

// HasCredential reports whether data contains a registered credential.
func (s *Secrets) HasCredential(data []byte) bool { return s.contains(true, data) }

func (s *Secrets) contains(credsOnly bool, data []byte) bool {
	if s == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for v := range s.set(credsOnly) {
		if bytes.Contains(data, []byte(v)) {
			return true
		}
	}
	return false
}

func (s *Secrets) set(credsOnly bool) map[string]struct{} {
	if credsOnly {
		return s.creds
	}
	return s.values
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

// hasSecretKey reports whether a JSON text has a member whose name is
// secret-like (IsSecretName), in one pass over the bytes without allocating:
// a body is decoded for its secrets only when it has such a member. A name
// written with an escape sequence counts as secret-like (decoding tells).
func hasSecretKey(data []byte) bool {
	for i := 0; ; {
		q := bytes.IndexByte(data[i:], '"')
		if q < 0 {
			return false
		}
		start := i + q + 1
		end := start
		for { // the closing quote: one not escaped by an odd run of backslashes
			e := bytes.IndexByte(data[end:], '"')
			if e < 0 {
				return false
			}
			end += e
			bs := 0
			for p := end - 1; p >= start && data[p] == '\\'; p-- {
				bs++
			}
			if bs%2 == 0 {
				break
			}
			end++
		}
		k := end + 1
		for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\n' || data[k] == '\r') {
			k++
		}
		if k < len(data) && data[k] == ':' {
			name := data[start:end]
			if bytes.IndexByte(name, '\\') >= 0 || secretName(name) {
				return true
			}
		}
		i = end + 1
	}
}

// secretName is IsSecretName for a name as bytes, without allocating when
// the name is ASCII.
func secretName(name []byte) bool {
	// The name lower-cased without separators, its last len(buf) bytes: the
	// suffixes are shorter, and only a name that fits can equal pwd or pin.
	var buf [24]byte
	n, whole := 0, true
	for i := len(name) - 1; i >= 0; i-- {
		c := name[i]
		if c >= utf8.RuneSelf {
			return IsSecretName(string(name))
		}
		switch c {
		case '_', '-', '.', ' ':
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if n == len(buf) {
			whole = false
			continue
		}
		n++
		buf[len(buf)-n] = c
	}
	norm := buf[len(buf)-n:]
	for _, s := range secretSuffixes {
		if len(norm) >= len(s) && string(norm[len(norm)-len(s):]) == s {
			return true
		}
	}
	return whole && (string(norm) == "pwd" || string(norm) == "pin")
}

// addResponseSecrets registers the values of a response's secret-like fields as
// sensitive: JSON body fields with secret-like names (at any depth) and the
// values of cookies it sets.
func (s *Secrets) addResponseSecrets(resp *Response) {
	if s == nil || resp == nil || resp.Err != nil {
		return
	}
	if len(resp.Header["Set-Cookie"]) > 0 {
		for _, c := range (&http.Response{Header: resp.Header}).Cookies() {
			if len(c.Value) >= minSensitiveLen {
				s.AddSensitive(c.Value)
			}
		}
	}
	body := bytes.TrimSpace(resp.Body)
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') {
		return
	}
	if !hasSecretKey(body) {
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
