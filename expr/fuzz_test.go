package expr

import (
	"errors"
	"strings"
	"testing"
)

// fuzzResolver answers every expression with a value of some shape, so that
// evaluation paths run too.
type fuzzResolver struct{ body any }

func (f fuzzResolver) Resolve(e *Expression) (any, bool) {
	switch e.Kind {
	case KindStatusCode:
		return 200, true
	case KindResponseBody:
		return f.body, true
	case KindRequestBody, KindMessagePayload:
		return `<r a="1"><i>x</i><i>2</i></r>`, true
	case KindInputs:
		switch len(e.Name) % 4 {
		case 0:
			return nil, true
		case 1:
			return "1", true
		case 2:
			return []any{1.5, "a", map[string]any{"b": true}}, true
		}
		return nil, false
	case KindResponseHeader, KindRequestHeader:
		return "text/plain", true
	}
	return map[string]any{"k": []any{}}, len(e.Name)%2 == 0
}

func newFuzzResolver(t testing.TB) fuzzResolver {
	return fuzzResolver{decodeJSON(t, `{"items":[{"id":1,"s":"a"},{"id":2.5}],"n":null,"t":true,"s":"Hello","o":{"length":2}}`)}
}

func checkSyntaxError(t *testing.T, src string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%q: error %v (%T) is not a *SyntaxError", src, err, err)
	}
	if se.Offset < 0 || se.Offset > len(src) {
		t.Fatalf("%q: offset %d out of range", src, se.Offset)
	}
}

func FuzzParse(f *testing.F) {
	r := newFuzzResolver(f)
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			checkSyntaxError(t, src, err)
			return
		}
		// The canonical text parses to the same expression.
		e2, err := Parse(e.Text)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", e.Text, src, err)
		}
		if e2.Kind != e.Kind || e2.ID != e.ID || e2.Name != e.Name || e2.Pointer != e.Pointer || e2.Text != e.Text {
			t.Fatalf("canonical %q of %q parses differently: %+v vs %+v", e.Text, src, e2, e)
		}
		_, _ = e.Eval(r)
	})
}

func FuzzParseCondition(f *testing.F) {
	r := newFuzzResolver(f)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseCondition(src)
		if err != nil {
			checkSyntaxError(t, src, err)
			return
		}
		pass, err := c.Eval(r)
		if err != nil && pass {
			t.Fatalf("%q: passed with error %v", src, err)
		}
		out := c.Explain(r)
		if out.Pass != pass || (out.Err == nil) != (err == nil) {
			t.Fatalf("%q: Explain %+v disagrees with Eval %v, %v", src, out, pass, err)
		}
		for _, w := range c.Warnings() {
			if w.Offset < 0 || w.Offset > len(src) {
				t.Fatalf("%q: warning offset %d out of range", src, w.Offset)
			}
		}
	})
}

func FuzzParseTemplate(f *testing.F) {
	r := newFuzzResolver(f)
	f.Fuzz(func(t *testing.T, src string) {
		tm, err := ParseTemplate(src)
		if err != nil {
			checkSyntaxError(t, src, err)
			return
		}
		s, err := tm.Eval(r)
		if tm.IsLiteral() && (s != src || err != nil) {
			t.Fatalf("literal template %q evaluated to %q, %v", src, s, err)
		}
		if _, err := CompileValue(map[string]any{"v": src, "l": []any{src}}); err != nil && !LooksLikeExpression(src) {
			t.Fatalf("CompileValue(%q): %v", src, err)
		}
	})
}

var fuzzTypes = []string{"", "simple", "regex", "jsonpath", "xpath"}
var fuzzVersions = []string{"", "rfc9535", "draft-goessner-dispatch-jsonpath-00", "xpath-10", "xpath-31"}

func FuzzCompileCriterion(f *testing.F) {
	r := newFuzzResolver(f)
	f.Fuzz(func(t *testing.T, typ, version uint8, condition, context string) {
		spec := CriterionSpec{
			Type:      fuzzTypes[int(typ)%len(fuzzTypes)],
			Version:   fuzzVersions[int(version)%len(fuzzVersions)],
			Condition: condition,
			Context:   context,
		}
		c, err := CompileCriterion(spec)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("%+v: error %v is not a *FieldError", spec, err)
			}
			if fe.Field == "condition" {
				checkSyntaxError(t, condition, err)
			}
			return
		}
		pass, err := c.Eval(r)
		if err != nil && pass {
			t.Fatalf("%+v: passed with error %v", spec, err)
		}
		if out := c.Explain(r); out.Pass != pass {
			t.Fatalf("%+v: Explain %+v disagrees with Eval %v, %v", spec, out, pass, err)
		}
	})
}

// FuzzValueDollar checks the rule that keeps broken expressions from being
// sent as text: a string meant as a runtime expression (LooksLikeExpression)
// compiles to that expression or is an error, never literal text; the only
// literal such strings are escaped with "$$". Every other string starting
// with "$" is literal text.
func FuzzValueDollar(f *testing.F) {
	for _, s := range []string{"$steps.a.output.id", "$steps..outputs.x", "$inputs.x", "$input.x", "$response.body#/a~2",
		"$.items[*]", "$5", "$$inputs.x", "$statuscode", "$Steps.a.outputs.b", "$ref", "$message.payload.x"} {
		f.Add(s)
	}
	r := newFuzzResolver(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.HasPrefix(s, "$") {
			s = "$" + s
		}
		v, err := CompileValue(map[string]any{"v": s})
		meant := LooksLikeExpression(s)
		escaped := strings.HasPrefix(s, "$$") && LooksLikeExpression(s[1:])
		switch {
		case err != nil:
			if !meant && !strings.Contains(s, "{$") {
				t.Fatalf("%q: error %v for a string not meant as an expression", s, err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "/v" {
				t.Fatalf("%q: error %v does not locate the string", s, err)
			}
			if _, err := v.Eval(r); err == nil {
				t.Fatalf("%q: a value with an error evaluates", s)
			}
		case v.IsLiteral():
			if meant && !escaped {
				t.Fatalf("%q is meant as an expression but compiled to literal text", s)
			}
			got, err := v.Eval(r)
			want := s
			if escaped {
				want = s[1:]
			}
			if err != nil || got.(map[string]any)["v"] != want {
				t.Fatalf("%q: literal evaluates to %v, %v", s, got, err)
			}
		default:
			if refs := v.Refs(); len(refs) == 0 {
				t.Fatalf("%q: not literal but no expression", s)
			}
		}
	})
}
