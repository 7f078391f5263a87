// Package runtime compiles Arazzo documents into immutable plans and runs them.
//
//	plan, _, err := runtime.Load(ctx, "workflow.arazzo.yaml")
//	if err != nil {
//		return err // every error of the document, with file:line:col
//	}
//	res, err := plan.Run(ctx, "rotate-mcp-server-token", map[string]any{"search": "sales"},
//		runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": token}))
//	if err != nil {
//		return err
//	}
//	fmt.Println(res.Status, res.Outputs["token"])
//
// Load, Inspect and Compile take PlanOptions (how documents are read and
// checked); Run, Execute, DryRun and CheckSettings take RunOptions (servers,
// credentials, timeouts, budgets, observers). They are distinct types: an
// option given in the wrong place does not compile.
//
// The package's Example runs this against a local API; its other examples
// observe a run's events, and package report's writes a JUnit report from
// Plan.Run.
//
// The executor is a deterministic state machine (machine.go): given the run state
// and the result of the last effect it decides the next effect — send this HTTP
// request, wait this long — or the end of the run. Drivers carry the effects out:
// the local driver (driver.go) with an http.Client and timers; a journaling driver
// records each result so that a run can resume; a Temporal driver runs them as
// activities and durable timers. Credentials are applied by the driver, never by
// the machine, so they never enter a journal or a workflow history.
//
// A Plan is safe for concurrent use: every Run keeps its state in its own machine.
package runtime
