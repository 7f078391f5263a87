package runtime_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/runtime"
)

// rotate is the library snippet of the README, word for word (a test
// compares them): load a document, run one of its workflows with
// credentials, and hand back an output.
func rotate(ctx context.Context, document, server, token string) (string, error) {
	plan, diags, err := runtime.Load(ctx, document)
	if err != nil {
		return "", err // every error of the document, with file:line:col
	}
	for _, d := range diags.Warnings() {
		fmt.Fprintln(os.Stderr, d) // the run goes ahead; a warning says what to change
	}
	res, err := plan.Run(ctx, "rotate-mcp-server-token", map[string]any{"search": "sales"},
		runtime.WithServer("mcpServerApi", server), runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": token}))
	if err != nil {
		return "", err // the inputs do not fit the workflow's inputs schema
	}
	if res.Status != runtime.StatusPassed {
		return "", res.Err // a step failed and no action recovered, or a request could not complete
	}
	renewed, _ := res.Outputs["token"].(string)
	return renewed, nil
}

// rotateDocument is the bundled Workato workflow, read from its file.
var rotateDocument = filepath.Join("..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")

// Load a document and run one of its workflows with credentials, against a
// Workato-like API on 127.0.0.1 that really rotates the token.
func Example() {
	const apiToken = "api-token-123456"
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()

	token, err := rotate(context.Background(), rotateDocument, api.URL, apiToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("renewed:", token == api.Token("sales-assistant-7f3a"))
	// Output: renewed: true
}

// An Observer sees each step, request and response as the run goes. The
// request an observer sees holds no credential: the driver applies them as
// it sends.
func ExampleWithObserver() {
	const apiToken = "api-token-123456"
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	ctx := context.Background()

	plan, _, err := runtime.Load(ctx, rotateDocument)
	if err != nil {
		fmt.Println(err)
		return
	}
	events := runtime.ObserverFunc(func(e *runtime.Event) {
		switch e.Kind {
		case runtime.EventRequest:
			fmt.Printf("%s %s (Authorization: %q)\n", e.Request.Method, strings.TrimPrefix(e.Request.URL, api.URL), e.Request.Header.Get("Authorization"))
		case runtime.EventStepFinished:
			fmt.Printf("  %s %s with %d\n", e.StepID, e.Step.Status, e.Step.StatusCode)
		case runtime.EventWorkflowFinished:
			fmt.Println(e.WorkflowID, e.Result.Status)
		}
	})
	_, err = plan.Run(ctx, "rotate-mcp-server-token", map[string]any{"search": "sales"},
		runtime.WithServer("mcpServerApi", api.URL), runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": apiToken}),
		runtime.WithObserver(events))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// GET /api/mcp/mcp_servers?search=sales&per_page=100 (Authorization: "")
	//   findServer passed with 200
	// GET /api/mcp/mcp_servers/sales-assistant-7f3a (Authorization: "")
	//   confirmServer passed with 200
	// POST /api/mcp/mcp_servers/sales-assistant-7f3a/token_renew (Authorization: "")
	//   renewToken passed with 200
	// rotate-mcp-server-token passed
}

// A run whose API refuses the credential fails at its first step; Result.Err
// says where and why.
func ExamplePlan_Run_failed() {
	api := testserver.NewWorkato("api-token-123456", testserver.DefaultServers()...)
	defer api.Close()

	_, err := rotate(context.Background(), rotateDocument, api.URL, "wrong-token")
	fmt.Println(err != nil)
	// Output: true
}
