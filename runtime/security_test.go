package runtime

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const securityAPI = `openapi: 3.1.0
info: {title: security, version: '1'}
servers: [{url: $URL}]
components:
  securitySchemes:
    keyHeader: {type: apiKey, in: header, name: X-API-Key}
    keyQuery: {type: apiKey, in: query, name: api_key}
    keyCookie: {type: apiKey, in: cookie, name: sid}
    basic: {type: http, scheme: basic}
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
    digest: {type: http, scheme: digest}
    cc:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: $URL/token, scopes: {read: read things}}
    code:
      type: oauth2
      flows:
        authorizationCode: {authorizationUrl: $URL/authorize, tokenUrl: $URL/token, scopes: {}}
    oidc: {type: openIdConnect, openIdConnectUrl: $URL/.well-known/openid-configuration}
security: [{bearer: []}]
paths:
  /keyHeader:
    get: {operationId: keyHeader, security: [{keyHeader: []}], responses: {'200': {description: ok}}}
  /keyQuery:
    get:
      operationId: keyQuery
      security: [{keyQuery: []}]
      parameters: [{name: page, in: query, schema: {type: integer}}]
      responses: {'200': {description: ok}}
  /keyCookie:
    get:
      operationId: keyCookie
      security: [{keyCookie: []}]
      parameters: [{name: theme, in: cookie, schema: {type: string}}]
      responses: {'200': {description: ok}}
  /basic:
    get: {operationId: basic, security: [{basic: []}], responses: {'200': {description: ok}}}
  /bearer:
    get: {operationId: bearerDefault, responses: {'200': {description: ok}}}
  /digest:
    get: {operationId: digest, security: [{digest: []}], responses: {'200': {description: ok}}}
  /code:
    get: {operationId: code, security: [{code: []}], responses: {'200': {description: ok}}}
  /oidc:
    get: {operationId: oidc, security: [{oidc: []}], responses: {'200': {description: ok}}}
  /alternatives:
    get:
      operationId: alternatives
      security: [{digest: []}, {keyHeader: [], basic: []}, {bearer: []}]
      responses: {'200': {description: ok}}
  /optional:
    get:
      operationId: optional
      security: [{}, {keyHeader: []}]
      responses: {'200': {description: ok}}
  /public:
    get: {operationId: public, security: [], responses: {'200': {description: ok}}}
  /cc:
    get: {operationId: cc, security: [{cc: [read]}], responses: {'200': {description: ok}}}
`

