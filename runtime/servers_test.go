package runtime

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const serversAPI = `openapi: 3.1.0
info: {title: servers, version: '1'}
servers:
  - url: '{scheme}://{host}/{base}'
    variables:
      scheme: {default: http}
      host: {default: $HOST}
      base: {default: v1, enum: [v1, v2]}
  - url: http://second.invalid
paths:
  /a:
    get:
      operationId: a
      responses: {'200': {description: ok}}
  /b:
    servers: [{url: '$URL/path-level'}]
    get:
      operationId: b
      responses: {'200': {description: ok}}
  /c:
    servers: [{url: '$URL/path-level'}]
    get:
      operationId: c
      servers: [{url: '$URL/operation-level'}]
      responses: {'200': {description: ok}}
`

const serversArazzo = `arazzo: 1.0.1
info: {title: servers, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: servers
    steps:
      - {stepId: a, operationId: a}
      - {stepId: b, operationId: b}
      - {stepId: c, operationId: c}
`

// serversPlan loads the servers workflow against a test server.
func serversPlan(t *testing.T) (*api, *Plan) {
	t.Helper()
	srv := newAPI(t, nil)
	u, _ := url.Parse(srv.URL)
	dir := writeFiles(t, srv.URL, map[string]string{
		"api.yaml":    strings.ReplaceAll(serversAPI, "$HOST", u.Host),
		"arazzo.yaml": serversArazzo,
	})
	return srv, mustLoad(t, dir, "arazzo.yaml")
}

func TestServers(t *testing.T) {
	srv, plan := serversPlan(t)
	paths := func(opts ...RunOption) []string {
		t.Helper()
		before := len(srv.requests())
		res := mustRun(t, plan, "servers", nil, opts...)
		if res.Status != StatusPassed {
			t.Fatalf("status %s: %v", res.Status, res.Err)
		}
		var out []string
		for _, r := range srv.requests()[before:] {
			out = append(out, r.Path)
		}
		return out
	}
	// servers[0] with its variables' defaults; path-level; operation-level.
	if got := strings.Join(paths(), " "); got != "/v1/a /path-level/b /operation-level/c" {
		t.Errorf("defaults: %s", got)
	}
	// A server variable given for the run.
	if got := strings.Join(paths(WithServerVariable("api", "base", "v2")), " "); got != "/v2/a /path-level/b /operation-level/c" {
		t.Errorf("--server-var: %s", got)
	}
	// A server override replaces every server of the source.
	if got := strings.Join(paths(WithServer("api", srv.URL+"/override")), " "); got != "/override/a /override/b /override/c" {
		t.Errorf("--server: %s", got)
	}
	// A value outside the variable's enum is refused before the run
	// (TestServerValueOutsideItsEnum).
}

// securedServers loads the servers workflow against an API whose operations
// require the apiKey scheme "key" and that also declares a bearer scheme "other".
func securedServers(t *testing.T) (*api, *Plan) {
	t.Helper()
	srv := newAPI(t, nil)
	u, _ := url.Parse(srv.URL)
	dir := writeFiles(t, srv.URL, map[string]string{
		"api.yaml": strings.ReplaceAll(strings.Replace(serversAPI, "paths:", `components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
    other: {type: http, scheme: bearer}
security: [{key: []}]
paths:`, 1), "$HOST", u.Host),
		"arazzo.yaml": serversArazzo,
	})
	return srv, mustLoad(t, dir, "arazzo.yaml")
}

