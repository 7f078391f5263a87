package runtime

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-run/arazzo/asyncapi"
	closest "github.com/arazzo-run/arazzo/internal/suggest"
	"github.com/arazzo-run/arazzo/openapi"
)

// Credentials supplies the secret of a security scheme. source is the source
// description's name, scheme the security scheme's name in that description.
type Credentials interface {
	Credential(source, scheme string) (string, bool)
}

// CredentialMap holds credentials by "scheme" or "source.scheme" (the qualified
// key wins). Values are the secret itself: a token, "user:password" for http basic,
// "client_id:client_secret" for oauth2 client credentials.
//
// A run applies an unqualified key ("bearerAuth") only to the one source that
// declares a scheme of that name: when several do (a document that adds a
// second source on another host, say), only qualified keys apply, and
// Plan.CheckSettings reports the unqualified one, so that a credential never
// reaches a source it was not meant for.
type CredentialMap map[string]string

// Credential implements Credentials: the qualified key, else the unqualified one.
func (m CredentialMap) Credential(source, scheme string) (string, bool) {
	if v, ok := m[source+"."+scheme]; ok {
		return v, true
	}
	v, ok := m[scheme]
	return v, ok
}

// credentialFor looks up the credential of a scheme a request needs. A
// CredentialMap's unqualified key does not apply to a scheme that several
// sources declare (ref.Shared).
func credentialFor(c Credentials, ref SchemeRef) (string, bool) {
	if c == nil {
		return "", false
	}
	if m, ok := c.(CredentialMap); ok && ref.Shared {
		v, ok := m[ref.Source+"."+ref.Name]
		return v, ok
	}
	return c.Credential(ref.Source, ref.Name)
}

// SecurityOption is one alternative of an operation's security requirements:
// every scheme in it must be satisfied together. An empty option means the
// operation may be called without credentials.
type SecurityOption []SchemeRef

// SchemeRef names a security scheme of a source description.
type SchemeRef struct {
	Source string
	Name   string
	Scopes []string
	Scheme *openapi.SecurityScheme
	// Async is the scheme of an AsyncAPI source (then Scheme is nil).
	Async *asyncapi.SecurityScheme `json:",omitempty"`
	// Shared is set when another source of the plan declares a scheme of the
	// same name: then only a credential given for this source applies
	// ("api.bearerAuth" in a CredentialMap), never an unqualified one.
	Shared bool `json:",omitempty"`
}

func (p *Plan) securityOptions(src *source, op *openapi.Operation) []SecurityOption {
	if src == nil || src.openapi == nil {
		return nil
	}
	var out []SecurityOption
	for _, req := range op.Security {
		opt := SecurityOption{}
		for _, ref := range req {
			opt = append(opt, SchemeRef{Source: src.name, Name: ref.Scheme, Scopes: ref.Scopes, Scheme: src.openapi.SecurityScheme(ref.Scheme),
				Shared: len(p.schemeSources(ref.Scheme)) > 1})
		}
		out = append(out, opt)
	}
	return out
}

// authenticator applies credentials to outgoing requests; it fetches and caches
// oauth2 client-credentials tokens.
type authenticator struct {
	creds   Credentials
	client  *http.Client
	secrets *Secrets
	obs     func(msg string, err error)
	now     func() time.Time

	mu     sync.Mutex
	tokens map[string]*oauthToken
	warned map[string]bool
	used   map[[2]string]bool // source and scheme names whose credentials were applied
}

type oauthToken struct {
	value   string
	expires time.Time
}

func (a *authenticator) clockNow() time.Time {
	if a.now != nil {
		return a.now()
	}
	return time.Now()
}

// apply adds the credentials of the first security option whose credentials are
// all supplied (OpenAPI Security Requirement Object: "only one of the Security
// Requirement Objects in the list needs to be satisfied"). An empty option (the
// operation may be called anonymously) is taken only when no other option is
// fully supplied, so credentials that were given are used. It returns the header
// names it set and the key of the oauth2 client-credentials token it used, if
// any (so a 401 can refresh it once).
func (a *authenticator) apply(ctx context.Context, hr *http.Request, opts []SecurityOption) (headers []string, oauthKey string, err error) {
	if len(opts) == 0 {
		return nil, "", nil
	}
	anonymous := false
	for _, opt := range opts {
		if len(opt) == 0 {
			anonymous = true
			continue
		}
		vals := make([]string, len(opt))
		ok := true
		for i, ref := range opt {
			v, has := credentialFor(a.creds, ref)
			if !has || ref.Scheme == nil {
				ok = false
				break
			}
			vals[i] = v
		}
		if !ok {
			continue
		}
		for i, ref := range opt {
			h, key, err := a.applyOne(ctx, hr, ref, vals[i])
			if err != nil {
				return nil, "", err
			}
			if h != "" {
				headers = append(headers, h)
			}
			if key != "" {
				oauthKey = key
			}
			a.mu.Lock()
			if a.used == nil {
				a.used = map[[2]string]bool{}
			}
			a.used[[2]string{ref.Source, ref.Name}] = true
			a.mu.Unlock()
		}
		return headers, oauthKey, nil
	}
	if anonymous || hr.Header.Get("Authorization") != "" {
		return nil, "", nil
	}
	// No option is fully supplied: send without credentials and say which are missing.
	var names []string
	for _, ref := range opts[0] {
		names = append(names, ref.Name)
	}
	key := strings.Join(names, "+")
	a.mu.Lock()
	first := !a.warned[key]
	if a.warned == nil {
		a.warned = map[string]bool{}
	}
	a.warned[key] = true
	a.mu.Unlock()
	if first && a.obs != nil && len(names) > 0 {
		e := &CredentialsError{Schemes: names}
		a.obs(e.Error()+"; sending without"+a.misspelt(names), e)
	}
	return nil, "", nil
}

