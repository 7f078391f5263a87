package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/runtime"
	"github.com/arazzo-run/arazzo/temporal"
)

// The secrets of TestSecretFormsEveryChannel, one per form a secret takes on
// its way to an output. Credentials are masked everywhere; the other values
// are sensitive: masked everywhere but in the outputs a run hands over.
var secretForms = []struct {
	what  string
	value string
	cred  bool
}{
	// A credential holding " \ < / : JSON-escaped (\" \\), echoed by a server
	// as \u003c and as \/.
	{"bearer credential with \" \\ < /", `tok"q\u<x/SECRET-A1`, true},
	// An apiKey in the query, base64-like: URL-encoded (%2B %2F %3D) in the URL.
	{"base64 apiKey in the query", "k+/=SECRET-B2+/==", true},
	// An apiKey sent as a cookie.
	{"apiKey cookie", "ck-SECRET-C3", true},
	// A cookie the response sets.
	{"cookie a response sets", "set-SECRET-D4", false},
	// A secret returned in a response header with a secret-like name.
	{"X-Subject-Token response header", "subj-SECRET-E5", false},
	// A credential passed as a plain input into X-Api-Key.
	{"plain input sent as X-Api-Key", "in-SECRET-F6", false},
	// A --server URL password with # / ? % ^ and a space, percent-encoded.
	{"--server password with # / ? % ^ space", "pw#/?%^ SECRET-G7", true},
	// The same password written raw, so that the URL does not parse.
	{"--server password written raw", "raw#/?%^ SECRET-H8", true},
	// A token given as the user name of a --server URL.
	{"--server username-only credential", "usr-SECRET-I9", true},
}

func secretForm(what string) string {
	for _, f := range secretForms {
		if f.what == what {
			return f.value
		}
	}
	panic(what)
}

// echoServer answers the echo document: /echo returns what the request held
// (its Authorization, Cookie and URL) nested in JSON, the credential again
// with "/" escaped as \/, a session cookie and an X-Subject-Token; /blob
// returns bytes that are not UTF-8 with the credential inside.
func echoServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Subject-Token", secretForm("X-Subject-Token response header"))
			http.SetCookie(w, &http.Cookie{Name: "session", Value: secretForm("cookie a response sets"), Path: "/"})
			auth := r.Header.Get("Authorization")
			php, _ := json.Marshal(auth)
			body, _ := json.Marshal(map[string]any{"seen": map[string]any{"auth": auth, "cookie": r.Header.Get("Cookie"),
				"self": "http://" + r.Host + r.URL.String(), "apiKey": r.Header.Get("X-Api-Key")}})
			fmt.Fprintf(w, `{"data":%s,"php":%s}`, body, strings.ReplaceAll(string(php), "/", `\/`))
		case "/blob":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(append(append([]byte{0xff, 0xfe, 0}, r.Header.Get("Authorization")...), 0xff))
		case "/plain":
			io.WriteString(w, "ok")
		case "/busy":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(bigBody)
		case "/session":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"session_token":"`+sessionToken+`","note":"`+hostileJSON+`"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSecretFormsEveryChannel runs each form a secret takes (secretForms)
