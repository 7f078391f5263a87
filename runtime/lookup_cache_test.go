package runtime

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/arazzo"
)

// Steps that look up operations of the same name in two sources, by
// operationId and by operationPath, each get the operation of their own
// source, however often the same lookup is made.
func TestRepeatedLookupsPerSource(t *testing.T) {
	const api = `openapi: 3.1.0
info: {title: %[1]s, version: '1'}
servers: [{url: 'http://127.0.0.1:1/%[1]s'}]
paths:
  /item:
    get:
      operationId: getItem
      parameters: %[2]s
      responses: {'200': {description: ok}}
`
	files := map[string]string{
		"a.yaml": fmt.Sprintf(api, "a", "[]"),
		"b.yaml": fmt.Sprintf(api, "b", "[{name: key, in: query, required: true, schema: {type: string}}]"),
	}
	var doc strings.Builder
	doc.WriteString("arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: a, url: a.yaml, type: openapi}\n  - {name: b, url: b.yaml, type: openapi}\nworkflows:\n  - workflowId: w\n    steps:\n")
	var wantB []string
	for i := range 8 {
		src := []string{"a", "b"}[i%2]
		target := "operationId: $sourceDescriptions." + src + ".getItem"
		if i >= 4 {
			target = "operationPath: '{$sourceDescriptions." + src + ".url}#/paths/~1item/get'"
		}
		fmt.Fprintf(&doc, "      - stepId: s%d\n        %s\n", i, target)
		if src == "b" {
			wantB = append(wantB, fmt.Sprintf("workflows[0].steps[%d].parameters", i))
		}
	}
	d, ds := arazzo.Parse("w.arazzo.yaml", []byte(doc.String()), arazzo.WithLocation("file:///lookup/w.arazzo.yaml"))
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	read := WithReadFunc(func(_ context.Context, u *url.URL) ([]byte, error) {
		if f, ok := files[path.Base(u.Path)]; ok {
			return []byte(f), nil
		}
		return nil, fmt.Errorf("no file %s", u)
	})
	_, diags, err := Compile(context.Background(), d, read)
	if err != nil {
		t.Fatalf("%v\n%v", err, diags)
	}
	var missing []string
	for _, dg := range diags {
		if dg.Rule == arazzo.RuleOperationParamNeeded {
			missing = append(missing, dg.Path)
		}
	}
	if !slices.Equal(missing, wantB) {
		t.Errorf("steps told that their operation needs parameter key: %q, want those of source b: %q; all: %v", missing, wantB, diags)
	}
}
