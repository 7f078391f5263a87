package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/specsuite"
)

// officialSuite is the Arazzo specification's own pass/fail fixtures, read when
// they are available (see internal/specsuite; they are not part of the
// repository).
var officialSuite = specsuite.Dir()

// passButRejected lists the official pass/ files that arazzo validate rejects
// on purpose, with the rule that rejects them (docs/rules.md explains each).
var passButRejected = map[string]string{
	"tests-1.1/pass/characterization-openapi-invalid-operationPath-string.arazzo.yaml": "operation-path",
	"tests-1.1/pass/characterization-openapi-operationId-with-action.arazzo.yaml":      "async-field",
	"tests-1.1/pass/characterization-openapi-receive-with-correlationId.arazzo.yaml":   "async-field",
}

// passWithWarning lists official pass/ files with defects that no schema can see
// and that arazzo validate reports as warnings: they pass, and the warning must
// be there.
var passWithWarning = map[string]string{
	"tests-1.0/pass/bnpl-example.yaml":                              "step-output-unknown",
	"tests-1.1/pass/bnpl-example.yaml":                              "step-output-unknown",
	"tests-1.1/pass/payload-replacement-using-selector.arazzo.yaml": "expr-step-outputs",
}

// passWithoutSources lists official pass/ files whose source descriptions the
// suite does not ship (it is a schema suite). Through the whole command they
// cannot run, so validate fails them, and it must fail them only for that: every
// error is source-unreadable.
var passWithoutSources = map[string]bool{
	"tests-1.0/pass/oauth-example.yaml":               true,
	"tests-1.0/pass/pet-coupons-example.yaml":         true,
	"tests-1.1/pass/oauth-example.yaml":               true,
	"tests-1.1/pass/openapi-and-asyncapi.arazzo.yaml": true,
	"tests-1.1/pass/pet-coupons-example.yaml":         true,
}

// TestOfficialSuiteThroughCLI runs `arazzo validate --offline` on every file of
// the official suite: pass/ files exit 0 (but for the documented exceptions),
// fail/ files exit 1. It goes through the whole command — loading, validation
// and compilation — not only the document validator.
func TestOfficialSuiteThroughCLI(t *testing.T) {
	if officialSuite == "" {
		t.Skip("the official Arazzo examples are not available (set " + specsuite.Env + ")")
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	files, _ := filepath.Glob(filepath.Join(officialSuite, "tests-1.*", "*", "*.yaml"))
	if len(files) == 0 {
		t.Skipf("the official Arazzo examples are not at %s", officialSuite)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(officialSuite, f)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"validate", "--offline", f}, strings.NewReader(""), &out, &errb)
			want := ExitOK
			if strings.Contains(rel, "/fail/") {
				want = ExitFailed
			}
			rule, rejected := passButRejected[rel]
			if passWithoutSources[rel] {
				rule, rejected = "source-unreadable", true
			}
			if rejected {
				want = ExitFailed
			}
			if code != want {
				t.Fatalf("exit %d, want %d\n%s%s", code, want, out.String(), errb.String())
			}
			if rejected && !strings.Contains(out.String(), "error: ") || rejected && !strings.Contains(out.String(), "["+rule+"]") {
				t.Errorf("rejected without rule %s:\n%s", rule, out.String())
			}
			if passWithoutSources[rel] {
				for _, line := range strings.Split(out.String(), "\n") {
					if strings.Contains(line, "error: ") && !strings.HasSuffix(line, "[source-unreadable]") {
						t.Errorf("an error other than a missing source:\n%s", line)
					}
				}
			}
			if rule, ok := passWithWarning[rel]; ok && !strings.Contains(out.String(), "warning: ") || ok && !strings.Contains(out.String(), "["+rule+"]") {
				t.Errorf("passed without warning %s:\n%s", rule, out.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(officialSuite, "1.0.0")); err == nil {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"validate", "--offline", filepath.Join(officialSuite, "1.0.0")}, strings.NewReader(""), &out, &errb)
		// One error: ExtendedParametersExample names a source, animals.yaml, that
		// the examples do not ship. bnpl warns for three references to outputs
		// its steps do not declare.
		errs := strings.Count(out.String(), "error: ")
		missing := strings.Count(out.String(), `cannot read source description "animals"`)
		if code != ExitFailed || errs != 1 || missing != 1 || strings.Count(out.String(), "[step-output-unknown]") != 3 {
			t.Errorf("examples/1.0.0: exit %d\n%s", code, out.String())
		}
	}
}

// TestOfficialExamplesRunOnMock runs the official pet-coupons example against
// the in-process mock: its defects (a misspelt path parameter, $statusCode in
// steps that call workflows, an optional input passed to a request body, a
// relative server) each have one reading, so both workflows pass.
func TestOfficialExamplesRunOnMock(t *testing.T) {
	if officialSuite == "" {
		t.Skip("the official Arazzo examples are not available (set " + specsuite.Env + ")")
	}
	src := filepath.Join(officialSuite, "1.0.0")
	if _, err := os.Stat(filepath.Join(src, "pet-coupons.arazzo.yaml")); err != nil {
		t.Skipf("the official Arazzo examples are not at %s", officialSuite)
	}
	dir := t.TempDir()
	for _, name := range []string{"pet-coupons.arazzo.yaml", "pet-coupons.openapi.yaml"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc := filepath.Join(dir, "pet-coupons.arazzo.yaml")
	for _, args := range [][]string{
		{"-w", "apply-coupon", "--input", `my_pet_tags=["puppy"]`, "--input", "store_id=pets.example.com"},
		{"-w", "buy-available-pet", "--input", "store_id=pets.example.com"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"run", doc, "--mock", "--no-journal"}, args...), strings.NewReader(""), &out, &errb)
		if code != ExitOK || !strings.Contains(out.String(), "passed") {
			t.Errorf("%s: exit %d\n%s%s", args[1], code, out.String(), errb.String())
		}
	}
}
