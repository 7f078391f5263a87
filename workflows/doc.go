// Package workflows holds the bundled Arazzo workflows, embedded in the binary.
//
// A bundled workflow is named provider/workflowId, e.g. workato/rotate-mcp-server-token.
// Its files live under <provider>/arazzo/ and the OpenAPI descriptions they refer
// to under <provider>/openapi/, so relative source URLs resolve inside the bundle.
//
//	b, ok := workflows.Find("workato/rotate-mcp-server-token")
//	plan, _, err := runtime.Load(ctx, b.Location, runtime.WithReadFunc(workflows.ReadFunc(nil)))
package workflows
