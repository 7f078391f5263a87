package asyncapi

import "strings"

// Security scheme types of AsyncAPI 3.
const (
	SchemeUserPassword = "userPassword"
	SchemeAPIKey       = "apiKey"
	SchemeX509         = "X509"
	SchemeHTTP         = "http"
	SchemeHTTPAPIKey   = "httpApiKey"
	SchemeOAuth2       = "oauth2"
	SchemeOpenIDConn   = "openIdConnect"
	SchemePlain        = "plain"
	SchemeScramSHA256  = "scramSha256"
	SchemeScramSHA512  = "scramSha512"
	SchemeGSSAPI       = "gssapi"
)

// SecurityScheme is an AsyncAPI Security Scheme Object.
type SecurityScheme struct {
	// Name is the key under components.securitySchemes ("" for one written in
	// place).
	Name string
	// Type is one of the Scheme… constants (or another value as written).
	Type        string
	Description string
	// In is, for apiKey, "user" or "password"; for httpApiKey, "query",
	// "header" or "cookie".
	In string
	// ParamName is the header, query or cookie name of an httpApiKey.
	ParamName string
	// Scheme is the HTTP authorization scheme of type http (basic, bearer),
	// lower case.
	Scheme       string
	BearerFormat string
	// TokenURL is the client credentials flow's token URL of an oauth2 scheme.
	TokenURL string
	Scopes   []string
	Pos      Pos
}

// securityScheme decodes a Security Scheme Object (or a reference to one).
func (l *loader) securityScheme(r ref, key string) *SecurityScheme {
	t, chain, ok := l.deref(r)
	if !ok {
		return nil
	}
	if s, found := memo[*SecurityScheme](l, t, chain, "a security scheme"); found {
		return s
	}
	o, ok := l.object(t, "a security scheme")
	if !ok {
		return nil
	}
	s := &SecurityScheme{Name: key, Pos: t.pos()}
	if strings.HasPrefix(t.ptr, "/components/securitySchemes/") {
		s.Name = lastToken(t.ptr)
	}
	l.objs[t.loc()] = s
	l.register(chain, s)
	s.Type, s.Description, s.In = o.str("type"), o.str("description"), o.str("in")
	s.ParamName, s.Scheme, s.BearerFormat = o.str("name"), strings.ToLower(o.str("scheme")), o.str("bearerFormat")
	s.Scopes = o.strs("scopes")
	if fl, ok := o.get("flows"); ok {
		if fo, ok := l.object(fl, "flows"); ok {
			if cc, ok := fo.get("clientCredentials"); ok {
				if cco, ok := l.object(cc, "a flow"); ok {
					s.TokenURL = cco.str("tokenUrl")
				}
			}
		}
	}
	switch s.Type {
	case "":
		l.errorf(t, "security scheme %q has no type", s.Name)
	case SchemeUserPassword, SchemeAPIKey, SchemeX509, "symmetricEncryption", "asymmetricEncryption", SchemeHTTP,
		SchemeHTTPAPIKey, SchemeOAuth2, SchemeOpenIDConn, SchemePlain, SchemeScramSHA256, SchemeScramSHA512, SchemeGSSAPI:
	default:
		l.warnf(t, "security scheme %q has type %q, which AsyncAPI does not define", s.Name, s.Type)
	}
	return s
}
