package runtime

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/openapi"
)

// buildRequest turns an operation step into a Request: server, path, query,
// headers, cookies and body, serialized as the OpenAPI description says.
func (r *run) buildRequest(sc *scope, sp *stepPlan) (*Request, error) {
	f := sc.f
	fail := func(pos arazzo.Pos, format string, args ...any) error {
		return f.errorf(sp, pos, nil, format, args...)
	}
	if sp.op == nil || sp.source == nil {
		return nil, fail(sp.step.Pos, "the operation of this step is not available (source %s not loaded)", sp.source.displayName())
	}
	op := sp.op
	base, err := r.serverURL(sp.source, op)
	if err != nil {
		return nil, f.errorf(sp, sp.step.Pos, err, "")
	}
	if o := r.cfg.serverOrigin; o != nil {
		if u, err := url.Parse(base); err == nil {
			u.Scheme, u.Host, u.User = o.Scheme, o.Host, nil
			base = u.String()
		}
	}
	req := &Request{Source: sp.source.name, Method: op.Method, Header: http.Header{}, Idempotent: op.Idempotent,
		pathParams: map[string]any{}, queryParams: map[string]any{}}
	if clean, user, ok := cutUserinfo(base); ok {
		// Credentials in a server URL (https://user:password@host) are sent as
		// Basic authentication and kept out of the URL, which logs, traces and
		// the journal record.
		base = clean
		password, _ := user.Password()
		enc := base64.StdEncoding.EncodeToString([]byte(user.Username() + ":" + password))
		r.cfg.secrets.Add(enc)
		r.cfg.secrets.AddUserinfo(user) // the password, or a token given as the user name
		req.Header.Set("Authorization", "Basic "+enc)
	}
	path := op.Path
	var query, cookies []string
	supplied := map[string]bool{}
	omitted := map[string]*paramPlan{} // left out: their optional input was not given
	for _, p := range sp.params {
		if p.value == nil {
			continue
		}
		v, err := p.value.Eval(sc)
		if err != nil {
			if p.in != arazzo.InPath && p.value.omittable(sc, err) {
				omitted[paramKey(p.in, p.name)] = p
				continue // an optional input not given: the parameter is not sent
			}
			return nil, f.errorf(sp, p.pos, err, "parameter %q", p.name)
		}
		spec := p.spec
		if spec == nil {
			spec = defaultParam(p.name, p.in)
		}
		supplied[paramKey(p.in, p.name)] = true
		switch p.in {
		case arazzo.InPath:
			enc, err := spec.EncodePath(v)
			if err != nil {
				return nil, f.errorf(sp, p.pos, err, "")
			}
			placeholder := "{" + p.name + "}"
			if !strings.Contains(path, placeholder) {
				return nil, fail(p.pos, "path parameter %q does not appear in path %s", p.name, op.Path)
			}
			path = strings.ReplaceAll(path, placeholder, enc)
			req.pathParams[p.name] = v
		case arazzo.InQuery:
			enc, err := spec.EncodeQuery(v)
			if err != nil {
				return nil, f.errorf(sp, p.pos, err, "")
			}
			if enc != "" {
				query = append(query, enc)
			}
			req.queryParams[p.name] = v
		case arazzo.InQueryString:
			s, ok := v.(string)
			if !ok {
				return nil, fail(p.pos, "querystring parameter %q must be a string, got %s", p.name, jsonType(v))
			}
			query = append(query, strings.TrimPrefix(s, "?"))
		case arazzo.InHeader:
			enc, err := spec.EncodeHeader(v)
			if err != nil {
				return nil, f.errorf(sp, p.pos, err, "")
			}
			switch strings.ToLower(p.name) {
			case "authorization", "proxy-authorization", "cookie":
				// Credentials the workflow passes itself: mask them like --auth ones.
				r.cfg.secrets.Add(enc)
			}
			req.Header.Set(p.name, enc)
		case arazzo.InCookie:
			enc, err := spec.EncodeCookie(v)
			if err != nil {
				return nil, f.errorf(sp, p.pos, err, "")
			}
			cookies = append(cookies, enc)
		default:
			return nil, fail(p.pos, "parameter %q has no location (in); operation steps need in: path, query, header or cookie", p.name)
		}
	}
	var missing []string
	for _, prm := range op.Parameters {
		key := paramKey(prm.In, prm.Name)
		if !prm.Required || supplied[key] {
			continue
		}
		if p := omitted[key]; p != nil {
			return nil, fail(p.pos, "operation %s requires %s parameter %q, and its value %s is an input that was not given",
				op.ID, prm.In, prm.Name, p.value.Expr().Text)
		}
		missing = append(missing, fmt.Sprintf("%s parameter %q", prm.In, prm.Name))
	}
	if len(missing) > 0 {
		return nil, fail(sp.step.Pos, "operation %s requires %s, which the step does not supply", op.ID, strings.Join(missing, ", "))
	}
	if i := strings.Index(path, "{"); i >= 0 {
		if j := strings.Index(path[i:], "}"); j > 0 {
			return nil, fail(sp.step.Pos, "path %s needs a value for {%s}; add a parameter with in: path", op.Path, path[i+1:i+j])
		}
	}
	u := strings.TrimRight(base, "/") + path
	if len(query) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + strings.Join(query, "&")
	}
	req.URL = u
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	if sp.body != nil {
		if err := r.buildBody(sc, sp, req); err != nil {
			return nil, err
		}
	}
	if sp.timeoutMS > 0 {
		req.Timeout = time.Duration(sp.timeoutMS) * time.Millisecond
	}
	req.Security = r.plan.securityOptions(sp.source, op)
	req.NoFollow = declaredRedirects(op)
	return req, nil
}

