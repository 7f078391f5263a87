package arazzo

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/specsuite"
)

// specExamples finds the examples of the Arazzo specification repository
// (see internal/specsuite), or skips.
func specExamples(t *testing.T) string {
	t.Helper()
	dir := specsuite.Dir()
	if dir == "" {
		t.Skip("the Arazzo specification examples are not available (set " + specsuite.Env + ")")
	}
	return dir
}

// characterization records our judgement of the suite's characterization files,
// which the schema accepts on purpose (see docs/rules.md, "Official test suite").
var characterization = map[string]string{
	"characterization-async-invalid-channelPath-string.arazzo.yaml":     "warn", // channel-path-form
	"characterization-asyncapi-operationId-without-action.arazzo.yaml":  "warn", // async-action-missing
	"characterization-openapi-invalid-operationPath-string.arazzo.yaml": "fail", // operation-path
	"characterization-openapi-operationId-with-action.arazzo.yaml":      "fail", // async-field
	"characterization-openapi-receive-with-correlationId.arazzo.yaml":   "fail", // async-field
	"characterization-workflow-step-with-requestBody.arazzo.yaml":       "warn", // request-body-ignored
}

// knownDefects lists the pass/ files of the suite (a schema test suite) with
// semantic defects that Validate reports as warnings, and the rules it must report;
// docs/rules.md explains each one.
var knownDefects = map[string][]string{
	// $steps.initiateBnplTransaction.outputs.loanTransactionId (no such output) and a
	// step reading its own undeclared output redirectAuthToken.
	"tests-1.0/pass/bnpl-example.yaml": {RuleStepOutputUnknown},
	"tests-1.1/pass/bnpl-example.yaml": {RuleStepOutputUnknown},
	// Selector context $steps.previous.outputs: no output name, and no step "previous".
	"tests-1.1/pass/payload-replacement-using-selector.arazzo.yaml": {RuleExprStepOutputs, RuleStepRefUnknown},
}

// TestOfficialSuite classifies every file of the specification's pass/fail suites
// the way the suite does, validating offline.
func TestOfficialSuite(t *testing.T) {
	root := specExamples(t)
	files, _ := filepath.Glob(filepath.Join(root, "tests-*", "*", "*.yaml"))
	if len(files) == 0 {
		t.Skip("no suite files under " + root)
	}
	seen := map[string]bool{}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			ds := checkFile(t, f)
			errs := ds.Errors()
			base := filepath.Base(f)
			switch want, isChar := characterization[base]; {
			case isChar:
				seen[base] = true
				got := "pass"
				if len(errs) > 0 {
					got = "fail"
				} else if len(ds.Warnings()) > 0 {
					got = "warn"
				}
				if got != want {
					t.Errorf("characterization file judged %s, want %s:\n%s", got, want, render(ds))
				}
			case strings.Contains(rel, "/fail/"):
				if len(errs) == 0 {
					t.Errorf("fail/ file has no error:\n%s", render(ds))
				}
			case strings.Contains(rel, "/pass/") && len(errs) > 0:
				t.Errorf("pass/ file has errors:\n%s", render(errs))
			case knownDefects[rel] != nil:
				for _, rule := range knownDefects[rel] {
					if !slices.ContainsFunc(ds.Warnings(), func(d Diagnostic) bool { return d.Rule == rule }) {
						t.Errorf("known-defect file does not warn %s:\n%s", rule, render(ds))
					}
				}
			default:
				if len(errs) > 0 {
					t.Errorf("pass/ file has errors:\n%s", render(errs))
				}
			}
		})
	}
	for name := range characterization {
		if !seen[name] {
			t.Errorf("characterization file %s not found", name)
		}
	}
}

// TestSpecExamples validates the official 1.0.0 examples: known defects (notes
// A-25) may warn, nothing may fail.
func TestSpecExamples(t *testing.T) {
	root := specExamples(t)
	files, _ := filepath.Glob(filepath.Join(root, "1.0.0", "*.yaml"))
	if len(files) == 0 {
		t.Skip("no examples under " + root)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".openapi.yaml") || strings.HasSuffix(f, "-openapi.yaml") {
			continue // the OpenAPI descriptions the examples use
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			if errs := checkFile(t, f).Errors(); len(errs) > 0 {
				t.Errorf("errors:\n%s", render(errs))
			}
		})
	}
}

func render(ds Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("  ")
		b.WriteString(d.Error())
		b.WriteByte('\n')
	}
	return b.String()
}
