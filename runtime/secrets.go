package runtime

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/internal/jsonvalue"
)

// Secrets is the one redaction module of a run: every channel that shows
// what a run did (progress lines, --verbose, traces, HAR, JUnit, HTML, the
// result JSON, the journal's view, a Temporal run's view, error messages)
// masks through it, on values before they are encoded (redact.go). It knows
// two kinds of values:
//
//   - credentials (Add): what --auth, the environment or a file supplied, the
//     user information of a server URL, and the oauth2 tokens fetched with
//     them. They are masked everywhere, also in the outputs a run hands over,
//     and never journaled.
//   - sensitive values (AddSensitive): inputs whose schema says format:
//     password or writeOnly: true or that a step sends under a secret-like
//     name, values sent or received under secret-like names (token,
//     access_token, X-Subject-Token, password, api_key...) and the cookies a
//     response sets. They are masked in every channel but the one that hands
//     the outputs over (stdout, --output-file); a journal stores them (a
//     resumed run needs them) and masks them when it shows a run.
//
// Each value is masked in every form it can take in text: as it is,
// URL-encoded, in base64 (standard and URL alphabets, padded or not) and
// JSON-escaped (with and without HTML escaping, with "/" escaped or not).
// It is safe for concurrent use.
type Secrets struct {
	mu     sync.RWMutex
	values map[string]struct{} // every value to mask: credentials and sensitive values
	creds  map[string]struct{} // the credentials among them
	forms  []form              // every form of every value, longest first
}

// form is one way a secret value is written.
type form struct {
	text string
	cred bool
}

// minSecretLen is the shortest value registered: masking shorter ones would
// mangle ordinary text.
const minSecretLen = 4

// minSensitiveLen is the shortest response value registered as sensitive
// because of its name: masking shorter ones ("true", "bearer") would mangle
// ordinary text. (Where the name is known, the value is masked whole
// whatever its length.)
const minSensitiveLen = 6

// Add registers credentials (empty and very short values are ignored).
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
		if len(v) < minSecretLen {
			continue
		}
		if s.values == nil {
			s.values, s.creds = map[string]struct{}{}, map[string]struct{}{}
		}
		_, known := s.values[v]
		_, isCred := s.creds[v]
		switch {
		case !known:
			s.values[v] = struct{}{}
			if credential {
				s.creds[v] = struct{}{}
			}
			for _, f := range encodings(v) {
				s.insert(form{f, credential})
			}
		case credential && !isCred:
			s.creds[v] = struct{}{}
			for _, f := range encodings(v) {
				s.insert(form{f, true})
			}
		}
	}
}

// insert adds a form in order: longest first, so that a form containing
// another is replaced whole; then by text, so that masking never depends on
// the order secrets were added. A form already there as a credential stays
// one.
func (s *Secrets) insert(f form) {
	i := sort.Search(len(s.forms), func(i int) bool {
		g := s.forms[i]
		if len(g.text) != len(f.text) {
			return len(g.text) < len(f.text)
		}
		return g.text >= f.text
	})
	if i < len(s.forms) && s.forms[i].text == f.text {
		s.forms[i].cred = s.forms[i].cred || f.cred
		return
	}
	s.forms = append(s.forms, form{})
	copy(s.forms[i+1:], s.forms[i:])
	s.forms[i] = f
}

// encodings lists the forms of v a text may hold, v first.
func encodings(v string) []string {
	out := []string{v}
	seen := map[string]bool{v: true}
	addForm := func(f string) {
		if !seen[f] && len(f) >= minSecretLen {
			seen[f] = true
			out = append(out, f)
		}
	}
	addForm(url.QueryEscape(v))
	addForm(url.PathEscape(v))
	addForm(strings.ReplaceAll(url.QueryEscape(v), "+", "%20"))
	b := []byte(v)
	addForm(base64.StdEncoding.EncodeToString(b))
	addForm(base64.URLEncoding.EncodeToString(b))
	addForm(base64.RawStdEncoding.EncodeToString(b))
	addForm(base64.RawURLEncoding.EncodeToString(b))
	if j, err := json.Marshal(v); err == nil {
		html := string(j[1 : len(j)-1])
		addForm(html)
		addForm(strings.ReplaceAll(html, "/", `\/`))
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(v) == nil {
			plain := strings.TrimSuffix(buf.String(), "\n")
			plain = plain[1 : len(plain)-1]
			addForm(plain)
			addForm(strings.ReplaceAll(plain, "/", `\/`))
		}
	}
	return out
}

