package runtime

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/arazzo-run/arazzo/transport"
)

// SettingsError lists the settings of a run that do not fit its plan: a
// server override or server variable for a source the documents do not have,
// a server variable no server of the source declares or a value its enum
// does not allow for the server a step calls, a credential for a
// security scheme no source declares, or an unqualified credential for a
// scheme that several sources declare. Such a setting is a typo, or a
// credential that could reach a source it was not meant for; a run refuses it
// before it sends anything.
type SettingsError struct {
	// Settings lists each problem: Kind and Key name the setting as in
	// Unused, Reason says what is wrong with it (with a suggestion when a
	// name is close to one the plan has).
	Settings []Unused
}

func (e *SettingsError) Error() string {
	var b strings.Builder
	b.WriteString("run settings that do not fit the document:")
	for _, s := range e.Settings {
		b.WriteString("\n  - " + s.Kind + " " + s.Key + ": " + s.Reason)
	}
	return b.String()
}

// CheckSettings returns a *SettingsError when a server override, server
// variable or credential given in opts names nothing in the plan; nil otherwise. Run and DryRun check the same before
// they start; a caller that does something else first (submit a run to
// another process, start a batch) calls it itself. Only credentials that can
// list their keys (CredentialLister, as CredentialMap) are checked.
func (p *Plan) CheckSettings(opts ...RunOption) error {
	cfg := p.runConfig(opts)
	return p.checkSettings(&cfg)
}

func (p *Plan) checkSettings(cfg *config) error {
	var bad []Unused
	for _, name := range sortedNames(cfg.servers) {
		if !p.sourceNamed(name) {
			bad = append(bad, Unused{Kind: "server", Key: name, Reason: p.noSource(name)})
		} else if why := p.serverOverrideProblem(name, cfg.servers[name]); why != "" {
			bad = append(bad, Unused{Kind: "server", Key: name, Reason: why})
		}
	}
	for _, src := range sortedNames(cfg.serverVars) {
		for _, name := range sortedNames(cfg.serverVars[src]) {
			key := src + "." + name
			switch {
			case !p.sourceNamed(src):
				bad = append(bad, Unused{Kind: "server variable", Key: key, Reason: p.noSource(src)})
			case !p.declaresServerVariable(src, name):
				bad = append(bad, Unused{Kind: "server variable", Key: key,
					Reason: fmt.Sprintf("no server of source %q has a variable {%s}%s", src, name, Suggest(name, p.serverVariables(src)))})
			}
		}
	}
	bad = append(bad, p.refusedServerValues(cfg)...)
	bad = append(bad, p.checkCredentials(cfg.credentials)...)
	if len(bad) == 0 {
		return nil
	}
	return &SettingsError{Settings: bad}
}

// serverOverrideProblem says why raw cannot replace the servers of the
// sources named name (WithServer), "" when it can: an OpenAPI source's
// requests need an http or https URL with a host, an AsyncAPI source's
// messages a URL of a protocol the transport speaks (kafka://, amqp://,
// mqtt://, nats://, ws://...) with a host. {variables} of a template count
// as text. A URL with user information is not quoted: that is a credential.
func (p *Plan) serverOverrideProblem(name, raw string) string {
	shown := fmt.Sprintf("%q", raw)
	secret := strings.Contains(raw, "@")
	if secret {
		shown = "the URL"
	}
	for _, srcs := range p.sources {
		s := srcs[name]
		if s == nil || (s.openapi == nil && s.asyncapi == nil) {
			continue
		}
		schemes, what, example := []string{"http", "https"}, "an http or https", "http"
		if s.asyncapi != nil {
			schemes, what, example = transport.Protocols(), "a broker", "kafka"
			if srv := s.asyncapi.Servers; len(srv) > 0 && slices.Contains(schemes, strings.ToLower(srv[0].Protocol)) {
				example = strings.ToLower(srv[0].Protocol)
			}
		}
		usable := func(v string) bool {
			u, err := url.Parse(serverVariable.ReplaceAllString(v, "x"))
			return err == nil && slices.Contains(schemes, strings.ToLower(u.Scheme)) && u.Host != ""
		}
		if usable(raw) {
			continue
		}
		if scheme, _, ok := strings.Cut(raw, "://"); ok && !slices.Contains(schemes, strings.ToLower(scheme)) {
			if s.asyncapi != nil {
				return fmt.Sprintf("%s uses %s://, which is not a protocol messages can be sent with (%s)", shown, scheme, strings.Join(schemes, ", "))
			}
			return fmt.Sprintf("%s uses %s://; only http and https servers can be called", shown, scheme)
		}
		if !strings.Contains(raw, "://") && usable(example+"://"+raw) {
			hint := ""
			if !secret {
				hint = fmt.Sprintf("; did you mean %q?", example+"://"+raw)
			}
			if s.asyncapi != nil {
				return fmt.Sprintf("%s has no protocol (kafka://, amqp://...)%s", shown, hint)
			}
			return fmt.Sprintf("%s has no http:// or https://%s", shown, hint)
		}
		return fmt.Sprintf("%s is not %s URL with a host", shown, what)
	}
	return ""
}

// serverVariable is a {name} of a server URL template.
var serverVariable = regexp.MustCompile(`\{[^{}]*\}`)