// cutUserinfo removes the user information from a URL: the URL without it, and
// the user and password (decoded), if it had any.
func cutUserinfo(raw string) (string, *url.Userinfo, bool) {
	if !strings.Contains(raw, "@") {
		return raw, nil, false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw, nil, false
	}
	user := u.User
	u.User = nil
	return u.String(), user, true
}

// paramKey identifies a parameter by location and name; header names are
// case-insensitive (RFC 9110 §5.1).
func paramKey(in, name string) string {
	if in == arazzo.InHeader {
		name = strings.ToLower(name)
	}
	return in + "\x00" + name
}

func defaultParam(name, in string) *openapi.Parameter {
	style := "simple"
	if in == arazzo.InQuery || in == arazzo.InCookie {
		style = "form"
	}
	return &openapi.Parameter{Name: name, In: in, Style: style, Explode: style == "form"}
}

// buildBody evaluates the payload, applies the replacements in order, and
// serializes the result with the chosen media type.
func (r *run) buildBody(sc *scope, sp *stepPlan, req *Request) error {
	f := sc.f
	rb := sp.step.RequestBody
	var v any
	if sp.body.payloadErr != nil {
		return f.errorf(sp, rb.ValuePos("payload"), sp.body.payloadErr, "requestBody payload: the string is sent as %s but is not JSON", sp.body.media.Name)
	}
	if sp.body.payload != nil {
		var err error
		v, err = sp.body.payload.Eval(sc)
		if err != nil {
			return f.errorf(sp, rb.ValuePos("payload"), err, "requestBody payload")
		}
	}
	for i, rp := range sp.body.replacements {
		if rp.value == nil {
			continue
		}
		val, err := rp.value.Eval(sc)
		if err != nil {
			return f.errorf(sp, rb.Replacements[i].Pos, err, "replacement %q", rp.target)
		}
		v, err = applyReplacement(v, rp, val)
		if err != nil {
			return f.errorf(sp, rb.Replacements[i].ValuePos("target"), err, "replacement %q", rp.target)
		}
	}
	if v == nil && sp.body.payload == nil {
		return nil
	}
	mt := sp.body.media
	if sp.body.contentType != "" && mt.Name == "" {
		mt = openapi.MediaType{Name: sp.body.contentType}
	}
	body, ct, err := openapi.EncodeBody(&mt, v)
	if err != nil {
		return f.errorf(sp, rb.Pos, err, "requestBody")
	}
	req.Body = body
	req.bodyValue = v
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return nil
}

// serverURL picks the base URL of an operation: a --server override, else the
// first server of the operation (path, document) with its variables substituted.
func (r *run) serverURL(src *source, op *openapi.Operation) (string, error) {
	if u, ok := r.cfg.servers[src.name]; ok {
		r.markUsed("server:" + src.name)
		return u, nil
	}
	if len(op.Servers) == 0 {
		return "", &ServerError{Source: src.name, Err: fmt.Errorf("source %q declares no server", src.name)}
	}
	// OpenAPI: the operation's servers, else its path item's, else the document's
	// (op.Servers is already that list); the first one, its variables substituted.
	srv := op.Servers[0]
	for name := range r.cfg.serverVars[src.name] {
		if _, ok := srv.Variables[name]; ok || strings.Contains(srv.URL, "{"+name+"}") {
			r.markUsed("var:" + src.name + "." + name)
		}
	}
	u, err := srv.ResolveWithBase(r.cfg.serverVars[src.name], r.cfg.serverBase)
	if err != nil {
		return "", &ServerError{Source: src.name, Err: fmt.Errorf("source %q: %w", src.name, err)}
	}
	pu, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("source %q: server URL %q: %v", src.name, u, err)
	}
	if !pu.IsAbs() || (pu.Scheme != "http" && pu.Scheme != "https") {
		if base, err := url.Parse(src.loc); err == nil && (base.Scheme == "http" || base.Scheme == "https") {
			return base.ResolveReference(pu).String(), nil
		}
		return "", &ServerError{Source: src.name, Err: fmt.Errorf("source %q: server URL %q is not an absolute http(s) URL", src.name, u)}
	}
	return u, nil
}

func (s *source) displayName() string {
	if s == nil {
		return "(none)"
	}
	return strconv.Quote(s.name)
}
