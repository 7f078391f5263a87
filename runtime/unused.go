package runtime

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Unused is a setting a run was given but never used: a credential no request
// needed, a server override or server variable of a source no step called. It
// is usually a typo; callers show it as a warning.
type Unused struct {
	// Kind is "credential", "server" or "server variable".
	Kind string
	// Key is the setting as given: "bearerAuth" or "api.bearerAuth" for a
	// credential, "api" for a server, "api.port" for a server variable.
	Key string
	// Reason says why it was not used.
	Reason string
}

func (u Unused) String() string { return u.Kind + " " + u.Key + " was not used: " + u.Reason }

// CredentialLister is implemented by Credentials that can list the keys they
// hold ("scheme" or "source.scheme"), as CredentialMap does; a run then reports
// those it never used in Result.Unused.
type CredentialLister interface {
	CredentialKeys() []string
}

// CredentialKeys implements CredentialLister.
func (m CredentialMap) CredentialKeys() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// markUsed records that the run used a setting ("server:api", "var:api.port").
func (r *run) markUsed(key string) {
	if r.used == nil {
		r.used = map[string]bool{}
	}
	r.used[key] = true
}

// unusedServers lists the server overrides and server variables no request
// used. A run that did not pass may have stopped before the steps that would
// have used them: it lists only those no step could have used (a variable of
// a source whose server is overridden).
func (r *run) unusedServers(passed bool) []Unused {
	var out []Unused
	for _, name := range sortedNames(r.cfg.servers) {
		if r.used["server:"+name] || (!passed && r.plan.sourceNamed(name)) {
			continue
		}
		out = append(out, Unused{Kind: "server", Key: name, Reason: r.plan.sourceReason(name)})
	}
	srcs := make([]string, 0, len(r.cfg.serverVars))
	for s := range r.cfg.serverVars {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		for _, name := range sortedNames(r.cfg.serverVars[src]) {
			key := src + "." + name
			if r.used["var:"+key] || (!passed && !r.used["server:"+src] && r.plan.declaresServerVariable(src, name)) {
				continue
			}
			reason := r.plan.sourceReason(src)
			switch {
			case r.used["server:"+src]:
				reason = fmt.Sprintf("the server of source %q is overridden", src)
			case !r.plan.declaresServerVariable(src, name):
				if r.plan.sourceNamed(src) {
					reason = fmt.Sprintf("no server of source %q has a variable {%s}", src, name)
				}
			}
			out = append(out, Unused{Kind: "server variable", Key: key, Reason: reason})
		}
	}
	return out
}

// unusedCredentials lists the credentials no request used; only credentials
// that can list their keys are checked. A credential counts as used when the
// driver applied it, or when a request the run decided on (replayed from a
// journal, say, so never handed to the driver) would have taken it. A run that
// did not pass may have stopped before the requests that needed it: it lists
// none that names a scheme a source declares.
func (p *Plan) unusedCredentials(creds Credentials, a *authenticator, requested [][]SecurityOption, passed bool) []Unused {
	lister, ok := creds.(CredentialLister)
	if !ok || a == nil {
		return nil
	}
	needed := map[[2]string]bool{}
	for _, opts := range requested {
		for _, ref := range chosenOption(creds, opts) {
			needed[[2]string{ref.Source, ref.Name}] = true
		}
	}
	keys := lister.CredentialKeys()
	has := map[string]bool{}
	for _, k := range keys {
		has[k] = true
	}
	var out []Unused
	for _, k := range keys {
		src, scheme, qualified := p.credentialKey(k)
		used := false
		for _, s := range p.schemeSources(scheme) {
			if (qualified && s == src) || (!qualified && !has[s+"."+scheme]) {
				used = used || a.wasUsed(s, scheme) || needed[[2]string{s, scheme}]
			}
		}
		if used {
			continue
		}
		var reason string
		switch {
		case qualified && !p.sourceNamed(src):
			reason = fmt.Sprintf("no source description is named %q", src)
		case len(p.schemeSources(scheme)) == 0:
			reason = fmt.Sprintf("no source description declares a security scheme named %q%s", scheme, Suggest(scheme, p.schemeNames()))
		case !passed:
			continue // the run may have ended before the step that needed it
		default:
			reason = fmt.Sprintf("no request of this run needed security scheme %q", scheme)
		}
		out = append(out, Unused{Kind: "credential", Key: k, Reason: reason})
	}
	return out
}

// schemeSources lists the sources (by name, in any document; each name once)
// declaring a security scheme.
func (p *Plan) schemeSources(scheme string) []string {
	var out []string
	for _, srcs := range p.sources {
		for name, s := range srcs {
			declared := (s.openapi != nil && s.openapi.SecurityScheme(scheme) != nil) || slices.Contains(s.asyncSchemes(), scheme)
			if declared && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (p *Plan) schemeNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, srcs := range p.sources {
		for _, s := range srcs {
			for _, n := range s.asyncSchemes() {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
			}
			if s.openapi == nil {
				continue
			}
			for n := range s.openapi.SecuritySchemes {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func (p *Plan) sourceNamed(name string) bool {
	for _, srcs := range p.sources {
		if _, ok := srcs[name]; ok {
			return true
		}
	}
	return false
}

func (p *Plan) sourceNames() []string {
	var out []string
	for _, srcs := range p.sources {
		for n := range srcs {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// sourceReason explains why a setting for a source went unused.
func (p *Plan) sourceReason(name string) string {
	if !p.sourceNamed(name) {
		return fmt.Sprintf("no source description is named %q%s", name, Suggest(name, p.sourceNames()))
	}
	return fmt.Sprintf("no step of this run called an operation of source %q", name)
}

func (p *Plan) declaresServerVariable(src, name string) bool {
	for _, srcs := range p.sources {
		s := srcs[src]
		if slices.Contains(s.asyncServerVariables(), name) {
			return true
		}
		if s == nil || s.openapi == nil {
			continue
		}
		for _, op := range s.openapi.Operations() {
			for _, sv := range op.Servers {
				if _, ok := sv.Variables[name]; ok || strings.Contains(sv.URL, "{"+name+"}") {
					return true
				}
			}
		}
	}
	return false
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// chosenOption is the security option the driver applies: the first whose
// credentials are all supplied (see authenticator.apply).
func chosenOption(creds Credentials, opts []SecurityOption) SecurityOption {
	for _, opt := range opts {
		ok := len(opt) > 0
		for _, ref := range opt {
			if _, has := credentialFor(creds, ref); !has || ref.Scheme == nil {
				ok = false
				break
			}
		}
		if ok {
			return opt
		}
	}
	return nil
}
