package runtime

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const transportDoc = `workflows:
  - workflowId: w
    steps:
      - {stepId: a, operationId: status, parameters: [{name: code, in: path, value: 200}]}
      - {stepId: b, operationId: status, parameters: [{name: code, in: path, value: 200}]}
      - {stepId: c, operationId: status, parameters: [{name: code, in: path, value: 200}]}
`

// Connections are reused across steps (and runs) of the default client.
func TestConnectionsReused(t *testing.T) {
	fs := &flowServer{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fs.handle(w, r, 0) }))
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", transportDoc))
	wantStatus(t, mustRun(t, plan, "w", nil), StatusPassed)
	wantStatus(t, mustRun(t, plan, "w", nil), StatusPassed)
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 6 requests", n)
	}
}

// A response larger than the cap fails the step with a clear message.
func TestResponseBodyCap(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":"` + strings.Repeat("x", 4096) + `"}`))
	})
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", transportDoc))
	res := mustRun(t, plan, "w", nil, WithMaxBodySize(1024))
	wantStatus(t, res, StatusError)
	wantTrail(t, res, "a:error")
	if !strings.Contains(res.Err.Error(), "workflow w, step a: GET "+srv.URL+"/status/200: response body is larger than 1024 bytes") {
		t.Errorf("error %v", res.Err)
	}
}

// Redirects are followed for GET and HEAD only, and credentials do not follow
// a redirect to another host.
func TestRedirects(t *testing.T) {
	other := newAPI(t, nil)
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusFound)
		case "/away":
			http.Redirect(w, r, other.URL+"/there", http.StatusFound)
		default:
			writeJSON(w, 200, map[string]any{"path": r.URL.Path})
		}
	})
	plan := loadFiles(t, srv.URL, map[string]string{
		"api.yaml": `openapi: 3.1.0
info: {title: r, version: '1'}
servers: [{url: $URL}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
    bearer: {type: http, scheme: bearer}
security: [{key: [], bearer: []}]
paths:
  /moved:
    get: {operationId: getMoved, responses: {'200': {description: ok}}}
    post: {operationId: postMoved, responses: {'302': {description: moved}}}
  /away:
    get: {operationId: getAway, responses: {'200': {description: ok}}}
`,
		"arazzo.yaml": `arazzo: 1.0.1
info: {title: r, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]
workflows:
  - workflowId: w
    steps:
      - {stepId: get, operationId: getMoved, successCriteria: [{condition: $statusCode == 200}], outputs: {path: $response.body#/path}}
      - {stepId: post, operationId: postMoved, successCriteria: [{condition: $statusCode == 302}]}
      - {stepId: away, operationId: getAway, successCriteria: [{condition: $statusCode == 200}]}
`,
	})
	res := mustRun(t, plan, "w", nil, WithCredentials(CredentialMap{"key": "k-1234", "bearer": "b-1234"}))
	wantStatus(t, res, StatusPassed)
	if res.Steps[0].Outputs["path"] != "/here" {
		t.Errorf("GET was not redirected: %v", res.Steps[0].Outputs)
	}
	var paths []string
	for _, r := range srv.requests() {
		paths = append(paths, r.Method+" "+r.Path)
	}
	if got := strings.Join(paths, ", "); got != "GET /moved, GET /here, POST /moved, GET /away" {
		t.Errorf("requests: %s", got)
	}
	if got := srv.requests()[1].Header.Get("X-Key"); got != "k-1234" {
		t.Errorf("same-host redirect lost the credential: %q", got)
	}
	there := other.requests()
	if len(there) != 1 || there[0].Header.Get("X-Key") != "" || there[0].Header.Get("Authorization") != "" {
		t.Errorf("credentials followed the redirect to another host: %v", there)
	}
}

// Cancelling the run stops the in-flight request; what completed is reported
// and the run ends with status error.
func TestCancellation(t *testing.T) {
	started := make(chan struct{})
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 2 {
			close(started)
			<-r.Context().Done()
			return
		}
		writeJSON(w, 200, map[string]any{})
	})
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", transportDoc))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	var finished []string
	obs := ObserverFunc(func(e *Event) {
		if e.Kind == EventStepFinished {
			finished = append(finished, e.StepID+":"+string(e.Step.Status))
		}
	})
	// Without cancellation the handler would hold the request until the
	// test binary's own timeout; the server seeing the request's context end
	// is what proves it was stopped.
	res, err := plan.Run(ctx, "w", nil, WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, res, StatusError)
	wantTrail(t, res, "a:passed", "b:error")
	if strings.Join(finished, " ") != "a:passed b:error" {
		t.Errorf("finished events: %v", finished)
	}
	if !strings.Contains(res.Err.Error(), "run cancelled during GET") {
		t.Errorf("error %v", res.Err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests", n)
	}
}

// WithRunTimeout bounds the whole run.
func TestRunTimeout(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		<-r.Context().Done()
	})
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", transportDoc))
	res := mustRun(t, plan, "w", nil, WithRunTimeout(100*time.Millisecond))
	wantStatus(t, res, StatusError)
	wantTrail(t, res, "a:error")
	if !strings.Contains(res.Err.Error(), "run timed out during GET") {
		t.Errorf("error %v", res.Err)
	}
}
