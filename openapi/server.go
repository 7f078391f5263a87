package openapi

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ServerError is the error of Server.Resolve.
type ServerError struct {
	URL string // the server URL template
	// Variable is the variable at fault, "" when the problem is the URL itself.
	Variable string
	Msg      string
}

func (e *ServerError) Error() string {
	if e.Variable != "" {
		return fmt.Sprintf("server %q: variable %q: %s", e.URL, e.Variable, e.Msg)
	}
	return fmt.Sprintf("server %q: %s", e.URL, e.Msg)
}

// newServers converts a servers list; none means the single server "/", as the
// OpenAPI specification says.
func newServers(servers openapi3.Servers, base string) []Server {
	out := make([]Server, 0, max(len(servers), 1))
	for _, s := range servers {
		if s == nil {
			continue
		}
		srv := Server{URL: s.URL, Description: s.Description, base: base}
		if len(s.Variables) > 0 {
			srv.Variables = map[string]ServerVariable{}
			for name, v := range s.Variables {
				if v != nil {
					srv.Variables[name] = ServerVariable{Default: v.Default, Enum: slices.Clone(v.Enum)}
				}
			}
		}
		out = append(out, srv)
	}
	if len(out) == 0 {
		out = append(out, Server{URL: "/", base: base})
	}
	return out
}

// Resolve returns the server's URL with each {variable} replaced by vars[variable],
// else by the variable's default. A value outside a variable's non-empty enum is an
// error, and so is a variable that is neither given nor declared.
//
// A relative server URL (such as "/v1", or the "/" that stands for a description
// without servers) is relative to where the description was served from, as the
// OpenAPI specification says: it resolves against the document URL when that is an
// http(s) URL. A description read from a file has no such base, and Resolve then
// returns an error; the caller has to name the server.
func (s Server) Resolve(vars map[string]string) (string, error) {
	return s.resolve(vars, "")
}

// ResolveWithBase is Resolve with fallback as the base of a relative server URL
// when the description was not served over http(s) (a mock of the API, say).
func (s Server) ResolveWithBase(vars map[string]string, fallback string) (string, error) {
	return s.resolve(vars, fallback)
}

func (s Server) resolve(vars map[string]string, fallback string) (string, error) {
	resolved, err := s.expand(vars)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(resolved)
	if err != nil {
		return "", &ServerError{URL: s.URL, Msg: fmt.Sprintf("%q is not a URL: %v", resolved, err)}
	}
	if u.IsAbs() {
		return resolved, nil
	}
	base, err := url.Parse(s.base)
	if (err != nil || base.Scheme != "http" && base.Scheme != "https") && fallback != "" {
		base, err = url.Parse(fallback)
	}
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		where := "the description"
		if s.base != "" {
			where = s.base
		}
		return "", &ServerError{URL: s.URL, Msg: fmt.Sprintf(
			"relative server URL %q has no base: %s was not served over http(s); give the server URL explicitly", resolved, where)}
	}
	return base.ResolveReference(u).String(), nil
}

// expand substitutes the URL template's variables.
func (s Server) expand(vars map[string]string) (string, error) {
	var b strings.Builder
	rest := s.URL
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return "", &ServerError{URL: s.URL, Msg: "unbalanced '}' in the URL template"}
			}
			b.WriteString(rest)
			return b.String(), nil
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return "", &ServerError{URL: s.URL, Msg: "unclosed '{' in the URL template"}
		}
		if strings.IndexByte(rest[:open], '}') >= 0 {
			return "", &ServerError{URL: s.URL, Msg: "unbalanced '}' in the URL template"}
		}
		name := rest[open+1 : open+end]
		b.WriteString(rest[:open])
		v, err := s.variable(name, vars)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		rest = rest[open+end+1:]
	}
}

func (s Server) variable(name string, vars map[string]string) (string, error) {
	decl, declared := s.Variables[name]
	v, given := vars[name]
	switch {
	case !given && !declared:
		return "", &ServerError{URL: s.URL, Variable: name, Msg: "not declared in the server's variables and no value given"}
	case !given:
		v = decl.Default
	}
	if declared && len(decl.Enum) > 0 && !slices.Contains(decl.Enum, v) {
		return "", &ServerError{URL: s.URL, Variable: name, Msg: fmt.Sprintf("value %q is not one of %s", v, strings.Join(quoteAll(decl.Enum), ", "))}
	}
	return v, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
