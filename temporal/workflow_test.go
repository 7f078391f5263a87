package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/arazzo-run/arazzo/runtime"
)

const testToken = "tk-worker-7d41c2e9"

// testAPI serves the operations of testdata/api.openapi.yaml.
type testAPI struct {
	*httptest.Server
	mu       sync.Mutex
	flaky    int
	renewals map[string]int
	requests int
}

func newTestAPI(t *testing.T) *testAPI {
	a := &testAPI{renewals: map[string]int{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *testAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests++
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.URL.Path == "/echo":
		reply(200, map[string]string{"authorization": r.Header.Get("Authorization")})
	case r.Header.Get("Authorization") != "Bearer "+testToken:
		reply(401, map[string]string{"message": "unauthorized"})
	case r.URL.Path == "/items":
		reply(200, map[string]any{"items": []any{map[string]any{"id": "item-" + r.URL.Query().Get("search")}}})
	case strings.HasSuffix(r.URL.Path, "/renew") && r.Method == http.MethodPost:
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/items/"), "/renew")
		a.renewals[id]++
		reply(200, map[string]string{"token": fmt.Sprintf("tok-%s-%d", id, a.renewals[id])})
	case r.URL.Path == "/flaky":
		a.flaky++
		if a.flaky == 1 {
			reply(503, map[string]string{"state": "busy"})
			return
		}
		reply(200, map[string]string{"state": "ready"})
	default:
		reply(404, map[string]string{"message": "not found"})
	}
}

// load compiles testdata/flows.arazzo.yaml, recording its documents.
func load(t *testing.T) (*runtime.Plan, *Documents) {
	t.Helper()
	var rec Recorder
	name := filepath.Join("testdata", "flows.arazzo.yaml")
	plan, diags, err := runtime.Load(context.Background(), name, runtime.WithReadFunc(rec.Wrap(runtime.DefaultReader(runtime.ReaderOptions{}))))
	if err != nil {
		t.Fatalf("load: %v\n%v", err, diags)
	}
	docs, err := rec.Documents(name)
	if err != nil {
		t.Fatal(err)
	}
	return plan, docs
}

// env is a test environment with a Worker registered.
type env struct {
	*testsuite.TestWorkflowEnvironment
	ts testsuite.WorkflowTestSuite
}

func newEnv(t *testing.T, opts ...Option) *env {
	e := &env{}
	e.ts.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	e.TestWorkflowEnvironment = e.ts.NewTestWorkflowEnvironment()
	NewWorker(append([]Option{WithCredentials(runtime.CredentialMap{"bearerAuth": testToken})}, opts...)...).Register(e)
	return e
}

// run executes workflowID of the test document on the test environment.
func (e *env) run(t *testing.T, plan *runtime.Plan, docs *Documents, workflowID string, inputs map[string]any, set Settings) *RunOutput {
	t.Helper()
	in, err := NewRunInput(plan, docs, workflowID, inputs, set)
	if err != nil {
		t.Fatal(err)
	}
	e.ExecuteWorkflow(WorkflowName, in)
	if !e.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	if err := e.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var out RunOutput
	if err := e.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// A retry action with retryAfter: 30 waits on a durable timer: the test
// environment skips the time, and the run passes on its second attempt.
func TestRetryAfterIsADurableTimer(t *testing.T) {
	api := newTestAPI(t)
	plan, docs := load(t)
	e := newEnv(t)
	start := e.Now()
	wall := time.Now()
	out := e.run(t, plan, docs, "retry", nil, Settings{Servers: map[string]string{"api": api.URL}})
	if out.Status != runtime.StatusPassed {
		t.Fatalf("status %s: %s", out.Status, out.Error)
	}
	if waited := e.Now().Sub(start); waited < 30*time.Second {
		t.Errorf("workflow clock advanced %s, want at least the 30 s of retryAfter", waited)
	}
	if el := time.Since(wall); el >= 30*time.Second {
		t.Errorf("the test took %s of wall time, as long as the retryAfter: the timer was not skipped", el)
	}
	if len(out.Steps) != 1 || out.Steps[0].Attempts != 2 {
		t.Fatalf("steps %+v, want one step with 2 attempts", out.Steps)
	}
	var retries []Event
	for _, ev := range out.Events {
		if ev.Kind == EventRetry {
			retries = append(retries, ev)
		}
	}
	if len(retries) != 1 || retries[0].Wait != 30*time.Second || retries[0].Action != "retry later (1/2)" {
		t.Errorf("retry events %+v, want one of 30s", retries)
	}
	if got := string(out.Outputs); got != `{"state":"ready"}` {
		t.Errorf("outputs %s", got)
	}
}

// A goto loop ends when the step budget is used up, with the error of a local run.
func TestGotoLoopIsBoundedByTheStepBudget(t *testing.T) {
	api := newTestAPI(t)
	plan, docs := load(t)
	e := newEnv(t)
	set := Settings{Servers: map[string]string{"api": api.URL}, MaxSteps: 25}
	out := e.run(t, plan, docs, "loop", nil, set)
	local, err := plan.Run(context.Background(), "loop", nil, runtime.WithServer("api", api.URL), runtime.WithMaxSteps(25),
		runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": testToken}))
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != runtime.StatusError || !strings.Contains(out.Error, "step budget of 25 executions used up") {
		t.Fatalf("status %s, error %q; want the step budget error", out.Status, out.Error)
	}
	if out.Error != local.Err.Error() {
		t.Errorf("error differs from a local run:\ntemporal: %s\nlocal:    %s", out.Error, local.Err)
	}
	if len(out.Steps) != len(local.Steps) || len(out.Steps) != 25 {
		t.Errorf("%d step executions, local %d, want the 25 sent (the step refused never starts)", len(out.Steps), len(local.Steps))
	}
}

// The same workflows give the same result on Temporal as in process: nested
// workflows, dependsOn and $workflows run in line.
func TestResultMatchesALocalRun(t *testing.T) {
	plan, docs := load(t)
	for _, tc := range []struct {
		workflow string
		inputs   map[string]any
	}{
		{"nested", nil},
		{"renew", map[string]any{"search": "alpha", "limit": json.Number("7")}},
	} {
		t.Run(tc.workflow, func(t *testing.T) {
			localAPI, remoteAPI := newTestAPI(t), newTestAPI(t)
			local, err := plan.Run(context.Background(), tc.workflow, tc.inputs, runtime.WithServer("api", localAPI.URL),
				runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": testToken}), runtime.WithClock(skipClock{}))
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t)
			res := e.run(t, plan, docs, tc.workflow, tc.inputs, Settings{Servers: map[string]string{"api": remoteAPI.URL}}).Result()
			if res.Status != local.Status || res.Status != runtime.StatusPassed {
				t.Fatalf("status %s (%v), local %s (%v)", res.Status, res.Err, local.Status, local.Err)
			}
			if a, b := jsonOf(t, res.Outputs), jsonOf(t, local.Outputs); a != b {
				t.Errorf("outputs differ:\ntemporal: %s\nlocal:    %s", a, b)
			}
			if a, b := stepsOf(res), stepsOf(local); !reflect.DeepEqual(a, b) {
				t.Errorf("steps differ:\ntemporal: %v\nlocal:    %v", a, b)
			}
		})
	}
}

// skipClock lets a local run's retry waits pass at once.
type skipClock struct{}

func (skipClock) Now() time.Time                                   { return time.Now() }
func (skipClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func stepsOf(res *runtime.Result) []string {
	var out []string
	for _, s := range res.Steps {
		out = append(out, fmt.Sprintf("%s/%s %s %d ×%d %s %v", s.WorkflowID, s.StepID, s.Status, s.StatusCode, s.Attempts, s.Action, s.Outputs))
	}
	return out
}

// When the worker of a send activity is lost, Temporal attempts the activity
// again. An idempotent request is sent again, up to idempotentAttempts times.
// A POST never is: the attempt that follows returns the response the lost
// worker recorded in its heartbeat details, or reports the request lost when
// it left without a recorded response; only a POST that never left is sent.
// The worker is lost here after the real activity ran (or part of it), by
// failing the attempt as a dead worker's heartbeat timeout would.
func TestOnlyIdempotentRequestsAreRetriedByTemporal(t *testing.T) {
	plan, docs := load(t)
	for _, tc := range []struct {
		name string
		// lose is the first attempt of the POST, on a worker that is then lost.
		lose     func(ctx context.Context, w *Worker, in *SendInput)
		status   runtime.Status
		renewals int
		errText  string
	}{
		{"lost after the response was recorded", func(ctx context.Context, w *Worker, in *SendInput) {
			if _, err := w.Send(ctx, in); err != nil {
				t.Errorf("first attempt: %v", err)
			}
		}, runtime.StatusPassed, 1, ""},
		{"lost after the request left", func(ctx context.Context, w *Worker, in *SendInput) {
			if err := w.record(ctx, &sendRecord{Sending: true}); err != nil {
				t.Errorf("recording the send: %v", err)
			}
		}, runtime.StatusError, 0, "a POST is not sent again behind the workflow's back"},
		{"lost before the request left", func(context.Context, *Worker, *SendInput) {}, runtime.StatusPassed, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newTestAPI(t)
			e := newEnv(t)
			w := NewWorker(WithCredentials(runtime.CredentialMap{"bearerAuth": testToken}))
			attempts := 0
			e.OnActivity(SendActivityName, mock.Anything, mock.Anything).Return(
				func(ctx context.Context, in *SendInput) (*SendOutput, error) {
					if in.Method != http.MethodPost {
						return w.Send(ctx, in)
					}
					if attempts++; attempts == 1 {
						tc.lose(ctx, w, in)
						return nil, errors.New("worker lost")
					}
					return w.Send(ctx, in)
				})
			out := e.run(t, plan, docs, "renew", map[string]any{"search": "x"}, Settings{Servers: map[string]string{"api": api.URL}})
			if attempts != 2 {
				t.Errorf("the POST's activity was attempted %d times, want 2", attempts)
			}
			if got := api.renewals["item-x"]; got != tc.renewals {
				t.Errorf("the server renewed %d times, want %d", got, tc.renewals)
			}
			if out.Status != tc.status || !strings.Contains(out.Error, tc.errText) {
				t.Errorf("status %s, error %q; want %s with %q", out.Status, out.Error, tc.status, tc.errText)
			}
			if res := out.Result(); tc.status == runtime.StatusPassed && res.Outputs["token"] != "tok-item-x-1" {
				t.Errorf("token output %v, want the one the server renewed, tok-item-x-1", res.Outputs["token"])
			}
		})
	}

	e := newEnv(t)
	gets := 0
	e.OnActivity(SendActivityName, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in *SendInput) (*SendOutput, error) {
			gets++
			return nil, errors.New("worker stalled")
		})
	out := e.run(t, plan, docs, "renew", map[string]any{"search": "x"}, Settings{Servers: map[string]string{"api": newTestAPI(t).URL}})
	if gets != idempotentAttempts {
		t.Errorf("the GET was attempted %d times, want %d", gets, idempotentAttempts)
	}
	if out.Status != runtime.StatusError || !strings.Contains(out.Error, fmt.Sprintf("did not complete in %d attempts", idempotentAttempts)) {
		t.Errorf("status %s, error %q", out.Status, out.Error)
	}
}

// The worker's credentials are applied in the activity and never appear in
// what the activity receives or returns, even when the API echoes them.
func TestCredentialsNeverEnterTheHistory(t *testing.T) {
	api := newTestAPI(t)
	plan, docs := load(t)
	e := newEnv(t)
	var seen []string
	e.SetOnActivityStartedListener(func(_ *activity.Info, _ context.Context, args converter.EncodedValues) {
		var in SendInput
		_ = args.Get(&in)
		seen = append(seen, jsonOf(t, in))
	})
	e.SetOnActivityCompletedListener(func(_ *activity.Info, result converter.EncodedValue, _ error) {
		var out SendOutput
		_ = result.Get(&out)
		seen = append(seen, jsonOf(t, out))
	})
	out := e.run(t, plan, docs, "echo", nil, Settings{Servers: map[string]string{"api": api.URL}})
	if out.Status != runtime.StatusPassed {
		t.Fatalf("status %s: %s", out.Status, out.Error)
	}
	if len(seen) != 2 {
		t.Fatalf("saw %d activity payloads, want 2", len(seen))
	}
	for _, s := range append(seen, string(out.Outputs)) {
		if strings.Contains(s, testToken) {
			t.Errorf("the credential is in a payload: %s", s)
		}
	}
	if got := string(out.Outputs); got != `{"seen":"Bearer ***"}` {
		t.Errorf("outputs %s, want the echoed credential masked", got)
	}
}

// A run whose history nears Temporal's limits stops with an error that says so.
func TestHistoryLimitStopsTheRun(t *testing.T) {
	api := newTestAPI(t)
	plan, docs := load(t)
	e := newEnv(t)
	e.SetCurrentHistoryLength(historyEventLimit)
	out := e.run(t, plan, docs, "loop", nil, Settings{Servers: map[string]string{"api": api.URL}})
	if out.Status != runtime.StatusError || !strings.Contains(out.Error, "Temporal history reached 45000 events") {
		t.Errorf("status %s, error %q", out.Status, out.Error)
	}
	if api.requests != 0 {
		t.Errorf("%d requests were sent", api.requests)
	}
}

// The run timeout is a durable timer too: it interrupts a retry wait.
func TestRunTimeout(t *testing.T) {
	api := newTestAPI(t)
	plan, docs := load(t)
	e := newEnv(t)
	out := e.run(t, plan, docs, "retry", nil, Settings{Servers: map[string]string{"api": api.URL}, RunTimeout: 10 * time.Second})
	local, err := plan.Run(context.Background(), "retry", nil, runtime.WithServer("api", newTestAPI(t).URL),
		runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": testToken}), runtime.WithRunTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != runtime.StatusError || !strings.Contains(out.Error, "waiting to retry") || out.Error != local.Err.Error() {
		t.Errorf("status %s, error %q; a local run: %q", out.Status, out.Error, local.Err)
	}
}

// Inputs that do not match the workflow's schema fail the workflow with a usage error.
func TestInputsAreChecked(t *testing.T) {
	plan, docs := load(t)
	e := newEnv(t)
	in, err := NewRunInput(plan, docs, "renew", map[string]any{"limit": 3}, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	e.ExecuteWorkflow(WorkflowName, in)
	err = runError(e.GetWorkflowError())
	var re *RunError
	if !errors.As(err, &re) || re.Type != ErrorUsage || !strings.Contains(re.Msg, `missing required input "search"`) {
		t.Fatalf("error %v, want a usage error about the missing input", err)
	}
}

// Documents that were altered in transit are refused.
func TestDocumentsAreChecked(t *testing.T) {
	plan, docs := load(t)
	if _, err := compile(docs); err != nil {
		t.Fatalf("compile: %v", err)
	}
	bad := *docs
	bad.Digest = "sha256:" + strings.Repeat("0", 64)
	if _, err := compile(&bad); err == nil || !strings.Contains(err.Error(), "does not match their content") {
		t.Errorf("altered digest: %v", err)
	}
	e := newEnv(t)
	in, _ := NewRunInput(plan, &bad, "renew", nil, Settings{})
	e.ExecuteWorkflow(WorkflowName, in)
	var re *RunError
	if err := runError(e.GetWorkflowError()); !errors.As(err, &re) || re.Type != ErrorDocument {
		t.Errorf("error %v, want a document error", err)
	}
}

func TestResendable(t *testing.T) {
	for _, tc := range []struct {
		method     string
		idempotent bool
		want       bool
	}{
		{"GET", true, true}, {"PUT", true, true}, {"GET", false, false}, // x-idempotent: false
		{"POST", false, false}, {"POST", true, true}, // x-idempotent: true
		{"PATCH", false, false}, {"DELETE", true, false},
	} {
		if got := resendable(tc.method, tc.idempotent); got != tc.want {
			t.Errorf("resendable(%s, idempotent %v) = %v, want %v", tc.method, tc.idempotent, got, tc.want)
		}
	}
}

// An AsyncAPI step does not run on Temporal: the run ends in error saying
// so, before any message is sent or subscription opened.
func TestMessagesDoNotRunOnTemporal(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Expires-After", "2030-01-01T00:00:00Z")
		w.Header().Set("X-Rate-Limit", "100")
		if strings.HasSuffix(r.URL.Path, "/login") {
			_, _ = io.WriteString(w, `"session-1"`)
			return
		}
		_, _ = io.WriteString(w, `[{"id": 7}]`)
	}))
	t.Cleanup(api.Close)
	var rec Recorder
	name := filepath.Join("..", "runtime", "testdata", "async", "pet", "pet-purchase.arazzo.yaml")
	plan, diags, err := runtime.Load(context.Background(), name, runtime.WithReadFunc(rec.Wrap(runtime.DefaultReader(runtime.ReaderOptions{}))))
	if err != nil {
		t.Fatalf("load: %v\n%v", err, diags)
	}
	docs, err := rec.Documents(name)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, WithCredentials(nil)) // the document declares no bearerAuth: the worker would refuse the run
	sent := 0
	e.OnActivity(SendActivityName, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in *SendInput) (*SendOutput, error) {
			sent++
			return NewWorker().Send(ctx, in)
		})
	out := e.run(t, plan, docs, "loginUserAndRetrievePet", map[string]any{"username": "u", "password": "p", "orderCorrelationId": "c-1"},
		Settings{Servers: map[string]string{"petStoreDescription": api.URL}})
	if out.Status != runtime.StatusError || !strings.Contains(out.Error, "do not run on Temporal") {
		t.Errorf("status %s, error %q", out.Status, out.Error)
	}
	if sent != 2 {
		t.Errorf("%d send activities, want 2 (the HTTP steps)", sent)
	}
}

