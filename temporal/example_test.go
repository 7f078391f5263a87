package temporal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/arazzo-run/arazzo/runtime"
	"github.com/arazzo-run/arazzo/temporal"
)

// A run of the renew workflow of testdata/flows.arazzo.yaml, executed by a
// Worker in the Temporal SDK's test environment (a real cluster is the same,
// with client.Dial, worker.New and temporal.Start).
func ExampleWorker() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			_ = json.NewEncoder(w).Encode(map[string]string{"token": "tok-new"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": []any{map[string]string{"id": "item-1"}}})
	}))
	defer api.Close()

	// Submitting side: load the document, keeping what was read.
	var rec temporal.Recorder
	name := filepath.Join("testdata", "flows.arazzo.yaml")
	plan, _, err := runtime.Load(context.Background(), name, runtime.WithReadFunc(rec.Wrap(runtime.DefaultReader(runtime.ReaderOptions{}))))
	if err != nil {
		panic(err)
	}
	docs, _ := rec.Documents(name)
	in, _ := temporal.NewRunInput(plan, docs, "renew", map[string]any{"search": "alpha"},
		temporal.Settings{Servers: map[string]string{"api": api.URL}})

	// Worker side: the credentials are the worker's.
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	temporal.NewWorker(temporal.WithCredentials(runtime.CredentialMap{"bearerAuth": "worker-secret"})).Register(env)
	env.ExecuteWorkflow(temporal.WorkflowName, in)

	var out temporal.RunOutput
	if err := env.GetWorkflowResult(&out); err != nil {
		panic(err)
	}
	res := out.Result()
	fmt.Println(res.Status, res.Outputs["id"], res.Outputs["token"])
	for _, s := range res.Steps {
		fmt.Println(s.StepID, s.Operation, s.StatusCode)
	}
	// Output:
	// passed item-1 tok-new
	// find GET /items 200
	// renew POST /items/{id}/renew 200
}
