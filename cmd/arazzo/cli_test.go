package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

const shopToken = "shop-tok-5e1d9a77c3b2"

// TestCLIScripts runs the scripts in testdata/cli: the commands and flags of
// the CLI experience (describe, graph, dry runs, progress, traces and
// reports). Each script gets a Workato-like API and a shop API on 127.0.0.1:
//
//	$WORKATO_URL, $WORKATO_API_TOKEN, $ROTATE  as in testdata/script
//	$SHOP_URL, $SHOP_TOKEN                      the shop API and its token (shop_test.go)
//	$SHOP                                       the shop's Arazzo and OpenAPI documents (testdata/shop)
//	$ROOT                                       the repository root
//	$CLOSED_URL                                 a URL nothing listens on
func TestCLIScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/cli"))
}

// scriptParams gives every script of dir its own servers on 127.0.0.1 and
// journal directory, and the commands that inspect them.
func scriptParams(t *testing.T, dir string) testscript.Params {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	shopDir, err := filepath.Abs("testdata/shop")
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		Setup: func(env *testscript.Env) error {
			w := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
			env.Defer(w.Close)
			s := newShop(shopToken)
			env.Defer(s.Close)
			env.Values["shop"] = s
			env.Values["workato"] = w
			initial := map[string]string{}
			for _, s := range testserver.DefaultServers() {
				initial[s.Handle] = w.Token(s.Handle)
			}
			env.Values["initial-tokens"] = initial
			env.Setenv("WORKATO_URL", w.URL)
			env.Setenv("WORKATO_API_TOKEN", apiToken)
			env.Setenv("ROTATE", filepath.Join(root, "workflows/workato/arazzo/workato-rotate-mcp-server-token-workflow.yml"))
			env.Setenv("SHOP_URL", s.URL)
			env.Setenv("SHOP_TOKEN", shopToken)
			env.Setenv("SHOP", shopDir)
			env.Setenv("ROOT", root)
			env.Setenv("CLOSED_URL", closedURL(t))
			env.Setenv("NO_COLOR", "1")
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, ".state")) // the run journal
			return nil
		},
		// [temporal]: the command is the build with -tags temporal.
		Condition: func(cond string) (bool, error) {
			if cond == "temporal" {
				return temporalBuild, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cmpnorm":    cmdCmpNorm,
			"junit":      cmdJUnit,
			"har":        cmdHAR,
			"tracevalid": cmdTraceValid,
			"shop":       cmdShop,
			"nocontrol":  cmdNoControl,
			"workato":    cmdWorkato,
			"freeport":   cmdFreePort,
			"waitlisten": cmdWaitListen,
			"servefiles": cmdServeFiles,
		},
	}
}

var (
	normDuration = regexp.MustCompile(`\s*\b\d+(\.\d+)?(ms|s)\b`)
	normTime     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?`)
	normSeconds  = regexp.MustCompile(`time="\d+\.\d+"`)
)

// normalize hides what changes from run to run: durations and times.
func normalize(s string) string {
	s = normTime.ReplaceAllString(s, "<time>")
	s = normSeconds.ReplaceAllString(s, `time="<t>"`)
	return normDuration.ReplaceAllString(s, " <dur>")
}

// cmdCmpNorm compares a file (or stdout/stderr) with a golden file after
// normalizing durations and times in both. $NAME and ${NAME} in the golden
// file, NAME in upper case and set in the script's environment, are expanded;
// everything else ($steps..., $statusCode) stays as written.
//
//	cmpnorm stdout golden.txt
func cmdCmpNorm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmpnorm FILE GOLDEN")
	}
	got := normalize(ts.ReadFile(args[0]))
	if os.Getenv("UPDATE_GOLDEN") == "1" && !neg {
		updateGolden(ts, args[1], got)
		return
	}
	want := normalize(expandEnv(ts, ts.ReadFile(args[1])))
	if (got == want) == neg {
		if neg {
			ts.Fatalf("%s matches %s", args[0], args[1])
		}
		ts.Logf("got (normalized):\n%s", got)
		ts.Fatalf("%s differs from %s:\n%s", args[0], args[1], lineDiff(want, got))
	}
}

var envRef = regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)\}|\$([A-Z][A-Z0-9_]*)`)

func expandEnv(ts *testscript.TestScript, s string) string {
	return envRef.ReplaceAllStringFunc(s, func(m string) string {
		name := strings.Trim(m, "${}")
		if v := ts.Getenv(name); v != "" {
			return v
		}
		return m
	})
}

