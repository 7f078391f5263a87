package expr

import (
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
)

func mustCriterion(t *testing.T, spec CriterionSpec) *Criterion {
	t.Helper()
	c, err := CompileCriterion(spec)
	if err != nil {
		t.Fatalf("CompileCriterion(%+v): %v", spec, err)
	}
	return c
}

func TestCriterionSimple(t *testing.T) {
	c := mustCriterion(t, CriterionSpec{Condition: "$statusCode == 200"})
	for code, want := range map[int]bool{200: true, 404: false} {
		got, err := c.Eval(statusResolver{code})
		if err != nil || got != want {
			t.Errorf("status %d: got %v, %v", code, got, err)
		}
	}
	if c.Type() != "simple" {
		t.Errorf("Type() = %q", c.Type())
	}
	out := c.Explain(statusResolver{404})
	if out.Pass || out.Reason != "$statusCode is 404, expected == 200" {
		t.Errorf("Explain = %+v", out)
	}
	// type: simple with a context (which a simple condition does not use).
	c = mustCriterion(t, CriterionSpec{Condition: "{$statusCode == 401}", Context: "$response.body", Type: "simple"})
	if got := refTexts(c.Refs()); !reflect.DeepEqual(got, []string{"$response.body", "$statusCode"}) {
		t.Errorf("refs %q", got)
	}
	want := []string{"condition: at offset 0: a condition is not an embedded expression; the surrounding braces are ignored [condition-braced]; suggestion: $statusCode == 401"}
	if got := warningStrings(c.Warnings()); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %q", got)
	}
}

func refTexts(es []*Expression) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Text)
	}
	return out
}