// refusedServerValues are the server variables given a value that the server
// a step's requests or messages go to (its operation's first, its channel's
// first) does not allow: the value is not in the variable's enum, so the step
// could only fail, after the steps before it had been sent. Each is named
// once for each such server.
func (p *Plan) refusedServerValues(cfg *config) []Unused {
	if len(cfg.serverVars) == 0 {
		return nil // the common case: no step to look at
	}
	seen := map[string]bool{}
	var bad []Unused
	for _, wfs := range p.workflows {
		for _, wp := range wfs {
			for _, sp := range wp.steps {
				src, server, enum := stepServer(sp, cfg)
				for name, v := range cfg.serverVars[src] {
					allowed := enum(name)
					key := src + "." + name
					if len(allowed) == 0 || slices.Contains(allowed, v) || seen[key+"\x00"+server] {
						continue
					}
					seen[key+"\x00"+server] = true
					quoted := make([]string, len(allowed))
					for i, e := range allowed {
						quoted[i] = fmt.Sprintf("%q", e)
					}
					bad = append(bad, Unused{Kind: "server variable", Key: key,
						Reason: fmt.Sprintf("value %q is not one of %s, the values server %s allows (step %q of workflow %q calls it)", v, strings.Join(quoted, ", "), server, sp.id, wp.id)})
				}
			}
		}
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].Key+bad[i].Reason < bad[j].Key+bad[j].Reason })
	return bad
}

// stepServer is the server whose variables a step's run substitutes: its
// source's name, the server as the document writes it, and the enum of each
// of its variables. src is "" when the step calls no server of a source or
// the run replaces it (a --server override, the mock of messages).
func stepServer(sp *stepPlan, cfg *config) (src, server string, enum func(string) []string) {
	none := func(string) []string { return nil }
	switch {
	case sp.kind == stepOperation && sp.source != nil && sp.op != nil && len(sp.op.Servers) > 0:
		if _, ok := cfg.servers[sp.source.name]; ok {
			return "", "", none
		}
		srv := sp.op.Servers[0]
		return sp.source.name, srv.URL, func(name string) []string { return srv.Variables[name].Enum }
	case sp.kind == stepAsync && sp.async != nil && sp.async.src != nil && sp.async.src.asyncapi != nil && !cfg.mockMessages:
		if _, ok := cfg.servers[sp.async.src.name]; ok {
			return "", "", none
		}
		servers := sp.async.src.asyncapi.ServersOf(sp.async.channel)
		if len(servers) == 0 {
			return "", "", none
		}
		srv := servers[0]
		return sp.async.src.name, fmt.Sprintf("%q (%s)", srv.Name, srv.Host+srv.Pathname), func(name string) []string {
			if v := srv.Variables[name]; v != nil {
				return v.Enum
			}
			return nil
		}
	}
	return "", "", none
}

func (p *Plan) noSource(name string) string {
	return fmt.Sprintf("no source description is named %q%s (sources: %s)", name, Suggest(name, p.sourceNames()), strings.Join(p.sourceNames(), ", "))
}

// checkCredentials applies the binding rule of credential keys: "scheme" binds
// to the one source that declares that scheme, "source.scheme" to that
// source's; anything else is refused.
func (p *Plan) checkCredentials(creds Credentials) []Unused {
	lister, ok := creds.(CredentialLister)
	if !ok {
		return nil
	}
	var bad []Unused
	for _, k := range lister.CredentialKeys() {
		src, scheme, qualified := p.credentialKey(k)
		owners := p.schemeSources(scheme)
		var reason string
		switch {
		case qualified && !slices.Contains(owners, src):
			reason = fmt.Sprintf("source %q declares no security scheme %q%s", src, scheme, Suggest(scheme, p.sourceSchemes(src)))
		case qualified:
			continue
		case len(owners) == 0 && strings.Contains(k, "."):
			prefix, _, _ := strings.Cut(k, ".")
			reason = fmt.Sprintf("no source description declares a security scheme named %q, and none is named %q%s", k, prefix, Suggest(prefix, p.sourceNames()))
		case len(owners) == 0:
			reason = fmt.Sprintf("no source description declares a security scheme named %q%s", scheme, Suggest(scheme, p.schemeNames()))
		case len(owners) > 1:
			quals := make([]string, len(owners))
			for i, o := range owners {
				quals[i] = o + "." + scheme
			}
			reason = fmt.Sprintf("security scheme %q is declared by sources %s, which may be different servers: name the source the credential is for (%s)",
				scheme, quoteJoin(owners), strings.Join(quals, " or "))
		default:
			continue
		}
		bad = append(bad, Unused{Kind: "credential", Key: k, Reason: reason})
	}
	return bad
}

// credentialKey splits a credential key: "source.scheme" when the part
// before the first dot names a source, else an unqualified scheme name
// (which may contain dots).
func (p *Plan) credentialKey(k string) (src, scheme string, qualified bool) {
	if s, rest, ok := strings.Cut(k, "."); ok && p.sourceNamed(s) {
		return s, rest, true
	}
	return "", k, false
}

// sourceSchemes lists the security schemes of the sources with that name.
func (p *Plan) sourceSchemes(name string) []string {
	var out []string
	for _, srcs := range p.sources {
		for _, n := range srcs[name].asyncSchemes() {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		if s := srcs[name]; s != nil && s.openapi != nil {
			for n := range s.openapi.SecuritySchemes {
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// serverVariables lists the variables the servers of a source declare.
func (p *Plan) serverVariables(src string) []string {
	var out []string
	for _, srcs := range p.sources {
		s := srcs[src]
		for _, n := range s.asyncServerVariables() {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		if s == nil || s.openapi == nil {
			continue
		}
		for _, op := range s.openapi.Operations() {
			for _, sv := range op.Servers {
				for n := range sv.Variables {
					if !slices.Contains(out, n) {
						out = append(out, n)
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 2 {
		return q[0] + " and " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
