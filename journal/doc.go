// Package journal makes runs durable: it records every run in an embedded
// SQLite database (modernc.org/sqlite, pure Go), so that a run whose process
// died — after a token was renewed, before it was handed over — can be shown
// and resumed without repeating what it completed.
//
// The journal is a driver of the executor (see runtime.Effects): the executor
// decides, deterministically given the results of its effects; the journal
// records each result before handing it back, and a resumed run replays the
// recorded results instead of sending the requests again.
//
//	store, err := journal.Open(ctx, dir)
//	sess, err := store.Begin(ctx, journal.NewRun{WorkflowID: wf, Location: loc,
//		Digest: plan.SourceDigest(), Inputs: inputs}, journal.SessionOptions{Secrets: secrets})
//	res, err := plan.Run(ctx, wf, inputs, runtime.WithSecrets(secrets),
//		runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()))
//	sess.Finish(res, err, false)
//
// What is stored: the run (workflow, document location and digest, inputs,
// caller settings, status, outputs), and per run, in order, each request
// (method, URL, a fingerprint) and its response (status, headers, body), each
// wait, and each step's end (status, outputs). Credentials are never stored:
// requests carry none (the driver applies them), and a response that contains
// one is stored without its content. Inputs whose schema says format: password
// or writeOnly: true, and response fields with secret-like names, are stored
// — a resumed run needs them — and masked by Redactor when a run is shown. The
// directory is created with mode 0700 and the database with mode 0600.
package journal
