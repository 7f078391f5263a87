package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// sessionToken is a token a response returns under a secret-like name.
const sessionToken = "sess-4f1c9e27b8d0"

// hostileJSON is a value a hostile server returns, as JSON text: it clears
// the screen, sets the window title, writes the clipboard (OSC 52) and starts
// lines with GitHub workflow commands.
const hostileJSON = `\u001b[2J\u001b]0;owned\u0007\u001b]52;c;ZXZpbA==\u0007\n::add-mask::x\n::error::pwned\r::stop-commands::t`

func hostileValue() string {
	var s string
	if err := json.Unmarshal([]byte(`"`+hostileJSON+`"`), &s); err != nil {
		panic(err)
	}
	return s
}

func secretsDoc(t *testing.T) string {
	t.Helper()
	doc, err := filepath.Abs(filepath.Join("testdata", "secrets", "secrets.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func execCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// A credential a workflow output echoes is masked even where the outputs are
// handed over (stdout in text and JSON, --output-file); a sensitive value
// that is not a credential — a token the API returned — is handed over.
func TestCredentialEchoedInOutputs(t *testing.T) {
	srv := echoServer(t)
	dir := t.TempDir()
	cred := secretForm("bearer credential with \" \\ < /")
	t.Setenv("ECHO_BEARER", cred)
	t.Setenv("ECHO_KEY", "key-0123456789")
	t.Setenv("ECHO_COOKIE", "cookie-0123456789")
	base := []string{"run", secretsDoc(t), "--workflow", "echo", "--input", "apiKey=k-1", "--auth", "bearerAuth=env:ECHO_BEARER",
		"--auth", "queryKey=env:ECHO_KEY", "--auth", "cookieKey=env:ECHO_COOKIE", "--server", "echo=" + srv.URL, "--no-journal"}
	_, text, _ := execCLI(base...)
	_, js, _ := execCLI(append(base, "--output", "json")...)
	file := filepath.Join(dir, "outputs.json")
	execCLI(append(base, "--output-file", file)...)
	handed, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text stdout": text, "json stdout": js, "--output-file": string(handed)} {
		if form, ok := holds([]byte(out), cred); ok {
			t.Errorf("%s holds the credential (as %q):\n%s", name, form, out)
		}
		if !strings.Contains(out, "Bearer ***") {
			t.Errorf("%s does not hand the output over masked:\n%s", name, out)
		}
	}
	var res struct{ Outputs map[string]any }
	if err := json.Unmarshal([]byte(js), &res); err != nil || res.Outputs["echoed"] != "Bearer ***" {
		t.Errorf("--output json: %v %v", res.Outputs, err)
	}
	// The session token is no credential of the run: it is handed over.
	_, out, _ := execCLI("run", secretsDoc(t), "--workflow", "session", "--server", "echo="+srv.URL, "--no-journal", "--output", "json")
	if !strings.Contains(out, sessionToken) {
		t.Errorf("the session token is not handed over:\n%s", out)
	}
}

// 'runs show' masks a recorded run by the rule of the live channels: an
// output of any name that holds a value a response carried under a
// secret-like name (tok: $response.body#/session_token) is masked, as
// --verbose, the trace and the HAR mask it; --reveal shows it.
func TestRunsShowMasksLikeLive(t *testing.T) {
	srv := echoServer(t)
	state := filepath.Join(t.TempDir(), "state")
	trace := filepath.Join(t.TempDir(), "trace.json")
	if code, out, errs := execCLI("run", secretsDoc(t), "--workflow", "session", "--server", "echo="+srv.URL, "--state", state, "--trace", trace); code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	data, _ := os.ReadFile(trace)
	if bytes.Contains(data, []byte(sessionToken)) {
		t.Fatal("the trace holds the session token: the live rule changed")
	}
	for _, args := range [][]string{{"runs", "show", "last", "--state", state}, {"runs", "show", "last", "--state", state, "--output", "json"}} {
		_, out, _ := execCLI(args...)
		if strings.Contains(out, sessionToken) || !strings.Contains(out, "***") {
			t.Errorf("%s shows the session token:\n%s", strings.Join(args, " "), out)
		}
	}
	if _, out, _ := execCLI("runs", "show", "last", "--state", state, "--reveal"); !strings.Contains(out, sessionToken) {
		t.Errorf("runs show --reveal does not show the session token:\n%s", out)
	}
}

// Every report file is masked and private: mode 0600, replaced atomically
// (no partial file, no file left beside it); --report json holds no
// sensitive value, as the other reports.
func TestReportFilesPrivate(t *testing.T) {
	srv := echoServer(t)
	dir, links := t.TempDir(), t.TempDir()
	files := map[string]string{}
	args := []string{"run", secretsDoc(t), "--workflow", "session", "--server", "echo=" + srv.URL, "--no-journal"}
	for _, f := range []struct{ flag, kind string }{{"--trace", ""}, {"--har", ""}, {"--report", "junit"}, {"--report", "json"}, {"--report", "html"}} {
		name := strings.TrimPrefix(f.flag, "--") + f.kind
		p := filepath.Join(dir, name)
		files[name] = p
		// An earlier report, readable by all, is replaced.
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		// A hard link to it keeps the old content only if the report is a new
		// file renamed into place, not the old one rewritten.
		if err := os.Link(p, filepath.Join(links, name)); err != nil {
			t.Fatal(err)
		}
		if f.kind != "" {
			args = append(args, f.flag, f.kind+"="+p)
		} else {
			args = append(args, f.flag, p)
		}
	}
	if code, out, errs := execCLI(args...); code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for name, p := range files {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, []byte(sessionToken)) {
			t.Errorf("%s holds the session token", name)
		}
		if string(data) == "old" {
			t.Errorf("%s was not replaced", name)
		}
		if old, _ := os.ReadFile(filepath.Join(links, name)); string(old) != "old" {
			t.Errorf("%s was rewritten in place, not replaced by a rename", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(files) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files beside the reports: %v", names)
	}
}

// Text a hostile server or document supplies cannot drive a terminal or a CI
// log: control characters are shown escaped (\x1b, \n) in text output and
// --verbose, no line starts with "::" (a GitHub workflow command), JUnit XML
// stays well-formed, and --output json carries the value exactly.
func TestTerminalInjection(t *testing.T) {
	srv := echoServer(t)
	dir := t.TempDir()
	junit := filepath.Join(dir, "junit.xml")
	state := filepath.Join(dir, "state")
	base := []string{"run", secretsDoc(t), "--workflow", "hostile", "--server", "echo=" + srv.URL, "--state", state}
	code, text, textErr := execCLI(append(base, "--verbose", "--report", "junit="+junit)...)
	if code != ExitFailed { // its criterion, written with ESC in the document, fails
		t.Fatalf("exit %d\n%s%s", code, text, textErr)
	}
	_, js, jsErr := execCLI(append(base, "--output", "json", "--verbose")...)
	// The journal's views of the same runs, as text.
	_, list, listErr := execCLI("runs", "list", "--state", state)
	ids := runIDs(t, list)
	if len(ids) != 2 {
		t.Fatalf("runs list: %v\n%s%s", ids, list, listErr)
	}
	outs := map[string]string{"text stdout": text, "text stderr": textErr, "json stderr": jsErr, "runs list": list + listErr}
	for _, id := range ids {
		_, show, showErr := execCLI("runs", "show", id, "--state", state, "--reveal")
		outs["runs show --reveal "+id] = show + showErr
		if !strings.Contains(show, `\x1b]0;owned\x07`) {
			t.Errorf("runs show %s does not show the value escaped:\n%s", id, show)
		}
	}
	commandLine := regexp.MustCompile(`(?m)^\s*::`)
	for name, out := range outs {
		if i := strings.IndexFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }); i >= 0 {
			t.Errorf("%s holds control character %q at %d:\n%q", name, out[i], i, out)
		}
		if commandLine.MatchString(out) {
			t.Errorf("%s has a line that starts with '::':\n%s", name, out)
		}
	}
	if !strings.Contains(text, `note: \x1b[2J\x1b]0;owned\x07`) || !strings.Contains(text, `\n::add-mask::x\n::error::pwned\r`) {
		t.Errorf("the text output does not show the value escaped:\n%s", text)
	}
	var res struct{ Outputs map[string]any }
	if err := json.Unmarshal([]byte(js), &res); err != nil || res.Outputs["note"] != hostileValue() {
		t.Errorf("--output json does not carry the value exactly: %q (%v)", res.Outputs["note"], err)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the JUnit report is not well-formed XML: %v\n%s", err, data)
		}
	}
}

