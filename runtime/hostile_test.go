package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/openapi"
)

// A path parameter value taken from a response is data: ".." must not make
// the next request reach the parent path (another endpoint of the API).
func TestPathValueDotSegments(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == "/users/me" {
			writeJSON(w, 200, map[string]any{"id": "..", "tag": "."})
			return
		}
		writeJSON(w, 200, map[string]any{})
	})
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: $URL}]
paths:
  /users/me:
    get: {operationId: me, responses: {'200': {description: ok}}}
  /users/{id}/tags/{tag}/delete:
    get:
      operationId: tag
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: tag, in: path, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: me
        operationId: me
        outputs: {id: $response.body#/id, tag: $response.body#/tag}
      - stepId: tag
        operationId: tag
        parameters:
          - {name: id, in: path, value: $steps.me.outputs.id}
          - {name: tag, in: path, value: $steps.me.outputs.tag}
`})
	mustRun(t, plan, "w", nil)
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if got, want := reqs[1].RequestURI, "/users/%2E%2E/tags/%2E/delete"; got != want {
		t.Errorf("sent %s, want %s: a dot segment from a response reaches another path", got, want)
	}
}

// A criterion that would run long on a hostile response (a quadratic XPath
// query) stops when the run is cancelled — a signal, or --run-timeout — and
// the run ends: the run is stopped the moment the response arrives. A
// criterion stopped so has no verdict: the step does not fail by it (nor
// does an action's criterion choose), the run ends in error with the
// context's error, as a run stopped during a request does.
func TestCriterionStopsWithTheRun(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte("<r>" + strings.Repeat("<i/>", 1500) + "</r>"))
	})
	const quadratic = "count(//i[count(preceding::i) >= 0]) > 0"
	docs := map[string]string{
		"success criterion": `
        successCriteria:
          - context: $response.body
            condition: ` + quadratic + `
            type: xpath
`,
		"action criterion": `
        successCriteria:
          - condition: $statusCode == 201
        onFailure:
          - name: again
            type: retry
            retryLimit: 3
            criteria:
              - context: $response.body
                condition: ` + quadratic + `
                type: xpath
`,
	}
	for name, criteria := range docs {
		plan := loadFiles(t, srv.URL, map[string]string{
			"api.yaml": `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: $URL}]
paths:
  /items:
    get: {operationId: list, responses: {'200': {description: ok}}}
`,
			"arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: list
        operationId: list` + criteria})
		for _, c := range []struct {
			how  string
			want error
		}{{"cancelled", context.Canceled}, {"timed out", context.DeadlineExceeded}} {
			ctx, cancel := context.WithCancel(context.Background())
			if c.want == context.DeadlineExceeded {
				ctx = &expiring{Context: context.Background()}
			}
			stopOnResponse := ObserverFunc(func(e *Event) {
				if e.Kind == EventResponse {
					if x, ok := ctx.(*expiring); ok {
						x.expire()
					} else {
						cancel()
					}
				}
			})
			res, err := plan.Run(ctx, "w", nil, WithObserver(stopOnResponse))
			cancel()
			if err != nil || res == nil || len(res.Steps) != 1 {
				t.Fatalf("%s, %s: result %+v, %v: want one step", name, c.how, res, err)
			}
			st := res.Steps[0]
			if res.Status != StatusError || !errors.Is(res.Err, c.want) || !strings.Contains(res.Err.Error(), "run "+c.how+" while evaluating criterion `"+quadratic+"` of step list") {
				t.Errorf("%s, %s: run %s, %v; want error wrapping %v", name, c.how, res.Status, res.Err, c.want)
			}
			if st.Status != StatusError || st.Attempts != 1 {
				t.Errorf("%s, %s: step %s after %d attempts, want error after 1", name, c.how, st.Status, st.Attempts)
			}
			for _, cr := range st.Criteria {
				if cr.Condition == quadratic {
					t.Errorf("%s, %s: the stopped criterion has a verdict: %+v", name, c.how, cr)
				}
			}
		}
	}
}

