package expr

import (
	"strings"
	"testing"
)

// The XPath support level documented in docs/expressions.md, measured:
// each expression either compiles and evaluates to true on the document
// below, or is rejected at compile time.
func TestXPathSupport(t *testing.T) {
	doc := `<r a="1"><i>a</i><i>B</i><n>3</n></r>`
	supported := []string{
		// XPath 1.0
		"count(/r/i) = 2", "sum(/r/n) = 3", "string(/r/n) = '3'", "number('3') = 3", "boolean(/r/i)",
		"not(/r/x)", "true()", "not(false())", "concat('a', 'b') = 'ab'", "contains('ab', 'b')",
		"starts-with('ab', 'a')", "substring('abc', 2) = 'bc'", "substring-before('a-b', '-') = 'a'",
		"substring-after('a-b', '-') = 'b'", "string-length('abc') = 3", "normalize-space(' a ') = 'a'",
		"translate('ab', 'a', 'c') = 'cb'", "round(2.5) = 3", "floor(2.5) = 2", "ceiling(2.1) = 3",
		"name(/r) = 'r'", "local-name(/r) = 'r'", "/r/i[last()] = 'B'", "/r/i[position() = 1] = 'a'",
		"/r/@a = 1", "/r/i | /r/n", "5 div 2 = 2.5", "5 mod 2 = 1", "-/r/n = -3", "(/r/i)[2] = 'B'",
		"//i[not(. = 'a')]", "/r/i[1]/ancestor::r", "/r/n * 2 > 5",
		// XPath 2.0 functions antchfx adds
		"lower-case('A') = 'a'", "ends-with('ab', 'b')", "matches('ab', '^a')", "replace('ab', 'a', 'c') = 'cb'",
		"string-join(/r/i, ',') = 'a,B'", "reverse(/r/i)",
	}
	unsupported := []string{
		// XPath 1.0 function missing from antchfx
		"lang('en')",
		// XPath 2.0+ functions
		"upper-case('a') = 'A'", "tokenize('a b', ' ')", "abs(-1) = 1", "max(/r/n) = 3", "avg(/r/n) = 3",
		"exists(/r/i)", "empty(/r/x)", "distinct-values(/r/i)", "subsequence(/r/i, 1, 1)",
		"current-date()", "format-number(1, '0')", "min((1, 2)) = 1", "index-of((1, 2), 2)",
		// XPath 2.0+ syntax (antchfx would silently ignore the rest; we reject it)
		"/r/n lt 4", "1 eq 1", "5 idiv 2 = 2", "if (/r/i) then 1 else 0", "for $x in /r/i return $x",
		"some $x in /r/i satisfies $x = 'a'", "/r/n instance of element()", "(1, 2)", "'a' || 'b'",
		"/r/i ! string()", "/r/i => count()", "/r/i except /r/i[1]", "/r/i intersect /r/i", "/r/i[1] << /r/i[2]",
		// plain garbage after a valid expression
		"count(/r/i) garbage", "/r/n = 3 )", "/r/n]",
	}
	r := mapResolver{"$response.body": doc}
	for _, src := range supported {
		c, err := CompileCriterion(CriterionSpec{Type: "xpath", Context: "$response.body", Condition: src})
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if ok, err := c.Eval(r); !ok || err != nil {
			t.Errorf("%s: Eval = %v, %v", src, ok, err)
		}
	}
	for _, src := range unsupported {
		if _, err := CompileCriterion(CriterionSpec{Type: "xpath", Context: "$response.body", Condition: src}); err == nil {
			t.Errorf("%s: compiled; update docs/expressions.md if antchfx/xpath now supports it", src)
		}
	}
}

func TestXPathErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"/r/n lt 4", "at offset 0: invalid XPath: the expression does not parse completely (supported: XPath 1.0 and some 2.0 functions; not supported: value comparisons such as eq or lt, for, some, every and if expressions, sequences, except and intersect)"},
		{"/r/n = 3 )", "at offset 9: invalid XPath: unexpected ')'"},
		{"/r/i[1)]", "at offset 6: invalid XPath: unexpected ')'"},
		{"upper-case('a')", "at offset 0: invalid XPath: not yet support this function upper-case()"},
		{"/r/i[. = ')']", ""},
	}
	for _, tt := range tests {
		_, err := compileXPath(tt.src)
		if got := errString(err); got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
	if !strings.Contains(errString(func() error { _, err := compileXPath("/a["); return err }()), "invalid XPath") {
		t.Error("want an invalid XPath error")
	}
}
