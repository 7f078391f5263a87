package yamlblock

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/internal/benchdoc"
)

// same reports the first difference between the tree Parse built and the
// general parser's, comments aside; "" when there is none.
func same(got, want *yaml.Node, path string) string {
	switch {
	case got.Kind != want.Kind:
		return fmt.Sprintf("%s: kind %v, want %v", path, got.Kind, want.Kind)
	case got.Tag != want.Tag:
		return fmt.Sprintf("%s: tag %q, want %q", path, got.Tag, want.Tag)
	case got.Value != want.Value:
		return fmt.Sprintf("%s: value %q, want %q", path, got.Value, want.Value)
	case got.Style != want.Style:
		return fmt.Sprintf("%s: style %v, want %v", path, got.Style, want.Style)
	case got.Anchor != want.Anchor || (got.Alias == nil) != (want.Alias == nil):
		return fmt.Sprintf("%s: anchor or alias differs", path)
	case got.Line != want.Line || got.Column != want.Column:
		return fmt.Sprintf("%s (%q): at %d:%d, want %d:%d", path, want.Value, got.Line, got.Column, want.Line, want.Column)
	case len(got.Content) != len(want.Content):
		return fmt.Sprintf("%s: %d children, want %d", path, len(got.Content), len(want.Content))
	}
	for i := range got.Content {
		if d := same(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// check parses text both ways; accepted reports whether Parse read it, and
// the test fails if Parse read it differently from the general parser, or
// read what the general parser refuses.
func check(t testing.TB, name string, text []byte) (accepted bool) {
	t.Helper()
	got, ok := parse(text)
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal(text, &want); err != nil {
		t.Fatalf("%s: read, but the YAML parser refuses it: %v\n%s", name, err, text)
	}
	if d := same(got, &want, ""); d != "" {
		t.Fatalf("%s: %s\n%s", name, d, text)
	}
	return true
}

func TestCases(t *testing.T) {
	cases := []struct {
		text string
		read bool
	}{
		{"a: 1\nb:\nc: x\n", true},
		{"\n\n# c\n  a:\n  b:\n", true},
		{"---\na: 1\n", true},
		{"--- # x\n\na:\n", true},
		{"a:\n- \n-\n- x\n", true},
		{"a:\n  - b:\n    c: 1\n  -\n", true},
		{"a:\n", true},
		{"- a\n-\n", true},
		{"a: 1\na: 2\n", true},
		{"é: ü\nx: 'é' \ny: \"ü\\u00e9\\n\\t\\\"\\\\\\/\" # c\n", true},
		{"k:\n    # c\n  v: 1\n", true},
		{"a: b # c\nd: e#f\ng: h:i\n'q' : 'it''s'\n\"w\": x\n", true},
		{"n: [-1, 0x1F, 0o17, 1_000, 1e3, .5, +.inf, -.INF, .nan, -0, 2001-12-14, 2001-12-14t21:59:43.10-05:00, 012, 09, 1.0.1, 9223372036854775808, 18446744073709551616, ~, Null, yes, on]\n", false},
		{"- -1\n- 0x1F\n- 0o17\n- 1_000\n- 1e3\n- .5\n- +.inf\n- -.INF\n- .nan\n- -0\n- 2001-12-14\n- 2001-12-14t21:59:43.10-05:00\n- 012\n- 09\n- 1.0.1\n- 9223372036854775808\n- 18446744073709551616\n- ~\n- Null\n- yes\n- on\n- <<\n- +12\n- 1.\n- -.5e-3\n- 0b101\n- 2001-13-14\n- 2001-1-2 3:4:5\n- _1\n- 1__0\n", true},
		{"- a: 1\n  b: 2\n- c: 3\n-   d: 4\n    e: 5\n", true},
		{"a:\n  b:\n    c:\n      - x\n      - y\n  d: z\ne: f\n", true},
		{"$schema: https://x/y\nurl: http://a/b?c=d#e\nc: $response.body#/items/0\n", true},
		{"- 'a'\n- \"b\"\n- ''\n- \"\"\n", true},
		{"a: -b\nc: ?d\ne: :f\ng: a - b\n", true},

		// Outside the subset: read by the general parser.
		{"a: b\n  c\n", false},            // a plain scalar over two lines
		{"a: |+\n  x\n\n", false},         // a kept block scalar
		{"a: |2\n   x\n", false},          // an explicit indentation
		{"a: |\n\n  x\n", false},          // a leading blank line
		{"a: >\n  x\n    y\n", false},     // a more indented folded line
		{"a: |\n  x\n   \n", false},       // a blank line with more spaces
		{"a: |\n  x", false},              // no final line feed
		{"a: |\nb: 1\n", false},           // an empty block scalar
		{"a: [1, 2,]\n", false},           // a trailing comma
		{"a: [1, , 2]\n", false},          // an empty entry
		{"a: [1,\n  2]\n", false},         // a flow sequence over two lines
		{"a: [b: c]\n", false},            // a pair in a flow sequence
		{"a: {b}\n", false},               // a key without a value
		{"a: {b: }\n", false},             // an empty value
		{"a: [http://x]\n", false},        // a colon in a flow scalar
		{"a: [b] c\n", false},             // not YAML
		{"a: [b # c\n  ]\n", false},       // a comment in a flow sequence
		{"[a]: b\n", false},               // a flow key
		{"a: &x 1\nb: *x\n", false},       // an anchor and an alias
		{"a: !!str 1\n", false},           // a tag
		{"? a\n: b\n", false},             // an explicit key
		{"%YAML 1.1\n---\na: 1\n", false}, // a directive
		{"a: 1\n---\nb: 2\n", false},      // two documents
		{"a: 1\n...\n", false},            // a document end
		{"a:\tb\n", false},                // a tab
		{"a: b\r\nc: d\r\n", false},       // CR line ends
		{"a: 'b\n  c'\n", false},          // a quoted scalar over two lines
		{"a: \"b\\\n  c\"\n", false},      // a line continuation
		{"a: \"\\N\"\n", false},           // an escape left to the general parser
		{"a: \"\\ud800\"\n", false},       // a surrogate
		{"scalar\n", false},               // a scalar document
		{"", false},                       // nothing
		{"# only a comment\n", false},     //
		{"- - a\n", false},                // a sequence in a sequence on one line
		{"a: - b\n", false},               // not YAML
		{"a: b: c\n", false},              // not YAML
		{"a:\n  b: 1\n c: 2\n", false},    // indentation between levels
		{"a: 1\n  b: 2\n", false},         // not YAML
		{"- a\nb: 1\n", false},            // not YAML
		{"a: 'b'c\n", false},              // not YAML
		{"a: \"b\"#c\n", false},           // not YAML
		{"a:b\n", false},                  // a scalar
		{"a: `b`\n", false},               // a reserved indicator
		{"a: @b\n", false},                //
		{"a: %b\n", false},                //
		{"a: ,b\n", false},                //
		{"- ? a\n", false},                //
		{"a: b\n\n  c\n", false},          // a scalar with a blank line
		{"\xEF\xBB\xBFa: 1\n", false},     // a byte order mark (the caller strips one)
		{"a: \u2028\n", false},            // a line separator
		{"a: \x01\n", false},              // a control character
		{"a: \"\\x01\\u00e9\\U0001F600\"\n", true},
		{"a: |\n  x\n  y\n\n  z \n\nb: >-\n  p\n  q\n\n\n  r\n# c\nc: >\n    s\n    t\n", true},
		{"- |-\n  # not a comment\n   more\n- >\n x\n", true},
		{"a: [1, 2, 'x', \"y\", [], {}, [a b, -c], {k: v, 'q': [1]}]  # c\nb: {a: 1, b: {c: d}}\n- x\n", false},
		{"a: [1, 2, 'x', \"y\", [], {}, [a b, -c], {k: v, 'q': [1]}]  # c\nb: {a: 1, b: {c: d}}\nc: [ a , b ]\n", true},
		{"- [a, b]\n- {c: d}\n- k: [e]\n  l: {}\n", true},
	}
	for _, c := range cases {
		if got := check(t, fmt.Sprintf("%q", c.text), []byte(c.text)); got != c.read {
			t.Errorf("%q: read %v, want %v", c.text, got, c.read)
		}
	}
}

// TestDeepNesting leaves a document nested deeper than maxDepth to the
// general parser, and reads one just inside the bound.
func TestDeepNesting(t *testing.T) {
	nest := func(n int) []byte {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat(" ", i) + "a:\n")
		}
		return []byte(b.String())
	}
	if !check(t, "inside", nest(maxDepth)) {
		t.Errorf("a document nested %d deep is not read", maxDepth)
	}
	if check(t, "beyond", nest(maxDepth+1)) {
		t.Errorf("a document nested %d deep is read", maxDepth+1)
	}
}

// TestProjectDocuments parses every YAML and JSON document of the project
// both ways, and requires the bundled workflow and the benchmark documents
// to be read by Parse.
func TestProjectDocuments(t *testing.T) {
	root := filepath.Join("..", "..")
	read, all := 0, 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == ".peer" || d.Name() == "out") {
			return filepath.SkipDir
		}
		switch filepath.Ext(path) {
		case ".yaml", ".yml", ".json":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		all++
		if check(t, path, data) {
			read++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d of %d documents", read, all)
	for _, doc := range []string{benchdoc.Chain(50, false), benchdoc.Chain(50, true), benchdoc.ItemsOpenAPI} {
		if !check(t, "benchmark document", []byte(doc)) {
			t.Errorf("a benchmark document is not read:\n%.300s", doc)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a: 1\nb:\n  - c: 'd'\n    e: \"f\\n\"\n", "- a\n-\n- b: c # d\n", "k:\n- x\nl: ~\n", benchdoc.Chain(3, false)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, "input", data)
	})
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(benchdoc.Chain(1000, false))
	b.Run("yamlblock", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := Parse(doc); !ok {
				b.Fatal("not read")
			}
		}
	})
	b.Run("yaml.v4", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		b.ReportAllocs()
		for b.Loop() {
			var n yaml.Node
			if err := yaml.Unmarshal(doc, &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
