package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds a Chromium binary, or skips the test saying how to get one.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("Chromium is not installed (apt-get install -y chromium): the page is not checked in a browser")
	return ""
}

// dumpDOM opens a local file in headless Chromium and returns the DOM after
// the page's scripts ran.
func dumpDOM(t *testing.T, chrome, file string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=10000", "--dump-dom", "file://"+file)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	return out.String()
}

// copyShop copies the shop documents into dir.
func copyShop(t *testing.T, dir string) string {
	t.Helper()
	for _, f := range []string{"shop.arazzo.yaml", "shop.openapi.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "shop", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "shop.arazzo.yaml")
}

// runCLI runs the arazzo binary (the test binary on PATH, see TestMain).
func runCLI(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("arazzo", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestHTMLReportInChromium opens the HTML report in a real browser: every step
// of the run is on the page with its request, response and criteria; the
// page's script ran (it opens failed steps); nothing is loaded from elsewhere;
// the API token appears nowhere.
func TestHTMLReportInChromium(t *testing.T) {
	chrome := chromium(t)
	s := newShop(shopToken)
	defer s.Close()
	dir := t.TempDir()
	doc := copyShop(t, dir)
	common := []string{"run", doc, "--workflow", "place-order", "--auth", "bearerAuth=" + shopToken, "--server", "shop=" + s.URL}

	passed := filepath.Join(dir, "passed.html")
	if out, code := runCLI(t, dir, append(common, "--input", "query=widget", "--report", "html="+passed)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	failed := filepath.Join(dir, "failed.html")
	if out, code := runCLI(t, dir, append(common, "--input", "query=nothing", "--report", "html="+failed)...); code != ExitFailed {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, f := range []string{passed, failed} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), shopToken) {
			t.Errorf("%s holds the API token", f)
		}
		if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//|<link\b|@import`).FindString(string(raw)); m != "" {
			t.Errorf("%s is not self-contained: %q", f, m)
		}
	}

	dom := dumpDOM(t, chrome, passed)
	steps := regexp.MustCompile(`<details class="step[^"]*" id="step-\d+" data-step="([^"]+)" data-workflow="[^"]+" data-status="([^"]+)"`).FindAllStringSubmatch(dom, -1)
	var got []string
	for _, m := range steps {
		got = append(got, m[1]+":"+m[2])
	}
	want := "ping:passed findItem:passed reserve:passed order:passed audit:passed readOrder:passed"
	if strings.Join(got, " ") != want {
		t.Errorf("steps on the page: %v, want %s", got, want)
	}
	for _, want := range []string{
		`data-steps="6"`, // set by the page's script
		`Authorization: Bearer ***`,
		`POST ` + s.URL + `/orders`,
		`503 Service Unavailable`, // the retried attempt of reserve
		`201 Created`,
		`$statusCode == 201`,
		`<span class="badge passed">passed</span>`,
	} {
		if !strings.Contains(dom, strings.ReplaceAll(want, "&", "&amp;")) {
			t.Errorf("the page lacks %q", want)
		}
	}

	dom = dumpDOM(t, chrome, failed)
	if !regexp.MustCompile(`<details class="step[^"]*" id="step-\d+" data-step="findItem" data-workflow="place-order" data-status="failed" open="">`).MatchString(dom) {
		t.Errorf("the failed step is not open on the page")
	}
	if !strings.Contains(dom, `jsonpath $.items[0] selected no node`) {
		t.Errorf("the failed criterion's reason is not on the page")
	}
}

// TestMermaidInChromium renders the Mermaid output of arazzo graph with
// Mermaid itself, in a browser. It needs Mermaid's browser bundle, pinned in
// testdata/mermaid (npm ci --prefix cmd/arazzo/testdata/mermaid; .ci/run
// does, and sets ARAZZO_MERMAID=require so that the test runs there), or
// MERMAID_JS naming another mermaid.min.js.
func TestMermaidInChromium(t *testing.T) {
	js := os.Getenv("MERMAID_JS")
	if js == "" {
		js = filepath.Join("testdata", "mermaid", "node_modules", "mermaid", "dist", "mermaid.min.js")
	}
	js, err := filepath.Abs(js)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(js); err != nil {
		why := fmt.Sprintf("Mermaid is not installed (%v): run 'npm ci --prefix cmd/arazzo/testdata/mermaid' (.ci/run does), or set MERMAID_JS to a mermaid.min.js; the Mermaid output is not rendered", err)
		if os.Getenv("ARAZZO_MERMAID") == "require" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	chrome := chromium(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	doc := copyShop(t, dir)
	flows := filepath.Join(dir, "flows.arazzo.yaml")
	data, err := os.ReadFile(filepath.Join("testdata", "shop", "flows.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(flows, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args  []string
		nodes int
		text  string // a label as the browser shows it, serialized
	}{
		{[]string{"graph", "workato/rotate-mcp-server-token"}, 6, "renewToken<br>POST /api/mcp/mcp_servers/{handle}/token_renew"},
		{[]string{"graph", doc, "--workflow", "place-order"}, 15, "goto inStock: $response.body#/items/0/inStock == true"},
		// AsyncAPI steps: a send (flag), a receive (parallelogram), and the
		// message edge from one to the other.
		{[]string{"graph", filepath.Join(root, "runtime", "testdata", "async", "pet", "pet-purchase.arazzo.yaml")}, 7, "purchasePetStep<br>send place-order"},
		{[]string{"graph", flows}, 9, `goto fallback: $statusCode &gt;= 500 &amp;&amp; $statusCode &lt; 600 &amp;&amp; $response.body#/status == "down"`},
	} {
		out, code := runCLI(t, dir, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, out)
		}
		src, _ := json.Marshal(out)
		page := `<!DOCTYPE html><html><body><div id="out">pending</div>
<script src="file://` + js + `"></script>
<script>
mermaid.initialize({startOnLoad: false});
mermaid.render("g", ` + string(src) + `).then(function (r) {
  document.getElementById("out").innerHTML = r.svg;
  document.body.dataset.result = "ok";
}).catch(function (e) { document.body.dataset.result = "error: " + e; });
</script></body></html>`
		html := filepath.Join(dir, "mermaid.html")
		if err := os.WriteFile(html, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		dom := dumpDOM(t, chrome, html)
		if !strings.Contains(dom, `data-result="ok"`) {
			m := regexp.MustCompile(`data-result="([^"]*)"`).FindStringSubmatch(dom)
			t.Fatalf("%v: Mermaid did not render the graph: %v", tc.args, m)
		}
		if n := strings.Count(dom, `class="node `); n != tc.nodes {
			t.Errorf("%v: %d nodes rendered, want %d", tc.args, n, tc.nodes)
		}
		if !strings.Contains(dom, "<p>"+tc.text+"</p>") {
			t.Errorf("%v: the page lacks the label %s", tc.args, tc.text)
		}
	}
}