// expiring is a context whose deadline passes when expire is called: its
// Err is then context.DeadlineExceeded, as a run's --timeout makes it.
type expiring struct {
	context.Context
	mu   sync.Mutex
	done chan struct{}
	err  error
}

func (x *expiring) expire() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err == nil {
		x.err = context.DeadlineExceeded
		close(x.ch())
	}
}

func (x *expiring) ch() chan struct{} {
	if x.done == nil {
		x.done = make(chan struct{})
	}
	return x.done
}

func (x *expiring) Done() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.ch()
}

func (x *expiring) Err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

// twoSourcesPlan loads a document whose second source, on another server,
// declares a security scheme with the name of the first's: the shape of a
// pull request that adds a source to collect the credential.
func twoSourcesPlan(t *testing.T) (good, evil *api, plan *Plan) {
	t.Helper()
	good, evil = newAPI(t, nil), newAPI(t, nil)
	spec := func(id string) string {
		return `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: $URL}]
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
security: [{bearerAuth: []}]
paths:
  /items:
    get: {operationId: ` + id + `, responses: {'200': {description: ok}}}
`
	}
	dir := writeFiles(t, good.URL, map[string]string{
		"good.yaml": spec("list"),
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: good, url: good.yaml, type: openapi}
  - {name: evil, url: evil.yaml, type: openapi}
workflows:
  - workflowId: w
    steps:
      - {stepId: list, operationId: $sourceDescriptions.good.list}
      - {stepId: collect, operationId: $sourceDescriptions.evil.collect}
`})
	if err := os.WriteFile(filepath.Join(dir, "evil.yaml"), []byte(strings.ReplaceAll(spec("collect"), "$URL", evil.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	return good, evil, mustLoad(t, dir, "arazzo.yaml")
}

// An unqualified credential binds only when exactly one source declares the
// scheme; otherwise the run is refused before anything is sent, and asks for
// SOURCE.NAME. Qualified, it reaches its source only.
func TestCredentialBindsToOneSource(t *testing.T) {
	good, evil, plan := twoSourcesPlan(t)
	_, err := plan.Run(context.Background(), "w", nil, WithCredentials(CredentialMap{"bearerAuth": "s3cret"}), WithServer("good", good.URL))
	var se *SettingsError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `security scheme "bearerAuth" is declared by sources "evil" and "good"`) ||
		!strings.Contains(err.Error(), "evil.bearerAuth or good.bearerAuth") {
		t.Fatalf("err = %v, want a SettingsError asking for SOURCE.NAME", err)
	}
	if n := len(good.requests()) + len(evil.requests()); n != 0 {
		t.Fatalf("%d requests sent before the refusal", n)
	}
	res := mustRun(t, plan, "w", nil, WithCredentials(CredentialMap{"good.bearerAuth": "s3cret"}))
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	if got := good.requests()[0].Header.Get("Authorization"); got != "Bearer s3cret" {
		t.Errorf("good got Authorization %q", got)
	}
	if got := evil.requests()[0].Header.Get("Authorization"); got != "" {
		t.Errorf("evil got Authorization %q: the credential reached another source", got)
	}
}

// A driver that sends on behalf of a plan it does not hold (a Temporal
// worker's Sender) applies the same rule: an unqualified credential does not
// reach a scheme another source declares too.
func TestSenderKeepsSharedSchemesQualified(t *testing.T) {
	srv := newAPI(t, nil)
	scheme := &openapi.SecurityScheme{Type: "http", Scheme: "bearer"}
	send := func(creds CredentialMap, shared bool) string {
		s := NewSender(WithCredentials(creds))
		resp := s.Send(context.Background(), &Request{Method: "GET", URL: srv.URL + "/items",
			Security: []SecurityOption{{{Source: "evil", Name: "bearerAuth", Scheme: scheme, Shared: shared}}}})
		if resp.Err != nil {
			t.Fatal(resp.Err)
		}
		reqs := srv.requests()
		return reqs[len(reqs)-1].Header.Get("Authorization")
	}
	if got := send(CredentialMap{"bearerAuth": "s3cret"}, true); got != "" {
		t.Errorf("shared scheme, unqualified credential: sent Authorization %q", got)
	}
	if got := send(CredentialMap{"bearerAuth": "s3cret"}, false); got != "Bearer s3cret" {
		t.Errorf("scheme of one source: sent Authorization %q", got)
	}
	if got := send(CredentialMap{"evil.bearerAuth": "s3cret"}, true); got != "Bearer s3cret" {
		t.Errorf("shared scheme, qualified credential: sent Authorization %q", got)
	}
}

// The client secret of an oauth2 client-credentials scheme never goes to a
// plain-http token endpoint on the network; to one on the local machine it
// may (tests, local identity providers). A dry run says which endpoint a
// run would call.
func TestTokenEndpoint(t *testing.T) {
	api, _ := url.Parse("https://api.example.com/v1/items")
	for _, tt := range []struct{ tokenURL, want, err string }{
		{"https://auth.example.com/token", "https://auth.example.com/token", ""},
		{"/oauth/token", "https://api.example.com/oauth/token", ""},
		{"http://127.0.0.1:8080/token", "http://127.0.0.1:8080/token", ""},
		{"http://[::1]/token", "http://[::1]/token", ""},
		{"http://localhost/token", "http://localhost/token", ""},
		{"http://auth.example.com/token", "", "token URL http://auth.example.com/token is plain http"},
		{"http://127.0.0.1.example.com/token", "", "plain http"},
		{"ftp://auth.example.com/token", "", "not an absolute https URL"},
	} {
		got, err := TokenEndpoint(&openapi.SecurityScheme{Type: "oauth2", TokenURL: tt.tokenURL}, api)
		if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %q, %v; want %q, %q", tt.tokenURL, got, err, tt.want, tt.err)
		}
	}

	// A run refuses the plain-http endpoint before sending the secret; a
	// dry run says so, or names the endpoint a run would call.
	apiSrv := newAPI(t, nil)
	u, _ := url.Parse(apiSrv.URL)
	load := func(tokenURL string) *Plan {
		return loadFiles(t, apiSrv.URL, map[string]string{
			"api.yaml": `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: $URL}]
