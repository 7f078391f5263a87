package runtime

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Masked replaces every value the redaction hides, in every channel.
const Masked = "***"

// The redaction works on values, before anything is encoded: a header is
// masked header by header, a URL component by component (its user
// information, path segments and query pairs decoded first), a JSON text
// string by string (each decoded, so escapes such as \" \\ \u003c \/ hide
// nothing), a form pair by pair, a cookie by cookie. A value is masked whole
// when its name says it is secret (IsSecretName, an apiKey parameter of the
// operation's security schemes); any other value has every registered secret
// masked in it, in each of its forms (see Secrets).

// apiKeys lists the header and query parameter names of the request's apiKey schemes.
func apiKeys(sec []SecurityOption) (headers, query []string) {
	for _, opt := range sec {
		for _, ref := range opt {
			if ref.Scheme == nil || ref.Scheme.Type != "apiKey" {
				continue
			}
			switch ref.Scheme.In {
			case "header":
				headers = append(headers, http.CanonicalHeaderKey(ref.Scheme.ParamName))
			case "query":
				query = append(query, ref.Scheme.ParamName)
			}
		}
	}
	return headers, query
}

// MaskHeader returns a masked copy of h, its names as given (message
// headers keep their case on every broker; HTTP ones are canonical already): the
// Authorization and Proxy-Authorization values keep their scheme only
// ("Bearer ***"), every cookie of Cookie and Set-Cookie keeps its name only,
// the headers with secret-like names (X-Api-Key, X-Subject-Token) and the
// apiKey headers of sec are masked whole, and the others have every
// registered secret masked.
func (s *Secrets) MaskHeader(h http.Header, sec []SecurityOption) http.Header {
	keyHeaders, _ := apiKeys(sec)
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		for _, v := range vs {
			out[k] = append(out[k], s.headerValue(ck, v, keyHeaders))
		}
	}
	return out
}

func (s *Secrets) headerValue(name, v string, keyHeaders []string) string {
	switch name {
	case "Authorization", "Proxy-Authorization":
		// Keep the scheme ("Bearer ***"): it tells which kind of credential went.
		if scheme, _, ok := strings.Cut(v, " "); ok && !strings.ContainsAny(scheme, "=,") {
			return s.Mask(scheme) + " " + Masked
		}
		return Masked
	case "Cookie":
		parts := strings.Split(v, ";")
		for i, p := range parts {
			name, _, _ := strings.Cut(strings.TrimSpace(p), "=")
			parts[i] = s.Mask(name) + "=" + Masked
		}
		return strings.Join(parts, "; ")
	case "Set-Cookie":
		first, rest, _ := strings.Cut(v, ";")
		name, _, _ := strings.Cut(first, "=")
		first = s.Mask(strings.TrimSpace(name)) + "=" + Masked
		if rest != "" {
			return first + ";" + s.Mask(rest)
		}
		return first
	}
	for _, k := range keyHeaders {
		if name == k {
			return Masked
		}
	}
	if IsSecretName(name) {
		return Masked
	}
	return s.Mask(v)
}

// MaskURL returns u masked component by component: its user information
// whole, each path segment and each query value with the registered secrets
// masked (as written and decoded), and the query values whose names are
// secret-like or apiKey parameters of sec whole. What needs no masking stays
// as it was written.
func (s *Secrets) MaskURL(u string, sec []SecurityOption) string {
	_, keys := apiKeys(sec)
	pu, err := url.Parse(u)
	if err != nil || pu.Opaque != "" {
		// Not a URL we can take apart: its user information as written, then
		// every form of every secret.
		m, _ := MaskServerURL(u)
		return s.Mask(m)
	}
	// Taken apart as written, so that what needs no masking stays as it was.
	var b strings.Builder
	rest := u
	if pu.Scheme != "" {
		b.WriteString(rest[:len(pu.Scheme)+1])
		rest = rest[len(pu.Scheme)+1:]
	}
	if strings.HasPrefix(rest, "//") {
		end := len(rest)
		if i := strings.IndexAny(rest[2:], "/?#"); i >= 0 {
			end = i + 2
		}
		authority := rest[2:end]
		b.WriteString("//")
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			b.WriteString(Masked + "@")
			authority = authority[at+1:]
		}
		b.WriteString(s.Mask(authority))
		rest = rest[end:]
	}
	path, query, fragment := rest, "", ""
	hasQuery, hasFragment := false, false
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path, fragment, hasFragment = path[:i], path[i+1:], true
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query, hasQuery = path[:i], path[i+1:], true
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		segs[i] = s.maskEscaped(seg, url.PathUnescape, url.PathEscape)
	}
	b.WriteString(strings.Join(segs, "/"))
	if hasQuery {
		b.WriteString("?" + s.maskQuery(query, keys))
	}
	if hasFragment {
		b.WriteString("#" + s.maskEscaped(fragment, url.PathUnescape, url.PathEscape))
	}
	return b.String()
}