func TestSecuritySchemes(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": securityAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: security, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: schemes
    steps:
      - {stepId: keyHeader, operationId: keyHeader}
      - {stepId: keyQuery, operationId: keyQuery, parameters: [{name: page, in: query, value: 2}]}
      - {stepId: keyCookie, operationId: keyCookie, parameters: [{name: theme, in: cookie, value: dark}]}
      - {stepId: basic, operationId: basic}
      - {stepId: bearer, operationId: bearerDefault}
      - {stepId: digest, operationId: digest}
      - {stepId: code, operationId: code}
      - {stepId: oidc, operationId: oidc}
      - {stepId: alternatives, operationId: alternatives}
      - {stepId: optional, operationId: optional}
      - {stepId: public, operationId: public}
`,
	})
	creds := CredentialMap{
		"keyHeader":    "key-header-1",
		"api.keyQuery": "key-query-2",
		"keyCookie":    "cookie-3",
		"basic":        "alice:s3cret",
		"bearer":       "bearer-4",
		"digest":       `username="bob", response="abc"`,
		"code":         "access-5",
		"oidc":         "id-token-6",
	}
	secrets := &Secrets{}
	res := mustRun(t, plan, "schemes", nil, WithCredentials(creds), WithSecrets(secrets))
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	want := []struct{ step, what, value string }{
		{"keyHeader", "X-API-Key", "key-header-1"},
		{"keyQuery", "query", "page=2&api_key=key-query-2"},
		{"keyCookie", "Cookie", "theme=dark; sid=cookie-3"},
		{"basic", "Authorization", basic},
		{"bearer", "Authorization", "Bearer bearer-4"}, // the document's security applies
		{"digest", "Authorization", `Digest username="bob", response="abc"`},
		{"code", "Authorization", "Bearer access-5"},
		{"oidc", "Authorization", "Bearer id-token-6"},
		// The first alternative whose credentials are all supplied: digest is.
		{"alternatives", "Authorization", `Digest username="bob", response="abc"`},
		// An anonymous alternative does not hide a supplied credential.
		{"optional", "X-API-Key", "key-header-1"},
		{"public", "Authorization", ""},
	}
	reqs := srv.requests()
	for i, w := range want {
		r := reqs[i]
		var got string
		if w.what == "query" {
			got = r.RawQuery
		} else {
			got = r.Header.Get(w.what)
		}
		if got != w.value {
			t.Errorf("%s: %s %q, want %q", w.step, w.what, got, w.value)
		}
	}
	// Every credential is registered for masking, the basic encoding too.
	for _, s := range []string{"key-header-1", "s3cret", basic[len("Basic "):], "bearer-4", "id-token-6"} {
		if !secrets.Has("x" + s + "x") {
			t.Errorf("%q is not masked", s)
		}
	}
}

// TestSecurityAlternativeCombination: an alternative that needs two schemes
// is taken only when both are supplied, and then both are applied.
func TestSecurityAlternativeCombination(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": securityAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: security, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: alt
    steps:
      - {stepId: alternatives, operationId: alternatives}
`,
	})
	cases := []struct {
		creds     CredentialMap
		key, auth string
	}{
		{CredentialMap{"keyHeader": "k-1234", "basic": "u:p", "bearer": "b-1234"}, "k-1234", "Basic dTpw"},
		{CredentialMap{"keyHeader": "k-1234", "bearer": "b-1234"}, "", "Bearer b-1234"},
		{CredentialMap{"keyHeader": "k-1234"}, "", ""},
	}
	for i, c := range cases {
		mustRun(t, plan, "alt", nil, WithCredentials(c.creds))
		r := srv.requests()[i]
		if r.Header.Get("X-API-Key") != c.key || r.Header.Get("Authorization") != c.auth {
			t.Errorf("case %d: X-API-Key %q Authorization %q, want %q %q", i, r.Header.Get("X-API-Key"), r.Header.Get("Authorization"), c.key, c.auth)
		}
	}
}

// oauthServer is a token endpoint and an API that accepts only the current
// token, counting token requests.
type oauthServer struct {
	mu       sync.Mutex
	issued   int
	valid    map[string]bool
	fetches  []string // "grant_type scope client" of each token request
	onAPI    func(n int)
	apiCalls int
}

func (o *oauthServer) handle(w http.ResponseWriter, r *http.Request, _ int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch r.URL.Path {
	case "/token":
		id, secret, ok := r.BasicAuth()
		// RFC 6749 §2.3.1: both are form-encoded before basic authentication.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		_ = r.ParseForm()
		o.fetches = append(o.fetches, r.PostForm.Get("grant_type")+" "+r.PostForm.Get("scope")+" "+id)
		if !ok || id != "client-1" || secret != "sec ret/1" {
			writeJSON(w, 401, map[string]any{"error": "invalid_client"})
			return
		}
		o.issued++
		tok := fmt.Sprintf("tok-%d", o.issued)
		o.valid[tok] = true
		writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 60})
	default:
		o.apiCalls++
		if o.onAPI != nil {
			o.onAPI(o.apiCalls)
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !o.valid[tok] {
			writeJSON(w, 401, map[string]any{"error": "invalid_token"})
			return
		}
		writeJSON(w, 200, map[string]any{"token": tok})
	}
}

