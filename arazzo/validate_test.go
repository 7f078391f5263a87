package arazzo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/internal/golden"
)

// noFixture lists the rules that no document can trigger today, with the reason.
var noFixture = map[string]string{
	RuleExpressionCompat: "fallback for expr warnings without a rule of their own; every expr warning has one today",
	// Reported by runtime.Compile, which loads the sources; tested there and in the CLI scripts.
	RuleSourceUnreadable: "compiler rule",
	RuleSourceOutside:    "compiler rule",
	RuleSourceInvalid:    "compiler rule",
	RuleAsyncSource:      "compiler rule",
	RuleAsyncCorrelation: "compiler rule",
	RuleAsyncParameter:   "compiler rule",
	RuleInputsSchema:     "compiler rule (it compiles the schema the run checks inputs with); cmd/arazzo testdata/judgment/inputs-schema",
}

// TestRules checks each testdata/rules/<rule>.arazzo.yaml against its golden
// text output, and that the document breaks the rule it is named after. A
// <rule>.sources.yaml beside it describes the source descriptions to validate with.
// Run with -update to rewrite the golden files, then review them.
func TestRules(t *testing.T) {
	files, err := filepath.Glob("testdata/rules/*.arazzo.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule fixtures: %v", err)
	}
	covered := map[string]bool{}
	for _, f := range files {
		rule := strings.TrimSuffix(filepath.Base(f), ".arazzo.yaml")
		covered[rule] = true
		t.Run(rule, func(t *testing.T) {
			ds := checkFile(t, f)
			var buf bytes.Buffer
			if err := WriteText(&buf, ds, TextOptions{Files: []string{f}}); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, strings.TrimSuffix(f, ".arazzo.yaml")+".golden", buf.Bytes())
			if !slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Rule == rule }) {
				t.Errorf("%s does not trigger rule %s", f, rule)
			}
			for _, d := range ds {
				// What a message offers in words, tools get in the field.
				if strings.Contains(d.Message, "did you mean") && d.Suggestion == "" {
					t.Errorf("%s: the message says \"did you mean\", the suggestion is empty", d.Error())
				}
			}
		})
	}
	for rule := range ruleDescriptions {
		if !covered[rule] && noFixture[rule] == "" {
			t.Errorf("rule %s has no fixture testdata/rules/%s.arazzo.yaml", rule, rule)
		}
	}
}

// checkFile parses and validates a file, with the fake sources of its
// .sources.yaml when there is one.
func checkFile(t testing.TB, file string) Diagnostics {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, ds := Parse(file, data)
	var opts []ValidateOption
	if src := loadFakeSources(t, strings.TrimSuffix(file, ".arazzo.yaml")+".sources.yaml"); src != nil {
		opts = append(opts, WithSources(src))
	}
	return append(ds, Validate(doc, opts...)...).Sort()
}

// fakeSources is a Sources described in YAML:
//
//	name: {kind: openapi, operations: [{id, method, path, body, params: [{name, in, required}]}]}
//	name: {kind: arazzo, workflows: [{workflowId, steps: [stepId...]}]}
type fakeSources map[string]struct {
	Kind       string `yaml:"kind"`
	Operations []struct {
		ID     string `yaml:"id"`
		Method string `yaml:"method"`
		Path   string `yaml:"path"`
		Body   bool   `yaml:"body"`
		Params []struct {
			Name     string `yaml:"name"`
			In       string `yaml:"in"`
			Required bool   `yaml:"required"`
		} `yaml:"params"`
		// Media lists the request body media types; Defects what breaks the operation.
		Media   []string `yaml:"media"`
		Defects []string `yaml:"defects"`
	} `yaml:"operations"`
	// Defects are broken parts of the source no operation needs.
	Defects   []string `yaml:"defects"`
	Workflows []struct {
		WorkflowID string   `yaml:"workflowId"`
		Steps      []string `yaml:"steps"`
	} `yaml:"workflows"`
	// Problem is why the source could not be loaded: {rule, message}.
	Problem *struct {
		Rule    string `yaml:"rule"`
		Message string `yaml:"message"`
	} `yaml:"problem"`
}

func loadFakeSources(t testing.TB, file string) Sources {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var fs fakeSources
	if err := yaml.Unmarshal(data, &fs); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return fs
}

func (fs fakeSources) Kind(source string) (string, bool) {
	s, ok := fs[source]
	return s.Kind, ok && s.Problem == nil
}

func (fs fakeSources) Operations(source string) []OperationInfo { return fs.ops(source) }

func (fs fakeSources) Problem(source string) *SourceProblem {
	s := fs[source]
	if p := s.Problem; p != nil {
		return &SourceProblem{Rule: p.Rule, Message: p.Message}
	}
	if len(s.Defects) == 0 {
		return nil
	}
	pr := &SourceProblem{}
	for _, d := range s.Defects {
		pr.Defects = append(pr.Defects, SourceDefect{File: source + ".yaml", Message: d})
	}
	for _, o := range fs.ops(source) {
		pr.Defects = append(pr.Defects, o.Defects...)
	}
	return pr
}

func (fs fakeSources) ops(source string) []OperationInfo {
	var out []OperationInfo
	for name, s := range fs {
		if source != "" && name != source || s.Kind != SourceOpenAPI {
			continue
		}
		for _, o := range s.Operations {
			info := OperationInfo{Source: name, ID: o.ID, Method: o.Method, Path: o.Path, HasRequestBody: o.Body}
			for _, d := range o.Defects {
				info.Defects = append(info.Defects, SourceDefect{File: name + ".yaml", Message: d})
			}
			if media := o.Media; len(media) > 0 {
				info.MediaType = func(ct string) (string, bool) {
					if ct == "" {
						return media[0], true
					}
					return ct, slices.Contains(media, ct)
				}
			}
			for _, p := range o.Params {
				info.Params = append(info.Params, ParamInfo{Name: p.Name, In: p.In, Required: p.Required})
			}
			out = append(out, info)
		}
	}
	slices.SortFunc(out, func(a, b OperationInfo) int { return strings.Compare(a.Source, b.Source) })
	return out
}

func (fs fakeSources) FindOperation(source, id string) []OperationInfo {
	var out []OperationInfo
	for _, o := range fs.ops(source) {
		if o.ID == id {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		// Like the runtime: an id that differs only in case from exactly one operation.
		for _, o := range fs.ops(source) {
			if strings.EqualFold(o.ID, id) {
				out = append(out, o)
			}
		}
		if len(out) > 1 {
			out = nil
		}
	}
	return out
}

func (fs fakeSources) OperationAt(source, pointer string) (OperationInfo, error) {
	for _, o := range fs.ops(source) {
		if pointer == "/paths/"+escapePointer(o.Path)+"/"+o.Method {
			return o, nil
		}
	}
	return OperationInfo{}, errors.New("no operation at " + pointer)
}

func (fs fakeSources) Workflow(source, id string) (*Workflow, bool) {
	s, ok := fs[source]
	if !ok || s.Kind != SourceArazzo {
		return nil, false
	}
	for _, w := range s.Workflows {
		if w.WorkflowID == id {
			wf := &Workflow{WorkflowID: id}
			for _, st := range w.Steps {
				wf.Steps = append(wf.Steps, &Step{StepID: st})
			}
			return wf, true
		}
	}
	return nil, false
}