// bigBody is a 2 MiB response body.
var bigBody = bytes.Repeat([]byte(`{"pad":"0123456789abcdef0123456789abcde"}`+"\n"), 2<<20/42)

// A step retried 20 times on a 2 MiB response: the trace and the HAR keep a
// bounded part of each body (report.DefaultMaxBody, report.DefaultMaxBodies
// for the run, each cut body marked truncated), so their size — and the
// memory that holds them — stays flat with the number of attempts.
func TestTraceBoundedAcrossRetries(t *testing.T) {
	srv := echoServer(t)
	dir := t.TempDir()
	trace, har := filepath.Join(dir, "trace.json"), filepath.Join(dir, "run.har")
	code, out, errs := execCLI("run", secretsDoc(t), "--workflow", "busy", "--server", "echo="+srv.URL, "--no-journal",
		"--trace", trace, "--har", har, "--output", "json")
	if code != ExitFailed {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	received := 21 * len(bigBody)
	for _, p := range []string{trace, har} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 20<<20 {
			t.Errorf("%s: %d MiB for %d MiB received; the bodies it keeps are not bounded", filepath.Base(p), fi.Size()>>20, received>>20)
		}
	}
	data, _ := os.ReadFile(trace)
	if n := bytes.Count(data, []byte(`"truncated": true`)); n != 21 {
		t.Errorf("%d bodies marked truncated, want 21", n)
	}
}

