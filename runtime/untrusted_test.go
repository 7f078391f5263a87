package runtime

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
)

// A document from a pull request is untrusted: these tests feed Load (what
// 'arazzo validate' and 'arazzo run' do first) hostile documents, each of which
// must be rejected by a limit (sizes, nesting, alias expansion: counts, so that
// the tests hold on a loaded machine) or handled.

// laughs is a YAML alias bomb: 9^9 "lol"s once expanded.
func laughs(indent string) string {
	var b strings.Builder
	b.WriteString(indent + "x-a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(indent + "x-" + n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n")
		prev = n
	}
	return b.String()
}

const hostileOpenAPI = `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: http://127.0.0.1:1}]
paths:
  /items:
    get:
      operationId: listItems
      responses: {'200': {description: ok}}
`

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func arazzoWith(inputs, extra string) string {
	return `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: api, url: api.yaml, type: openapi}
workflows:
  - workflowId: w
    inputs:
` + inputs + `
    steps:
      - stepId: list
        operationId: listItems
        successCriteria:
          - condition: $statusCode == 200
` + extra
}

func TestLoadHostileDocuments(t *testing.T) {
	deepFlow := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	deepMaps := strings.Repeat("{k: ", 10000) + "1" + strings.Repeat("}", 10000)
	tests := []struct {
		name  string
		files map[string]string
		want  string // in the error or diagnostics; "" when the document may load
	}{
		{"billion laughs in the inputs schema", map[string]string{"api.yaml": hostileOpenAPI,
			"doc.yaml": arazzoWith("      type: object\n"+laughs("      ")+"      properties: {p: *i}", "")}, "document-limits"},
		{"billion laughs in an extension", map[string]string{"api.yaml": hostileOpenAPI,
			"doc.yaml": arazzoWith("      type: object", "") + laughs("")}, ""},
		{"billion laughs in the OpenAPI source", map[string]string{"api.yaml": hostileOpenAPI + laughs("") + "x-bomb: *i\n",
			"doc.yaml": arazzoWith("      type: object", "")}, "alias"},
		{"10,000-deep sequences", map[string]string{"api.yaml": hostileOpenAPI,
			"doc.yaml": arazzoWith("      type: object\n      x-deep: "+deepFlow, "")}, "nests deeper than"},
		{"10,000-deep mappings", map[string]string{"api.yaml": hostileOpenAPI,
			"doc.yaml": arazzoWith("      type: object\n      x-deep: "+deepMaps, "")}, "nests deeper than"},
		{"10,001-deep sequences", map[string]string{"api.yaml": hostileOpenAPI,
			"doc.yaml": arazzoWith("      type: object\n      x-deep: ["+deepFlow+"]", "")}, "nest"},
		// The OpenAPI loader accepts the nesting its YAML parser accepts (10,000
		// levels), quickly; one level more is rejected.
		{"10,000-deep OpenAPI source", map[string]string{"api.yaml": hostileOpenAPI + "x-deep: " + deepFlow[1:len(deepFlow)-1] + "\n",
			"doc.yaml": arazzoWith("      type: object", "")}, ""},
		{"10,001-deep OpenAPI source", map[string]string{"api.yaml": hostileOpenAPI + "x-deep: [" + deepFlow + "]\n",
			"doc.yaml": arazzoWith("      type: object", "")}, "depth"},
		{"50 MB document", map[string]string{"api.yaml": hostileOpenAPI,
			"doc.yaml": arazzoWith("      type: object", "") + "x-pad: '" + strings.Repeat("x", 50<<20) + "'\n"}, "larger than"},
		{"50 MB OpenAPI source", map[string]string{"api.yaml": hostileOpenAPI + "x-pad: '" + strings.Repeat("x", 50<<20) + "'\n",
			"doc.yaml": arazzoWith("      type: object", "")}, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			start := time.Now()
			_, diags, err := Load(context.Background(), filepath.Join(dir, "doc.yaml"), WithReadFunc(DefaultReader(ReaderOptions{Root: dir, Offline: true})))
			elapsed := time.Since(start) // logged: the limits are counts, not times
			var msgs []string
			for _, d := range diags {
				msgs = append(msgs, d.Error())
			}
			if err != nil {
				msgs = append(msgs, err.Error())
			}
			all := strings.Join(msgs, "\n")
			if tt.want != "" && !strings.Contains(all, tt.want) {
				t.Errorf("want %q in:\n%.2000s", tt.want, all)
			}
			t.Logf("%s: %.300s", elapsed.Round(time.Millisecond), all)
		})
	}
}

// The parser's own limits hold whatever reader fed it: a 50 MB document, an
// alias bomb and a 10,000-deep nesting are each rejected by a limit.
func TestParseLimits(t *testing.T) {
	docs := map[string]string{
		"50 MB":          "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nx-pad: '" + strings.Repeat("x", 50<<20) + "'\n",
		"billion laughs": "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\n" + laughs("") + "x-bomb: *i\n",
		"10,000 deep":    "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nx-deep: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n",
	}
	for name, doc := range docs {
		_, diags := arazzo.Parse("doc.yaml", []byte(doc))
		found := false
		for _, d := range diags {
			found = found || d.Rule == arazzo.RuleDocumentLimits
		}
		if !found {
			t.Errorf("%s: not rejected for its size, aliases or depth: %v", name, diags)
		}
	}
}

// A regular expression that backtracks catastrophically in a backtracking
// engine (^(a+)+$ against "aaa…a!") is linear in RE2. The proof needs no
// clock: a backtracking engine tries about 2^n ways to split n a's before it
// fails, so against a million of them it would never return; RE2 decides in one
// pass. The body is 1 MB so that the criterion also runs past the size from
// which it can be stopped (see expr.Stopper) and still decides.
func TestRegexCriterionIsLinear(t *testing.T) {
	body := strings.Repeat("a", 1<<20) + "!"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	doc := `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: api, url: api.yaml, type: openapi}
workflows:
  - workflowId: w
    steps:
      - stepId: list
        operationId: listItems
        successCriteria:
          - context: $response.body
            condition: ^(a+)+$
            type: regex
`
	dir := writeTree(t, map[string]string{"api.yaml": hostileOpenAPI, "doc.yaml": doc})
	plan, _, err := Load(context.Background(), filepath.Join(dir, "doc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(context.Background(), "w", nil, WithServer("api", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusFailed {
		t.Errorf("status %s: the body does not match", res.Status)
	}
	if c := res.Steps[0].Criteria; len(c) != 1 || !strings.Contains(c[0].Reason, "did not match") {
		t.Errorf("criteria %+v: want the regex's verdict", c)
	}
}
