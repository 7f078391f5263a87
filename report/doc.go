// Package report holds the record of a run and renders it: the trace (JSON,
// docs/trace-schema.json), HAR 1.2, JUnit XML, a self-contained HTML page,
// the result object of `arazzo run --output json`, and the text lines a run
// prints as it goes.
//
// A Recorder is a runtime.Observer: the executor's events build the Record,
// which Finish masks with the run's secrets (runtime.Secrets) before any
// renderer sees it.
//
//	secrets := &runtime.Secrets{}
//	rec := report.NewRecorder(plan, report.WithSecrets(secrets), report.WithInputs(inputs))
//	res, err := plan.Run(ctx, "", inputs, runtime.WithSecrets(secrets), runtime.WithObserver(rec))
//	if err != nil { ... }
//	err = report.WriteJUnit(w, rec.Finish(res))
//
// Each request and response body keeps at most DefaultMaxBody bytes in the
// record, and a run at most DefaultMaxBodies bytes of bodies, so that a
// record stays small however many times a step is retried.
package report
