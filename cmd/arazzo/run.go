package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/openapi"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

type runFlags struct {
	workflow     string
	inputs       []string
	servers      []string
	serverVars   []string
	sources      []string
	allowOutside bool
	auth         []string
	mock         bool
	output       string
	timeout      time.Duration
	runTimeout   time.Duration
	maxSteps     int
	maxRetryWait time.Duration
	maxBody      int64
	verbose      bool
	// CLI experience (issue 6): see dryrun.go, inputs.go, reports.go.
	dryRun     bool
	inputFiles []string
	trace      string
	har        string
	reports    []string
	journal    journalFlags     // durability (issue 7): journal.go
	batch      batchFlags       // batch mode (issue 9): batch.go
	temporal   temporalRunFlags // --temporal (issue 8): temporal.go
}

func (a *app) runCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE|URL|PROVIDER/WORKFLOW",
		Short: "Run a workflow",
		Long: `Run a workflow of an Arazzo document, or a bundled workflow by name.

Inputs are converted to the types the workflow's inputs schema declares
(integer, number, boolean; JSON for arrays and objects); --input NAME=@FILE
reads a value from a file. --inputs FILE gives many at once as a JSON or YAML
object; --input values are applied after the --inputs files.
A value given twice: the last wins.

Credentials (--auth SCHEME=VALUE) name an OpenAPI security scheme (or
SOURCE.SCHEME); VALUE is the secret itself, env:VAR or file:PATH. For http basic
give user:password, for oauth2 client credentials client_id:client_secret.
Credentials are never printed; the workflow's outputs are, since handing them
over is the point of the run.`,
		Example: `  arazzo run --mock workato/rotate-mcp-server-token --input search=sales
  arazzo run workflows/workato/arazzo/workato-rotate-mcp-server-token-workflow.yml \
    --input search=sales --auth bearerAuth=env:WORKATO_API_TOKEN \
    --server mcpServerApi=https://app.eu.workato.com
  arazzo run --mock workato/rotate-mcp-server-token --input search=sales --dry-run
  arazzo run flow.arazzo.yaml --inputs inputs.yaml --report junit=junit.xml --trace trace.json`,
		Args:              runArgs,
		ValidArgsFunction: completeTargets,
		RunE:              func(cmd *cobra.Command, args []string) error { return a.runWorkflow(cmd.Context(), firstArg(args), &f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.workflow, "workflow", "w", "", "workflowId to run (optional when the document has one workflow)")
	completeFlag(cmd, "workflow", completeWorkflowIDs)
	fl.StringArrayVarP(&f.inputs, "input", "i", nil, "workflow input NAME=VALUE (repeatable)")
	f.registerShared(fl)
	fl.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show warnings about the document, each HTTP exchange (credentials masked) and each criterion with the values it saw")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print each request the run would send (credentials masked), send nothing")
	fl.StringArrayVar(&f.inputFiles, "inputs", nil, "read inputs from a JSON or YAML object in FILE (- for stdin); --input values override them (repeatable)")
	fl.StringVar(&f.trace, "trace", "", "write a JSON trace of the run to FILE: every exchange, criterion and action (docs/trace-schema.json)")
	fl.StringVar(&f.har, "har", "", "write the run's HTTP exchanges to FILE as HAR 1.2")
	fl.StringArrayVar(&f.reports, "report", nil, "write a report: junit=FILE, json=FILE (the --output json object) or html=FILE (repeatable)")
	f.journal.register(fl)
	f.batch.register(fl)
	f.temporal.register(fl)
	completeFlag(cmd, "output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// registerShared registers the flags of how a workflow runs — where requests
// go, with which credentials, within which limits — that every command
// running workflows takes (run, mcp).
func (f *runFlags) registerShared(fl *pflag.FlagSet) {
	fl.StringArrayVar(&f.servers, "server", nil, "override a source's server: SOURCE=URL (repeatable)")
	fl.StringArrayVar(&f.serverVars, "server-var", nil, "set a server variable: SOURCE.NAME=VALUE (repeatable)")
	fl.StringArrayVar(&f.sources, "source", nil, "read a source description from another location: NAME=PATH|URL (repeatable)")
	fl.StringArrayVar(&f.auth, "auth", nil, "credential of a security scheme: SCHEME=VALUE|env:VAR|file:PATH (repeatable)")
	fl.BoolVar(&f.allowOutside, "allow-outside", false, "read sources outside the document's repository (or its directory outside a repository)")
	fl.BoolVar(&f.mock, "mock", false, "answer every operation from an in-process mock of the OpenAPI sources; nothing leaves the machine")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout of each HTTP request (0: none)")
	fl.DurationVar(&f.runTimeout, "run-timeout", 0, "timeout of the whole run (0: none)")
	fl.IntVar(&f.maxSteps, "max-steps", 10_000, "most step executions in one run (bounds goto loops)")
	fl.DurationVar(&f.maxRetryWait, "max-retry-wait", 60*time.Second, "longest wait a Retry-After header can impose (0: retry at once)")
	fl.Int64Var(&f.maxBody, "max-body", 16<<20, "largest response body read, in bytes")
}

func (a *app) runWorkflow(ctx context.Context, arg string, f *runFlags) error {
	if f.output != "text" && f.output != "json" {
		return usageErr("--output must be text or json, got %q", f.output)
	}
	if err := f.batch.check(f); err != nil {
		return err
	}
	if err := f.temporal.check(f); err != nil {
		return err
	}
	if err := f.checkLimits(); err != nil {
		return err
	}
	reports, err := parseReports(f.reports, f.trace, f.har, f.journal.outputFile)
	if err != nil {
		return err
	}
	if err := a.prepareResume(ctx, &arg, f); err != nil {
		return err
	}
	tgt, err := resolveTarget(arg)
	if err != nil {
		return err
	}
	ld, err := a.loadRun(ctx, tgt.location, f)
	if err != nil {
		return err
	}
	plan, opts, secrets, diags := ld.plan, ld.opts, ld.secrets, ld.diags
	wfID := f.workflow
	if wfID == "" {
		wfID = tgt.workflowID
	}
	inputs, err := a.collectInputs(plan, wfID, f)
	if err != nil {
		return err
	}
	maskSecretInputs(plan, wfID, inputs, secrets) // before anything prints them
	// Each line of a batch completes the inputs; a resumed run has its own.
	if f.batch.file == "" && f.journal.prev == nil {
		if err := plan.CheckInputs(wfID, inputs); err != nil {
			return &exitError{code: ExitUsage, err: errors.New(secrets.Mask(err.Error()) + flagHint(err))}
		}
	}
	a.reportWarnings(diags, f.verbose) // the run goes ahead: its document's warnings matter
	if f.temporal.cluster.addr != "" {
		return a.runOnTemporal(ctx, tgt.location, plan, wfID, inputs, f, secrets)
	}
	if f.mock {
		opts = append(opts, mockOptions(plan)...)
	}
	if f.batch.file != "" {
		return a.runBatch(ctx, plan, wfID, inputs, opts, f)
	}
	if f.dryRun {
		return a.dryRun(ctx, plan, wfID, inputs, opts, f, secrets)
	}
	rep := newReporting(f, reports, plan, tgt.document(arg), inputs, secrets)
	var progress *progressPrinter
	if f.output == "text" {
		progress = newProgressPrinter(a.stdout, rep.rec, secrets, f.verbose, f.mock)
		progress.stderr = a.stderr
		defer progress.close()
		opts = append(opts, runtime.WithObserver(progress))
	} else {
		obs := runtime.Observers{&warningPrinter{w: a.stderr, secrets: secrets, mock: f.mock}, rep.observer()}
		if f.verbose {
			// The details go to stderr: stdout carries the JSON.
			obs = append(obs, report.NewProgress(rep.rec, func(l string) { fmt.Fprintln(a.stderr, l) }, report.ProgressOptions{Verbose: true, NoWarnings: true}))
		}
		opts = append(opts, runtime.WithObserver(obs))
	}
	// The journal stays open until the outputs are out, to note it.
	f.journal.keepStore = true
	defer f.journal.closeStore()
	res, err := a.journaled(ctx, arg, plan, wfID, inputs, f, secrets, opts)
	if err != nil {
		if ue := settingsUsage(err); ue != err {
			return ue
		}
		var ue *runtime.UsageError
		if errors.As(err, &ue) {
			return &exitError{code: ExitUsage, err: errors.New(secrets.Mask(ue.Error()) + flagHint(ue))}
		}
		var ee *exitError
		if errors.As(err, &ee) && (ee.code == ExitSIGINT || ee.code == ExitSIGTERM) {
			return ee // stopped by a signal before the run started
		}
		return &exitError{code: ExitIncomplete, err: errors.New(secrets.Mask(err.Error()) + flagHint(err))}
	}
	rec := rep.rec.Finish(res)
	if f.output == "json" {
		// stdout hands the outputs over: only the credentials the run was given are masked there.
		if err := report.WriteResult(a.stdout, rec.WithOutputs(secrets.MaskCredentialValues(res.Outputs))); err != nil {
			return &exitError{code: ExitIncomplete, err: err}
		}
	} else {
		progress.summary(rec.WithOutputs(secrets.MaskCredentialValues(res.Outputs)))
	}
	a.delivered(ctx, f) // the outputs are out: the journal notes it
	code := exitCode(ctx, res)
	a.warnUnused(res)
	if err := rep.write(rec); err != nil {
		fmt.Fprintln(a.stderr, "arazzo:", err)
		if code == ExitOK {
			code = ExitIncomplete
		}
	}
	if res.Err != nil {
		fmt.Fprintln(a.stderr, "arazzo:", report.Lines(secrets.Mask(res.Err.Error()))+flagHint(res.Err))
		a.outputHint(res.Err, f)
	}
	a.resumeHint(res, f)
	return exitWith(code)
}

// loadedRun is a document loaded for running: its plan, the options every
// run of it takes, the secrets to mask and the credentials they come from.
type loadedRun struct {
	plan    *runtime.Plan
	diags   arazzo.Diagnostics // the document's warnings, for the caller to report
	opts    []runtime.RunOption
	secrets *runtime.Secrets
	creds   runtime.CredentialMap
}

// loadRun loads the document at location with what the shared run flags
// say: credentials, servers and their variables, sources, limits, timeouts.
func (a *app) loadRun(ctx context.Context, location string, f *runFlags) (*loadedRun, error) {
	secrets := &runtime.Secrets{}
	creds, err := parseAuth(f.auth, secrets)
	if err != nil {
		return nil, err
	}
	var load []runtime.PlanOption
	opts := []runtime.RunOption{
		runtime.WithTimeout(f.timeout), runtime.WithRunTimeout(f.runTimeout), runtime.WithMaxSteps(f.maxSteps),
		runtime.WithMaxRetryWait(f.maxRetryWait), runtime.WithMaxBodySize(f.maxBody),
		runtime.WithCredentials(creds), runtime.WithSecrets(secrets),
	}
	for _, s := range f.servers {
		name, u, ok := strings.Cut(s, "=")
		if !ok || name == "" || u == "" {
			return nil, usageErr("--server %q: expected SOURCE=URL", s)
		}
		secrets.AddServerURL(u) // its user information is a credential, even in a URL that does not parse
		opts = append(opts, runtime.WithServer(name, u))
	}
	for i, s := range f.sources {
		name, loc, ok := strings.Cut(s, "=")
		if !ok || name == "" || loc == "" {
			return nil, usageErr("--source %q: expected NAME=PATH or NAME=URL", s)
		}
		loc = arazzo.FileLocation(loc) // absolute, so a resumed run reads the same file
		f.sources[i] = name + "=" + loc
		load = append(load, runtime.WithSourceLocation(name, loc))
	}
	for _, s := range f.serverVars {
		key, val, ok := strings.Cut(s, "=")
		src, name, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || src == "" || name == "" {
			return nil, usageErr("--server-var %q: expected SOURCE.NAME=VALUE", s)
		}
		opts = append(opts, runtime.WithServerVariable(src, name, val))
	}
	var named []string
	for _, s := range f.sources {
		_, loc, _ := strings.Cut(s, "=")
		named = append(named, loc)
	}
	read := documentReader(fetch.New(fetch.Options{}), location, f.allowOutside, named...)
	load = append(load, runtime.WithReadFunc(read))
	load = f.temporal.record(load, read) // --temporal: the documents read travel with the run
	plan, diags, err := runtime.Inspect(ctx, location, load...)
	if plan != nil && err != nil {
		// A misnamed --source explains a source that could not be read.
		if e := settingsLines(unknownSources(f.sources, sourceNames(plan.Document()))); e != nil {
			return nil, e
		}
	}
	if err != nil {
		return nil, a.loadFailure(diags, err)
	}
	if err := checkSettings(plan, opts, f.sources); err != nil {
		return nil, err // before anything is sent, in every mode
	}
	return &loadedRun{plan: plan, diags: diags, opts: opts, secrets: secrets, creds: creds}, nil
}

// outputHint says where the responses are when a workflow output could not be
// evaluated after the workflow's requests were sent: the value the output
// should have held (a renewed token) is in one of them.
func (a *app) outputHint(err error, f *runFlags) {
	var se *runtime.StepError
	if !errors.As(err, &se) || se.Output == "" {
		return
	}
	if id := f.journal.runID; id != "" {
		fmt.Fprintf(a.stderr, "arazzo: output %q is missing, but the requests were sent: the raw responses are in the journal, see 'arazzo runs show %s --reveal'\n", se.Output, id)
		return
	}
	fmt.Fprintf(a.stderr, "arazzo: output %q is missing, but the requests were sent; the run was not journaled (--no-journal), so their responses were not kept\n", se.Output)
}

func exitWith(code int) error {
	if code == ExitOK {
		return nil
	}
	return &exitError{code: code}
}

// exitCode maps a run's outcome to the exit code table.
func exitCode(ctx context.Context, res *runtime.Result) int {
	var sig *signalError
	if cause := context.Cause(ctx); cause != nil && errors.As(cause, &sig) {
		return exitCodeForSignal(sig.sig)
	}
	switch res.Status {
	case runtime.StatusPassed:
		return ExitOK
	case runtime.StatusFailed:
		return ExitFailed
	}
	return ExitIncomplete
}

// loadFailure prints why a document could not be loaded and picks the exit code.
func (a *app) loadFailure(diags arazzo.Diagnostics, err error) error {
	var de *arazzo.DocumentError
	if errors.As(err, &de) {
		for _, d := range diags.Sort() {
			d.Message += ruleHint(d)
			fmt.Fprintln(a.stderr, d.Error())
		}
		return &exitError{code: ExitInvalid, err: fmt.Errorf("the document is invalid: %d error(s)", len(diags.Errors()))}
	}
	return &exitError{code: ExitInvalid, err: err}
}

// reportWarnings prints the document's warnings with --verbose, else a count.
func (a *app) reportWarnings(diags arazzo.Diagnostics, verbose bool) {
	ws := diags.Warnings()
	if len(ws) == 0 {
		return
	}
	if verbose {
		for _, d := range ws {
			fmt.Fprintln(a.stderr, d.Error())
		}
		return
	}
	fmt.Fprintf(a.stderr, "arazzo: %d warning(s) about the document; run with --verbose or 'arazzo validate' to see them\n", len(ws))
}

// parseInputs converts --input NAME=VALUE pairs by the workflow's inputs schema.
func parseInputs(plan *runtime.Plan, wfID string, pairs []string) (map[string]any, error) {
	inputs := map[string]any{}
	var probs []string
	for _, p := range pairs {
		name, val, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			probs = append(probs, fmt.Sprintf("--input %q: expected NAME=VALUE", p))
			continue
		}
		if strings.HasPrefix(val, "@") {
			data, err := readLimited(val[1:], maxInputsFile)
			if err != nil {
				probs = append(probs, fmt.Sprintf("--input %s: %v", name, err))
				continue
			}
			// One final newline is the file's end, not part of the value.
			val = strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		}
		v, err := plan.CoerceInput(wfID, name, val)
		if err != nil {
			var ue *runtime.UsageError
			if errors.As(err, &ue) {
				return nil, &exitError{code: ExitUsage, err: err}
			}
			probs = append(probs, err.Error())
			continue
		}
		inputs[name] = v
	}
	if len(probs) > 0 {
		return nil, &exitError{code: ExitUsage, err: errors.New("invalid inputs:\n  - " + strings.Join(probs, "\n  - "))}
	}
	return inputs, nil
}