// through every channel a run writes to — stdout and stderr in text and JSON
// modes with --verbose, the trace, the HAR, the JUnit, HTML and JSON reports,
// the journal (its file, and 'runs show' in text and JSON), the view of a
// Temporal run, error messages — and searches the bytes of each for the
// secret in any of its forms (raw, URL-encoded, base64, JSON-escaped; base64
// text in JSON channels is decoded and searched too).
func TestSecretFormsEveryChannel(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	srv := echoServer(t)
	doc, err := filepath.Abs(filepath.Join("testdata", "secrets", "secrets.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ECHO_BEARER", secretForm("bearer credential with \" \\ < /"))
	t.Setenv("ECHO_KEY", secretForm("base64 apiKey in the query"))
	t.Setenv("ECHO_COOKIE", secretForm("apiKey cookie"))

	channels := map[string][]byte{} // name → content
	exec := func(name string, args ...string) int {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
		channels[name+" stdout"] = append(channels[name+" stdout"], out.Bytes()...)
		channels[name+" stderr"] = append(channels[name+" stderr"], errb.Bytes()...)
		return code
	}
	files := map[string]string{}
	runArgs := func(name string, extra ...string) []string {
		args := []string{"run", doc, "--workflow", "echo", "--input", "apiKey=" + secretForm("plain input sent as X-Api-Key"),
			"--auth", "bearerAuth=env:ECHO_BEARER", "--auth", "queryKey=env:ECHO_KEY", "--auth", "cookieKey=env:ECHO_COOKIE",
			"--server", "echo=" + srv.URL, "--state", state, "--verbose"}
		for _, f := range []struct{ flag, kind, ext string }{{"--trace", "", "trace.json"}, {"--har", "", "har"},
			{"--report", "junit", "junit.xml"}, {"--report", "json", "report.json"}, {"--report", "html", "report.html"}} {
			p := filepath.Join(dir, name+"."+f.ext)
			files[name+" "+f.ext] = p
			if f.kind != "" {
				p = f.kind + "=" + p
			}
			args = append(args, f.flag, p)
		}
		return append(args, extra...)
	}
	// The echo workflow ends failed on its last step, whose criteria quote the
	// echoed values: reasons, failures and errors are searched too.
	if code := exec("text", runArgs("text")...); code != ExitFailed {
		t.Fatalf("text run: exit %d\n%s%s", code, channels["text stdout"], channels["text stderr"])
	}
	if code := exec("json", runArgs("json", "--output", "json")...); code != ExitFailed {
		t.Fatalf("json run: exit %d\n%s", code, channels["json stderr"])
	}
	// --server credentials: a percent-encoded password, a raw one (the URL
	// does not parse: the run cannot even start), a user name only.
	host := strings.TrimPrefix(srv.URL, "http://")
	servers := map[string]string{
		"server password":  "http://ops:" + url.PathEscape(secretForm("--server password with # / ? % ^ space")) + "@" + host,
		"server raw":       "http://ops:" + secretForm("--server password written raw") + "@" + host,
		"server user only": "http://" + secretForm("--server username-only credential") + "@" + host,
	}
	for name, s := range servers {
		exec(name, "run", doc, "--workflow", "plain", "--server", "echo="+s, "--state", state, "--verbose",
			"--trace", filepath.Join(dir, name+".trace.json"))
		exec(name+" json", "run", doc, "--workflow", "plain", "--server", "echo="+s, "--state", state, "--output", "json")
		files[name+" trace"] = filepath.Join(dir, name+".trace.json")
	}

	// The journal: its views without --reveal, and its bytes.
	exec("runs list", "runs", "list", "--state", state, "--limit", "0")
	ids := runIDs(t, string(channels["runs list stdout"]))
	if len(ids) < 6 {
		t.Fatalf("runs list: %v\n%s", ids, channels["runs list stdout"])
	}
	for _, id := range ids {
		exec("runs show "+id, "runs", "show", id, "--state", state)
		exec("runs show json "+id, "runs", "show", id, "--state", state, "--output", "json")
	}
	for ch, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			channels[ch] = data
		}
	}
	journalBytes := map[string][]byte{}
	_ = filepath.WalkDir(state, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			journalBytes["journal file "+filepath.Base(p)], _ = os.ReadFile(p)
		}
		return nil
	})
	if len(journalBytes) == 0 {
		t.Fatal("no journal was written")
	}

	// The view of a run on Temporal: what 'runs show --temporal' shows of the
	// result a Temporal run returns (a runtime.Result, made here by a local run).
	channels["Temporal run view"] = temporalViewOfLocalRun(t, doc, srv.URL)

	var names []string
	for ch := range channels {
		names = append(names, ch)
	}
	sort.Strings(names)
	for _, ch := range names {
		hay := haystack(channels[ch])
		for _, f := range secretForms {
			if form, ok := holds(hay, f.value); ok {
				t.Errorf("%s holds the %s (as %q)", ch, f.what, form)
			}
		}
	}
	for ch, data := range journalBytes {
		hay := haystack(data)
		for _, f := range secretForms {
			if !f.cred {
				continue // a journal keeps what a resumed run needs, sensitive values too
			}
			if form, ok := holds(hay, f.value); ok {
				t.Errorf("%s holds the %s (as %q)", ch, f.what, form)
			}
		}
	}
	t.Logf("searched %d channels: %s", len(names), strings.Join(names, ", "))

	// Controls: the channels do show the exchanges, so the search above looks
	// at real data.
	for _, want := range []struct{ ch, text string }{
		{"text trace.json", "X-Subject-Token"}, {"text har", "X-Api-Key"}, {"text stdout", "→ GET"},
		{"json stderr", "Set-Cookie"}, {"text report.html", "data-step=\"check\""},
	} {
		if !bytes.Contains(channels[want.ch], []byte(want.text)) {
			t.Errorf("%s does not show %q: the test does not look at what it means to", want.ch, want.text)
		}
	}
	var out bytes.Buffer
	run(context.Background(), []string{"runs", "show", ids[0], "--state", state, "--reveal"}, strings.NewReader(""), &out, &out)
	if len(out.String()) == 0 {
		t.Error("runs show --reveal shows nothing")
	}
}

