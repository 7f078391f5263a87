package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// petStore is the API pets.openapi.yaml describes: it wants the bearer token
// "s3cret-token" and knows one pet once it is created.
func petStore() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer s3cret-token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"unauthorized"}`)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/pets":
			var in struct{ Name string }
			_ = json.NewDecoder(r.Body).Decode(&in)
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":7,"name":%q}`, in.Name)
		case r.Method == http.MethodGet && r.URL.Path == "/pets/7":
			fmt.Fprint(w, `{"id":7,"name":"Rex","status":"available"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not found"}`)
		}
	}))
}

// Load a document, then run one of its workflows with credentials. The
// document's server is replaced by the test server's URL, as --server does.
func Example_run() {
	api := petStore()
	defer api.Close()
	ctx := context.Background()

	plan, _, err := runtime.Load(ctx, "testdata/pets.arazzo.yaml")
	if err != nil {
		fmt.Println(err) // every problem, with file:line:col
		return
	}
	res, err := plan.Run(ctx, "adopt", map[string]any{"name": "Rex"},
		runtime.WithServer("pets", api.URL),
		runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": "s3cret-token"}))
	if err != nil {
		fmt.Println(err) // the inputs do not match the workflow's schema
		return
	}
	fmt.Println(res.Status, res.Outputs["petId"], res.Outputs["status"])
	// Output: passed 7 available
}

// An Observer sees every step, request and response of a run as it happens.
// Credentials are applied by the driver after the request is decided, so the
// Request an observer sees never holds them.
func Example_observer() {
	api := petStore()
	defer api.Close()
	ctx := context.Background()
	plan, _, err := runtime.Load(ctx, "testdata/pets.arazzo.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	obs := runtime.ObserverFunc(func(e *runtime.Event) {
		switch e.Kind {
		case runtime.EventRequest:
			fmt.Printf("%s %s (Authorization: %q)\n", e.Request.Method, strings.TrimPrefix(e.Request.URL, api.URL), e.Request.Header.Get("Authorization"))
		case runtime.EventStepFinished:
			fmt.Printf("step %s %s with %d\n", e.StepID, e.Step.Status, e.Step.StatusCode)
		case runtime.EventWorkflowFinished:
			fmt.Println("workflow", e.WorkflowID, e.Result.Status)
		}
	})
	_, err = plan.Run(ctx, "adopt", map[string]any{"name": "Rex"},
		runtime.WithServer("pets", api.URL),
		runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": "s3cret-token"}),
		runtime.WithObserver(obs))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// POST /pets (Authorization: "")
	// step create passed with 201
	// GET /pets/7 (Authorization: "")
	// step read passed with 200
	// workflow adopt passed
}

// loggingDriver is an Effects of one's own: it sends each request with a
// plain http.Client, adding the credentials itself, and logs what it does. A
// journaling or durable driver has the same shape: the executor only decides,
// the driver carries the decisions out.
type loggingDriver struct {
	client *http.Client
	token  string
	log    io.Writer
}

func (d *loggingDriver) Send(ctx context.Context, req *runtime.Request) *runtime.Response {
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return &runtime.Response{Err: err}
	}
	hr.Header = req.Header.Clone()
	if len(req.Security) > 0 {
		hr.Header.Set("Authorization", "Bearer "+d.token)
	}
	resp, err := d.client.Do(hr)
	if err != nil {
		return &runtime.Response{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	fmt.Fprintf(d.log, "driver: %s step %s → %d\n", req.WorkflowID, req.StepID, resp.StatusCode)
	return &runtime.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, Err: err}
}

func (d *loggingDriver) Sleep(ctx context.Context, wait time.Duration) error {
	fmt.Fprintf(d.log, "driver: sleep %s\n", wait)
	return ctx.Err()
}

func (d *loggingDriver) Now() time.Time { return time.Unix(0, 0) }

// Execute runs a workflow with a driver of one's own instead of the local one.
func Example_execute() {
	api := petStore()
	defer api.Close()
	ctx := context.Background()
	plan, _, err := runtime.Load(ctx, "testdata/pets.arazzo.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	var log strings.Builder
	driver := &loggingDriver{client: api.Client(), token: "s3cret-token", log: &log}
	res, err := plan.Execute(ctx, "adopt", map[string]any{"name": "Rex"}, driver, runtime.WithServer("pets", api.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(log.String())
	fmt.Println(res.Status, res.Outputs)
	// Output:
	// driver: adopt step create → 201
	// driver: adopt step read → 200
	// passed map[petId:7 status:available]
}
