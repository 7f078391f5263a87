package runtime

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Masked replaces every value the redaction hides, in every channel.
const Masked = "***"

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

// MaskHeader returns a masked copy of h, with canonical names: the values of
// the headers that carry credentials (whatever they hold) and of the apiKey
// headers of sec, and every registered secret in the others.
func (s *Secrets) MaskHeader(h http.Header, sec []SecurityOption) http.Header {
	keyHeaders, _ := apiKeys(sec)
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		for _, v := range vs {
			out[ck] = append(out[ck], s.headerValue(ck, v, keyHeaders))
		}
	}
	return out
}

func (s *Secrets) headerValue(name, v string, keyHeaders []string) string {
	switch name {
	case "Authorization", "Proxy-Authorization":
		// Keep the scheme ("Bearer ***"): it tells which kind of credential went.
		if scheme, _, ok := strings.Cut(v, " "); ok {
			return scheme + " " + Masked
		}
		return Masked
	case "Cookie":
		parts := strings.Split(v, ";")
		for i, p := range parts {
			if name, _, ok := strings.Cut(strings.TrimSpace(p), "="); ok {
				parts[i] = name + "=" + Masked
			}
		}
		return strings.Join(parts, "; ")
	case "Set-Cookie":
		first, rest, _ := strings.Cut(v, ";")
		if name, _, ok := strings.Cut(first, "="); ok {
			first = name + "=" + Masked
		}
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
	return s.Mask(v)
}

// MaskURL masks the apiKey query parameters of sec in u and the secrets in
// it; the rest of the URL stays as it was.
func (s *Secrets) MaskURL(u string, sec []SecurityOption) string {
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
					parts[i] = p[:strings.IndexByte(p+"=", '=')] + "=" + Masked
				}
			}
		}
		u = base + "?" + strings.Join(parts, "&") + frag
	}
	return s.Mask(u)
}

// MaskValue masks the secrets inside a JSON-like value (outputs, operands).
func (s *Secrets) MaskValue(v any) any {
	if v == nil || s == nil {
		return v
	}
	if str, ok := v.(string); ok {
		return s.Mask(str)
	}
	b, err := json.Marshal(v)
	if err != nil || !s.Has(string(b)) {
		return v
	}
	var out any
	if err := json.Unmarshal([]byte(s.Mask(string(b))), &out); err != nil {
		return Masked
	}
	return out
}

// MaskValues masks every value of a map.
func (s *Secrets) MaskValues(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = s.MaskValue(v)
	}
	return out
}
