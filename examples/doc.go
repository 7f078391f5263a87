// Package examples shows the library API of the arazzo module in runnable
// examples: loading a document and running a workflow with credentials,
// observing a run, and running a workflow with a driver of one's own.
//
//	plan, diags, err := runtime.Load(ctx, "pets.arazzo.yaml")
//	res, err := plan.Run(ctx, "adopt", inputs, runtime.WithCredentials(creds))
//
// See the Example functions in examples_test.go.
package examples