components:
  securitySchemes:
    cc:
      type: oauth2
      flows:
        clientCredentials: {tokenUrl: '` + tokenURL + `', scopes: {}}
security: [{cc: []}]
paths:
  /items:
    get: {operationId: list, responses: {'200': {description: ok}}}
`,
			"arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - {stepId: list, operationId: list}
`})
	}
	creds := WithCredentials(CredentialMap{"cc": "client:s3cret"})
	notes := func(plan *Plan) string {
		dry, err := plan.DryRun(context.Background(), "w", nil, creds)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(dry.Steps[0].Notes, "\n")
	}
	plan := load("http://token.example:" + u.Port() + "/token")
	res := mustRun(t, plan, "w", nil, creds)
	if res.Status != StatusError || !strings.Contains(res.Err.Error(), "plain http") {
		t.Errorf("status %s, err %v: want the plain-http token URL refused", res.Status, res.Err)
	}
	if n := len(apiSrv.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	if got, want := notes(plan), `oauth2 scheme "cc": no token would be requested: token URL http://token.example:`+u.Port()+`/token is plain http`; !strings.Contains(got, want) {
		t.Errorf("dry-run notes %q, want %q", got, want)
	}
	if got, want := notes(load("/oauth/token")), `oauth2 scheme "cc": the token is first requested from POST `+apiSrv.URL+`/oauth/token`; !strings.Contains(got, want) {
		t.Errorf("dry-run notes %q, want %q", got, want)
	}
}

// oneHostTwoSchemes serves https://api.test (TLS) and http://api.test (plain)
// from two test servers, through a client that dials them by scheme: the
// same host, as a real API on ports 443 and 80 is.
func oneHostTwoSchemes(t *testing.T, secure, plain *api) *http.Client {
	t.Helper()
	cl := NewHTTPClient()
	tr := cl.Transport.(*http.Transport)
	tr.TLSClientConfig = secure.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tr.TLSClientConfig.ServerName = "example.com" // the name httptest's certificate is for
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		target := plain.Listener.Addr().String()
		if strings.HasSuffix(addr, ":443") {
			target = secure.Listener.Addr().String()
		}
		var d net.Dialer
		return d.DialContext(ctx, network, target)
	}
	return cl
}

