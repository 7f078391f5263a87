package arazzo

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var sampleSource = []byte("arazzo: 1.1.0\nworkflows:\n\t- workflowId: a b\n")

func sampleDiagnostics() Diagnostics {
	return Diagnostics{
		{Severity: SeverityError, Rule: RuleUnknownField, File: "docs/pets.arazzo.yaml", Pos: Pos{Line: 2, Col: 1}, Path: "workflows",
			Message: "unknown field \"workflow\"", Suggestion: "workflows"},
		{Severity: SeverityWarning, Rule: RuleIDPattern, File: "docs/pets.arazzo.yaml", Pos: Pos{Line: 3, Col: 17}, Path: "workflows[0].workflowId",
			Message: "workflowId \"a b\" should match [A-Za-z0-9_\\-]+"},
		{Severity: SeverityError, Rule: RuleYAMLSyntax, File: "other.yaml", Message: "invalid YAML: 100%\nbroken"},
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	err := WriteText(&buf, sampleDiagnostics(), TextOptions{
		Files:    []string{"docs/pets.arazzo.yaml", "other.yaml", "clean.yaml"},
		Snippets: true,
		Source: func(file string) []byte {
			if file == "docs/pets.arazzo.yaml" {
				return sampleSource
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `docs/pets.arazzo.yaml:2:1: error: unknown field "workflow" (workflows) [unknown-field]
 2 | workflows:
   | ^
docs/pets.arazzo.yaml:3:17: warning: workflowId "a b" should match [A-Za-z0-9_\-]+ [id-pattern]
 3 |  - workflowId: a b
   |                 ^
other.yaml: error: invalid YAML: 100%
broken [yaml-syntax]
2 errors, 1 warning in 3 files
`
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTextSummary(t *testing.T) {
	for _, tt := range []struct {
		ds    Diagnostics
		files []string
		want  string
	}{
		{nil, []string{"a.yaml"}, "no problems in 1 file\n"},
		{nil, []string{"a.yaml", "b.yaml"}, "no problems in 2 files\n"},
		{sampleDiagnostics()[1:2], nil, sampleDiagnostics()[1].Error() + "\n0 errors, 1 warning in 1 file\n"},
	} {
		var buf bytes.Buffer
		if err := WriteText(&buf, tt.ds, TextOptions{Files: tt.files}); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tt.want {
			t.Errorf("got %q, want %q", buf.String(), tt.want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleDiagnostics(), []string{"docs/pets.arazzo.yaml", "other.yaml", "clean.yaml"}); err != nil {
		t.Fatal(err)
	}
	var r JSONReport
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("output does not parse back: %v", err)
	}
	if r.Version != 1 || r.Files != 3 || r.Errors != 2 || r.Warnings != 1 || len(r.Diagnostics) != 3 {
		t.Fatalf("report header %+v", r)
	}
	want := JSONDiagnostic{File: "docs/pets.arazzo.yaml", Line: 3, Column: 17, Severity: "warning", Rule: RuleIDPattern,
		Path: "workflows[0].workflowId", Message: `workflowId "a b" should match [A-Za-z0-9_\-]+`}
	if r.Diagnostics[1] != want {
		t.Errorf("diagnostic %+v, want %+v", r.Diagnostics[1], want)
	}
	if r.Diagnostics[2].Line != 0 || r.Diagnostics[2].Column != 0 {
		t.Errorf("unknown position rendered as %d:%d", r.Diagnostics[2].Line, r.Diagnostics[2].Column)
	}
	// An empty list is [], not null, so consumers can iterate without a check.
	buf.Reset()
	WriteJSON(&buf, nil, []string{"a.yaml"})
	if !strings.Contains(buf.String(), `"diagnostics": []`) {
		t.Errorf("empty report: %s", buf.String())
	}
}

func TestWriteSARIF(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, sampleDiagnostics()); err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	get := func(v any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				m, ok := v.(map[string]any)
				if !ok {
					t.Fatalf("%v: not an object at %q", path, k)
				}
				v = m[k]
			case int:
				a, ok := v.([]any)
				if !ok || k >= len(a) {
					t.Fatalf("%v: no element %d", path, k)
				}
				v = a[k]
			}
		}
		return v
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"$schema"}, "https://json.schemastore.org/sarif-2.1.0.json"},
		{[]any{"version"}, "2.1.0"},
		{[]any{"runs", 0, "tool", "driver", "name"}, "arazzo"},
		{[]any{"runs", 0, "tool", "driver", "informationUri"}, "https://github.com/arazzo-run/arazzo"},
		{[]any{"runs", 0, "tool", "driver", "rules", 0, "id"}, RuleUnknownField},
		{[]any{"runs", 0, "tool", "driver", "rules", 0, "shortDescription", "text"}, RuleDescription(RuleUnknownField)},
		{[]any{"runs", 0, "tool", "driver", "rules", 0, "helpUri"}, "https://github.com/arazzo-run/arazzo/blob/main/docs/rules.md#unknown-field"},
		{[]any{"runs", 0, "results", 0, "ruleId"}, RuleUnknownField},
		{[]any{"runs", 0, "results", 0, "ruleIndex"}, 0.0},
		{[]any{"runs", 0, "results", 0, "level"}, "error"},
		{[]any{"runs", 0, "results", 0, "message", "text"}, "unknown field \"workflow\" (workflows)"},
		{[]any{"runs", 0, "results", 0, "locations", 0, "physicalLocation", "artifactLocation", "uri"}, "docs/pets.arazzo.yaml"},
		{[]any{"runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"}, 2.0},
		{[]any{"runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startColumn"}, 1.0},
		{[]any{"runs", 0, "results", 1, "level"}, "warning"},
		{[]any{"runs", 0, "results", 1, "ruleIndex"}, 1.0},
		{[]any{"runs", 0, "results", 2, "locations", 0, "physicalLocation", "region"}, nil},
	}
	for _, c := range checks {
		if got := get(log, c.path...); got != c.want {
			t.Errorf("%v = %v, want %v", c.path, got, c.want)
		}
	}
	if n := len(get(log, "runs", 0, "tool", "driver", "rules").([]any)); n != 3 {
		t.Errorf("%d rules described, want 3", n)
	}
}

func TestRelativeURI(t *testing.T) {
	for in, want := range map[string]string{
		"docs/pets.arazzo.yaml":       "docs/pets.arazzo.yaml",
		"my docs/pets.yaml":           "my%20docs/pets.yaml",
		"https://example.com/a.yaml":  "https://example.com/a.yaml",
		"./workflows/a.arazzo.yaml":   "./workflows/a.arazzo.yaml",
		"docs/pets#1.arazzo.yaml":     "docs/pets%231.arazzo.yaml",
		"docs/100%.arazzo.yaml":       "docs/100%25.arazzo.yaml",
		"docs/a:b.arazzo.yaml":        "docs/a:b.arazzo.yaml",
		"C:/not/a/scheme.arazzo.yaml": "./C:/not/a/scheme.arazzo.yaml",
	} {
		if got := relativeURI(in); got != want {
			t.Errorf("relativeURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteGitHub(t *testing.T) {
	ds := Diagnostics{
		{Severity: SeverityError, Rule: RuleStepTarget, File: "wf,v1: pets.arazzo.yaml", Pos: Pos{Line: 12, Col: 9},
			Message: "100% wrong\r\nsecond line", Suggestion: "a: b, c"},
		{Severity: SeverityWarning, Rule: RuleIDPattern, File: "a.yaml", Pos: Pos{Line: 1, Col: 2}, Message: "plain"},
		{Severity: SeverityError, Rule: RuleYAMLSyntax, File: "b.yaml", Message: "no position"},
	}
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, ds); err != nil {
		t.Fatal(err)
	}
	want := "::error file=wf%2Cv1%3A pets.arazzo.yaml,line=12,col=9,title=step-target::100%25 wrong%0D%0Asecond line (a: b, c)\n" +
		"::warning file=a.yaml,line=1,col=2,title=id-pattern::plain\n" +
		"::error file=b.yaml,title=yaml-syntax::no position\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteJUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, sampleDiagnostics(), []string{"clean.yaml", "docs/pets.arazzo.yaml"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), xml.Header) {
		t.Errorf("no XML header")
	}
	var got struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
					Text string `xml:",chardata"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not valid XML: %v\n%s", err, buf.String())
	}
	if got.Tests != 4 || got.Failures != 2 || len(got.Suites) != 3 {
		t.Fatalf("totals: tests=%d failures=%d suites=%d\n%s", got.Tests, got.Failures, len(got.Suites), buf.String())
	}
	clean, pets, other := got.Suites[0], got.Suites[1], got.Suites[2]
	if clean.Name != "clean.yaml" || clean.Tests != 1 || clean.Failures != 0 || clean.Cases[0].Failure != nil {
		t.Errorf("clean file: %+v", clean)
	}
	if pets.Tests != 2 || pets.Failures != 1 || pets.Cases[0].Failure == nil || pets.Cases[0].Failure.Type != RuleUnknownField ||
		pets.Cases[1].Failure != nil || !strings.Contains(pets.Cases[1].SystemOut, "warning:") {
		t.Errorf("pets file: %+v", pets)
	}
	if other.Name != "other.yaml" || !strings.Contains(other.Cases[0].Failure.Text, "100%\nbroken") {
		t.Errorf("other file: %+v", other)
	}
}

// TestWriteGitHubRelative: annotations name files as the repository does,
// relative to the working directory, as SARIF does.
func TestWriteGitHubRelative(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	ds := Diagnostics{{Severity: SeverityError, Rule: RuleStepTarget, File: filepath.Join(wd, "flows", "a.arazzo.yaml"), Pos: Pos{Line: 3, Col: 5}, Message: "m"}}
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, ds); err != nil {
		t.Fatal(err)
	}
	if want := "::error file=flows/a.arazzo.yaml,line=3,col=5,title=step-target::m\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}