// updateGolden writes a golden file back into the script's archive
// (UPDATE_GOLDEN=1 go test -run TestCLIScripts), with the values of the
// environment variables it uses written as $NAME again.
func updateGolden(ts *testscript.TestScript, name, text string) {
	for _, v := range []string{"WORK", "SHOP_URL", "WORKATO_URL", "SHOP", "ROOT", "CLOSED_URL"} {
		if val := ts.Getenv(v); val != "" {
			text = strings.ReplaceAll(text, val, "$"+v)
		}
	}
	path := filepath.Join("testdata", "cli", ts.Name()+".txtar")
	ar, err := txtar.ParseFile(path)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	found := false
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data, found = []byte(text), true
		}
	}
	if !found {
		ts.Fatalf("%s has no file %s", path, name)
	}
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Logf("updated %s in %s", name, path)
}

// lineDiff lists the first lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, "line "+strconv.Itoa(i+1)+":\n  want: "+a+"\n  got:  "+b)
			if len(out) == 5 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// cmdJUnit parses a JUnit XML file and checks its counts:
//
//	junit FILE TESTS FAILURES ERRORS
func cmdJUnit(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: junit FILE TESTS FAILURES ERRORS")
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Error   *struct{} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(ts.ReadFile(args[0])), &doc); err != nil {
		ts.Fatalf("%s is not XML: %v", args[0], err)
	}
	want := [3]int{atoi(ts, args[1]), atoi(ts, args[2]), atoi(ts, args[3])}
	got := [3]int{doc.Tests, doc.Failures, doc.Errors}
	// The totals must agree with the suites, and the suites with their cases.
	var sum, cases [3]int
	for _, s := range doc.Suites {
		sum[0], sum[1], sum[2] = sum[0]+s.Tests, sum[1]+s.Failures, sum[2]+s.Errors
		for _, c := range s.Cases {
			cases[0]++
			if c.Failure != nil {
				cases[1]++
			}
			if c.Error != nil {
				cases[2]++
			}
		}
	}
	ok := got == want && sum == got && cases == got
	if ok == neg {
		ts.Fatalf("junit %s: totals %v, suites %v, cases %v; want %v", args[0], got, sum, cases, want)
	}
}

