package runtime

import (
	"errors"
	"fmt"
	"strings"

	"github.com/arazzo-run/arazzo/asyncapi"
	"github.com/arazzo-run/arazzo/transport"
)

var errNoCredential = errors.New("no credential")

// messageCredentials puts the credentials of the first security option of a
// message request that is fully supplied into a transport configuration
// (AsyncAPI Server Object, security: "Only one of the security scheme objects
// need to be satisfied"). The value of a user and password scheme (userPassword,
// plain, scramSha256, scramSha512) is "user:password"; of a token scheme (http
// bearer, httpApiKey, apiKey) the token. It returns a key that tells
// connections with different credentials apart, without the secret.
func (a *authenticator) messageCredentials(opts []SecurityOption, cfg *transport.Config) (string, error) {
	anonymous := len(opts) == 0
	for _, opt := range opts {
		if len(opt) == 0 {
			anonymous = true
			continue
		}
		ref := opt[0]
		v, ok := credentialFor(a.creds, ref)
		if !ok || ref.Async == nil {
			continue
		}
		if err := applyMessageCredential(ref.Async, v, cfg); err != nil {
			return "", fmt.Errorf("credential of security scheme %q: %w", ref.Name, err)
		}
		a.secrets.Add(v)
		if cfg.Password != "" {
			a.secrets.Add(cfg.Password)
		}
		a.mu.Lock()
		if a.used == nil {
			a.used = map[[2]string]bool{}
		}
		a.used[[2]string{ref.Source, ref.Name}] = true
		a.mu.Unlock()
		return ref.Source + "." + ref.Name, nil
	}
	if !anonymous {
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
			a.obs(fmt.Sprintf("no credentials for security scheme %s; connecting without", strings.Join(names, " or ")), nil)
		}
	}
	return "", nil
}

// applyMessageCredential sets the credential of one AsyncAPI scheme.
func applyMessageCredential(s *asyncapi.SecurityScheme, value string, cfg *transport.Config) error {
	userPass := func() error {
		u, p, ok := strings.Cut(value, ":")
		if !ok {
			return errors.New("the value is user:password")
		}
		cfg.User, cfg.Password = u, p
		return nil
	}
	switch s.Type {
	case asyncapi.SchemeUserPassword:
		return userPass()
	case asyncapi.SchemePlain:
		cfg.Mechanism = "PLAIN"
		return userPass()
	case asyncapi.SchemeScramSHA256:
		cfg.Mechanism = "SCRAM-SHA-256"
		return userPass()
	case asyncapi.SchemeScramSHA512:
		cfg.Mechanism = "SCRAM-SHA-512"
		return userPass()
	case asyncapi.SchemeHTTP, asyncapi.SchemeHTTPAPIKey:
		if s.Type == asyncapi.SchemeHTTP && s.Scheme == "basic" {
			return userPass()
		}
		cfg.Token = value
		return nil
	case asyncapi.SchemeAPIKey:
		if s.In == "password" {
			cfg.Password = value
		} else {
			cfg.User = value
		}
		return nil
	}
	return fmt.Errorf("security scheme type %q is not supported for messages (userPassword, plain, scramSha256, scramSha512, http, httpApiKey, apiKey)", s.Type)
}