func newTLSAPI(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *api {
	t.Helper()
	a := &api{handle: handle}
	a.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.reqs = append(a.reqs, received{Method: r.Method, RequestURI: r.RequestURI, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()})
		n := len(a.reqs)
		a.mu.Unlock()
		a.handle(w, r, n)
	}))
	a.StartTLS()
	t.Cleanup(a.Close)
	return a
}

// A GET redirected from https to plain http on the same host does not take
// its credentials along (they would cross the network in clear), and no
// redirect sends a Referer (its URL would carry an apiKey query parameter to
// the next host).
func TestRedirectsKeepCredentials(t *testing.T) {
	plain := newAPI(t, nil)
	secure := newTLSAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/downgrade":
			http.Redirect(w, r, "http://api.test/clear", http.StatusFound)
		case "/away":
			http.Redirect(w, r, "https://elsewhere.test/next", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/here", http.StatusFound)
		default:
			writeJSON(w, 200, map[string]any{})
		}
	})
	plan := loadFiles(t, "https://api.test", map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: r, version: '1'}
servers: [{url: $URL}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
    bearer: {type: http, scheme: bearer}
    query: {type: apiKey, in: query, name: api_key}
    cookie: {type: apiKey, in: cookie, name: session}
security: [{key: [], bearer: [], cookie: []}]
paths:
  /downgrade:
    get: {operationId: downgrade, responses: {'200': {description: ok}}}
  /away:
    get: {operationId: away, security: [{query: []}], responses: {'200': {description: ok}}}
  /same:
    get: {operationId: same, responses: {'200': {description: ok}}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: r, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - {stepId: downgrade, operationId: downgrade}
      - {stepId: away, operationId: away}
      - {stepId: same, operationId: same}
`,
	})
	creds := CredentialMap{"key": "k-secret", "bearer": "b-secret", "query": "q-secret", "cookie": "c-secret"}
	res := mustRun(t, plan, "w", nil, WithCredentials(creds), WithHTTPClient(oneHostTwoSchemes(t, secure, plain)))
	wantStatus(t, res, StatusPassed)
	got := plain.requests()
	if len(got) != 1 || got[0].Path != "/clear" {
		t.Fatalf("plain http received %v", got)
	}
	var next *received
	for _, r := range secure.requests() {
		if r.Path == "/next" {
			next = &r
		}
	}
	if next == nil {
		t.Fatal("the redirect to another https host was not followed")
	}
	for _, r := range []received{got[0], *next} {
		for _, h := range []string{"Authorization", "X-Api-Key", "Cookie", "Referer"} {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("%s after a redirect: %s: %q", r.Path, h, v)
			}
		}
	}
	// On the same host and scheme, credentials follow, and still no Referer.
	here := secure.requests()[len(secure.requests())-1]
	if here.Path != "/here" || here.Header.Get("X-Api-Key") != "k-secret" || here.Header.Get("Authorization") != "Bearer b-secret" {
		t.Errorf("same-origin redirect: %s with X-Api-Key %q, Authorization %q", here.Path, here.Header.Get("X-Api-Key"), here.Header.Get("Authorization"))
	}
	if v := here.Header.Get("Referer"); v != "" {
		t.Errorf("same-origin redirect sent Referer %q", v)
	}
}

// A GET whose operation declares the redirect status as a response is not
// followed: the step sees the 302 and its criteria can test it. One that
// does not declare it is followed.
func TestDeclaredRedirectIsNotFollowed(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/login", "/moved", "/ranged":
			w.Header().Set("Location", "/landing")
			w.WriteHeader(http.StatusFound)
		default:
			writeJSON(w, 200, map[string]any{"at": r.URL.Path})
		}
	})
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: r, version: '1'}
servers: [{url: $URL}]
paths:
  /login:
    get:
      operationId: login
      responses:
        '302': {description: to the identity provider, headers: {Location: {schema: {type: string}}}}
  /ranged:
    get: {operationId: ranged, responses: {'3XX': {description: elsewhere}}}
  /moved:
    get: {operationId: moved, responses: {'200': {description: ok}}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: r, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - stepId: login
        operationId: login
        successCriteria: [{condition: $statusCode == 302}]
        outputs: {next: $response.header.Location}
      - stepId: ranged
        operationId: ranged
        successCriteria: [{condition: $statusCode == 302}]
      - stepId: moved
        operationId: moved
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {at: $response.body#/at}
`,
	})
	res := mustRun(t, plan, "w", nil)
	wantStatus(t, res, StatusPassed)
	if res.Steps[0].Outputs["next"] != "/landing" || res.Steps[2].Outputs["at"] != "/landing" {
		t.Errorf("outputs %v, %v", res.Steps[0].Outputs, res.Steps[2].Outputs)
	}
	var paths []string
	for _, r := range srv.requests() {
		paths = append(paths, r.Path)
	}
	if got := strings.Join(paths, " "); got != "/login /ranged /moved /landing" {
		t.Errorf("requests: %s", got)
	}
}

