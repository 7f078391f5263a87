package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// leakDocument is the bundled rotate workflow with a password input sent as a
// header, and (failing) a criterion on the renewed token that cannot hold, so
// that its reason quotes the token.
func leakDocument(t *testing.T, dir string, failing bool) string {
	t.Helper()
	data, err := os.ReadFile(rotateFile)
	if err != nil {
		t.Fatal(err)
	}
	// The description goes beside the document: sources are read only inside
	// the document's directory tree (source-outside).
	api, err := os.ReadFile(filepath.Join("..", "..", "workflows", "workato", "openapi", "workato-mcp-server-openapi.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "workato-mcp-server-openapi.yml"), api, 0o644); err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	edits := [][2]string{
		{"url: ../openapi/workato-mcp-server-openapi.yml", "url: workato-mcp-server-openapi.yml"},
		{"    properties:\n      search:\n", "    properties:\n      note:\n        type: string\n        format: password\n      search:\n"},
		{"    - name: per_page\n      in: query\n      value: 100\n", "    - name: per_page\n      in: query\n      value: 100\n    - name: X-Audit-Note\n      in: header\n      value: $inputs.note\n"},
	}
	if failing {
		edits = append(edits, [2]string{"    outputs:\n      token: $response.body#/token\n",
			"    - condition: $response.body#/token == \"mcp_not_this_one\"\n    outputs:\n      token: $response.body#/token\n"})
	}
	for _, e := range edits {
		if !strings.Contains(doc, e[0]) {
			t.Fatalf("the rotate workflow changed: no %q in it", e[0])
		}
		doc = strings.Replace(doc, e[0], e[1], 1)
	}
	name := "leak.arazzo.yaml"
	if failing {
		name = "leak-failing.arazzo.yaml"
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNoLeaks searches every output channel — stdout, stderr with --verbose,
// --trace, --har, the reports, and the journal view without --reveal — for the
// credential, the password input and the renewed tokens (a secret-like
// response field). The outputs are handed over with --output-file, so no
// channel has a reason to hold a token. The channels that exist are found in
// 'run --help'.
func TestNoLeaks(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	const password = "correct-horse-battery-9"
	t.Setenv("WORKATO_TOKEN", apiToken)

	channels := map[string]string{} // name → content
	exec := func(name string, args ...string) int {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
		channels[name+" stdout"] += out.String()
		channels[name+" stderr"] += errb.String()
		return code
	}
	var help bytes.Buffer
	run(context.Background(), []string{"run", "--help"}, strings.NewReader(""), &help, &help)
	has := func(flag string) bool { return strings.Contains(help.String(), "--"+flag+" ") }

	files := map[string]string{} // channel → file
	runArgs := func(name, doc string, extra ...string) []string {
		args := []string{"run", doc, "--input", "search=sales", "--input", "note=" + password, "--auth", "bearerAuth=env:WORKATO_TOKEN",
			"--server", "mcpServerApi=" + api.URL, "--state", state, "--verbose", "--output-file", filepath.Join(dir, name+".outputs.json")}
		if has("trace") {
			files[name+" trace"] = filepath.Join(dir, name+".trace.json")
			args = append(args, "--trace", files[name+" trace"])
		}
		if has("har") {
			files[name+" HAR"] = filepath.Join(dir, name+".har")
			args = append(args, "--har", files[name+" HAR"])
		}
		if has("report") {
			for _, kind := range []string{"junit", "json", "html"} {
				files[name+" report "+kind] = filepath.Join(dir, name+".report."+kind)
				args = append(args, "--report", kind+"="+files[name+" report "+kind])
			}
		}
		return append(args, extra...)
	}
	var tokens []string
	if code := exec("passing text", runArgs("passing-text", leakDocument(t, dir, false))...); code != ExitOK {
		t.Fatalf("passing run: exit %d\n%s", code, channels["passing text stdout"]+channels["passing text stderr"])
	}
	tokens = append(tokens, api.Token("sales-assistant-7f3a"))
	if code := exec("passing json", runArgs("passing-json", leakDocument(t, dir, false), "--output", "json")...); code != ExitOK {
		t.Fatalf("json run: exit %d\n%s", code, channels["passing json stderr"])
	}
	tokens = append(tokens, api.Token("sales-assistant-7f3a"))
	if code := exec("failing", runArgs("failing", leakDocument(t, dir, true))...); code != ExitFailed {
		t.Fatalf("failing run: exit %d\n%s", code, channels["failing stdout"]+channels["failing stderr"])
	}
	tokens = append(tokens, api.Token("sales-assistant-7f3a"))
	if !strings.Contains(channels["failing stdout"], "mcp_not_this_one") {
		t.Fatalf("the failing criterion is not shown; the test does not exercise the masking of its reason:\n%s", channels["failing stdout"])
	}

	// The journal view, without --reveal.
	exec("runs list", "runs", "list", "--state", state)
	for _, id := range []string{"last"} {
		exec("runs show", "runs", "show", id, "--state", state)
		exec("runs show json", "runs", "show", id, "--state", state, "--output", "json")
	}
	ids := runIDs(t, channels["runs list stdout"])
	if len(ids) != 3 {
		t.Fatalf("runs list: %v\n%s", ids, channels["runs list stdout"])
	}
	for _, id := range ids {
		exec("runs show "+id, "runs", "show", id, "--state", state)
		exec("runs show json "+id, "runs", "show", id, "--state", state, "--output", "json")
	}
	for ch, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Errorf("%s: %v", ch, err)
			continue
		}
		channels[ch] = string(data)
	}

	secrets := map[string]string{"the credential": apiToken, "the password input": password}
	for i, tok := range tokens {
		secrets["renewed token "+string(rune('1'+i))] = tok
	}
	var names []string
	for ch := range channels {
		names = append(names, ch)
	}
	sort.Strings(names)
	for _, ch := range names {
		for what, s := range secrets {
			if strings.Contains(channels[ch], s) {
				t.Errorf("%s holds %s", ch, what)
			}
		}
	}
	t.Logf("searched %d channels: %s", len(names), strings.Join(names, ", "))

	// Controls: the data is there where it is meant to be, so the search above
	// looks at real output.
	handed, err := os.ReadFile(filepath.Join(dir, "passing-text.outputs.json"))
	if err != nil || !strings.Contains(string(handed), tokens[0]) {
		t.Errorf("--output-file does not hand the token over: %s (%v)", handed, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "passing-text.outputs.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("--output-file mode: %v (%v)", fi.Mode().Perm(), err)
	}
	var out bytes.Buffer
	run(context.Background(), []string{"runs", "show", ids[len(ids)-1], "--state", state, "--reveal"}, strings.NewReader(""), &out, &out)
	if !strings.Contains(out.String(), tokens[0]) || !strings.Contains(out.String(), password) {
		t.Errorf("runs show --reveal does not show the token and the password: the journal view is not looking at the data\n%s", out.String())
	}
	if !strings.Contains(channels["passing text stdout"], "X-Audit-Note") && !strings.Contains(channels["passing text stderr"], "X-Audit-Note") {
		t.Logf("--verbose does not print request headers")
	}
}

// runIDs reads the run IDs of 'runs list'.
func runIDs(t *testing.T, list string) []string {
	t.Helper()
	var ids []string
	for _, line := range strings.Split(list, "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			ids = append(ids, f[0])
		}
	}
	return ids
}

// TestServerCredentialsNotJournaled: a password in a --server URL is sent, but
// is in no output, no trace and no byte of the journal; resuming such a run
// asks for the --server option again.
func TestServerCredentialsNotJournaled(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	const password = "server-pass-77"
	server := strings.Replace(api.URL, "http://", "http://ops:"+password+"@", 1)
	trace := filepath.Join(dir, "trace.json")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"run", rotateFile, "--input", "search=sales", "--server", "mcpServerApi=" + server,
		"--state", state, "--verbose", "--trace", trace}, strings.NewReader(""), &out, &errb)
	// The API wants its bearer token, so the Basic credentials are refused.
	if code != ExitFailed || !strings.Contains(out.String()+errb.String(), "401") {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	channels := map[string]string{"stdout": out.String(), "stderr": errb.String()}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			channels[p] = string(data)
		}
		return nil
	})
	if _, ok := channels[trace]; !ok || len(channels) < 4 {
		t.Fatalf("the run wrote no trace or no journal: %d files", len(channels)-2)
	}
	for name, content := range channels {
		if strings.Contains(content, password) {
			t.Errorf("%s holds the --server password", name)
		}
	}
	out.Reset()
	errb.Reset()
	code = run(context.Background(), []string{"run", "--resume", "last", "--state", state}, strings.NewReader(""), &out, &errb)
	if code != ExitUsage || !strings.Contains(errb.String(), "give the same --server options again") {
		t.Errorf("resume without --server: exit %d\n%s", code, errb.String())
	}
}
