// Package temporal runs Arazzo workflows durably on a Temporal cluster: a run
// is a Temporal workflow, each HTTP request an activity, each retry wait a
// durable timer. It is the third driver of the executor in runtime (after the
// local one and the journal): the workflow function calls
// runtime.Plan.Execute with Effects that schedule activities and timers, so a
// run on Temporal makes the decisions a local run makes.
//
// A worker:
//
//	c, err := client.Dial(client.Options{HostPort: "127.0.0.1:7233"})
//	w := worker.New(c, temporal.DefaultTaskQueue, worker.Options{})
//	temporal.NewWorker(temporal.WithCredentials(runtime.CredentialMap{"bearerAuth": token})).Register(w)
//	err = w.Run(worker.InterruptCh())
//
// Submitting a run: record the documents a load reads, then start it.
//
//	var rec temporal.Recorder
//	plan, _, err := runtime.Load(ctx, "rotate.arazzo.yaml", runtime.WithReadFunc(rec.Wrap(runtime.DefaultReader(runtime.ReaderOptions{}))))
//	docs, err := rec.Documents("rotate.arazzo.yaml")
//	in, err := temporal.NewRunInput(plan, docs, "rotate-mcp-server-token", map[string]any{"search": "sales"}, temporal.Settings{})
//	_, err = temporal.Start(ctx, c, "rotate-1", temporal.DefaultTaskQueue, in)
//	out, err := temporal.Wait(ctx, c, "rotate-1", 0, nil)
//	res := out.Result() // a *runtime.Result, as plan.Run returns
//
// What travels in the workflow's history: the documents (compressed), the
// inputs and settings, every request without credentials, every response (its
// body capped, see WithMaxBody), the outputs. Credentials never do: a worker
// applies its own (WithCredentials) in the send activity and masks them in
// what it returns.
//
// Exactly once: an HTTP transport error is a result, handled by the step's
// failure actions as in a local run. Temporal attempts a request's activity
// again only when it did not complete (the worker died or stalled). A
// request that may be repeated is sent again; one that may not (a POST,
// PATCH or DELETE) never is: its activity records in its heartbeat details
// that it is leaving, then its response the moment it arrives (first in
// the worker's spool, WithSpool, then in the cluster), and the attempt
// after a lost worker returns that response, or — when the request
// left without one — fails the step with a transport error of kind "lost"
// that its failure actions may handle. See docs/temporal.md.
package temporal