// misspelt names the credential that looks like a misspelling of one of the
// missing schemes: a driver that serves any document (a Temporal worker)
// cannot refuse it before a run, so the warning says it.
func (a *authenticator) misspelt(schemes []string) string {
	lister, ok := a.creds.(CredentialLister)
	if !ok {
		return ""
	}
	byScheme := map[string]string{} // the scheme part of each key → the key
	var names []string
	for _, k := range lister.CredentialKeys() {
		name := k
		if _, rest, ok := strings.Cut(k, "."); ok {
			name = rest
		}
		if _, dup := byScheme[name]; !dup {
			byScheme[name] = k
			names = append(names, name)
		}
	}
	for _, s := range schemes {
		if best := closest.Closest(s, names); best != "" && best != s {
			return fmt.Sprintf("; a credential is given for %q, which names no scheme of this request: did you mean %q?", byScheme[best], s)
		}
	}
	return ""
}

// wasUsed reports whether the credential of a scheme was applied to a request.
func (a *authenticator) wasUsed(source, scheme string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.used[[2]string{source, scheme}]
}

// setHeader sets a credential header unless the step already set that header
// itself (an Authorization header parameter, say): what the workflow author
// wrote wins. It reports whether the header was set.
func setHeader(hr *http.Request, name, value string) bool {
	if hr.Header.Get(name) != "" {
		return false
	}
	hr.Header.Set(name, value)
	return true
}

// apiKeyQuery is the query pair of an apiKey credential, encoded by the
// encoder of the step's own query parameters (RFC 3986, a space as %20).
func apiKeyQuery(name, value string) (string, error) {
	p := &openapi.Parameter{Name: name, In: "query", Style: "form", Explode: true, Type: "string"}
	return p.EncodeQuery(value)
}

func (a *authenticator) applyOne(ctx context.Context, hr *http.Request, ref SchemeRef, value string) (header, oauthKey string, err error) {
	s := ref.Scheme
	a.secrets.Add(value)
	switch s.Type {
	case "apiKey":
		switch s.In {
		case "header":
			if !setHeader(hr, s.ParamName, value) {
				return "", "", nil
			}
			return s.ParamName, "", nil
		case "query":
			// Appended, so that the parameters already serialized keep their encoding.
			pair, err := apiKeyQuery(s.ParamName, value)
			if err != nil {
				return "", "", fmt.Errorf("security scheme %q: %w", ref.Name, err)
			}
			if hr.URL.RawQuery == "" {
				hr.URL.RawQuery = pair
			} else {
				hr.URL.RawQuery += "&" + pair
			}
			return "", "", nil
		case "cookie":
			hr.AddCookie(&http.Cookie{Name: s.ParamName, Value: value})
			return "Cookie", "", nil
		}
		return "", "", fmt.Errorf("security scheme %q: apiKey location %q is not header, query or cookie", ref.Name, s.In)
	case "http":
		if hr.Header.Get("Authorization") != "" {
			return "", "", nil
		}
		switch strings.ToLower(s.Scheme) {
		case "basic":
			enc := base64.StdEncoding.EncodeToString([]byte(value))
			_, password, _ := strings.Cut(value, ":")
			a.secrets.Add(enc, password)
			hr.Header.Set("Authorization", "Basic "+enc)
		case "bearer":
			hr.Header.Set("Authorization", "Bearer "+value)
		default:
			// Any other HTTP authentication scheme (RFC 9110 §11.4): the value is
			// its credentials, sent as written after the scheme's name.
			name := s.Scheme
			if name != "" {
				name = strings.ToUpper(name[:1]) + name[1:]
			}
			hr.Header.Set("Authorization", name+" "+value)
		}
		return "Authorization", "", nil
	case "oauth2":
		if hr.Header.Get("Authorization") != "" {
			return "", "", nil
		}
		if s.TokenURL != "" && strings.Contains(value, ":") && hasFlow(s, "clientCredentials") {
			tok, key, err := a.clientCredentials(ctx, ref, value, hr.URL)
			if err != nil {
				return "", "", err
			}
			hr.Header.Set("Authorization", "Bearer "+tok)
			return "Authorization", key, nil
		}
		// Other flows (authorization code, implicit, password), or a token
		// obtained beforehand: the value is the access token.
		hr.Header.Set("Authorization", "Bearer "+value)
		return "Authorization", "", nil
	case "openIdConnect":
		if !setHeader(hr, "Authorization", "Bearer "+value) {
			return "", "", nil
		}
		return "Authorization", "", nil
	case "mutualTLS":
		return "", "", nil // configured on the client's TLS settings, not per request
	}
	return "", "", fmt.Errorf("security scheme %q has unsupported type %q", ref.Name, s.Type)
}