// TestUnusedSettings: settings that name something in the plan but that no
// request used are reported, with the reason (the run took another path).
// Settings that name nothing are refused before the run (TestUnknownSettings).
func TestUnusedSettings(t *testing.T) {
	_, plan := securedServers(t)
	res := mustRun(t, plan, "servers", nil,
		WithCredentials(CredentialMap{"key": "k-1234", "other": "o-1234"}),
		WithServerVariable("api", "base", "v2"))
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	var got []string
	for _, u := range res.Unused {
		got = append(got, u.String())
	}
	want := []string{
		`credential other was not used: no request of this run needed security scheme "other"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("unused:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestUnknownSettings: a server, server variable or credential that names no
// source, variable or security scheme is refused before anything is sent,
// every one of them at once, each with a suggestion.
func TestUnknownSettings(t *testing.T) {
	srv, plan := securedServers(t)
	opts := []RunOption{
		WithCredentials(CredentialMap{"key": "k-1234", "kye": "x-1234", "nope.key": "n-1234", "api.kee": "a-1234"}),
		WithServer("apj", "http://127.0.0.1:1"),
		WithServerVariable("api", "base", "v2"),
		WithServerVariable("api", "bsae", "v2"),
		WithServerVariable("apx", "base", "v2"),
	}
	want := `run settings that do not fit the document:
  - server apj: no source description is named "apj"; did you mean "api"? (sources: api)
  - server variable api.bsae: no server of source "api" has a variable {bsae}; did you mean "base"?
  - server variable apx.base: no source description is named "apx"; did you mean "api"? (sources: api)
  - credential api.kee: source "api" declares no security scheme "kee"; did you mean "key"?
  - credential kye: no source description declares a security scheme named "kye"; did you mean "key"?
  - credential nope.key: no source description declares a security scheme named "nope.key", and none is named "nope"`
	refusedBeforeSending(t, srv, plan, opts, want)
}

// refusedBeforeSending checks that the settings opts are refused with the
// SettingsError want, by CheckSettings, Run and DryRun, and that srv got no
// request.
func refusedBeforeSending(t *testing.T, srv *api, plan *Plan, opts []RunOption, want string) {
	t.Helper()
	err := plan.CheckSettings(opts...)
	var se *SettingsError
	if !errors.As(err, &se) || err.Error() != want {
		t.Errorf("CheckSettings:\n%v\nwant:\n%s", err, want)
	}
	if _, err := plan.Run(context.Background(), "servers", nil, opts...); !errors.As(err, &se) {
		t.Errorf("Run: %v, want the SettingsError", err)
	}
	if _, err := plan.DryRun(context.Background(), "servers", nil, opts...); !errors.As(err, &se) {
		t.Errorf("DryRun: %v, want the SettingsError", err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

// replayEffects answers every request itself, as a journal replaying recorded
// responses does: the local driver never sees the requests.
type replayEffects struct{ Effects }

func (r replayEffects) Send(ctx context.Context, req *Request) *Response {
	return &Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}
}

// A credential that a replayed request would have taken counts as used, though
// the driver never applied it; one no request needed is still reported.
func TestUnusedCredentialsAfterReplay(t *testing.T) {
	srv, plan := securedServers(t)
	res := mustRun(t, plan, "servers", nil,
		WithCredentials(CredentialMap{"key": "k-1234", "other": "o-1234"}),
		WithEffects(func(local Effects) Effects { return replayEffects{local} }))
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("%d requests reached the server; the replay should answer them all", n)
	}
	var got []string
	for _, u := range res.Unused {
		got = append(got, u.String())
	}
	want := `credential other was not used: no request of this run needed security scheme "other"`
	if strings.Join(got, "\n") != want {
		t.Errorf("unused:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

// TestServerCredentials: user information in a --server URL is sent as Basic
// authentication and never appears in the URLs a run reports.
func TestServerCredentials(t *testing.T) {
	srv, plan := serversPlan(t)
	u, _ := url.Parse(srv.URL)
	secrets := &Secrets{}
	res := mustRun(t, plan, "servers", nil, WithSecrets(secrets), WithServer("api", "http://ada:p%40ss-w0rd@"+u.Host+"/v9"))
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	for _, r := range srv.requests() {
		if got := r.Header.Get("Authorization"); got != "Basic YWRhOnBAc3MtdzByZA==" { // ada:p@ss-w0rd
			t.Errorf("%s: Authorization %q", r.Path, got)
		}
		if !strings.HasPrefix(r.Path, "/v9/") {
			t.Errorf("path %s", r.Path)
		}
	}
	for _, st := range res.Steps {
		if strings.Contains(st.URL, "ada") || strings.Contains(st.URL, "w0rd") || st.URL != srv.URL+"/v9/"+st.StepID {
			t.Errorf("step %s reports URL %s", st.StepID, st.URL)
		}
	}
	if got := secrets.MaskCredentials("p@ss-w0rd and p%40ss-w0rd"); got != "*** and ***" {
		t.Errorf("password not masked: %s", got)
	}
}

// TestUnusedSettingsAfterEarlyEnd: a run that ends early (here: nothing
// listens at the server) never reached the steps that might have used a
// credential or variable, so they are not reported; a variable of a source
// whose server is overridden is, since no path could use it.
func TestUnusedSettingsAfterEarlyEnd(t *testing.T) {
	_, plan := securedServers(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	res := mustRun(t, plan, "servers", nil,
		WithCredentials(CredentialMap{"key": "k-1234", "other": "o-1234"}),
		WithServer("api", closed),
		WithServerVariable("api", "base", "v2"))
	if res.Status == StatusPassed {
		t.Fatalf("status %s, want the run to end at its first request", res.Status)
	}
	var got []string
	for _, u := range res.Unused {
		got = append(got, u.String())
	}
	want := `server variable api.base was not used: the server of source "api" is overridden`
	if strings.Join(got, "\n") != want {
		t.Errorf("unused:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

// TestServerValueOutsideItsEnum: a server variable given a value its enum
// does not allow, on the server a step's requests go to, is refused before
// anything is sent (the step could only fail, after the ones before it);
// with the source's server overridden, the variable is not used and not
// checked.
func TestServerValueOutsideItsEnum(t *testing.T) {
	srv, plan := serversPlan(t)
	opts := []RunOption{WithServerVariable("api", "base", "v3")}
	want := `run settings that do not fit the document:
  - server variable api.base: value "v3" is not one of "v1", "v2", the values server {scheme}://{host}/{base} allows (step "a" of workflow "servers" calls it)`
	refusedBeforeSending(t, srv, plan, opts, want)
	if err := plan.CheckSettings(WithServerVariable("api", "base", "v2")); err != nil {
		t.Errorf("a value of the enum: %v", err)
	}
	if err := plan.CheckSettings(append(opts, WithServer("api", srv.URL))...); err != nil {
		t.Errorf("with the server overridden: %v", err)
	}
}

// The same holds for the server an AsyncAPI step's messages go to.
func TestAsyncServerValueOutsideItsEnum(t *testing.T) {
	dir := writeFiles(t, "", map[string]string{
		"events.yaml": `asyncapi: 3.0.0
info: {title: events, version: '1'}
servers:
  broker:
    host: '{env}.broker.invalid:9092'
    protocol: kafka
    variables:
      env: {default: dev, enum: [dev, prod]}
channels:
  orders: {address: orders, messages: {order: {payload: {type: object}}}}
operations:
  sendOrder: {action: send, channel: {$ref: '#/channels/orders'}}
`,
		"arazzo.yaml": `arazzo: 1.1.0
info: {title: events, version: '1'}
sourceDescriptions: [{name: events, url: events.yaml, type: asyncapi}]
workflows:
  - workflowId: order
    steps:
      - stepId: send
        operationId: sendOrder
        action: send
        requestBody: {payload: {id: 1}}
`,
	})
	plan := mustLoad(t, dir, "arazzo.yaml")
	want := `run settings that do not fit the document:
  - server variable events.env: value "qa" is not one of "dev", "prod", the values server "broker" ({env}.broker.invalid:9092) allows (step "send" of workflow "order" calls it)`
	if err := plan.CheckSettings(WithServerVariable("events", "env", "qa")); err == nil || err.Error() != want {
		t.Errorf("CheckSettings:\n%v\nwant:\n%s", err, want)
	}
	for _, opts := range [][]RunOption{
		{WithServerVariable("events", "env", "prod")},
		{WithServerVariable("events", "env", "qa"), WithServer("events", "kafka://127.0.0.1:1")},
		{WithServerVariable("events", "env", "qa"), WithMessageMock()},
	} {
		if err := plan.CheckSettings(opts...); err != nil {
			t.Errorf("%d options: %v", len(opts), err)
		}
	}
}
