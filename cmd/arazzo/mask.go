package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/arazzo-run/arazzo/runtime"
)

// masker hides credentials in everything the CLI writes about an exchange:
// the values of the headers that carry credentials (whatever they hold), the
// apiKey parameters of the operation's security schemes, and every registered
// secret wherever it appears.
type masker struct{ secrets *runtime.Secrets }

const masked = "***"

// credentialHeaders always carry credentials.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// text masks the registered secrets in s.
func (m masker) text(s string) string { return m.secrets.Mask(s) }

// apiKeys lists the header and query parameter names of the request's apiKey schemes.
func apiKeys(sec []runtime.SecurityOption) (headers, query []string) {
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

// header returns a masked copy of h, with canonical names.
func (m masker) header(h http.Header, sec []runtime.SecurityOption) http.Header {
	keyHeaders, _ := apiKeys(sec)
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		for _, v := range vs {
			out[ck] = append(out[ck], m.headerValue(ck, v, keyHeaders))
		}
	}
	return out
}

func (m masker) headerValue(name, v string, keyHeaders []string) string {
	switch name {
	case "Authorization", "Proxy-Authorization":
		// Keep the scheme ("Bearer ***"): it tells which kind of credential went.
		if scheme, _, ok := strings.Cut(v, " "); ok {
			return scheme + " " + masked
		}
		return masked
	case "Cookie":
		parts := strings.Split(v, ";")
		for i, p := range parts {
			if name, _, ok := strings.Cut(strings.TrimSpace(p), "="); ok {
				parts[i] = name + "=" + masked
			}
		}
		return strings.Join(parts, "; ")
	case "Set-Cookie":
		first, rest, _ := strings.Cut(v, ";")
		if name, _, ok := strings.Cut(first, "="); ok {
			first = name + "=" + masked
		}
		if rest != "" {
			return first + ";" + m.text(rest)
		}
		return first
	}
	for _, k := range keyHeaders {
		if name == k {
			return masked
		}
	}
	return m.text(v)
}

// url masks the apiKey query parameters of u and the secrets in it; the rest
// of the URL stays as it was.
func (m masker) url(u string, sec []runtime.SecurityOption) string {
	_, keys := apiKeys(sec)
	if base, query, ok := strings.Cut(u, "?"); ok && len(keys) > 0 {
		frag := ""
		if q, f, ok := strings.Cut(query, "#"); ok {
			query, frag = q, "#"+f
		}
		parts := strings.Split(query, "&")
		for i, p := range parts {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			for _, k := range keys {
				if name == k {
					parts[i] = p[:strings.IndexByte(p+"=", '=')] + "=" + masked
				}
			}
		}
		u = base + "?" + strings.Join(parts, "&") + frag
	}
	return m.text(u)
}

// value masks the secrets inside a JSON-like value (outputs, operands).
func (m masker) value(v any) any {
	if v == nil || m.secrets == nil {
		return v
	}
	if s, ok := v.(string); ok {
		return m.text(s)
	}
	b, err := json.Marshal(v)
	if err != nil || !m.secrets.Has(string(b)) {
		return v
	}
	var out any
	if err := json.Unmarshal([]byte(m.text(string(b))), &out); err != nil {
		return masked
	}
	return out
}

// values masks every value of a map.
func (m masker) values(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = m.value(v)
	}
	return out
}

// sortedHeaderNames lists the names of h in order.
func sortedHeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