// parseAuth reads --auth SCHEME=VALUE|env:VAR|file:PATH into credentials.
func parseAuth(pairs []string, secrets *runtime.Secrets) (runtime.CredentialMap, error) {
	creds := runtime.CredentialMap{}
	for _, p := range pairs {
		name, val, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, usageErr("--auth %q: expected SCHEME=VALUE, SCHEME=env:VAR or SCHEME=file:PATH", maskAuthArg(p))
		}
		if v, isRef, err := readRef(val); err != nil {
			return nil, usageErr("--auth %s: %v", name, err)
		} else if isRef {
			if v == "" { // file:PATH (env:VAR refuses an empty variable already)
				return nil, usageErr("--auth %s: %s is empty", name, strings.TrimPrefix(val, "file:"))
			}
			val = v
		} else if val == "" {
			// Most often --auth NAME=$VAR with VAR unset: a request would go
			// out with an empty credential and be refused, or worse, accepted
			// as anonymous.
			return nil, usageErr("--auth %s: no credential after '=' (an unset shell variable?); give SCHEME=VALUE, SCHEME=env:VAR or SCHEME=file:PATH", name)
		}
		creds[name] = val
	}
	addCredentials(secrets, creds)
	return creds, nil
}

// addCredentials registers credentials for masking: each value, and the
// secret half of a user:password or client_id:client_secret pair.
func addCredentials(secrets *runtime.Secrets, creds runtime.CredentialMap) {
	for _, val := range creds {
		secrets.Add(val)
		if _, p, ok := strings.Cut(val, ":"); ok {
			secrets.Add(p)
		}
	}
}