func hasFlow(s *openapi.SecurityScheme, flow string) bool {
	for _, f := range s.Flows {
		if f == flow {
			return true
		}
	}
	return len(s.Flows) == 0
}

// clientCredentials returns a cached token or fetches one from the token URL
// (RFC 6749 §4.4) with the client id and secret as HTTP basic credentials.
func (a *authenticator) clientCredentials(ctx context.Context, ref SchemeRef, value string, api *url.URL) (string, string, error) {
	key := ref.Source + "." + ref.Name
	a.mu.Lock()
	if t, ok := a.tokens[key]; ok && (t.expires.IsZero() || a.clockNow().Before(t.expires)) {
		a.mu.Unlock()
		return t.value, key, nil
	}
	a.mu.Unlock()
	id, secret, _ := strings.Cut(value, ":")
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(ref.Scopes) > 0 {
		form.Set("scope", strings.Join(ref.Scopes, " "))
	}
	tokenURL, err := TokenEndpoint(ref.Scheme, api)
	if err != nil {
		return "", "", fmt.Errorf("oauth2 token request for %q: %w", ref.Name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", fmt.Errorf("oauth2 token request for %q: %w", ref.Name, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	a.secrets.Add(secret, base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret))))
	resp, err := a.client.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("oauth2 token request for %q: %w", ref.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", "", fmt.Errorf("oauth2 token response for %q: %w", ref.Name, err)
	}
	if resp.StatusCode/100 != 2 {
		return "", "", fmt.Errorf("oauth2 token request for %q: %s", ref.Name, resp.Status)
	}
	var tr struct {
		AccessToken string      `json:"access_token"`
		ExpiresIn   json.Number `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return "", "", fmt.Errorf("oauth2 token response for %q has no access_token", ref.Name)
	}
	a.secrets.Add(tr.AccessToken)
	t := &oauthToken{value: tr.AccessToken}
	if secs, err := tr.ExpiresIn.Float64(); err == nil && secs > 0 {
		// Refresh a little early so a token never expires in flight.
		t.expires = a.clockNow().Add(time.Duration(secs*float64(time.Second)) - 5*time.Second)
	}
	a.mu.Lock()
	if a.tokens == nil {
		a.tokens = map[string]*oauthToken{}
	}
	a.tokens[key] = t
	a.mu.Unlock()
	return t.value, key, nil
}

// TokenEndpoint is the URL an oauth2 client-credentials scheme's token is
// requested from: its tokenUrl, resolved against the API's URL when relative.
// The client secret travels to it, so it is refused unless it is https, or
// plain http to the local machine (a loopback address or localhost).
func TokenEndpoint(s *openapi.SecurityScheme, api *url.URL) (string, error) {
	tu, err := url.Parse(s.TokenURL)
	if err != nil {
		return "", fmt.Errorf("tokenUrl %q is not a URL: %v", s.TokenURL, err)
	}
	if !tu.IsAbs() && api != nil {
		tu = api.ResolveReference(tu)
	}
	switch {
	case tu.Scheme == "https":
	case tu.Scheme == "http" && isLoopback(tu.Hostname()):
	case tu.Scheme == "http":
		return "", fmt.Errorf("token URL %s is plain http: the client secret would cross the network in clear; the token endpoint must be https (plain http is accepted for loopback addresses only)", tu.Redacted())
	default:
		return "", fmt.Errorf("token URL %q is not an absolute https URL", s.TokenURL)
	}
	return tu.String(), nil
}

// isLoopback reports whether host names the local machine: localhost or a
// loopback IP address. A name is not resolved: only "localhost" (RFC 6761)
// is taken as local.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// invalidate drops a cached token after the API rejected it.
func (a *authenticator) invalidate(key string) {
	a.mu.Lock()
	delete(a.tokens, key)
	a.mu.Unlock()
}