// A worker credential that names no security scheme of the run's documents
// refuses the run before its first request, with the settings error a local
// run gives; a credential bound to the source by name runs.
func TestUnboundCredentialsAreRefused(t *testing.T) {
	plan, docs := load(t)
	api := newTestAPI(t)
	set := Settings{Servers: map[string]string{"api": api.URL}}
	creds := runtime.CredentialMap{"bearerAuht": testToken}
	e := newEnv(t, WithCredentials(creds))
	in, err := NewRunInput(plan, docs, "renew", map[string]any{"search": "a"}, set)
	if err != nil {
		t.Fatal(err)
	}
	e.ExecuteWorkflow(WorkflowName, in)
	err = runError(e.GetWorkflowError())
	var re *RunError
	var se *runtime.SettingsError
	local := plan.CheckSettings(runtime.WithServer("api", api.URL), runtime.WithCredentials(creds))
	if !errors.As(err, &re) || re.Type != ErrorSettings || !errors.As(err, &se) || local == nil || se.Error() != local.Error() {
		t.Fatalf("error %v, want the settings error of a local run: %v", err, local)
	}
	if !strings.Contains(se.Error(), `did you mean "bearerAuth"?`) {
		t.Errorf("no suggestion: %v", se)
	}
	if api.requests != 0 {
		t.Errorf("%d requests sent by a refused run", api.requests)
	}

	e = newEnv(t, WithCredentials(runtime.CredentialMap{"api.bearerAuth": testToken}))
	if out := e.run(t, plan, docs, "renew", map[string]any{"search": "a"}, set); out.Status != runtime.StatusPassed {
		t.Errorf("a credential bound to its source: %s %s", out.Status, out.Error)
	}
}

// countingTransport counts the requests it passes on.
type countingTransport struct {
	mu sync.Mutex
	n  int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// The client given with WithHTTPClient is the one the send activities use:
// every request the API answers went through it.
func TestWithHTTPClientSendsTheRequests(t *testing.T) {
	plan, docs := load(t)
	api := newTestAPI(t)
	ct := &countingTransport{}
	e := newEnv(t, WithHTTPClient(&http.Client{Transport: ct}))
	res := e.run(t, plan, docs, "renew", map[string]any{"search": "alpha", "limit": json.Number("7")},
		Settings{Servers: map[string]string{"api": api.URL}}).Result()
	if res.Status != runtime.StatusPassed {
		t.Fatalf("status %s (%v)", res.Status, res.Err)
	}
	api.mu.Lock()
	served := api.requests
	api.mu.Unlock()
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if served == 0 || ct.n != served {
		t.Errorf("the given client sent %d requests; the API answered %d", ct.n, served)
	}
}