// maskQuery masks the pairs of a query (or of a form body) one by one.
func (s *Secrets) maskQuery(raw string, secretKeys []string) string {
	pairs := strings.Split(raw, "&")
	for i, p := range pairs {
		k, v, hasV := strings.Cut(p, "=")
		name := k
		if d, err := url.QueryUnescape(k); err == nil {
			name = d
		}
		secret := IsSecretName(name)
		for _, sk := range secretKeys {
			secret = secret || name == sk
		}
		mk := s.maskEscaped(k, url.QueryUnescape, url.QueryEscape)
		switch {
		case !hasV:
			pairs[i] = mk
		case secret:
			pairs[i] = mk + "=" + Masked
		default:
			pairs[i] = mk + "=" + s.maskEscaped(v, url.QueryUnescape, url.QueryEscape)
		}
	}
	return strings.Join(pairs, "&")
}

// maskEscaped masks a URL component as written and, when that hides
// nothing, decoded (then encoded again around the masks).
func (s *Secrets) maskEscaped(raw string, unescape func(string) (string, error), escape func(string) string) string {
	if m := s.Mask(raw); m != raw {
		return m
	}
	d, err := unescape(raw)
	if err != nil || d == raw {
		return raw
	}
	m := s.Mask(d)
	if m == d {
		return raw
	}
	parts := strings.Split(m, Masked)
	for i, p := range parts {
		parts[i] = escape(p)
	}
	return strings.Join(parts, Masked)
}

// MaskValue returns a masked copy of a JSON-like value (outputs, inputs,
// operands): the members with secret-like names masked whole, every string
// and number with the registered secrets masked.
func (s *Secrets) MaskValue(v any) any { return s.maskValue(v, false, valueRule{names: true}, 0) }

// MaskValues is MaskValue on every value of a map; the values of keys with
// secret-like names are masked whole.
func (s *Secrets) MaskValues(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[s.Mask(k)] = s.maskValue(v, IsSecretName(k), valueRule{names: true}, 0)
	}
	return out
}

// MaskCredentialValues returns a copy of the workflow outputs a run hands
// over (stdout, an outputs file) with the credentials the run was given
// masked, in each of their forms: nothing else is masked there.
func (s *Secrets) MaskCredentialValues(in map[string]any) map[string]any {
	if in == nil {
		return nil
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = s.MaskCredentialValue(v)
	}
	return out
}

// MaskCredentialValue is MaskCredentialValues for one value.
func (s *Secrets) MaskCredentialValue(v any) any {
	return s.maskValue(v, false, valueRule{credsOnly: true}, 0)
}

// MaskRegistered returns a copy of v with every registered value masked in
// its strings, in each of its forms, and no member masked for its name: for
// what a run hands over, where a token under a secret-like name is the point.
func (s *Secrets) MaskRegistered(v any) any { return s.maskValue(v, false, valueRule{}, 0) }

// valueRule says what maskValue masks: credentials only or every registered
// value, and the members with secret-like names whole or not.
type valueRule struct {
	credsOnly bool
	names     bool
}

func (s *Secrets) maskValue(v any, secret bool, rule valueRule, depth int) any {
	mask := s.Mask
	if rule.credsOnly {
		mask = s.MaskCredentials
	}
	switch x := v.(type) {
	case nil, bool:
		return v
	case string:
		if secret {
			return Masked
		}
		return mask(x)
	case json.Number:
		if secret || mask(x.String()) != x.String() {
			return Masked
		}
		return x
	case map[string]any:
		if depth > 64 {
			return Masked
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[mask(k)] = s.maskValue(e, secret || (rule.names && IsSecretName(k)), rule, depth+1)
		}
		return m
	case []any:
		if depth > 64 {
			return Masked
		}
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = s.maskValue(e, secret, rule, depth+1)
		}
		return a
	case []byte:
		if secret {
			return Masked
		}
		return s.maskBytes(bytes.Clone(x))
	}
	// Other numbers, and values of other types: judged by their JSON text.
	b, err := json.Marshal(v)
	if err != nil {
		return Masked
	}
	if secret || mask(string(b)) != string(b) {
		return Masked
	}
	return v
}

