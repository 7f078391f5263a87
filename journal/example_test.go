package journal_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/runtime"
)

// A run is stopped while its token renewal is in flight; the resumed run
// replays the two steps that completed and sends only the renewal again.
func Example() {
	ctx := context.Background()
	api := testserver.NewWorkato("api-token-123456", testserver.DefaultServers()...)
	defer api.Close()
	dir, _ := os.MkdirTemp("", "journal-example")
	defer os.RemoveAll(dir)
	store, err := journal.Open(ctx, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	rotate := filepath.Join("..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	plan, _, err := runtime.Load(ctx, rotate)
	if err != nil {
		fmt.Println(err)
		return
	}
	secrets := &runtime.Secrets{}
	secrets.Add("api-token-123456")
	opts := journal.SessionOptions{Secrets: secrets, Warn: func(msg string) {
		fmt.Println("warning: sending again:", strings.Contains(msg, "sending POST"), "not idempotent:", strings.Contains(msg, "not idempotent"))
	}}
	run := func(ctx context.Context, sess *journal.Session, inputs map[string]any) *runtime.Result {
		res, err := plan.Run(ctx, "", inputs, runtime.WithServer("mcpServerApi", api.URL), runtime.WithSecrets(secrets),
			runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": "api-token-123456"}),
			runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()))
		sess.Finish(res, err, ctx.Err() != nil)
		return res
	}

	// The first run is stopped (think Ctrl-C) while the server renews the token.
	stopped, stop := context.WithCancel(ctx)
	api.AfterRenew = func(w http.ResponseWriter, r *http.Request) { stop(); <-r.Context().Done() }
	inputs := map[string]any{"search": "sales"}
	first, _ := store.Begin(ctx, journal.NewRun{WorkflowID: "rotate-mcp-server-token", Location: rotate, Digest: plan.SourceDigest(), Inputs: inputs}, opts)
	run(stopped, first, inputs)
	api.AfterRenew = nil
	fmt.Println("first run:", first.Run().Status)

	// Resumed, it replays findServer and confirmServer and sends the renewal again.
	prev, _ := store.Run(ctx, first.Run().ID)
	before := len(api.Requests())
	next, err := store.Resume(ctx, prev, plan.SourceDigest(), nil, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	res := run(ctx, next, inputs)
	fmt.Println("resumed run:", res.Status, "with", next.Replayed(), "exchanges replayed")
	fmt.Println("sent:", api.Requests()[before:])
	steps, _ := store.Steps(ctx, next.Run().ID)
	for _, s := range steps {
		fmt.Println(s.StepID, s.Status, "replayed:", s.Replayed)
	}
	// Output:
	// first run: interrupted
	// warning: sending again: true not idempotent: true
	// resumed run: passed with 2 exchanges replayed
	// sent: [POST /api/mcp/mcp_servers/sales-assistant-7f3a/token_renew]
	// findServer passed replayed: true
	// confirmServer passed replayed: true
	// renewToken passed replayed: false
}
