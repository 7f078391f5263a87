package expr

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParseExpression(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("$response.body#/items/0/handle"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCondition(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCondition("$statusCode == 200 && $response.body#/status != null"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConditionEval(b *testing.B) {
	body := bodyResolver{decodeJSON(b, `{"status":"OK","items":[{"id":7}]}`)}
	for _, bm := range []struct {
		name, src string
		r         Resolver
	}{
		{"status-pass", "$statusCode == 200", statusResolver{200}},
		{"status-fail", "$statusCode == 200", statusResolver{404}},
		{"or", "$statusCode == 200 || $statusCode == 201", statusResolver{201}},
		{"body-string", "$response.body#/status == 'ok' && $response.body.items[0].id > 5", body},
	} {
		c, err := ParseCondition(bm.src)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Eval(bm.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkJSONPointer(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"items":[`)
	for i := range 1000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":%d,"handle":"h%d"}`, i, i)
	}
	sb.WriteString(`]}`)
	var r Resolver = bodyResolver{decodeJSON(b, sb.String())}
	e, err := Parse("$response.body#/items/500/handle")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONPathCriterion(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"items":[`)
	for i := range 10000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":%d,"status":"s%d"}`, i, i%10)
	}
	sb.WriteString(`]}`)
	var r Resolver = bodyResolver{decodeJSON(b, sb.String())}
	for _, bm := range []struct{ name, cond string }{
		{"index", "$.items[0]"},
		{"filter", "$.items[?@.id == 9999]"},
		{"goessner-length", "$.items.length > 0"},
	} {
		c, err := CompileCriterion(CriterionSpec{Type: "jsonpath", Context: "$response.body", Condition: bm.cond})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := c.Eval(r); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

func BenchmarkTemplateEval(b *testing.B) {
	t, err := ParseTemplate("Bearer {$steps.login.outputs.token}")
	if err != nil {
		b.Fatal(err)
	}
	var token any = "eyJhbGciOiJIUzI1NiJ9.e30.sig"
	r := ResolverFunc(func(*Expression) (any, bool) { return token, true })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.Eval(r); err != nil {
			b.Fatal(err)
		}
	}
}