// MaskBody returns a body as masked text, and whether that text is base64
// (the body is not UTF-8). A JSON body is masked string by string, a form
// pair by pair, other text as text; the bytes of a binary body are masked
// before they are encoded. cut says the body is the beginning of a longer
// one: a secret cut off at its end is masked too.
func (s *Secrets) MaskBody(body []byte, contentType string, cut bool) (text string, isBase64 bool) {
	if !utf8.Valid(body) {
		return base64.StdEncoding.EncodeToString(s.maskBytes(bytes.Clone(body))), true
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	t := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (len(t) > 0 && (t[0] == '{' || t[0] == '[') && !strings.HasPrefix(mt, "text/")):
		text = string(s.maskJSON(body))
	case mt == "application/x-www-form-urlencoded":
		text = s.maskQuery(string(body), nil)
	default:
		text = s.Mask(string(body))
	}
	if cut {
		text = s.maskTail(text)
	}
	return text, false
}

// maskJSON masks a JSON text token by token: each string is decoded, masked
// as a value and written back (encoded again only when it changed); the value
// of a member with a secret-like name, whatever it holds, becomes "***".
// Anything else is copied as it is, so a text that is not quite JSON (cut,
// invalid) still has its strings masked.
func (s *Secrets) maskJSON(data []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(data))
	var stack []bool // for each open object or array: is everything in it secret?
	pending := false // the member being read has a secret-like name
	inSecret := func() bool { return pending || (len(stack) > 0 && stack[len(stack)-1]) }
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '"':
			end := stringEnd(data, i)
			tok := data[i:end]
			str, ok := decodeJSONString(tok)
			k := end
			for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\n' || data[k] == '\r') {
				k++
			}
			isKey := k < len(data) && data[k] == ':'
			switch {
			case !ok:
				out.WriteString(s.Mask(string(tok)))
			case isKey:
				pending = IsSecretName(str)
				writeJSONString(&out, tok, str, s.Mask(str))
			case inSecret():
				out.WriteString(`"` + Masked + `"`)
				pending = false
			default:
				writeJSONString(&out, tok, str, s.Mask(str))
			}
			i = end
		case c == '{' || c == '[':
			stack = append(stack, inSecret())
			pending = false
			out.WriteByte(c)
			i++
		case c == '}' || c == ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			out.WriteByte(c)
			i++
		case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
			end := i
			for end < len(data) && !strings.ContainsRune(",]}: \t\r\n\"", rune(data[end])) {
				end++
			}
			tok := string(data[i:end])
			isNumber := c == '-' || (c >= '0' && c <= '9')
			if isNumber && (inSecret() || s.Mask(tok) != tok) {
				out.WriteString(`"` + Masked + `"`)
			} else {
				out.WriteString(tok)
			}
			pending = false
			i = end
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.Bytes()
}

// stringEnd returns the index after the JSON string starting at data[i]
// (a quote): after its closing quote, or len(data) when it is not closed.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// decodeJSONString decodes a string token; an unterminated one (a cut body)
// is decoded as far as it goes.
func decodeJSONString(tok []byte) (string, bool) {
	var s string
	if json.Unmarshal(tok, &s) == nil {
		return s, true
	}
	if len(tok) > 1 && tok[len(tok)-1] != '"' {
		for n := len(tok); n > 1 && n > len(tok)-6; n-- {
			if json.Unmarshal(append(append([]byte(nil), tok[:n]...), '"'), &s) == nil {
				return s, true
			}
		}
	}
	return "", false
}

// writeJSONString writes a string token: as it was when masking changed
// nothing, else the masked value encoded.
func writeJSONString(out *bytes.Buffer, tok []byte, was, masked string) {
	if masked == was {
		out.Write(tok)
		return
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(masked)
	out.Truncate(out.Len() - 1) // Encode's newline
}