// readRef resolves a secret given by reference: env:VAR (the variable, which
// must be set and not empty) or file:PATH (the file, without its final line
// break). isRef is false for a value given as is.
func readRef(v string) (value string, isRef bool, err error) {
	switch {
	case strings.HasPrefix(v, "env:"):
		val, ok := os.LookupEnv(v[4:])
		if !ok || val == "" {
			return "", true, fmt.Errorf("environment variable %s is not set", v[4:])
		}
		return val, true, nil
	case strings.HasPrefix(v, "file:"):
		data, err := readLimited(v[5:], maxCredentialFile)
		if err != nil {
			return "", true, err
		}
		return strings.TrimRight(string(data), "\r\n"), true, nil
	}
	return v, false, nil
}

// checkLimits refuses the limits no run could go by: a negative duration, a
// step budget or a body size below 1 (with them the first step would fail,
// "step budget of 0 executions used up", as if the document looped).
func (f *runFlags) checkLimits() error {
	for _, d := range []struct {
		flag, zero string
		v          time.Duration
	}{{"--timeout", "no timeout", f.timeout}, {"--run-timeout", "no timeout", f.runTimeout}, {"--max-retry-wait", "retry at once", f.maxRetryWait}} {
		if d.v < 0 {
			return usageErr("%s must not be negative, got %s (0: %s)", d.flag, d.v, d.zero)
		}
	}
	if f.maxSteps < 1 {
		return usageErr("--max-steps must be at least 1, got %d", f.maxSteps)
	}
	if f.maxBody < 1 {
		return usageErr("--max-body must be at least 1 byte, got %d", f.maxBody)
	}
	return nil
}

func maskAuthArg(p string) string {
	if name, _, ok := strings.Cut(p, "="); ok {
		return name + "=***"
	}
	return "***"
}

// mockBase is the server of every source in a --mock run: the requests show
// that they go to the mock (.invalid names no host of the network).
const mockBase = "http://mock.invalid/"

// mockOptions answer every request of a run from the mock of its OpenAPI
// sources, sent to mockBase, and every receive step of its AsyncAPI sources
// from their messages' examples, on an in-process broker.
func mockOptions(plan *runtime.Plan) []runtime.RunOption {
	return []runtime.RunOption{runtime.WithHTTPClient(mockClient(plan.OpenAPIDocuments())),
		runtime.WithServerBase(mockBase), runtime.WithServerOrigin(mockBase), runtime.WithMessageMock()}
}

// mockClient answers every request in-process from the mock of the OpenAPI sources.
func mockClient(docs []*openapi.Document) *http.Client {
	return &http.Client{Transport: handlerTransport{h: openapi.NewMock(docs...)}}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
