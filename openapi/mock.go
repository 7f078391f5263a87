package openapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// NewMock returns an http.Handler that answers every operation of docs with the
// operation's success response, made up from the description. See the package
// documentation, "Mock server", for what it answers and how.
func NewMock(docs ...*Document) http.Handler {
	m := &mock{}
	for _, d := range docs {
		if d == nil {
			continue
		}
		for _, op := range d.operations {
			m.routes = append(m.routes, newRoute(op))
		}
	}
	slices.SortStableFunc(m.routes, func(a, b *route) int { return compareSpecificity(a.kinds, b.kinds) })
	return m
}

// mock is immutable once built and safe for concurrent requests.
type mock struct {
	routes []*route // most specific path template first
}

// route matches requests to one operation.
type route struct {
	op       *Operation
	segments [][]part   // the path template, split at '/'
	kinds    []int      // per segment: 0 literal, 1 templated
	prefixes [][]string // base paths of the operation's servers, e.g. [api v1]
}

// part is a literal or a {parameter} of a path template segment.
type part struct {
	lit   string
	param string // parameter name; lit is unused when set
}

func newRoute(op *Operation) *route {
	r := &route{op: op}
	for _, seg := range splitPath(op.Path) {
		var parts []part
		kind := 0
		rest := seg
		for rest != "" {
			open := strings.IndexByte(rest, '{')
			end := strings.IndexByte(rest, '}')
			if open < 0 || end < open {
				parts = append(parts, part{lit: rest})
				break
			}
			if open > 0 {
				parts = append(parts, part{lit: rest[:open]})
			}
			parts = append(parts, part{param: rest[open+1 : end]})
			kind = 1
			rest = rest[end+1:]
		}
		r.segments = append(r.segments, parts)
		r.kinds = append(r.kinds, kind)
	}
	for _, s := range op.Servers {
		if p := serverBasePath(s); len(p) > 0 && !slices.ContainsFunc(r.prefixes, func(q []string) bool { return slices.Equal(p, q) }) {
			r.prefixes = append(r.prefixes, p)
		}
	}
	return r
}

// splitPath splits a path into its segments, percent-decoded, ignoring the leading
// and a trailing '/'.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	return segs
}

// serverBasePath is the path of a server URL with its variables at their defaults,
// split into segments: "https://x/api/v1/" gives [api v1].
func serverBasePath(s Server) []string {
	expanded, err := s.expand(nil)
	if err != nil {
		return nil
	}
	u, err := url.Parse(expanded)
	if err != nil {
		return nil
	}
	return splitPath(u.EscapedPath())
}

// compareSpecificity orders concrete path templates before templated ones, segment
// by segment, as the OpenAPI specification asks for matching.
func compareSpecificity(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if c := cmp.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(b), len(a))
}

// match returns the path parameters when r's template matches the path segments.
func (r *route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(r.segments) {
		return nil, false
	}
	params := map[string]string{}
	for i, parts := range r.segments {
		steps := maxMatchSteps
		if !matchSegment(parts, segs[i], params, &steps) {
			return nil, false
		}
	}
	return params, true
}

// maxMatchSteps bounds the backtracking of matchSegment on templates such as
// /{a}x{b}x{c}y.
const maxMatchSteps = 10000

// matchSegment matches one path segment; a parameter takes at least one character
// and, when a literal follows, as few as possible.
func matchSegment(parts []part, s string, params map[string]string, steps *int) bool {
	if *steps--; *steps < 0 {
		return false
	}
	if len(parts) == 0 {
		return s == ""
	}
	p := parts[0]
	if p.param == "" {
		rest, ok := strings.CutPrefix(s, p.lit)
		return ok && matchSegment(parts[1:], rest, params, steps)
	}
	if len(parts) == 1 {
		if s == "" {
			return false
		}
		params[p.param] = s
		return true
	}
	for i := 1; i <= len(s); i++ {
		if matchSegment(parts[1:], s[i:], params, steps) {
			params[p.param] = s[:i]
			return true
		}
	}
	return false
}

// find looks for the operation of method and path: first with a server base path
// stripped, then the path as it is. allowed lists the methods of the templates that
// match when no operation of that method does.
func (m *mock) find(method, path string) (r *route, params map[string]string, allowed []string) {
	segs := splitPath(path)
	for _, stripped := range []bool{true, false} {
		for _, rt := range m.routes {
			var candidates [][]string
			if !stripped {
				candidates = [][]string{segs}
			}
			for _, p := range rt.prefixes {
				if stripped && len(segs) >= len(p) && slices.Equal(segs[:len(p)], p) {
					candidates = append(candidates, segs[len(p):])
				}
			}
			for _, c := range candidates {
				params, ok := rt.match(c)
				if !ok {
					continue
				}
				if rt.op.Method == method {
					return rt, params, nil
				}
				if !slices.Contains(allowed, rt.op.Method) {
					allowed = append(allowed, rt.op.Method)
				}
			}
		}
	}
	slices.Sort(allowed)
	return nil, nil, allowed
}

