package openapi

import (
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// newSecurity converts a security requirement list. An empty list stays empty and
// non-nil: declared, and meaning "no security".
func newSecurity(reqs openapi3.SecurityRequirements) []SecurityRequirement {
	out := make([]SecurityRequirement, 0, len(reqs))
	for _, req := range reqs {
		alt := make(SecurityRequirement, 0, len(req))
		for name, scopes := range req {
			alt = append(alt, SchemeRef{Scheme: name, Scopes: slices.Clone(scopes)})
		}
		slices.SortFunc(alt, func(a, b SchemeRef) int { return strings.Compare(a.Scheme, b.Scheme) })
		out = append(out, alt)
	}
	return out
}

func newSecurityScheme(name string, s *openapi3.SecurityScheme) *SecurityScheme {
	out := &SecurityScheme{
		Name:             name,
		Type:             s.Type,
		Scheme:           strings.ToLower(s.Scheme),
		BearerFormat:     s.BearerFormat,
		In:               s.In,
		ParamName:        s.Name,
		OpenIDConnectURL: s.OpenIdConnectUrl,
	}
	if f := s.Flows; f != nil {
		for _, flow := range []struct {
			name string
			flow *openapi3.OAuthFlow
		}{
			{"implicit", f.Implicit},
			{"password", f.Password},
			{"clientCredentials", f.ClientCredentials},
			{"authorizationCode", f.AuthorizationCode},
		} {
			if flow.flow != nil {
				out.Flows = append(out.Flows, flow.name)
			}
		}
		if f.ClientCredentials != nil {
			out.TokenURL = f.ClientCredentials.TokenURL
		}
	}
	return out
}
