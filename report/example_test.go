package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// stillClock stands still, so that the example's report shows the same
// times on every run.
type stillClock struct{ t time.Time }

func (c stillClock) Now() time.Time                                   { return c.t }
func (c stillClock) Sleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// An embedder runs a workflow with Plan.Run, records it, and writes the JUnit
// report its CI reads. The renewed token the run receives is not in the
// report: the record is masked.
func ExampleWriteJUnit() {
	ctx := context.Background()
	const apiToken = "api-token-123456"
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	rotate := filepath.Join("..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	plan, _, err := runtime.Load(ctx, rotate)
	if err != nil {
		fmt.Println(err)
		return
	}

	secrets := &runtime.Secrets{} // what the run must not show: the recorder masks with it
	inputs := map[string]any{"search": "sales"}
	rec := report.NewRecorder(plan, report.WithSecrets(secrets), report.WithInputs(inputs), report.WithDocument("rotate.arazzo.yaml"))
	res, err := plan.Run(ctx, "", inputs, runtime.WithServer("mcpServerApi", api.URL),
		runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": apiToken}),
		runtime.WithSecrets(secrets), runtime.WithObserver(rec),
		runtime.WithClock(stillClock{time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)}))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := report.WriteJUnit(os.Stdout, rec.Finish(res)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <testsuites name="arazzo" tests="1" failures="0" errors="0" time="0.000">
	//   <testsuite name="rotate.arazzo.yaml" tests="1" failures="0" errors="0" skipped="0" time="0.000" timestamp="2026-05-04T03:02:01">
	//     <properties>
	//       <property name="workflowId" value="rotate-mcp-server-token"></property>
	//       <property name="title" value="Workato Rotate an MCP Server Token"></property>
	//     </properties>
	//     <testcase name="rotate-mcp-server-token" classname="rotate.arazzo.yaml" time="0.000">
	//       <system-out><![CDATA[✓ findServer GET /api/mcp/mcp_servers 200 0ms
	// ✓ confirmServer GET /api/mcp/mcp_servers/{handle} 200 0ms
	// ✓ renewToken POST /api/mcp/mcp_servers/{handle}/token_renew 200 0ms]]></system-out>
	//     </testcase>
	//   </testsuite>
	// </testsuites>
}