func (m *mock) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	path := req.URL.EscapedPath()
	rt, params, allowed := m.find(req.Method, path)
	if rt == nil && req.Method == http.MethodHead {
		rt, params, _ = m.find(http.MethodGet, path)
	}
	if rt == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeProblem(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not an operation of %s; it has %s",
				req.Method, req.URL.Path, strings.Join(allowed, ", ")))
			return
		}
		writeProblem(w, http.StatusNotFound, fmt.Sprintf("no operation matches %s %s", req.Method, req.URL.Path))
		return
	}
	status, resp := successResponse(rt.op)
	if resp != nil {
		responseHeaders(w.Header(), resp)
	}
	if resp == nil || status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	body, contentType, ok := responseBody(resp, params)
	if !ok {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// successResponse picks the response the mock sends: the lowest 2xx code, else 2XX,
// else default. Without any, it is 204 No Content.
func successResponse(op *Operation) (int, *openapi3.Response) {
	best := 0
	for code := range op.Responses {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n <= 299 && (best == 0 || n < best) {
			best = n
		}
	}
	pick := func(key string) *openapi3.Response {
		if r := op.Responses[key]; r != nil {
			resp, _ := r.impl.(*openapi3.Response)
			return resp
		}
		return nil
	}
	if best != 0 {
		return best, pick(strconv.Itoa(best))
	}
	for _, key := range []string{"2XX", "2xx", "default"} {
		if op.Responses[key] != nil {
			return http.StatusOK, pick(key)
		}
	}
	return http.StatusNoContent, nil
}

// responseBody makes the body of r: the example of its first JSON media type (else
// of its first media type), else the first of its examples, else a value generated
// from its schema. The values of path parameters are echoed into same-named string
// properties.
func responseBody(r *openapi3.Response, params map[string]string) (body []byte, contentType string, ok bool) {
	names := mediaTypeOrder(r.Content)
	if len(names) == 0 {
		return nil, "", false
	}
	name := names[0]
	for _, n := range names {
		if isJSONMediaType(n) {
			name = n
			break
		}
	}
	mt := r.Content[name]
	var v any
	switch {
	case mt == nil:
		v = map[string]any{}
	case mt.Example != nil:
		v = normalize(mt.Example)
	case firstExample(mt.Examples) != nil:
		v = normalize(firstExample(mt.Examples))
	case mt.Schema == nil && isJSONMediaType(name):
		v = map[string]any{}
	default:
		v, _ = newGenerator().value(mt.Schema, "", 0)
	}
	echoPathParams(v, params)

	contentType = name
	if strings.Contains(name, "*") {
		contentType = "application/json"
	}
	if s, isString := v.(string); isString && !isJSONMediaType(contentType) {
		return []byte(s), contentType, true
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, "", false
	}
	return buf.Bytes(), contentType, true
}

// firstExample is the value of the first example of an examples map, in document
// order (falling back to name order).
func firstExample(examples openapi3.Examples) any {
	names := make([]string, 0, len(examples))
	for n, e := range examples {
		if e != nil && e.Value != nil && e.Value.Value != nil {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	loc := func(n string) openapi3.Location {
		if o := examples[n].Value.Origin; o != nil && o.Key != nil {
			return *o.Key
		}
		return openapi3.Location{}
	}
	slices.SortFunc(names, func(a, b string) int {
		la, lb := loc(a), loc(b)
		if la.Line > 0 && lb.Line > 0 && la.File == lb.File {
			if c := cmp.Or(cmp.Compare(la.Line, lb.Line), cmp.Compare(la.Column, lb.Column)); c != 0 {
				return c
			}
		}
		return strings.Compare(a, b)
	})
	return examples[names[0]].Value.Value
}

// echoPathParams sets the string properties of v (an object, or each object of an
// array) that are named like a path parameter to the parameter's value.
func echoPathParams(v any, params map[string]string) {
	if len(params) == 0 {
		return
	}
	set := func(m map[string]any) {
		for name, value := range params {
			if _, isString := m[name].(string); isString {
				m[name] = value
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		set(x)
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				set(m)
			}
		}
	}
}

func isJSONMediaType(name string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(name), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "*/*" || mt == "application/*"
}

// writeProblem writes an RFC 9457 problem details response.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	body, _ := json.Marshal(map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"detail": detail,
	})
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// responseHeaders sets the headers the response declares: each one's example,
// else a value made from its schema (Content-Type and Content-Length are the
// body's).
func responseHeaders(h http.Header, r *openapi3.Response) {
	names := make([]string, 0, len(r.Headers))
	for n := range r.Headers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		ref := r.Headers[n]
		switch strings.ToLower(n) {
		case "content-type", "content-length", "set-cookie":
			continue
		}
		if ref == nil || ref.Value == nil {
			continue
		}
		p := ref.Value.Parameter
		var v any
		switch {
		case p.Example != nil:
			v = normalize(p.Example)
		case firstExample(p.Examples) != nil:
			v = normalize(firstExample(p.Examples))
		case p.Schema != nil:
			v, _ = newGenerator().value(p.Schema, n, 0)
		default:
			continue
		}
		switch x := v.(type) {
		case string:
			h.Set(n, x)
		case nil:
		default:
			h.Set(n, fmt.Sprint(x))
		}
	}
}