// cmdHAR parses a HAR file and checks it holds N entries, each with a request
// and a response:
//
//	har FILE N
func cmdHAR(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: har FILE N")
	}
	var doc struct {
		Log struct {
			Version string `json:"version"`
			Creator struct {
				Name string `json:"name"`
			} `json:"creator"`
			Entries []struct {
				StartedDateTime string  `json:"startedDateTime"`
				Time            float64 `json:"time"`
				Request         struct {
					Method  string `json:"method"`
					URL     string `json:"url"`
					Headers []struct {
						Name, Value string
					} `json:"headers"`
				} `json:"request"`
				Response *struct {
					Status int `json:"status"`
				} `json:"response"`
				Timings *struct {
					Wait float64 `json:"wait"`
				} `json:"timings"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc); err != nil {
		ts.Fatalf("%s is not JSON: %v", args[0], err)
	}
	if doc.Log.Version != "1.2" || doc.Log.Creator.Name != "arazzo" {
		ts.Fatalf("%s: log.version %q, creator %q", args[0], doc.Log.Version, doc.Log.Creator.Name)
	}
	for i, e := range doc.Log.Entries {
		if e.Request.Method == "" || e.Request.URL == "" || e.Response == nil || e.Timings == nil || e.StartedDateTime == "" {
			ts.Fatalf("%s: entry %d lacks a required field", args[0], i)
		}
	}
	n := atoi(ts, args[1])
	if (len(doc.Log.Entries) == n) == neg {
		ts.Fatalf("%s: %d entries, want %d", args[0], len(doc.Log.Entries), n)
	}
}

// cmdTraceValid validates a trace against docs/trace-schema.json.
//
//	tracevalid FILE
func cmdTraceValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: tracevalid FILE")
	}
	sch := traceSchema(ts.Fatalf, ts.Getenv("ROOT"))
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &v); err != nil {
		ts.Fatalf("%s is not JSON: %v", args[0], err)
	}
	err := sch.Validate(v)
	if (err == nil) == neg {
		ts.Fatalf("%s: validation against docs/trace-schema.json: %v", args[0], err)
	}
}

func traceSchema(fatalf func(string, ...any), root string) *jsonschema.Schema {
	path := filepath.Join(root, "docs", "trace-schema.json")
	f, err := os.Open(path)
	if err != nil {
		fatalf("%v", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		fatalf("%s: %v", path, err)
	}
	sch, err := c.Compile(path)
	if err != nil {
		fatalf("%s: %v", path, err)
	}
	return sch
}

// TestTraceSchemaRejects: the schema is not vacuous; it refuses traces that
// miss what docs/cli.md promises.
func TestTraceSchemaRejects(t *testing.T) {
	sch := traceSchema(t.Fatalf, "../..")
	valid := `{"traceVersion":1,"tool":"arazzo","document":"d.yaml","workflowId":"w","status":"passed",
		"inputs":{},"outputs":{},"startedAt":"2026-01-02T03:04:05.5Z","durationMs":1.5,"workflows":[],"warnings":[],
		"steps":[{"workflowId":"w","stepId":"s","depth":0,"status":"passed","attempts":1,"startedAt":"2026-01-02T03:04:05Z",
		"durationMs":1,"outputs":{},"criteria":[],"actions":[],"exchanges":[{"kind":"http","attempt":1,"startedAt":"2026-01-02T03:04:05Z",
		"durationMs":1,"request":{"method":"GET","url":"http://x/","headers":{"Authorization":["Bearer ***"]}},
		"response":{"status":200,"headers":{}}}]}]}`
	for _, tc := range []struct{ name, from, to string }{
		{"valid", "", ""},
		{"status", `"status":"passed",`, `"status":"ok",`},
		{"time", `"startedAt":"2026-01-02T03:04:05.5Z"`, `"startedAt":"yesterday"`},
		{"no exchanges", `"exchanges":[`, `"exchange":[`},
		{"header values", `"Authorization":["Bearer ***"]`, `"Authorization":"Bearer ***"`},
		{"response status", `"status":200`, `"status":42`},
		{"http exchange without its request", `"request":{"method":"GET","url":"http://x/","headers":{"Authorization":["Bearer ***"]}},`, ``},
		{"body truncated", `"response":{"status":200,"headers":{}}`, `"response":{"status":200,"headers":{},"body":{"size":9,"text":"x","truncated":"yes"}}`},
	} {
		var v any
		if err := json.Unmarshal([]byte(strings.Replace(valid, tc.from, tc.to, 1)), &v); err != nil {
			t.Fatal(err)
		}
		err := sch.Validate(v)
		if (err == nil) != (tc.name == "valid") {
			t.Errorf("%s: validation error %v", tc.name, err)
		}
	}
}

// cmdShop checks the requests the shop API received:
//
//	shop requests N
func cmdShop(ts *testscript.TestScript, neg bool, args []string) {
	s := ts.Value("shop").(*shop)
	if len(args) != 2 || args[0] != "requests" {
		ts.Fatalf("usage: shop requests N")
	}
	got := s.Requests()
	if (len(got) == atoi(ts, args[1])) == neg {
		ts.Fatalf("shop requests: got %d (%s), want %s", len(got), strings.Join(got, ", "), args[1])
	}
}

// cmdNoControl checks that a file holds no control characters but newlines
// and tabs (no colours, no cursor movement).
//
//	nocontrol stdout
func cmdNoControl(ts *testscript.TestScript, neg bool, args []string) {
	for _, name := range args {
		text := ts.ReadFile(name)
		i := strings.IndexFunc(text, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f })
		if (i < 0) == neg {
			ts.Fatalf("%s: control character at byte %d", name, i)
		}
	}
}

// cmdFreePort sets an environment variable to a TCP port free on 127.0.0.1.
//
//	freeport NAME
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("%v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// cmdWaitListen waits (up to 10 s) until something accepts connections at ADDR.
//
//	waitlisten ADDR
func cmdWaitListen(ts *testscript.TestScript, neg bool, args []string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listens at %s: %v", args[0], err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func atoi(ts *testscript.TestScript, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		ts.Fatalf("%q is not a number", s)
	}
	return n
}

// cmdServeFiles serves the script's work directory over HTTP on 127.0.0.1
// until the script ends, and sets $FILES_URL to it:
//
//	servefiles
func cmdServeFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: servefiles")
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(ts.Getenv("WORK"))))
	ts.Defer(srv.Close)
	ts.Setenv("FILES_URL", srv.URL)
}