// An --output-file the outputs could not be written to is refused before
// anything is sent: found at the end, after the renewal, it would leave the
// new token on standard output alone.
func TestOutputFileCheckedBeforeTheRun(t *testing.T) {
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	dir := t.TempDir()
	for name, c := range map[string]struct{ path, msg string }{
		"missing directory": {filepath.Join(dir, "missing", "out.json"), "directory " + filepath.Join(dir, "missing") + " does not exist"},
		"a directory":       {dir, "is a directory"},
	} {
		code, stdout, stderr := execCLI("run", rotateFile, "--input", "search=sales", "--auth", "bearerAuth="+apiToken,
			"--server", "mcpServerApi="+api.URL, "--no-journal", "--output-file", c.path)
		if code != ExitUsage || !strings.Contains(stderr, "--output-file "+c.path+": "+c.msg) {
			t.Errorf("%s: exit %d, want %d with %q:\n%s%s", name, code, ExitUsage, c.msg, stdout, stderr)
		}
		if n := len(api.Requests()); n != 0 {
			t.Errorf("%s: %d requests sent before the refusal", name, n)
		}
	}
	out := filepath.Join(dir, "out.json")
	if code, _, stderr := execCLI("run", rotateFile, "--input", "search=sales", "--auth", "bearerAuth="+apiToken,
		"--server", "mcpServerApi="+api.URL, "--no-journal", "--output-file", out); code != ExitOK {
		t.Fatalf("a writable --output-file: exit %d\n%s", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the directory holds %d entries after the run, want the outputs file alone (the check leaves nothing)", len(entries))
	}
}
