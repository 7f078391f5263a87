package asyncapi

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Server is an AsyncAPI Server Object: a broker or server an application
// connects to.
type Server struct {
	// Name is the key under servers (or components.servers).
	Name string
	// Host may carry a port and {variables}; Pathname may carry {variables}.
	Host, Pathname string
	// Protocol is as written, e.g. kafka, kafka-secure, mqtt, secure-mqtt, amqp,
	// amqps, nats, ws, wss.
	Protocol        string
	ProtocolVersion string
	Title, Summary  string
	Description     string
	Variables       map[string]*ServerVariable
	// Security lists alternative schemes: any one of them authorizes a connection.
	Security []*SecurityScheme
	Bindings ServerBindings
	Pos      Pos
}

// ServerVariable is an AsyncAPI Server Variable Object.
type ServerVariable struct {
	Default     string
	HasDefault  bool
	Enum        []string
	Examples    []string
	Description string
}

// URL is the server's address with its variables substituted: values from vars,
// else each variable's default. A variable without a value, or whose value is
// not one of its enum, is an error naming it.
//
// The scheme is the protocol as written (kafka-secure://host:9093); the host
// and path are as the description says, so that URLs given on a command line
// in the same form override them.
func (s *Server) URL(vars map[string]string) (*url.URL, error) {
	host, err := s.expand(s.Host, vars)
	if err != nil {
		return nil, err
	}
	path, err := s.expand(s.Pathname, vars)
	if err != nil {
		return nil, err
	}
	// A 2.x url may carry a scheme of its own; the host must not.
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if path != "" && !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u, err := url.Parse(strings.ToLower(s.Protocol) + "://" + host + path)
	if err != nil {
		return nil, fmt.Errorf("server %q: %s://%s%s is not a URL: %v", s.Name, s.Protocol, host, path, err)
	}
	return u, nil
}

// expand substitutes {name} in t.
func (s *Server) expand(t string, vars map[string]string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String(), nil
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("server %q: unclosed { in %q", s.Name, t)
		}
		name := t[i+1 : i+j]
		b.WriteString(t[:i])
		v, ok := vars[name]
		sv := s.Variables[name]
		if !ok {
			if sv == nil || !sv.HasDefault {
				return "", fmt.Errorf("server %q: variable %q has no value%s", s.Name, name, s.knownVariables())
			}
			v = sv.Default
		} else if sv != nil && len(sv.Enum) > 0 && !contains(sv.Enum, v) {
			return "", fmt.Errorf("server %q: variable %q is %q, not one of %s", s.Name, name, v, strings.Join(sv.Enum, ", "))
		}
		b.WriteString(v)
		t = t[i+j+1:]
	}
}

func (s *Server) knownVariables() string {
	if len(s.Variables) == 0 {
		return " (the server declares no variables)"
	}
	names := make([]string, 0, len(s.Variables))
	for n := range s.Variables {
		names = append(names, n)
	}
	sort.Strings(names)
	return " (variables: " + strings.Join(names, ", ") + ")"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// server decodes a Server Object (or a Reference Object to one).
func (l *loader) server(r ref, key string) *Server {
	t, chain, ok := l.deref(r)
	if !ok {
		return nil
	}
	if s, found := memo[*Server](l, t, chain, "a server"); found {
		return s
	}
	o, ok := l.object(t, "a server")
	if !ok {
		return nil
	}
	s := &Server{Name: key, Pos: t.pos(), Variables: map[string]*ServerVariable{}}
	if strings.HasPrefix(t.ptr, "/servers/") || strings.HasPrefix(t.ptr, "/components/servers/") {
		s.Name = lastToken(t.ptr)
	}
	l.objs[t.loc()] = s
	l.register(chain, s)
	s.Protocol = o.str("protocol")
	s.ProtocolVersion = o.str("protocolVersion")
	s.Title, s.Summary, s.Description = o.str("title"), o.str("summary"), o.str("description")
	if l.major == 2 {
		// 2.x: url is host[:port][/path], perhaps with a scheme of its own.
		raw := o.str("url")
		if i := strings.Index(raw, "://"); i >= 0 {
			raw = raw[i+3:]
		}
		s.Host, s.Pathname, _ = strings.Cut(raw, "/")
		if s.Pathname != "" {
			s.Pathname = "/" + s.Pathname
		}
		if !o.has("url") {
			l.errorf(t, "server %q has no url", s.Name)
		}
	} else {
		s.Host, s.Pathname = o.str("host"), o.str("pathname")
		if !o.has("host") {
			if o.has("url") {
				l.errorf(t, "server %q has url, an AsyncAPI 2 field; AsyncAPI 3 splits it into host and pathname", s.Name)
			} else {
				l.errorf(t, "server %q has no host", s.Name)
			}
		}
	}
	if !o.has("protocol") {
		l.errorf(t, "server %q has no protocol (kafka, mqtt, amqp, nats, ws, ...)", s.Name)
	}
	o.each("variables", func(k string, vr ref) {
		vt, _, ok := l.deref(vr)
		if !ok {
			return
		}
		vo, ok := l.object(vt, "a server variable")
		if !ok {
			return
		}
		v := &ServerVariable{Default: vo.str("default"), HasDefault: vo.has("default"), Enum: vo.strs("enum"),
			Examples: vo.strs("examples"), Description: vo.str("description")}
		if v.HasDefault && len(v.Enum) > 0 && !contains(v.Enum, v.Default) {
			l.warnf(vt, "the default %q of server variable %q is not one of its enum (%s)", v.Default, k, strings.Join(v.Enum, ", "))
		}
		s.Variables[k] = v
	})
	for _, name := range (&Channel{Address: s.Host + s.Pathname}).ParamNames() {
		if s.Variables[name] == nil {
			l.warnf(t, "server %q uses variable {%s}, which it does not declare under variables", s.Name, name)
		}
	}
	s.Security = l.security(o)
	if b, ok := o.get("bindings"); ok {
		s.Bindings = l.serverBindings(b)
	}
	return s
}

// security decodes the security field of a server or an operation: Security
// Scheme Objects or references to them (3.x), or requirement maps naming
// components.securitySchemes (2.x).
func (l *loader) security(o obj) []*SecurityScheme {
	var out []*SecurityScheme
	o.items("security", func(r ref) {
		if l.major == 2 {
			ro, ok := l.object(r, "a security requirement")
			if !ok {
				return
			}
			eachEntry(ro.r, func(name string, sr ref) {
				s := l.doc.SecuritySchemes[name]
				if s == nil {
					l.errorf(sr, "security requirement %q names no scheme under components.securitySchemes", name)
					return
				}
				out = append(out, s)
			})
			return
		}
		if s := l.securityScheme(r, ""); s != nil {
			out = append(out, s)
		}
	})
	return out
}