// Mask replaces every registered secret, in each of its forms, with Masked.
func (s *Secrets) Mask(text string) string { return s.mask(false, text) }

// MaskCredentials replaces the registered credentials, in each of their
// forms, with Masked, leaving sensitive values alone.
func (s *Secrets) MaskCredentials(text string) string { return s.mask(true, text) }

func (s *Secrets) mask(credsOnly bool, text string) string {
	if s == nil || len(text) < minSecretLen {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.forms {
		if (!credsOnly || f.cred) && strings.Contains(text, f.text) {
			text = strings.ReplaceAll(text, f.text, Masked)
		}
	}
	return text
}

// maskBytes is Mask on bytes that are not text (a binary body).
func (s *Secrets) maskBytes(data []byte) []byte {
	if s == nil {
		return data
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.forms {
		if bytes.Contains(data, []byte(f.text)) {
			data = bytes.ReplaceAll(data, []byte(f.text), []byte(Masked))
		}
	}
	return data
}

// maskTail masks the end of a text that was cut: a tail that begins a
// registered form (the rest of the secret was cut off) is masked too.
func (s *Secrets) maskTail(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.forms {
		for n := min(len(f.text)-1, len(text)); n >= 3; n-- {
			if strings.HasSuffix(text, f.text[:n]) {
				return text[:len(text)-n] + Masked
			}
		}
	}
	return text
}

// Has reports whether text contains a registered secret in any of its forms.
func (s *Secrets) Has(text string) bool { return s.contains(false, []byte(text)) }

// HasCredential reports whether data contains a registered credential in any
// of its forms.
func (s *Secrets) HasCredential(data []byte) bool { return s.contains(true, data) }

func (s *Secrets) contains(credsOnly bool, data []byte) bool {
	if s == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, f := range s.forms {
		if (!credsOnly || f.cred) && bytes.Contains(data, []byte(f.text)) {
			return true
		}
	}
	return false
}

// secretSuffixes are the endings of secret-like field names, compared in lower
// case with '_', '-' and '.' removed: access_token, refreshToken, client-secret,
// api_key, X-Api-Key, X-Subject-Token, privateKey, sessionId...
var secretSuffixes = []string{"token", "secret", "password", "passwd", "passphrase", "apikey", "privatekey",
	"credential", "credentials", "sessionid", "authorization", "cookie", "signature"}

// IsSecretName reports whether a field, header, parameter or output name is
// secret-like: token, access_token, refresh_token, X-Subject-Token, secret,
// client_secret, password, api_key, X-Api-Key, private_key, credentials,
// Authorization, Cookie, Set-Cookie...
func IsSecretName(name string) bool { return secretName(name) }

// secretNameUnicode is IsSecretName for a name that is not ASCII.
func secretNameUnicode(name string) bool {
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

// secretName is IsSecretName for a name as a string or bytes, without
// allocating when the name is ASCII (header and JSON member names are
// checked on every response).
func secretName[T string | []byte](name T) bool {
	// The name lower-cased without separators, its last len(buf) bytes: the
	// suffixes are shorter, and only a name that fits can equal pwd or pin.
	var buf [24]byte
	n, whole := 0, true
	for i := len(name) - 1; i >= 0; i-- {
		c := name[i]
		if c >= utf8.RuneSelf {
			return secretNameUnicode(string(name))
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

// AddResponse registers the secret-like values of a response as sensitive:
// the values of headers with secret-like names (X-Subject-Token), of the
// cookies it sets, and of JSON body members with secret-like names at any
// depth. The executor calls it before any observer sees the response; a
// view of a recorded run calls it on the recorded responses.
func (s *Secrets) AddResponse(header http.Header, body []byte) {
	if s == nil {
		return
	}
	for k, vs := range header {
		if k == "Set-Cookie" || strings.EqualFold(k, "Set-Cookie") {
			for _, c := range (&http.Response{Header: http.Header{"Set-Cookie": vs}}).Cookies() {
				if len(c.Value) >= minSensitiveLen {
					s.AddSensitive(c.Value)
				}
			}
			continue
		}
		if IsSecretName(k) {
			s.addNamed(vs...)
		}
	}
	s.addBody(body)
}

// addResponse is AddResponse for a response that came.
func (s *Secrets) addResponse(resp *Response) {
	if resp != nil && resp.Err == nil {
		s.AddResponse(resp.Header, resp.Body)
	}
}

// AddRequest registers the values a request sends under secret-like names
// (an X-Api-Key header filled from a plain input, a password member of a
// JSON body) as sensitive, before any observer sees the request.
func (s *Secrets) AddRequest(req *Request) {
	if s == nil || req == nil {
		return
	}
	for k, vs := range req.Header {
		if IsSecretName(k) && !strings.EqualFold(k, "Cookie") {
			s.addNamed(vs...)
		}
	}
	if u, err := url.Parse(req.URL); err == nil {
		if u.User != nil {
			s.AddUserinfo(u.User)
		}
		for k, vs := range u.Query() {
			if IsSecretName(k) {
				s.addNamed(vs...)
			}
		}
	}
	if mt := req.Header.Get("Content-Type"); strings.Contains(mt, "x-www-form-urlencoded") {
		if q, err := url.ParseQuery(string(req.Body)); err == nil {
			for k, vs := range q {
				if IsSecretName(k) {
					s.addNamed(vs...)
				}
			}
		}
		return
	}
	s.addBody(req.Body)
}

// addNamed registers values found under secret-like names.
func (s *Secrets) addNamed(values ...string) {
	for _, v := range values {
		if len(v) >= minSensitiveLen {
			s.AddSensitive(v)
		}
	}
}

func (s *Secrets) addBody(body []byte) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || (body[0] != '{' && body[0] != '[') || !hasSecretKey(body) {
		return
	}
	v, ok := jsonvalue.Decode(body)
	if !ok {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if d.Decode(&v) != nil {
			return
		}
	}
	var vals []string
	collectSecretFields(v, false, &vals, 0)
	s.addNamed(vals...)
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
		if secret {
			*out = append(*out, x)
		}
	case json.Number:
		if secret {
			*out = append(*out, x.String())
		}
	}
}

// AddUserinfo registers the user information of a server URL as
// credentials: the password, or the user name when there is no password (a
// token given as http://TOKEN@host), and the whole of it.
func (s *Secrets) AddUserinfo(u *url.Userinfo) {
	if s == nil || u == nil {
		return
	}
	if pw, ok := u.Password(); ok {
		s.Add(pw, u.Username()+":"+pw)
	} else {
		s.Add(u.Username())
	}
	s.Add(u.String())
}

// AddServerURL registers the credentials in the user information of a
// server URL as written (https://user:password@host), even when the URL does
// not parse because the password holds '#', '/', '?', '%' or a space.
func (s *Secrets) AddServerURL(raw string) {
	info, ok := userinfoOf(raw)
	if !ok {
		return
	}
	user, pw, hasPW := strings.Cut(info, ":")
	if hasPW {
		s.Add(info, pw)
		if d, err := url.PathUnescape(pw); err == nil {
			s.Add(d)
		}
		return
	}
	s.Add(user)
	if d, err := url.PathUnescape(user); err == nil {
		s.Add(d)
	}
}

// userinfoOf returns the user information of a URL as written: what lies
// between "scheme://" and the last '@' that a host follows. It does not
// require the URL to parse.
func userinfoOf(raw string) (string, bool) {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", false
	}
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		if u.User == nil {
			return "", false // a URL without credentials ('@' in its path or query)
		}
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
			return rest[:at], true
		}
	}
	for at := strings.LastIndexByte(rest, '@'); at > 0; at = strings.LastIndexByte(rest[:at], '@') {
		host := rest[at+1:]
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if host != "" && isHostText(host) {
			return rest[:at], true
		}
	}
	return "", false
}

func isHostText(h string) bool {
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune(".-_:[]%", c):
		default:
			return false
		}
	}
	return true
}

// MaskServerURL masks the user information of a server URL as written
// (user:password@ becomes user:***@, TOKEN@ becomes ***@), even when the URL
// does not parse; it reports whether there was any.
func MaskServerURL(raw string) (string, bool) {
	info, ok := userinfoOf(raw)
	if !ok {
		return raw, false
	}
	scheme, rest, _ := strings.Cut(raw, "://")
	masked := Masked
	if user, _, hasPW := strings.Cut(info, ":"); hasPW {
		masked = user + ":" + Masked
	}
	return scheme + "://" + masked + rest[len(info):], true
}

// addInputSecrets registers the values of the inputs that are secret (see
// secretInputs) as sensitive.
func (s *Secrets) addInputSecrets(wp *workflowPlan, inputs map[string]any) {
	if s == nil || wp == nil {
		return
	}
	secret := wp.secretInputs()
	for name, v := range inputs {
		if !secret[name] {
			continue
		}
		switch v := v.(type) {
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