// countingReader counts the reads of each document identity through the
// reader it wraps; every read of an Arazzo or OpenAPI source is followed by
// one parse, so the counts are the parses too.
type countingReader struct {
	read  ReadFunc
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingReader) Read(ctx context.Context, u *url.URL) ([]byte, error) {
	c.mu.Lock()
	if c.reads == nil {
		c.reads = map[string]int{}
	}
	c.reads[fetch.Identity(u)]++
	c.mu.Unlock()
	return c.read(ctx, u)
}

func (c *countingReader) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.reads {
		n += k
	}
	return n
}

// The hostile files of a pull request: a document that lists itself under
// names that differ only in spelling (loaded 2^16 times before), one large
// OpenAPI description listed ten times with a query each, and symbolic links
// to /dev/zero and /dev/stdin. Each is read and parsed once, or refused with
// a clear error without being read.
func TestHostileFilesReadOnce(t *testing.T) {
	bigAPI := hostileOpenAPI + "x-pad: '" + strings.Repeat("x", 1<<20) + "'\n"
	self := `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: a, url: ./%2E/x.arazzo.yaml, type: arazzo}
  - {name: b, url: ./%2e/x.arazzo.yaml, type: arazzo}
  - {name: c, url: ./%2E%2F%2E/x.arazzo.yaml, type: arazzo}
  - {name: d, url: d/d/x.arazzo.yaml, type: arazzo}
workflows:
  - workflowId: w
    steps:
      - {stepId: s, workflowId: $sourceDescriptions.a.w}
`
	var queried strings.Builder
	queried.WriteString("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&queried, "  - {name: api%d, url: 'api.yaml?%d', type: openapi}\n", i, i)
	}
	queried.WriteString("workflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: $sourceDescriptions.api1.listItems}\n")
	dir := writeTree(t, map[string]string{"x.arazzo.yaml": self, "api.yaml": bigAPI, "q.arazzo.yaml": queried.String(),
		"zero-src.arazzo.yaml": arazzoWith("      type: object", "")})
	if err := os.Symlink(".", filepath.Join(dir, "d")); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"zero.arazzo.yaml": "/dev/zero", "stdin.arazzo.yaml": "/dev/stdin"} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	root := dir
	load := func(name string) (*Plan, string, *countingReader) {
		t.Helper()
		cr := &countingReader{read: DefaultReader(ReaderOptions{Root: root, Offline: true})}
		plan, diags, err := Load(context.Background(), filepath.Join(dir, name), WithReadFunc(cr.Read))
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.Error())
		}
		if err != nil {
			msgs = append(msgs, err.Error())
		}
		return plan, strings.Join(msgs, "\n"), cr
	}

	plan, msgs, cr := load("x.arazzo.yaml")
	if plan == nil {
		t.Fatalf("the self-referencing document does not load:\n%s", msgs)
	}
	if n := cr.total(); n != 1 {
		t.Errorf("self-referencing document: %d reads (and parses), want 1: %v", n, cr.reads)
	}

	plan, msgs, cr = load("q.arazzo.yaml")
	if plan == nil {
		t.Fatalf("the queried sources do not load:\n%s", msgs)
	}
	if n := cr.reads[fetch.Identity(fileURL(filepath.Join(dir, "api.yaml")))]; n != 1 {
		t.Errorf("api.yaml?1…?10: %d reads (and parses), want 1: %v", n, cr.reads)
	}
	if n := len(plan.OpenAPIDocuments()); n != 1 {
		t.Errorf("%d OpenAPI documents for one file", n)
	}

	// Confined to the repository (validate), the links lead out of it; not
	// confined (run, validate --allow-outside), they are not regular files.
	// Neither is read.
	for _, confined := range []bool{true, false} {
		root = ""
		if confined {
			root = dir
		}
		for name, want := range map[string]string{
			"zero.arazzo.yaml":  "is a character device; only regular files are read",
			"stdin.arazzo.yaml": "stdin.arazzo.yaml",
		} {
			if confined {
				want = "is outside " + dir
			}
			_, msgs, _ := load(name)
			ok := strings.Contains(msgs, want)
			if name == "stdin.arazzo.yaml" && !confined {
				// Standard input is a terminal, /dev/null or a pipe (a link
				// that resolves to no file): never read either way.
				ok = strings.Contains(msgs, "only regular files are read") || strings.Contains(msgs, "cannot be resolved to a file")
			}
			if !ok {
				t.Errorf("%s (confined %v): %q, want %q", name, confined, msgs, want)
			}
		}
	}
	// As a source, /dev/zero is an error of the document, not a source that
	// could not be found (which validate only warns about).
	if err := os.WriteFile(filepath.Join(dir, "zero-src.arazzo.yaml"), []byte(strings.Replace(arazzoWith("      type: object", ""), "url: api.yaml", "url: zero.arazzo.yaml", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, msgs, _ := load("zero-src.arazzo.yaml"); !strings.Contains(msgs, "is a character device") || !strings.Contains(msgs, "[source-invalid]") {
		t.Errorf("source linked to /dev/zero: %s", msgs)
	}
}

func fileURL(p string) *url.URL { return &url.URL{Scheme: "file", Path: filepath.ToSlash(p)} }

// A driver that serves any document (a Temporal worker's Sender) cannot
// refuse a misspelt credential name before a run; the warning it gives when
// a request goes without credentials names the credential that looks like
// the missing scheme.
func TestSenderNamesMisspeltCredential(t *testing.T) {
	srv := newAPI(t, nil)
	scheme := &openapi.SecurityScheme{Type: "http", Scheme: "bearer"}
	send := func(creds CredentialMap) []string {
		var warnings []string
		s := NewSender(WithCredentials(creds), WithObserver(ObserverFunc(func(e *Event) {
			if e.Kind == EventWarning {
				warnings = append(warnings, e.Message)
			}
		})))
		resp := s.Send(context.Background(), &Request{Method: "GET", URL: srv.URL + "/items",
			Security: []SecurityOption{{{Source: "api", Name: "bearerAuth", Scheme: scheme}}}})
		if resp.Err != nil {
			t.Fatal(resp.Err)
		}
		if got := srv.requests()[len(srv.requests())-1].Header.Get("Authorization"); got != "" {
			t.Errorf("sent Authorization %q", got)
		}
		return warnings
	}
	for _, key := range []string{"baererAuth", "api.baererAuth"} {
		w := send(CredentialMap{key: "s3cret", "other": "x"})
		want := `a credential is given for "` + key + `", which names no scheme of this request: did you mean "bearerAuth"?`
		if len(w) != 1 || !strings.Contains(w[0], "no credentials for security scheme bearerAuth") || !strings.Contains(w[0], want) {
			t.Errorf("%s: warnings %q, want one with %q", key, w, want)
		}
		if strings.Contains(strings.Join(w, "\n"), "s3cret") {
			t.Error("the warning holds the credential")
		}
	}
	if w := send(CredentialMap{"unrelated": "s3cret"}); len(w) != 1 || strings.Contains(w[0], "did you mean") {
		t.Errorf("no near name: warnings %q", w)
	}
}
