package runtime

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// concurrentFiles is a document that touches every kind of per-run state:
// inputs, step outputs read by later steps, a JSONPath criterion, a retry,
// a workflowId step, dependsOn and $workflows, a server variable, a server
// override and a bearer credential.
var concurrentFiles = map[string]string{
	"openapi.yaml": `openapi: 3.1.0
info: {title: concurrent, version: 1.0.0}
servers:
  - url: http://unused.invalid/{prefix}
    variables: {prefix: {default: v0}}
security: [{bearer: []}]
paths:
  /items/{n}:
    get:
      operationId: getItem
      parameters: [{name: n, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}}
  /flaky/{key}:
    get:
      operationId: getFlaky
      parameters: [{name: key, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}, "503": {description: try again}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
`,
	"arazzo.yaml": `arazzo: 1.1.0
info: {title: concurrent runs, version: 1.0.0}
sourceDescriptions:
  - {name: api, url: openapi.yaml, type: openapi}
workflows:
  - workflowId: prepare
    inputs: {type: object, properties: {n: {type: integer}}}
    steps:
      - stepId: warm
        operationId: getItem
        parameters: [{name: n, in: path, value: $inputs.n}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {id: $response.body#/id}
    outputs: {id: $steps.warm.outputs.id}
  - workflowId: main
    dependsOn: [prepare]
    inputs: {type: object, required: [n], properties: {n: {type: integer}}}
    steps:
      - stepId: first
        operationId: getItem
        parameters: [{name: n, in: path, value: $inputs.n}]
        successCriteria:
          - condition: $statusCode == 200
          - {context: $response.body, condition: "$.items[?@.ok == true]", type: jsonpath}
        outputs: {next: $response.body#/next}
      - stepId: flaky
        operationId: getFlaky
        parameters: [{name: key, in: path, value: $steps.first.outputs.next}]
        successCriteria: [{condition: $statusCode == 200}]
        onFailure: [{name: again, type: retry, retryAfter: 0, retryLimit: 2, criteria: [{condition: $statusCode == 503}]}]
        outputs: {tries: $response.body#/tries}
      - stepId: sub
        workflowId: prepare
        parameters: [{name: n, value: $steps.first.outputs.next}]
        outputs: {id: $outputs.id}
      - stepId: last
        operationId: getItem
        parameters: [{name: n, in: path, value: $steps.sub.outputs.id}]
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {auth: $response.body#/auth, id: $response.body#/id}
    outputs:
      first: $steps.first.outputs.next
      tries: $steps.flaky.outputs.tries
      auth: $steps.last.outputs.auth
      last: $steps.last.outputs.id
      prepared: $workflows.prepare.outputs.id # its last run: the sub step's
`,
}

// newConcurrentAPI serves /v1/items/{n} and /v1/flaky/{key}; a flaky key
// answers 503 the first time it is asked for.
func newConcurrentAPI(t *testing.T) *api {
	var mu sync.Mutex
	tries := map[string]int{}
	return newAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/v1/")
		if !ok || r.Header.Get("Authorization") == "" {
			writeJSON(w, http.StatusNotFound, map[string]any{"path": r.URL.Path})
			return
		}
		kind, arg, _ := strings.Cut(rest, "/")
		n, err := strconv.Atoi(arg)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{})
			return
		}
		switch kind {
		case "items":
			writeJSON(w, http.StatusOK, map[string]any{"id": n, "next": n + 1, "items": []any{map[string]any{"ok": true}},
				"auth": r.Header.Get("Authorization")})
		case "flaky":
			mu.Lock()
			tries[arg]++
			c := tries[arg]
			mu.Unlock()
			code := http.StatusOK
			if c == 1 {
				code = http.StatusServiceUnavailable
			}
			writeJSON(w, code, map[string]any{"tries": c})
		}
	})
}

// A Plan is shared by concurrent runs: each run sees only its own inputs,
// outputs, retries, credentials and events. Run it with -race.
func TestConcurrentRunsOfOnePlan(t *testing.T) {
	srv := newConcurrentAPI(t)
	// Every run gets the same server settings, and some add their own: a run
	// must not see another's.
	shared := []RunOption{WithServerVariable("api", "prefix", "v1"), WithServer("api", srv.URL+"/v1")}
	plan := loadFiles(t, srv.URL, concurrentFiles)

	const goroutines, perGoroutine = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*perGoroutine)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perGoroutine {
				n := (g+1)*1000 + i
				if err := concurrentRun(plan, n, shared); err != nil {
					errs <- fmt.Errorf("run n=%d: %w", n, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// concurrentRun runs main for n and checks that everything it saw was its own.
func concurrentRun(plan *Plan, n int, shared []RunOption) error {
	var urls []string
	obs := ObserverFunc(func(e *Event) {
		if e.Kind == EventRequest {
			urls = append(urls, e.Request.URL)
		}
	})
	secrets := &Secrets{}
	opts := append(append([]RunOption(nil), shared...),
		WithCredentials(CredentialMap{"bearer": fmt.Sprintf("secret-%d", n)}), WithSecrets(secrets), WithObserver(obs))
	if n%2 == 0 {
		// Half the runs set a server variable of their own, without effect
		// under the override: the plan's settings must stay as they were.
		opts = append(opts, WithServerVariable("api", "prefix", fmt.Sprintf("p%d", n)))
	}
	res, err := plan.Run(context.Background(), "main", map[string]any{"n": n}, opts...)
	if err != nil {
		return err
	}
	if res.Status != StatusPassed {
		return fmt.Errorf("status %s: %v", res.Status, res.Err)
	}
	want := fmt.Sprintf(`{"auth":"Bearer secret-%d","first":%d,"last":%d,"prepared":%d,"tries":2}`, n, n+1, n+1, n+1)
	if got := jsonText(res.Outputs); got != want {
		return fmt.Errorf("outputs\n  %s\nwant\n  %s", got, want)
	}
	own := map[string]bool{}
	for _, p := range []string{fmt.Sprintf("/v1/items/%d", n), fmt.Sprintf("/v1/items/%d", n+1), fmt.Sprintf("/v1/flaky/%d", n+1)} {
		own[p] = true
	}
	if len(urls) != 6 { // prepare, first, flaky twice, sub's prepare, last
		return fmt.Errorf("%d requests, want 6: %v", len(urls), urls)
	}
	for _, u := range urls {
		if i := strings.Index(u, "/v1/"); i < 0 || !own[u[i:]] {
			return fmt.Errorf("request %s is not this run's", u)
		}
	}
	if !secrets.Has(fmt.Sprintf("secret-%d", n)) || secrets.Has(fmt.Sprintf("secret-%d", n+1)) {
		return fmt.Errorf("the run's secrets hold another run's credential")
	}
	return nil
}
