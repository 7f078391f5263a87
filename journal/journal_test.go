package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/runtime"
)

const apiToken = "wk-api-7d3c9e1f0a2b4c6d"

var rotate = filepath.Join("..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")

// fixture is a Workato-like API, the bundled rotate workflow compiled against
// it, and a journal in a temporary directory.
type fixture struct {
	t       *testing.T
	api     *testserver.Workato
	plan    *runtime.Plan
	store   *Store
	dir     string
	secrets *runtime.Secrets
	warns   []string
	servers map[*runtime.Plan]string // the server each plan's runs go to
	// slowAnswer, when set, is the sessions' (SessionOptions.slowAnswer).
	slowAnswer time.Duration
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	t.Cleanup(api.Close)
	f := &fixture{t: t, api: api, dir: filepath.Join(t.TempDir(), "state")}
	f.plan = f.load(rotate, api.URL)
	st, err := Open(context.Background(), f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st
	return f
}

func (f *fixture) load(location, server string) *runtime.Plan {
	f.t.Helper()
	plan, _, err := runtime.Load(context.Background(), location)
	if err != nil {
		f.t.Fatal(err)
	}
	if f.servers == nil {
		f.servers = map[*runtime.Plan]string{}
	}
	f.servers[plan] = server
	return plan
}

// server is the run option that sends the requests of plan's runs to the
// server it was loaded for.
func (f *fixture) server(plan *runtime.Plan) runtime.RunOption {
	return runtime.WithServer("mcpServerApi", f.servers[plan])
}

func (f *fixture) opts() SessionOptions {
	f.secrets = &runtime.Secrets{}
	f.secrets.Add(apiToken)
	return SessionOptions{Secrets: f.secrets, Warn: func(m string) { f.warns = append(f.warns, m) }, slowAnswer: f.slowAnswer}
}

// execute runs the rotate workflow with the session, as the CLI does.
func (f *fixture) execute(ctx context.Context, plan *runtime.Plan, sess *Session, inputs map[string]any) *runtime.Result {
	f.t.Helper()
	res, err := plan.Run(ctx, "", inputs, f.server(plan), runtime.WithSecrets(f.secrets), runtime.WithTimeout(5*time.Second),
		runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": apiToken}),
		runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()))
	if ferr := sess.Finish(res, err, ctx.Err() != nil); ferr != nil {
		f.t.Fatal(ferr)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// flush waits until every record written so far is committed.
func (f *fixture) flush() {
	f.t.Helper()
	if _, err := f.store.w.wait(false, ""); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) begin(inputs map[string]any) *Session {
	f.t.Helper()
	sess, err := f.store.Begin(context.Background(), NewRun{WorkflowID: "rotate-mcp-server-token", Location: rotate,
		Digest: f.plan.SourceDigest(), Inputs: inputs}, f.opts())
	if err != nil {
		f.t.Fatal(err)
	}
	return sess
}

func (f *fixture) run(id string) *Run {
	f.t.Helper()
	r, err := f.store.Run(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) steps(id string) []*Step {
	f.t.Helper()
	s, err := f.store.Steps(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func stepSummary(steps []*Step) string {
	var parts []string
	for _, s := range steps {
		p := s.StepID + "=" + s.Status
		if s.Replayed {
			p += "(replayed)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	f := newFixture(t)
	f.execute(context.Background(), f.plan, f.begin(map[string]any{"search": "sales"}), map[string]any{"search": "sales"})
	fi, err := os.Stat(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("state directory mode %v, want 0700", fi.Mode().Perm())
	}
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		fi, err := os.Stat(filepath.Join(f.dir, name))
		if err != nil {
			if name == FileName {
				t.Fatal(err)
			}
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
}

func TestRecordsStepsOutputsAndExchanges(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "sales"}
	sess := f.begin(in)
	res := f.execute(context.Background(), f.plan, sess, in)
	if res.Status != runtime.StatusPassed {
		t.Fatalf("run %s: %v", res.Status, res.Err)
	}
	r := f.run(sess.Run().ID)
	if r.Status != StatusPassed || r.Steps != 3 || r.Outputs["token"] != f.api.Token("sales-assistant-7f3a") {
		t.Errorf("run recorded as %s with %d steps, outputs %v", r.Status, r.Steps, r.Outputs)
	}
	if got := stepSummary(f.steps(r.ID)); got != "findServer=passed confirmServer=passed renewToken=passed" {
		t.Errorf("steps: %s", got)
	}
	steps := f.steps(r.ID)
	if steps[0].Outputs["handle"] != "sales-assistant-7f3a" || steps[2].StatusCode != 200 || steps[2].Operation != "POST /api/mcp/mcp_servers/{handle}/token_renew" {
		t.Errorf("step records: %+v %+v", steps[0], steps[2])
	}
	ex, err := f.store.Exchanges(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 3 || !ex[2].Answered || ex[2].Method != "POST" || ex[2].Idempotent || !ex[0].Idempotent {
		t.Errorf("exchanges: %+v", ex)
	}
	// Prefix lookup.
	if got := f.run(r.ID[:10]); got.ID != r.ID {
		t.Errorf("prefix lookup found %s", got.ID)
	}
	var nf *NotFoundError
	if _, err := f.store.Run(context.Background(), "nope"); !errors.As(err, &nf) {
		t.Errorf("unknown run: %v", err)
	}
}

// A run interrupted while the renewal is in flight: the resumed run replays
// findServer and confirmServer, sends the renewal again (warning that it is not
// idempotent) and finishes.
func TestResumeInterruptedInFlight(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "sales"}
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	f.api.AfterRenew = func(w http.ResponseWriter, r *http.Request) {
		once.Do(cancel)
		<-r.Context().Done() // the client gave up
	}
	sess := f.begin(in)
	res := f.execute(ctx, f.plan, sess, in)
	if res.Status == runtime.StatusPassed {
		t.Fatal("the interrupted run passed")
	}
	first := f.run(sess.Run().ID)
	if first.Status != StatusInterrupted {
		t.Fatalf("status %s, want interrupted", first.Status)
	}
	f.api.AfterRenew = nil
	before := len(f.api.Requests())

	resumed, err := f.store.Resume(context.Background(), first, f.plan.SourceDigest(), nil, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	res = f.execute(context.Background(), f.plan, resumed, first.Inputs)
	if res.Status != runtime.StatusPassed {
		t.Fatalf("resumed run %s: %v", res.Status, res.Err)
	}
	if got := f.api.Requests()[before:]; len(got) != 1 || !strings.HasPrefix(got[0], "POST ") {
		t.Errorf("the resumed run sent %v, want only the renewal", got)
	}
	if res.Outputs["token"] != f.api.Token("sales-assistant-7f3a") {
		t.Errorf("token output %v is not the server's current token", res.Outputs["token"])
	}
	if len(f.warns) != 1 || !strings.Contains(f.warns[0], "not idempotent") {
		t.Errorf("warnings: %q", f.warns)
	}
	if got := stepSummary(f.steps(resumed.Run().ID)); got != "findServer=passed(replayed) confirmServer=passed(replayed) renewToken=passed" {
		t.Errorf("steps of the resumed run: %s", got)
	}
	if r := f.run(first.ID); len(r.ResumedBy) != 1 || r.ResumedBy[0] != resumed.Run().ID {
		t.Errorf("resumed by %v", r.ResumedBy)
	}
	if resumed.Run().ResumedFrom != first.ID || resumed.Replayed() != 2 {
		t.Errorf("resumed from %q, %d replayed", resumed.Run().ResumedFrom, resumed.Replayed())
	}
	// Resuming the first run again is refused: it was resumed.
	_, err = f.store.Resume(context.Background(), f.run(first.ID), f.plan.SourceDigest(), nil, f.opts())
	var re *ResumeError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "resumed already as run "+resumed.Run().ID) {
		t.Errorf("second resume: %v", err)
	}
}

// A run whose renewal answered, interrupted right after: the resumed run sends
// nothing at all and hands over the token the first run received.
func TestResumeAfterRenewalSendsNothing(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "support"}
	ctx, cancel := context.WithCancel(context.Background())
	sess := f.begin(in)
	obs := runtime.ObserverFunc(func(e *runtime.Event) {
		if e.Kind == runtime.EventStepFinished && e.StepID == "renewToken" {
			cancel() // the process "dies" once the step is journaled
		}
	})
	_, err := f.plan.Run(ctx, "", in, f.server(f.plan), runtime.WithSecrets(f.secrets), runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": apiToken}),
		runtime.WithEffects(sess.Effects), runtime.WithObserver(sess.Observer()), runtime.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	// Finish is not called: the process died. The run stays "running" with
	// this process's id, so mark it as another, dead process's. (The step
	// record is not waited for: let the writer commit it first, as it does
	// within milliseconds in a process that lives on.)
	f.flush()
	if _, err := f.store.db.Exec("UPDATE runs SET pid = ? WHERE id = ?", deadPID(t), sess.Run().ID); err != nil {
		t.Fatal(err)
	}
	first := f.run(sess.Run().ID)
	if first.EffectiveStatus() != StatusInterrupted {
		t.Fatalf("status %s, want interrupted", first.EffectiveStatus())
	}
	tok := f.api.Token("support-desk-91bc")
	steps := f.steps(first.ID)
	if len(steps) != 3 || steps[2].Outputs["token"] != tok {
		t.Fatalf("the journal does not hold the renewed token: %s %v", stepSummary(steps), steps[len(steps)-1].Outputs)
	}
	before := len(f.api.Requests())
	resumed, err := f.store.Resume(context.Background(), first, f.plan.SourceDigest(), nil, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	res := f.execute(context.Background(), f.plan, resumed, first.Inputs)
	if res.Status != runtime.StatusPassed || res.Outputs["token"] != tok {
		t.Fatalf("resumed run %s, token %v, want %s", res.Status, res.Outputs["token"], tok)
	}
	if n := len(f.api.Requests()) - before; n != 0 || f.api.Renewals("support-desk-91bc") != 1 {
		t.Errorf("the resumed run sent %d requests; renewals %d", n, f.api.Renewals("support-desk-91bc"))
	}
}

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Skip("cannot start /bin/true:", err)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	return p.Pid
}

// A run that failed at confirmServer (a 503) resumes from confirmServer:
// findServer is replayed, confirmServer runs again and the run finishes.
func TestResumeFailedFromTheFailedStep(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	fail := true
	flaky := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		bad := fail && r.Method == http.MethodGet && strings.Count(r.URL.Path, "/") == 4
		mu.Unlock()
		if bad {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		f.api.Config.Handler.ServeHTTP(w, r)
	})
	plan := f.load(rotate, flaky)
	in := map[string]any{"search": "finance"}
	sess, err := f.store.Begin(context.Background(), NewRun{WorkflowID: "rotate-mcp-server-token", Location: rotate, Digest: plan.SourceDigest(), Inputs: in}, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	res := f.execute(context.Background(), plan, sess, in)
	if res.Status != runtime.StatusFailed {
		t.Fatalf("first run %s", res.Status)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	before := f.api.Requests()
	first := f.run(sess.Run().ID)
	resumed, err := f.store.Resume(context.Background(), first, plan.SourceDigest(), nil, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	res = f.execute(context.Background(), plan, resumed, first.Inputs)
	if res.Status != runtime.StatusPassed {
		t.Fatalf("resumed run %s: %v", res.Status, res.Err)
	}
	sent := f.api.Requests()[len(before):]
	if len(sent) != 2 || !strings.HasPrefix(sent[0], "GET /api/mcp/mcp_servers/finance") || !strings.HasPrefix(sent[1], "POST ") {
		t.Errorf("the resumed run sent %v, want confirmServer and renewToken only", sent)
	}
	if got := stepSummary(f.steps(resumed.Run().ID)); got != "findServer=passed(replayed) confirmServer=passed renewToken=passed" {
		t.Errorf("steps: %s", got)
	}
}

func httptestServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestResumeRefusals(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "sales"}
	sess := f.begin(in)
	f.execute(context.Background(), f.plan, sess, in)
	passed := f.run(sess.Run().ID)
	before := len(f.api.Requests())
	again, err := f.store.Resume(context.Background(), passed, f.plan.SourceDigest(), nil, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	// A passed run resumed replays everything, sends nothing, hands the outputs over again.
	res := f.execute(context.Background(), f.plan, again, passed.Inputs)
	if res.Status != runtime.StatusPassed || res.Outputs["token"] != passed.Outputs["token"] || len(f.api.Requests()) != before {
		t.Errorf("resuming a passed run: %s, token %v (was %v), %d requests", res.Status, res.Outputs["token"], passed.Outputs["token"], len(f.api.Requests())-before)
	}

	// A failed run with another document digest.
	sess = f.begin(map[string]any{"search": "no-such-server"})
	f.execute(context.Background(), f.plan, sess, map[string]any{"search": "no-such-server"})
	failed := f.run(sess.Run().ID)
	_, err = f.store.Resume(context.Background(), failed, "sha256:0123456789abcdef", nil, f.opts())
	if err == nil || !strings.Contains(err.Error(), "changed since it ran") {
		t.Errorf("resuming with a changed document: %v", err)
	}

	// A run still running in a live process (this one).
	live := f.begin(in)
	_, err = f.store.Resume(context.Background(), f.run(live.Run().ID), f.plan.SourceDigest(), nil, f.opts())
	if err == nil || !strings.Contains(err.Error(), "still running") {
		t.Errorf("resuming a live run: %v", err)
	}
}

// A resumed run that asks for other requests than the recorded ones stops
// before sending anything.
func TestResumeDivergesWithoutSending(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "sales"}
	ctx, cancel := context.WithCancel(context.Background())
	f.api.AfterRenew = func(w http.ResponseWriter, r *http.Request) { cancel(); <-r.Context().Done() }
	sess := f.begin(in)
	f.execute(ctx, f.plan, sess, in)
	f.api.AfterRenew = nil
	first := f.run(sess.Run().ID)
	other := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer other.Close()
	plan := f.load(rotate, other.URL) // same document, another server
	resumed, err := f.store.Resume(context.Background(), first, plan.SourceDigest(), nil, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	res := f.execute(context.Background(), plan, resumed, first.Inputs)
	var de *DivergedError
	if res.Status != runtime.StatusError || !errors.As(res.Err, &de) {
		t.Fatalf("resumed run %s: %v", res.Status, res.Err)
	}
	if n := len(other.Requests()); n != 0 {
		t.Errorf("the diverging run sent %d requests", n)
	}
}

// A response that holds a credential is journaled without its content, and
// nothing in the database files contains the credential.
func TestCredentialsNeverJournaled(t *testing.T) {
	f := newFixture(t)
	echo := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token_renew") {
			w.Header().Set("Content-Type", "application/json")
			// A broken server that echoes the caller's credential.
			_, _ = w.Write([]byte(`{"token":"mcp_new_0123456789","debug":"` + r.Header.Get("Authorization") + `"}`))
			return
		}
		f.api.Config.Handler.ServeHTTP(w, r)
	})
	plan := f.load(rotate, echo)
	in := map[string]any{"search": "sales"}
	sess, err := f.store.Begin(context.Background(), NewRun{WorkflowID: "rotate-mcp-server-token", Location: rotate, Digest: plan.SourceDigest(), Inputs: in}, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	res := f.execute(context.Background(), plan, sess, in)
	if res.Status != runtime.StatusPassed {
		t.Fatalf("run %s: %v", res.Status, res.Err)
	}
	var all []byte
	for _, name := range []string{FileName, FileName + "-wal"} { // while open: the WAL holds the records
		data, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil && name == FileName {
			t.Fatal(err)
		}
		all = append(all, data...)
	}
	if !bytes.Contains(all, []byte("sales-assistant-7f3a")) || !bytes.Contains(all, []byte("mcp_new_0123456789")) {
		t.Fatal("the database files do not hold the records: the test is not looking at the data")
	}
	if bytes.Contains(all, []byte(apiToken)) {
		t.Error("the journal contains the credential")
	}
	f.store.Close()
	st, err := Open(context.Background(), f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex, err := st.Exchanges(context.Background(), sess.Run().ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 3 || ex[2].Omitted != "credential" || ex[1].Omitted != "" {
		t.Errorf("exchanges: %+v", ex)
	}
}

// A journal that cannot be written stops the run: a request that is not safe
// to repeat is never sent without its record on the disk. (A safe one may go
// out before the failure is known: its records are not waited for.)
func TestWriteFailureStopsTheRun(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "sales"}
	sess := f.begin(in)
	breaker := runtime.ObserverFunc(func(e *runtime.Event) {
		if e.Kind == runtime.EventStepFinished && e.StepID == "findServer" {
			f.store.w.conn.Close()
		}
	})
	res, err := f.plan.Run(context.Background(), "", in, f.server(f.plan), runtime.WithSecrets(f.secrets), runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": apiToken}),
		runtime.WithEffects(sess.Effects), runtime.WithObserver(breaker), runtime.WithObserver(sess.Observer()))
	if err != nil {
		t.Fatal(err)
	}
	var we *WriteError
	if res.Status != runtime.StatusError || !errors.As(res.Err, &we) {
		t.Fatalf("run %s: %v", res.Status, res.Err)
	}
	for _, r := range f.api.Requests() {
		if strings.HasPrefix(r, "POST ") {
			t.Errorf("the renewal was sent after the journal broke: %v", f.api.Requests())
		}
	}
	if !errors.As(sess.Err(), &we) {
		t.Errorf("session error %v", sess.Err())
	}
}

func TestRedactor(t *testing.T) {
	run := &Run{Inputs: map[string]any{"search": "sales", "pin": "483920", "clientPassword": "hunter2-long"}, SecretInputs: []string{"pin"},
		Outputs: map[string]any{"token": "mcp_abcdef123456", "handle": "h-1"}}
	steps := []*Step{{Outputs: map[string]any{"auth": map[string]any{"access_token": "at-9f8e7d6c5b", "expires": 3600}}}}
	red := NewRedactor(run, steps)
	cases := []struct {
		got  any
		want string
	}{
		{red.Input("search", "sales"), "sales"},
		{red.Input("pin", "483920"), Masked},
		{red.Input("clientPassword", "hunter2-long"), Masked},
		{red.Output("token", "mcp_abcdef123456"), Masked},
		{red.Output("handle", "h-1"), "h-1"},
		{red.Text("GET /x?code=483920&t=mcp_abcdef123456&a=at-9f8e7d6c5b"), "GET /x?code=***&t=***&a=***"},
		{red.Value(map[string]any{"access_token": "x", "n": 1}).(map[string]any)["access_token"], Masked},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %v, want %v", i, c.got, c.want)
		}
	}
}

func TestFailedStepStart(t *testing.T) {
	rec := func(kind, wf, step string, depth, attempt int, status string) *record {
		r := &record{kind: kind, workflow: wf, step: step, depth: depth, attempt: attempt}
		if kind == kindStep {
			r.data = mustJSON(stepData{Status: status})
		} else {
			r.data = []byte("{}")
		}
		return r
	}
	end := func(wf, step string, depth int, status string) *record {
		return rec(kindStep, wf, step, depth, 0, status)
	}
	send, sleep, slept := rec(kindSend, "", "", 0, 0, ""), rec(kindSleep, "", "", 0, 0, ""), rec(kindSlept, "", "", 0, 0, "")
	tests := []struct {
		name string
		recs []*record
		want int
	}{
		{"last step failed", []*record{send, end("w", "a", 0, "passed"), send, end("w", "b", 0, "failed")}, 2},
		{"first step failed", []*record{send, end("w", "a", 0, "failed")}, 0},
		{"retried then failed", []*record{end("w", "a", 0, "passed"), send, sleep, slept, send, end("w", "b", 0, "failed")}, 1},
		{"failed inside a called workflow", []*record{
			end("w", "a", 0, "passed"),
			send, end("c", "x", 1, "passed"), send, end("c", "y", 1, "failed"), end("w", "call", 0, "failed")}, 3},
		{"the first step of a called workflow failed", []*record{
			send, end("w", "a", 0, "passed"), send, end("c", "y", 1, "failed"), end("w", "call", 0, "failed")}, 2},
		{"a call failed on its own, after its workflow passed", []*record{
			send, end("w", "a", 0, "passed"), send, end("c", "x", 1, "passed"), end("w", "call", 0, "failed")}, 2},
		{"a retried call failed inside its second attempt", []*record{
			send, end("c", "y", 1, "failed"), sleep, slept, send, end("c", "y", 1, "failed"), end("w", "call", 0, "failed")}, 4},
		{"failed before its request", []*record{send, end("w", "a", 0, "passed"), end("w", "b", 0, "failed")}, 2},
		{"all passed", []*record{send, end("w", "a", 0, "passed")}, 2},
		{"nothing", nil, 0},
	}
	for _, tt := range tests {
		if got := failedStepStart(tt.recs); got != tt.want {
			t.Errorf("%s: cut at %d, want %d", tt.name, got, tt.want)
		}
	}

	// Journals of earlier versions hold a step-start record before each
	// attempt: the cut may fall before a start rather than on it, which
	// replays the same effects.
	start := func(wf, step string, depth, attempt int) *record {
		return rec("step-start", wf, step, depth, attempt, "")
	}
	effects := func(recs []*record) (n int) {
		for _, r := range recs {
			if r.isEffect() {
				n++
			}
		}
		return n
	}
	for _, tt := range []struct {
		name string
		recs []*record
		want int // effects before the cut
	}{
		{"last step failed", []*record{start("w", "a", 0, 1), send, end("w", "a", 0, "passed"), start("w", "b", 0, 1), send, end("w", "b", 0, "failed")}, 1},
		{"retried then failed", []*record{start("w", "a", 0, 1), end("w", "a", 0, "passed"), start("w", "b", 0, 1), send, start("w", "b", 0, 2), send, end("w", "b", 0, "failed")}, 0},
		{"failed inside a called workflow", []*record{
			start("w", "a", 0, 1), end("w", "a", 0, "passed"),
			start("w", "call", 0, 1), start("c", "x", 1, 1), send, end("c", "x", 1, "passed"), start("c", "y", 1, 1), send, end("c", "y", 1, "failed"), end("w", "call", 0, "failed")}, 1},
		{"a retried call failed inside its second attempt", []*record{
			start("w", "call", 0, 1), start("c", "y", 1, 1), send, end("c", "y", 1, "failed"), sleep, slept,
			start("w", "call", 0, 2), start("c", "y", 1, 1), send, end("c", "y", 1, "failed"), end("w", "call", 0, "failed")}, 3},
	} {
		cut := failedStepStart(tt.recs)
		if got := effects(tt.recs[:cut]); got != tt.want || cut > len(tt.recs) {
			t.Errorf("earlier journal, %s: cut at %d replays %d effects, want %d", tt.name, cut, got, tt.want)
		}
	}
}

// BenchmarkRecord measures one committed record (WAL, synchronous=FULL): the
// cost the journal adds to each request, wait and step.
func BenchmarkRecord(b *testing.B) {
	st, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sess, err := st.Begin(context.Background(), NewRun{WorkflowID: "w", Inputs: map[string]any{}}, SessionOptions{})
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte(`{"items":[{"handle":"a"}]}`), 40)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sess.write(&record{kind: kindResponse, data: []byte(`{"status":200}`), body: body}, true); err != nil {
			b.Fatal(err)
		}
	}
}

// A process that died after the renewal's response was on the disk and
// before the renewToken step was leaves the token in a response only:
// Recover replays the responses, sends nothing, and gives the step, its
// outputs and the workflow's.
func TestRecoverAfterTheResponse(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "support"}
	sess := f.begin(in)
	f.execute(context.Background(), f.plan, sess, in)
	id := sess.Run().ID
	// What a SIGKILL right after the response leaves: no step record, no end.
	if _, err := f.store.db.Exec("DELETE FROM records WHERE run_id = ? AND kind = 'step' AND step_id = 'renewToken'", id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.db.Exec("UPDATE runs SET status = 'running', finished_at = 0, outputs = '{}', pid = ? WHERE id = ?", deadPID(t), id); err != nil {
		t.Fatal(err)
	}
	before := len(f.api.Requests())
	r := f.run(id)
	rec, err := f.store.Recover(context.Background(), r, f.plan, f.server(f.plan))
	if err != nil {
		t.Fatal(err)
	}
	tok := f.api.Token("support-desk-91bc")
	if len(rec.Steps) != 1 || rec.Steps[0].StepID != "renewToken" || rec.Steps[0].Outputs["token"] != tok {
		t.Fatalf("recovered steps %s %+v, want renewToken with token %s", stepSummary(rec.Steps), rec.Steps, tok)
	}
	if rec.Status != StatusPassed || rec.Outputs["token"] != tok {
		t.Errorf("recovered outputs %v (%s), want the token", rec.Outputs, rec.Status)
	}
	if n := len(f.api.Requests()) - before; n != 0 {
		t.Errorf("Recover sent %d requests", n)
	}

	// Without the renewal's response either, the replay stops before it: no
	// step, no outputs, nothing sent.
	if _, err := f.store.db.Exec("DELETE FROM records WHERE run_id = ? AND kind = 'response' AND step_id = 'renewToken'", id); err != nil {
		t.Fatal(err)
	}
	rec, err = f.store.Recover(context.Background(), r, f.plan, f.server(f.plan))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Steps) != 0 || rec.Outputs != nil {
		t.Errorf("recovered %s, outputs %v from a run with no answer to its renewal", stepSummary(rec.Steps), rec.Outputs)
	}
	if n := len(f.api.Requests()) - before; n != 0 {
		t.Errorf("Recover sent %d requests", n)
	}
}

// An input that holds a credential of the run is refused with
// ErrCredentialInput, and nothing is journaled for it.
func TestCredentialInputIsRefused(t *testing.T) {
	f := newFixture(t)
	_, err := f.store.Begin(context.Background(), NewRun{WorkflowID: "rotate-mcp-server-token", Location: rotate,
		Digest: f.plan.SourceDigest(), Inputs: map[string]any{"token": apiToken}}, f.opts())
	if !errors.Is(err, ErrCredentialInput) {
		t.Fatalf("Begin with a credential input: %v", err)
	}
	runs, err := f.store.Runs(context.Background(), 10)
	if err != nil || len(runs) != 0 {
		t.Errorf("runs after the refusal: %d, %v", len(runs), err)
	}
}

// A signal that comes once a run has passed or failed does not make it
// interrupted: it completed, its outputs are handed over, and a resumed batch
// hands its result over instead of running it again. A run the signal stopped
// (its error is the cancellation, or there is no result) is interrupted.
func TestSignalAfterTheRunEnded(t *testing.T) {
	f := newFixture(t)
	stopped := fmt.Errorf("run cancelled during GET http://x/: %w", context.Canceled)
	for _, c := range []struct {
		name string
		res  *runtime.Result
		want Status
	}{
		{"passed", &runtime.Result{Status: runtime.StatusPassed, Outputs: map[string]any{"token": "t"}}, StatusPassed},
		{"failed", &runtime.Result{Status: runtime.StatusFailed, Err: errors.New("criterion not met")}, StatusFailed},
		{"error of its own", &runtime.Result{Status: runtime.StatusError, Err: errors.New("connection refused")}, StatusError},
		{"stopped by the signal", &runtime.Result{Status: runtime.StatusError, Err: stopped}, StatusInterrupted},
		{"no result", nil, StatusInterrupted},
	} {
		sess := f.begin(map[string]any{"search": "support"})
		if err := sess.Finish(c.res, nil, true); err != nil {
			t.Fatal(err)
		}
		if got := f.run(sess.Run().ID).Status; got != c.want {
			t.Errorf("%s, then a signal: recorded %s, want %s", c.name, got, c.want)
		}
	}
}

// A batch whose shared inputs hold a credential of its runs is refused the
// same way, before its record is written.
func TestBatchCredentialInputIsRefused(t *testing.T) {
	f := newFixture(t)
	f.opts()
	_, err := f.store.BeginBatch(context.Background(), NewBatch{WorkflowID: "rotate-mcp-server-token", Location: rotate,
		Digest: f.plan.SourceDigest(), Inputs: map[string]any{"search": "x", "note": []any{"see " + apiToken}}, Secrets: f.secrets})
	if !errors.Is(err, ErrCredentialInput) {
		t.Fatalf("BeginBatch with a credential input: %v", err)
	}
	var n int
	if err := f.store.db.QueryRow("SELECT count(*) FROM batches").Scan(&n); err != nil || n != 0 {
		t.Errorf("batches after the refusal: %d, %v", n, err)
	}
}

// A step execution is recorded by what it did and how it ended: its requests
// and their responses, its waits, its end. Its start is no record (it was one
// row in four of every GET step's); where a failed step began is found
// without it (TestFailedStepStart). A request safe to send again shares its
// response's row (two rows a GET step, not three); it is read back as the two
// records it stands for, numbered in order.
func TestRecordsOfARun(t *testing.T) {
	f := newFixture(t)
	f.slowAnswer = time.Hour // however loaded the machine, no answer is slow
	in := map[string]any{"search": "support"}
	sess := f.begin(in)
	f.execute(context.Background(), f.plan, sess, in)
	if got, want := f.rowKinds(sess.Run().ID), "response step response step send response step"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	if got, want := f.recordKinds(sess.Run().ID), strings.Repeat("send response step ", 3); got != want {
		t.Errorf("records %q, want %q", got, want)
	}
	ex, err := f.store.Exchanges(context.Background(), sess.Run().ID)
	if err != nil || len(ex) != 3 || ex[0].Method != "GET" || !ex[0].Answered || ex[0].StatusCode != 200 || ex[2].Method != "POST" {
		t.Errorf("exchanges %v, %v", ex, err)
	}
}

// A run interrupted while a GET is in flight records that request, sent and
// unanswered, as it records a POST: a request safe to send again is written
// with its answer, or alone when no answer came. The resumed run sends it
// again, saying so.
func TestInterruptedGetIsRecorded(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"search": "support"}
	ctx, cancel := context.WithCancel(context.Background())
	gets := 0
	f.api.OnRequest = func(r *http.Request) {
		if r.Method == http.MethodGet {
			if gets++; gets == 2 { // confirmServer's
				cancel()
				<-r.Context().Done()
			}
		}
	}
	sess := f.begin(in)
	if res := f.execute(ctx, f.plan, sess, in); res.Status == runtime.StatusPassed {
		t.Fatal("the interrupted run passed")
	}
	f.api.OnRequest = nil
	ex, err := f.store.Exchanges(context.Background(), sess.Run().ID)
	if err != nil || len(ex) != 2 || !ex[0].Answered || ex[1].Answered || ex[1].Method != "GET" || ex[1].StepID != "confirmServer" {
		t.Fatalf("exchanges of the interrupted run: %+v, %v", ex, err)
	}
	resumed, err := f.store.Resume(context.Background(), f.run(sess.Run().ID), f.plan.SourceDigest(), nil, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.api.Requests())
	if res := f.execute(context.Background(), f.plan, resumed, in); res.Status != runtime.StatusPassed {
		t.Fatalf("resumed run %s: %v", res.Status, res.Err)
	}
	if got := f.api.Requests()[before:]; len(got) != 2 || !strings.HasPrefix(got[0], "GET ") || !strings.HasPrefix(got[1], "POST ") {
		t.Errorf("the resumed run sent %v, want confirmServer's GET and the renewal", got)
	}
	if len(f.warns) != 1 || !strings.Contains(f.warns[0], "recorded no answer") || strings.Contains(f.warns[0], "not idempotent") {
		t.Errorf("warnings: %q", f.warns)
	}
	if resumed.Replayed() != 1 {
		t.Errorf("%d exchanges replayed, want findServer's", resumed.Replayed())
	}
}

// A request safe to repeat whose answer is slow to come is recorded alone
// while it waits (a run stopped then shows it, sent and unanswered), and its
// answer in a row of its own. Its record is committed at once, not at the
// end of the writer's linger (here an hour).
func TestSlowGetIsRecordedInFlight(t *testing.T) {
	f := newFixture(t)
	f.store.w.linger = time.Hour
	in := map[string]any{"search": "support"}
	sess := f.begin(in)
	gets, seen := 0, false
	f.api.OnRequest = func(r *http.Request) {
		if r.Method != http.MethodGet {
			return
		}
		if gets++; gets != 2 { // confirmServer's
			return
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			ex, err := f.store.Exchanges(context.Background(), sess.Run().ID)
			if err == nil && len(ex) == 2 && !ex[1].Answered && ex[1].StepID == "confirmServer" {
				seen = true
				return
			}
		}
	}
	if res := f.execute(context.Background(), f.plan, sess, in); res.Status != runtime.StatusPassed {
		t.Fatalf("run %s: %v", res.Status, res.Err)
	}
	if !seen {
		t.Fatal("the journal never showed confirmServer's GET in flight")
	}
	if got, want := f.rowKinds(sess.Run().ID), "response step send response step send response step"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	ex, err := f.store.Exchanges(context.Background(), sess.Run().ID)
	if err != nil || len(ex) != 3 || !ex[0].Answered || !ex[1].Answered || !ex[2].Answered {
		t.Errorf("exchanges %v, %v", ex, err)
	}
}

// recordKinds are the kinds of run id's records as the journal reads them,
// in order, each followed by a space; it fails the test unless they are
// numbered 1, 2, 3...
func (f *fixture) recordKinds(id string) string {
	f.t.Helper()
	recs, err := f.store.records(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	var kinds strings.Builder
	for i, r := range recs {
		if r.seq != i+1 {
			f.t.Errorf("record %d is numbered %d", i+1, r.seq)
		}
		kinds.WriteString(r.kind + " ")
	}
	return kinds.String()
}

// rowKinds are the kinds of run id's rows in the records table, in order,
// the rows a chunk joins listed as if they were apart (see rows).
func (f *fixture) rowKinds(id string) string {
	f.t.Helper()
	return strings.NewReplacer("chunk(", "", ")", "").Replace(f.rows(id))
}

// rows are the kinds of run id's rows in the records table, in order; a
// chunk is listed as chunk(the kinds of the rows it joins).
func (f *fixture) rows(id string) string {
	f.t.Helper()
	rows, err := f.store.db.Query("SELECT kind, body FROM records WHERE run_id = ? ORDER BY seq", id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var kinds []string
	for rows.Next() {
		var k string
		var body []byte
		if err := rows.Scan(&k, &body); err != nil {
			f.t.Fatal(err)
		}
		if k == kindChunk {
			recs, err := decodeChunk(body)
			if err != nil {
				f.t.Fatal(err)
			}
			var in []string
			for _, r := range recs {
				in = append(in, r.kind)
			}
			k = "chunk(" + strings.Join(in, " ") + ")"
		}
		kinds = append(kinds, k)
	}
	return strings.Join(kinds, " ")
}
