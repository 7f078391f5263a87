package runtime

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/internal/parsecount"
)

// TestEachExpressionParsedOnce loads a document with every kind of
// expression (values, templates, JSON payload templates, conditions,
// jsonpath/regex criteria, selectors, qualified ids, references, a reading)
// and counts the runtime expressions parsed: loading, checking and compiling
// parse exactly what parsing the document alone parses, and running it
// parses nothing.
func TestEachExpressionParsedOnce(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, 200, map[string]any{"items": []any{map[string]any{"id": 7}}})
	})
	files := map[string]string{}
	for _, name := range []string{"flow.arazzo.yaml", "openapi.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "parseonce", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	dir := writeFiles(t, srv.URL, files)
	path := filepath.Join(dir, "flow.arazzo.yaml")

	before := parsecount.Load()
	if _, ds := arazzo.Parse(path, []byte(strings.ReplaceAll(files["flow.arazzo.yaml"], "$URL", srv.URL))); ds.HasErrors() {
		t.Fatal(ds)
	}
	parsed := parsecount.Load() - before
	// 19 expressions, 18 distinct: $steps.list.outputs.first is a parameter
	// value and a workflow output, compiled once for both.
	if parsed != 18 {
		t.Fatalf("parsing the document parsed %d expressions; the fixture has 18 distinct ones", parsed)
	}

	before = parsecount.Load()
	plan, diags, err := Load(context.Background(), path)
	if err != nil {
		t.Fatalf("%v\n%v", err, diags)
	}
	if got := parsecount.Load() - before; got != parsed {
		t.Errorf("loading, checking and compiling parsed %d expressions; parsing alone parses %d: something parses again", got, parsed)
	}
	if !diags.HasErrors() && len(diags.Warnings()) == 0 {
		t.Error("the fixture's $inputs.filter.kind reading should warn (input-dot)")
	}

	before = parsecount.Load()
	res, err := plan.Run(context.Background(), "flow", map[string]any{"filter": map[string]any{"kind": "k", "tag": "t"}, "name": `Rex "the" dog`})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, res, StatusPassed)
	if got := parsecount.Load() - before; got != 0 {
		t.Errorf("running parsed %d expressions", got)
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[0].RawQuery != "q=k" || reqs[1].Header.Get("X-Trace") != "run-t" ||
		string(reqs[1].Body) != `{"first":7,"name":"Rex \"the\" dog!"}` {
		for _, r := range reqs {
			t.Logf("%s %s %v %s", r.Method, r.RequestURI, r.Header, r.Body)
		}
		t.Error("the requests are not what the readings and the JSON payload template say")
	}
}