// temporalViewOfLocalRun renders, as 'runs show --temporal' does, the
// RunOutput a Temporal run of the echo workflow returns (recorded here as the
// workflow function records it, from a local run).
func temporalViewOfLocalRun(t *testing.T, doc, server string) []byte {
	t.Helper()
	ctx := context.Background()
	plan, _, err := runtime.Load(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	creds := runtime.CredentialMap{"bearerAuth": secretForm("bearer credential with \" \\ < /"),
		"queryKey": secretForm("base64 apiKey in the query"), "cookieKey": secretForm("apiKey cookie")}
	inputs := map[string]any{"apiKey": secretForm("plain input sent as X-Api-Key")}
	rec := temporal.NewOutputRecorder()
	secrets := &runtime.Secrets{}
	// The worker's activity hands the workflow its responses with the
	// credentials masked (temporal/activity.go): so does this driver.
	worker := runtime.WithEffects(func(local runtime.Effects) runtime.Effects { return credentialMasking{local, secrets} })
	res, err := plan.Run(ctx, "echo", inputs, runtime.WithServer("echo", server), runtime.WithCredentials(creds), runtime.WithSecrets(secrets), worker, runtime.WithObserver(rec))
	if err != nil {
		t.Fatal(err)
	}
	out := rec.Output(res)
	res = out.Result()
	r := &journal.Run{ID: "arazzo-echo-1", WorkflowID: "echo", Location: doc, Status: journal.Status(res.Status), Inputs: inputs,
		Outputs: res.Outputs, Started: res.Started, SecretInputs: []string{"apiKey"}}
	if res.Err != nil {
		r.Error = res.Err.Error()
	}
	var steps []reportedStep
	for i, st := range res.Steps {
		steps = append(steps, reportedStep{st, out.Steps[i].Sensitive})
	}
	var b bytes.Buffer
	v := reportedRunView(r, out.Sensitive, steps, false)
	if err := v.Write(&b, "text"); err != nil {
		t.Fatal(err)
	}
	if err := v.Write(&b, "json"); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// haystack is the content and, for JSON, every base64 string in it decoded.
func haystack(data []byte) []byte {
	out := append([]byte(nil), data...)
	var v any
	if json.Unmarshal(data, &v) != nil {
		return out
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if b, err := base64.StdEncoding.DecodeString(x); err == nil && len(x) >= 8 {
				out = append(append(out, '\n'), b...)
			}
		}
	}
	walk(v)
	return out
}

// holds reports whether hay holds secret in one of its forms.
func holds(hay []byte, secret string) (string, bool) {
	j, _ := json.Marshal(secret)
	jsonForm := string(j[1 : len(j)-1])
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	plain := strings.TrimSpace(buf.String())
	plain = plain[1 : len(plain)-1]
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), strings.ReplaceAll(url.QueryEscape(secret), "+", "%20"),
		base64.StdEncoding.EncodeToString([]byte(secret)), base64.RawURLEncoding.EncodeToString([]byte(secret)),
		jsonForm, plain, strings.ReplaceAll(jsonForm, "/", `\/`), strings.ReplaceAll(plain, "/", `\/`)}
	// The distinctive part alone: a secret cut or partly masked still shows it.
	if i := strings.Index(secret, "SECRET-"); i >= 0 {
		forms = append(forms, secret[i:])
	}
	for _, f := range forms {
		if bytes.Contains(hay, []byte(f)) {
			return f, true
		}
	}
	return "", false
}

// credentialMasking masks the credentials in the responses of its Effects.
type credentialMasking struct {
	runtime.Effects
	secrets *runtime.Secrets
}

func (c credentialMasking) Send(ctx context.Context, req *runtime.Request) *runtime.Response {
	resp := c.Effects.Send(ctx, req)
	out := *resp
	out.Sent = nil
	out.Body = []byte(c.secrets.MaskCredentials(string(resp.Body)))
	out.Header = http.Header{}
	for k, vs := range resp.Header {
		for _, v := range vs {
			out.Header.Add(k, c.secrets.MaskCredentials(v))
		}
	}
	return &out
}

// An input that holds a credential the run is also given is refused before
// anything is written, for a run and for a batch (whose shared inputs the
// batch record holds): the journal never holds it, and the refusal says once
// what to do instead.
func TestCredentialInputIsNotJournaled(t *testing.T) {
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	lines := filepath.Join(t.TempDir(), "lines.jsonl")
	if err := os.WriteFile(lines, []byte("{}\n{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const hint = "(credentials are given with --auth; --no-journal runs without a journal)"
	for name, extra := range map[string][]string{"run": nil, "batch": {"--inputs-file", lines, "--parallel", "2"}} {
		state := filepath.Join(t.TempDir(), "state")
		args := append([]string{"run", rotateFile, "--input", "search=" + apiToken, "--auth", "bearerAuth=" + apiToken,
			"--server", "mcpServerApi=" + api.URL, "--state", state, "--output", "json"}, extra...)
		code, stdout, stderr := execCLI(args...)
		if code != ExitIncomplete || strings.Count(stderr, hint) != 1 || !strings.Contains(stderr, "credentials are never journaled") {
			t.Errorf("%s: exit %d, want %d with the refusal and its hint once:\n%s", name, code, ExitIncomplete, stderr)
		}
		if n := len(api.Requests()); n != 0 {
			t.Errorf("%s: %d requests sent, want none", name, n)
		}
		if form, ok := holds([]byte(stdout+stderr), apiToken); ok {
			t.Errorf("%s: the output holds the credential (as %q)", name, form)
		}
		_ = filepath.WalkDir(state, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(p)
			if form, ok := holds(data, apiToken); ok {
				t.Errorf("%s: journal file %s holds the credential (as %q)", name, filepath.Base(p), form)
			}
			return nil
		})
	}
}