func TestCriterionRegex(t *testing.T) {
	r := mapResolver{
		"$statusCode":           200,
		"$response.body":        map[string]any{"status": "Accepted", "n": 1},
		"$response.header.etag": `W/"abc"`,
		"$inputs.statusPattern": `acc\w+`,
		"$inputs.nil":           nil,
		"$inputs.float":         404.0,
	}
	tests := []struct {
		context, condition string
		want               bool
		err                string
		reason             string
	}{
		{context: "$statusCode", condition: "^200$", want: true, reason: `regex ^200$ matched "200"`},
		{context: "$statusCode", condition: `^2\d{2}$`, want: true, reason: `regex ^2\d{2}$ matched "200"`},
		{context: "$inputs.float", condition: `^2\d{2}$`, reason: `regex ^2\d{2}$ did not match "404"`},
		{context: "$inputs.float", condition: `^404$`, want: true, reason: `regex ^404$ matched "404"`},
		{context: "$response.header.ETag", condition: `^W/`, want: true, reason: `regex ^W/ matched "W/\"abc\""`},
		{context: "$response.body", condition: `"status":"Accepted"`, want: true, reason: `regex "status":"Accepted" matched "{\"n\":1,\"status\":\"Accepted\"}"`},
		{context: "$response.body#/status", condition: `cept`, want: true, reason: `regex cept matched "Accepted"`},
		{context: "$response.body#/status", condition: `(?i)^({$inputs.statusPattern})$`, want: true, reason: `regex (?i)^(acc\w+)$ matched "Accepted"`},
		{context: "$response.body#/status", condition: `^({$inputs.statusPattern})$`, reason: `regex ^(acc\w+)$ did not match "Accepted"`},
		{context: "$response.body#/missing", condition: `x`, err: `$response.body#/missing: no such value: no member "missing" in the object at the root`,
			reason: `$response.body#/missing is missing (no member "missing" in the object at the root)`},
		{context: "$inputs.nil", condition: `null`, err: `$inputs.nil: is null; a regex criterion fails on a null context`,
			reason: `$inputs.nil: is null; a regex criterion fails on a null context`},
		{context: "$statusCode", condition: `{$inputs.nope}`, err: `$inputs.nope: no such value`, reason: `$inputs.nope is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.condition, func(t *testing.T) {
			c := mustCriterion(t, CriterionSpec{Type: "regex", Context: tt.context, Condition: tt.condition})
			got, err := c.Eval(r)
			if got != tt.want || errString(err) != tt.err {
				t.Errorf("Eval = %v, %v; want %v, %s", got, err, tt.want, tt.err)
			}
			out := c.Explain(r)
			if out.Pass != tt.want || out.Reason != tt.reason || errString(out.Err) != tt.err {
				t.Errorf("Explain = %+v\nwant reason %s", out, tt.reason)
			}
			if len(out.Operands) != 1 || out.Operands[0].Expr != tt.context {
				t.Errorf("operands %+v", out.Operands)
			}
		})
	}
}

func TestCriterionJSONPath(t *testing.T) {
	r := mapResolver{
		"$response.body": decodeJSON(t, `{"pets":[{"name":"Rex","age":3,"status":"available"},{"name":"Tom","age":11,"status":"sold"}],
			"access_token":"t0k","empty":[],"count":2}`),
		"$inputs.expectedStatus": "sold",
		"$inputs.list":           []any{map[string]any{"id": int64(7)}, map[string]any{"id": 8.0}},
	}
	tests := []struct {
		context, condition string
		want               bool
		reason             string
	}{
		{condition: "$.pets[*]", want: true, reason: "jsonpath $.pets[*] selected 2 nodes"},
		{condition: "$.pets[0]", want: true, reason: "jsonpath $.pets[0] selected 1 node"},
		{condition: "$.empty[*]", reason: "jsonpath $.empty[*] selected no node"},
		{condition: "$.pets[?@.age > 10]", want: true, reason: "jsonpath $.pets[?@.age > 10] selected 1 node"},
		{condition: "$.pets[?@.age > 20]", reason: "jsonpath $.pets[?@.age > 20] selected no node"},
		{condition: "$.pets[?@.status == 'SOLD']", reason: "jsonpath $.pets[?@.status == 'SOLD'] selected no node"}, // RFC 9535 is case-sensitive
		{condition: "$[?@.access_token != null]", want: true, reason: "jsonpath $[?@.access_token != null] selected 4 nodes"},
		{condition: "$.access_token", want: true, reason: "jsonpath $.access_token selected 1 node"},
		{condition: "$..name", want: true, reason: "jsonpath $..name selected 2 nodes"},
		{condition: "$[?count(@.pets) > 0]", reason: "jsonpath $[?count(@.pets) > 0] selected no node"}, // the root-filter pitfall
		{condition: "$[?count($.pets) > 0]", want: true, reason: "jsonpath $[?count($.pets) > 0] selected 4 nodes"},
		{condition: "$[?length($.pets) > 0]", want: true, reason: "jsonpath $[?length($.pets) > 0] selected 4 nodes"},
		{condition: `$.pets[?(@.status == "{$inputs.expectedStatus}")]`, want: true, reason: `jsonpath $.pets[?(@.status == "sold")] selected 1 node`},
		{context: "$inputs.list", condition: "$[?@.id == 7]", want: true, reason: "jsonpath $[?@.id == 7] selected 1 node"},
		{context: "$inputs.list", condition: "$[?@.id == 8]", want: true, reason: "jsonpath $[?@.id == 8] selected 1 node"},
	}
	for _, tt := range tests {
		t.Run(tt.condition, func(t *testing.T) {
			ctx := tt.context
			if ctx == "" {
				ctx = "$response.body"
			}
			c := mustCriterion(t, CriterionSpec{Type: "jsonpath", Context: ctx, Condition: tt.condition})
			got, err := c.Eval(r)
			if got != tt.want || err != nil {
				t.Errorf("Eval = %v, %v; want %v", got, err, tt.want)
			}
			if out := c.Explain(r); out.Pass != tt.want || out.Reason != tt.reason || out.Err != nil {
				t.Errorf("Explain = %+v\nwant reason %s", out, tt.reason)
			}
		})
	}
}

func TestCriterionJSONPathRootFilterWarning(t *testing.T) {
	tests := []struct {
		condition string
		want      []string
	}{
		{"$.pets[?@.age > 1]", nil},
		{"$[?@ == 'x']", nil},
		{"$[?count(@.pets) > 0]", []string{`condition: at offset 2: a filter at the root tests each child of the root value, not the root itself: on an object such as {"pets": [...]}, @ is each member value, so @.pets selects nothing. To test the root, use $ inside the filter; count() counts nodes, not array elements: for a non-empty array select an element, e.g. $.pets[0] (ignore this if the context is an array) [jsonpath-root-filter]; suggestion: $[?count($.pets) > 0]`}},
		{"$[?@.access_token != null]", []string{`condition: at offset 2: a filter at the root tests each child of the root value, not the root itself: on an object such as {"pets": [...]}, @ is each member value, so @.pets selects nothing. To test the root, use $ inside the filter (ignore this if the context is an array) [jsonpath-root-filter]; suggestion: $[?$.access_token != null]`}},
		{"$[?@.a[?@.b]]", []string{`condition: at offset 2: a filter at the root tests each child of the root value, not the root itself: on an object such as {"pets": [...]}, @ is each member value, so @.pets selects nothing. To test the root, use $ inside the filter (ignore this if the context is an array) [jsonpath-root-filter]`}},
	}
	for _, tt := range tests {
		c := mustCriterion(t, CriterionSpec{Type: "jsonpath", Context: "$response.body", Condition: tt.condition})
		if got := warningStrings(c.Warnings()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s warnings\n got %q\nwant %q", tt.condition, got, tt.want)
		}
	}
}

// The Goessner-style comparison of the bundled Workato workflow, and its
// relatives, under the compatibility reading.
func TestCriterionJSONPathGoessner(t *testing.T) {
	bodies := map[string]string{
		"items":      `{"items":[{"handle":"h1"}],"total":3,"status":"OK","data":{"a":1},"name":"Zoë","obj":{"length":4},"nil":null}`,
		"empty":      `{"items":[],"total":2,"status":"failed","data":null,"name":"","obj":{},"nil":null}`,
		"missing":    `{}`,
		"many-items": `{"items":[1,2,3,4,5],"total":"3","status":"ok"}`,
	}
	tests := []struct {
		condition  string
		suggestion string
		// per body: "pass", "fail" or the error
		want map[string]string
		// bodies on which the suggested RFC 9535 query legitimately differs
		// (case-insensitive strings, numeric strings, a "length" member)
		differs []string
	}{
		{"$.items.length > 0", "$[?length($.items) > 0]", map[string]string{
			"items": "pass", "empty": "fail", "many-items": "pass",
			"missing": "$.items.length: no such value: jsonpath $.items selected no node"}, nil},
		{"$.items.length >= 5", "$[?length($.items) >= 5]", map[string]string{
			"items": "fail", "empty": "fail", "many-items": "pass",
			"missing": "$.items.length: no such value: jsonpath $.items selected no node"}, nil},
		{"$.total >= 3", "$[?$.total >= 3]", map[string]string{
			"items": "pass", "empty": "fail", "many-items": "pass", // "3" is coerced
			"missing": "$.total: no such value: jsonpath $.total selected no node"}, []string{"many-items"}},
		{"$.status == 'ok'", "$[?$.status == 'ok']", map[string]string{
			"items": "pass", "empty": "fail", "many-items": "pass", // case-insensitive
			"missing": "$.status: no such value: jsonpath $.status selected no node"}, []string{"items"}},
		{`$.status != "failed"`, "$[?$.status && $.status != 'failed']", map[string]string{
			"items": "pass", "empty": "fail", "many-items": "pass",
			"missing": "$.status: no such value: jsonpath $.status selected no node"}, nil},
		{"$.data != null", "$[?$.data && $.data != null]", map[string]string{
			"items": "pass", "empty": "fail",
			"many-items": "$.data: no such value: jsonpath $.data selected no node",
			"missing":    "$.data: no such value: jsonpath $.data selected no node"}, nil},
		{"$.nil == null", "$[?$.nil == null]", map[string]string{
			"items": "pass", "empty": "pass",
			"many-items": "$.nil: no such value: jsonpath $.nil selected no node",
			"missing":    "$.nil: no such value: jsonpath $.nil selected no node"}, nil},
		{"$.name.length == 3", "$[?length($.name) == 3]", map[string]string{
			"items": "pass", "empty": "fail",
			"many-items": "$.name.length: no such value: jsonpath $.name selected no node",
			"missing":    "$.name.length: no such value: jsonpath $.name selected no node"}, nil},
		{"$.obj.length == 4", "$[?length($.obj) == 4]", map[string]string{
			"items": "pass",
			"empty": `$.obj.length: no such value: the object at $.obj has no member "length"`,
		}, []string{"items"}},
		{"$.total.length > 0", "$[?length($.total) > 0]", map[string]string{
			"items": "$.total.length: the number at $.total has no length",
		}, nil},
		{"$.items[*] == 1", "", map[string]string{
			"many-items": "$.items[*]: jsonpath $.items[*] selected 5 nodes; a comparison needs exactly one",
		}, nil},
		{"$.status > 1", "$[?$.status > 1]", map[string]string{
			"items": `$.status > 1: cannot compare string "OK" with number 1`,
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.condition, func(t *testing.T) {
			c := mustCriterion(t, CriterionSpec{Type: "jsonpath", Context: "$response.body", Condition: tt.condition})
			ws := c.Warnings()
			if len(ws) != 1 || ws[0].Rule != "jsonpath-goessner" || ws[0].Suggestion != tt.suggestion || ws[0].Field != "condition" {
				t.Fatalf("warnings %q", warningStrings(ws))
			}
			var sugg *Criterion
			if tt.suggestion != "" {
				sugg = mustCriterion(t, CriterionSpec{Type: "jsonpath", Context: "$response.body", Condition: tt.suggestion})
				if w := sugg.Warnings(); len(w) != 0 {
					t.Errorf("suggestion %s has warnings %q", tt.suggestion, warningStrings(w))
				}
			}
			for name, want := range tt.want {
				r := mapResolver{"$response.body": decodeJSON(t, bodies[name])}
				got, err := c.Eval(r)
				res := "fail"
				switch {
				case err != nil:
					res = err.Error()
				case got:
					res = "pass"
				}
				if res != want {
					t.Errorf("%s: got %s, want %s", name, res, want)
				}
				// The suggested RFC 9535 query agrees (strings compared
				// case-insensitively and numeric strings excepted).
				if sugg != nil && !slices.Contains(tt.differs, name) {
					sp, serr := sugg.Eval(r)
					if serr != nil || sp != (res == "pass") {
						t.Errorf("%s: suggestion %s gives %v, %v; compatibility reading %s", name, tt.suggestion, sp, serr, res)
					}
				}
			}
		})
	}
}

func TestCriterionJSONPathGoessnerWarningText(t *testing.T) {
	c := mustCriterion(t, CriterionSpec{Type: "jsonpath", Context: "$response.body", Condition: "$.items.length > 0"})
	want := []string{`condition: at offset 0: not an RFC 9535 query; read as the Goessner-style comparison "$.items.length > 0" (select the value, then compare it); ".length" is the length of the selected array or string; for a non-empty array, $.items[0] also works [jsonpath-goessner]; suggestion: $[?length($.items) > 0]`}
	if got := warningStrings(c.Warnings()); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	out := c.Explain(mapResolver{"$response.body": decodeJSON(t, `{"items":[]}`)})
	if out.Pass || out.Reason != "$.items.length is 0, expected > 0" {
		t.Errorf("Explain = %+v", out)
	}
	out = c.Explain(mapResolver{"$response.body": decodeJSON(t, `{"items":[1,2]}`)})
	if !out.Pass || out.Reason != "$.items.length is 2, > 0 holds" {
		t.Errorf("Explain = %+v", out)
	}
	out = c.Explain(mapResolver{"$response.body": decodeJSON(t, `{}`)})
	if out.Pass || out.Reason != "$.items.length is missing (jsonpath $.items selected no node)" || !errors.Is(out.Err, ErrMissing) {
		t.Errorf("Explain = %+v", out)
	}
	// Declared Goessner version: same reading.
	c = mustCriterion(t, CriterionSpec{Type: "jsonpath", Version: "draft-goessner-dispatch-jsonpath-00", Context: "$response.body", Condition: "$.items.length > 0"})
	if ok, err := c.Eval(mapResolver{"$response.body": decodeJSON(t, `{"items":[1]}`)}); !ok || err != nil {
		t.Errorf("goessner version: %v, %v", ok, err)
	}
	// A plain path under the Goessner version is evaluated as RFC 9535.
	c = mustCriterion(t, CriterionSpec{Type: "jsonpath", Version: "draft-goessner-dispatch-jsonpath-00", Context: "$response.body", Condition: "$.items[0]"})
	if ok, err := c.Eval(mapResolver{"$response.body": decodeJSON(t, `{"items":[1]}`)}); !ok || err != nil || len(c.Warnings()) != 0 {
		t.Errorf("goessner version plain path: %v, %v, %q", ok, err, warningStrings(c.Warnings()))
	}
}

func TestCriterionXPath(t *testing.T) {
	xml := `<?xml version="1.0"?><root><name>Shop</name><pets><pet price="5">Rex</pet><pet price="12">Tom</pet></pets><none/></root>`
	r := mapResolver{
		"$response.body":                xml,
		"$steps.getPricing.outputs.min": 10,
		"$steps.getPricing.outputs.bad": "<",
		"$inputs.bytes":                 []byte(`<a>1</a>`),
		"$inputs.json":                  map[string]any{"a": 1},
		"$inputs.broken":                "<a><b></a>",
	}
	tests := []struct {
		context, condition, version string
		want                        bool
		reason                      string
		err                         string
	}{
		{condition: "count(/root/pets/*) > 0", want: true, reason: "xpath count(/root/pets/*) > 0 is true (effective boolean value true)"},
		{condition: "/root/pets", want: true, reason: "xpath /root/pets is a node-set of 1 nodes (effective boolean value true)"},
		{condition: "/root/pets/pet", version: "xpath-10", want: true, reason: "xpath /root/pets/pet is a node-set of 2 nodes (effective boolean value true)"},
		{condition: "/root/cats", version: "xpath-30", reason: "xpath /root/cats is a node-set of 0 nodes (effective boolean value false)"},
		{condition: "count(/root/cats)", reason: "xpath count(/root/cats) is 0 (effective boolean value false)"},
		{condition: "sum(//pet/@price)", want: true, reason: "xpath sum(//pet/@price) is 17 (effective boolean value true)"},
		{condition: "string(/root/name)", version: "xpath-31", want: true, reason: `xpath string(/root/name) is "Shop" (effective boolean value true)`},
		{condition: "string(/root/none)", version: "xpath-20", reason: `xpath string(/root/none) is "" (effective boolean value false)`},
		{condition: "/root/pets/pet[@price > {$steps.getPricing.outputs.min}]", want: true,
			reason: "xpath /root/pets/pet[@price > 10] is a node-set of 1 nodes (effective boolean value true)"},
		{condition: "lower-case(/root/name) = 'shop'", want: true, reason: "xpath lower-case(/root/name) = 'shop' is true (effective boolean value true)"},
		{context: "$inputs.bytes", condition: "/a = 1", want: true, reason: "xpath /a = 1 is true (effective boolean value true)"},
		{context: "$inputs.json", condition: "/a", err: "an xpath criterion needs XML text as context, got object",
			reason: "an xpath criterion needs XML text as context, got object"},
		{context: "$inputs.broken", condition: "/a", err: "the context is not well-formed XML: XML syntax error on line 1: element <b> closed by </a>",
			reason: "the context is not well-formed XML: XML syntax error on line 1: element <b> closed by </a>"},
		{condition: "/root[{$steps.getPricing.outputs.bad}]", err: "/root[<]: the condition after substitution is invalid: at offset 0: invalid XPath: expression must evaluate to a node-set",
			reason: "/root[<]: the condition after substitution is invalid: at offset 0: invalid XPath: expression must evaluate to a node-set"},
	}
	for _, tt := range tests {
		t.Run(tt.condition, func(t *testing.T) {
			ctx := tt.context
			if ctx == "" {
				ctx = "$response.body"
			}
			c := mustCriterion(t, CriterionSpec{Type: "xpath", Version: tt.version, Context: ctx, Condition: tt.condition})
			got, err := c.Eval(r)
			if got != tt.want || errString(err) != tt.err {
				t.Errorf("Eval = %v, %v; want %v, %s", got, err, tt.want, tt.err)
			}
			if out := c.Explain(r); out.Pass != tt.want || out.Reason != tt.reason || errString(out.Err) != tt.err {
				t.Errorf("Explain = %+v\nwant reason %s", out, tt.reason)
			}
		})
	}
}

// A compiled XPath keeps iteration state; concurrent evaluations must not
// interfere (run with -race).
func TestCriterionXPathConcurrent(t *testing.T) {
	c := mustCriterion(t, CriterionSpec{Type: "xpath", Context: "$response.body", Condition: "count(/r/i) = 3 and /r/i[2] = 'b'"})
	r := mapResolver{"$response.body": "<r><i>a</i><i>b</i><i>c</i></r>"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if ok, err := c.Eval(r); !ok || err != nil {
					t.Errorf("Eval = %v, %v", ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCriterionDefaultContext(t *testing.T) {
	c := mustCriterion(t, CriterionSpec{Type: "jsonpath", Condition: "$.items[0]"})
	want := []string{"context: at offset 0: a jsonpath criterion needs a context; $response.body is used [criterion-context-missing]; suggestion: context: $response.body"}
	if got := warningStrings(c.Warnings()); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %q", got)
	}
	if ok, err := c.Eval(mapResolver{"$response.body": decodeJSON(t, `{"items":[1]}`)}); !ok || err != nil {
		t.Errorf("Eval = %v, %v", ok, err)
	}
	if len(c.Refs()) != 0 {
		t.Errorf("the default context is not a reference of the document: %q", refTexts(c.Refs()))
	}
}

func TestCriterionRefs(t *testing.T) {
	c := mustCriterion(t, CriterionSpec{Type: "regex", Context: "$steps.a.outputs.code", Condition: "^{$inputs.prefix}-{$steps.b.outputs.n}$"})
	if got, want := refTexts(c.Refs()), []string{"$steps.a.outputs.code", "$inputs.prefix", "$steps.b.outputs.n"}; !reflect.DeepEqual(got, want) {
		t.Errorf("refs %q, want %q", got, want)
	}
}

func TestCompileCriterionErrors(t *testing.T) {
	tests := []struct {
		spec  CriterionSpec
		field string
		want  string
	}{
		{CriterionSpec{Condition: "x", Type: "jmespath"}, "type", `type: unknown criterion type "jmespath" (want simple, regex, jsonpath or xpath)`},
		{CriterionSpec{Condition: "x", Type: "JSONPath"}, "type", `type: unknown criterion type "JSONPath" (want simple, regex, jsonpath or xpath)`},
		{CriterionSpec{Condition: "$.a", Type: "jsonpath", Version: "xpath-30"}, "version", `version: unknown jsonpath version "xpath-30" (want rfc9535 or draft-goessner-dispatch-jsonpath-00)`},
		{CriterionSpec{Condition: "/a", Type: "xpath", Version: "rfc9535"}, "version", `version: unknown xpath version "rfc9535" (want xpath-10, xpath-20, xpath-30 or xpath-31)`},
		{CriterionSpec{Condition: "a", Type: "regex", Version: "1"}, "version", `version: a version applies only to jsonpath and xpath criteria, not regex`},
		{CriterionSpec{Condition: "true", Version: "1"}, "version", `version: a version applies only to jsonpath and xpath criteria, not simple`},
		{CriterionSpec{Condition: "$statusCode == 200", Context: "statusCode"}, "context", `context: at offset 0: expected a runtime expression starting with '$', found 's'`},
		{CriterionSpec{Condition: "$statusCode === 200"}, "condition", `condition: at offset 14: unexpected '=' (did you mean '=='?)`},
		{CriterionSpec{Condition: "(abc", Type: "regex", Context: "$statusCode"}, "condition", "condition: at offset 0: invalid regular expression: missing closing ): `(abc`"},
		{CriterionSpec{Condition: "^a(?=b)", Type: "regex", Context: "$statusCode"}, "condition", "condition: at offset 2: invalid regular expression: invalid or unsupported Perl syntax: `(?=` (Go RE2 syntax: no lookaround, no backreferences)"},
		{CriterionSpec{Condition: "x{$inputs.a[b]}", Type: "regex", Context: "$statusCode"}, "condition", "condition: at offset 11: invalid character '[' in input name"},
		{CriterionSpec{Condition: "$.x[", Type: "jsonpath", Context: "$response.body"}, "condition", "condition: at offset 4: invalid JSONPath (RFC 9535): unexpected eof"},
		{CriterionSpec{Condition: "$.a b", Type: "jsonpath", Context: "$response.body"}, "condition", "condition: at offset 3: invalid JSONPath (RFC 9535): unexpected blank space"},
		{CriterionSpec{Condition: "items.length > 0", Type: "jsonpath", Context: "$response.body"}, "condition", "condition: at offset 0: invalid JSONPath (RFC 9535): unexpected identifier"},
		{CriterionSpec{Condition: "$.items.length > zero", Type: "jsonpath", Context: "$response.body"}, "condition", "condition: at offset 14: invalid JSONPath (RFC 9535): unexpected blank space"},
		{CriterionSpec{Condition: "", Type: "jsonpath", Context: "$response.body"}, "condition", "condition: at offset 0: invalid JSONPath (RFC 9535): unexpected end of input"},
		{CriterionSpec{Condition: "/a[", Type: "xpath", Context: "$response.body"}, "condition", "condition: at offset 0: invalid XPath: expression must evaluate to a node-set"},
		{CriterionSpec{Condition: "", Type: "xpath", Context: "$response.body"}, "condition", "condition: at offset 0: invalid XPath: expr expression is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := CompileCriterion(tt.spec)
			if got := errString(err); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("want *FieldError for %s, got %#v", tt.field, err)
			}
		})
	}
}

// AllRefs and AllParts yield what Refs and Parts list, in their order.
func TestAllRefsAndParts(t *testing.T) {
	c := mustCriterion(t, CriterionSpec{Condition: "$statusCode == 200 && $steps.a.outputs.n > $inputs.min", Context: "$response.body", Type: "simple"})
	var refs []*Expression
	for i, e := range c.AllRefs() {
		if i != len(refs) {
			t.Fatalf("AllRefs yielded index %d for the expression at %d", i, len(refs))
		}
		refs = append(refs, e)
	}
	if !reflect.DeepEqual(refs, c.Refs()) || len(refs) != 4 {
		t.Errorf("AllRefs %q, Refs %q", refTexts(refs), refTexts(c.Refs()))
	}
	v, err := CompileValue(map[string]any{"a": "{$inputs.a}-{$inputs.b}", "b": []any{"x", "$steps.s.outputs.o"}})
	if err != nil {
		t.Fatal(err)
	}
	var parts []Part
	for p := range v.AllParts() {
		parts = append(parts, p)
	}
	if !reflect.DeepEqual(parts, v.Parts()) || len(parts) != 2 {
		t.Errorf("AllParts %+v, Parts %+v", parts, v.Parts())
	}
}