// TestOAuth2ClientCredentials: the token is fetched from tokenUrl with the
// client credentials and the scopes, cached until it expires, and fetched
// again once when the API rejects it with 401.
func TestOAuth2ClientCredentials(t *testing.T) {
	clock := newFakeClock()
	o := &oauthServer{valid: map[string]bool{}}
	o.onAPI = func(n int) {
		switch n {
		case 3:
			delete(o.valid, "tok-1") // revoked: the third call gets a 401
		case 4:
			clock.advance(2 * time.Minute) // tok-2 expires before the next step
		}
	}
	srv := newAPI(t, o.handle)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": securityAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: security, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: cc
    steps:
      - {stepId: first, operationId: cc, successCriteria: [{condition: $statusCode == 200}], outputs: {token: $response.body#/token}}
      - {stepId: cached, operationId: cc, successCriteria: [{condition: $statusCode == 200}], outputs: {token: $response.body#/token}}
      - {stepId: refreshed, operationId: cc, successCriteria: [{condition: $statusCode == 200}], outputs: {token: $response.body#/token}}
      - {stepId: expired, operationId: cc, successCriteria: [{condition: $statusCode == 200}], outputs: {token: $response.body#/token}}
    outputs:
      tokens: $steps.expired.outputs.token
`,
	})
	secrets := &Secrets{}
	res := mustRun(t, plan, "cc", nil, WithCredentials(CredentialMap{"cc": "client-1:sec ret/1"}), WithClock(clock), WithSecrets(secrets))
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v (%s)", res.Status, res.Err, stepTrail(res))
	}
	var toks []string
	for _, s := range res.Steps {
		toks = append(toks, fmt.Sprint(s.Outputs["token"]))
	}
	if got := strings.Join(toks, " "); got != "tok-1 tok-1 tok-2 tok-3" {
		t.Errorf("tokens used: %s", got)
	}
	if got := strings.Join(o.fetches, " | "); got != "client_credentials read client-1 | client_credentials read client-1 | client_credentials read client-1" {
		t.Errorf("token requests: %s", got)
	}
	if !secrets.Has("tok-2") || !secrets.Has("sec ret/1") {
		t.Error("the token and the client secret are not masked")
	}
}

// TestOAuth2TokenFailure: a token endpoint that refuses the client fails the
// step with a transport-level error naming the scheme.
func TestOAuth2TokenFailure(t *testing.T) {
	o := &oauthServer{valid: map[string]bool{}}
	srv := newAPI(t, o.handle)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": securityAPI,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: security, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: cc
    steps:
      - {stepId: first, operationId: cc}
`,
	})
	res := mustRun(t, plan, "cc", nil, WithCredentials(CredentialMap{"cc": "client-1:wrong"}))
	if res.Status != StatusError {
		t.Fatalf("status %s", res.Status)
	}
	if !strings.Contains(res.Err.Error(), `workflow cc, step first: GET `) || !strings.Contains(res.Err.Error(), `oauth2 token request for "cc": 401 Unauthorized`) {
		t.Errorf("error: %v", res.Err)
	}
	if o.apiCalls != 0 {
		t.Errorf("the API was called without a token")
	}
}

// TestAPIKeyQueryEncoding: an apiKey credential in the query is encoded as the
// step's own query parameters are (a space as %20, not +), in the request sent
// and in the dry run's URL.
func TestAPIKeyQueryEncoding(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: key in query, version: '1'}
servers: [{url: $URL}]
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: api key}
paths:
  /search:
    get:
      operationId: search
      security: [{key: []}]
      parameters: [{name: q, in: query, schema: {type: string}}]
      responses: {'200': {description: ok}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: key in query, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - {stepId: find, operationId: search, parameters: [{name: q, in: query, value: 'a b*c'}]}
`,
	})
	creds := CredentialMap{"key": "k y*+~"}
	res := mustRun(t, plan, "w", nil, WithCredentials(creds))
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	if got, want := srv.requests()[0].RawQuery, "q=a%20b%2Ac&api%20key=k%20y%2A%2B~"; got != want {
		t.Errorf("query %q, want %q", got, want)
	}
	dr, err := plan.DryRun(context.Background(), "w", nil, WithCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dr.Steps[0].Request.URL, srv.URL+"/search?q=a%20b%2Ac&api%20key=***"; got != want {
		t.Errorf("dry run URL %q, want %q", got, want)
	}
}
