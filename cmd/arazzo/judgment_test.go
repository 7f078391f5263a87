package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var updateJudgment = flag.Bool("update-judgment", false, "rewrite testdata/judgment/*.golden")

// TestValidateAndRunAgree: for each document of testdata/judgment (one per
// reading and per error), validate's output matches its golden file, and run
// refuses exactly the errors validate reports, no more and no fewer.
func TestValidateAndRunAgree(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "judgment", "*.arazzo.yaml"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".arazzo.yaml")
		t.Run(name, func(t *testing.T) {
			abs, err := filepath.Abs(f)
			if err != nil {
				t.Fatal(err)
			}
			agree(t, abs, strings.TrimSuffix(f, ".arazzo.yaml")+".golden")
		})
	}
}

// agree checks the document at abs (an absolute path) against its golden
// validate output, with the document's directory written DIR, and that run
// refuses exactly the errors validate reports.
func agree(t *testing.T, abs, golden string) {
	t.Helper()
	dir := filepath.Dir(abs)
	vcode, vout, verr := execCLI("validate", abs)
	got := strings.ReplaceAll(strings.ReplaceAll(vout+verr, dir, "DIR"), filepath.Dir(dir), "DIR/..")
	if *updateJudgment {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(golden); err != nil || got != string(want) {
		t.Errorf("validate output differs from %s (go test -run TestValidateAndRunAgree -update-judgment):\n%s", golden, got)
	}
	// A dry run builds every request without sending: a document with
	// errors is refused before that, one with warnings only goes ahead
	// (a step whose request cannot be built fails, as the warning says).
	rcode, rout, rerr := execCLI("run", abs, "--dry-run", "--no-journal")
	verrors, rerrors := errorLines(vout+verr), errorLines(rerr)
	if !slices.Equal(verrors, rerrors) {
		t.Errorf("validate errors\n%s\nrun errors\n%s", strings.Join(verrors, "\n"), strings.Join(rerrors, "\n"))
	}
	if (vcode != 0) != (len(verrors) > 0) {
		t.Errorf("validate exit %d with %d errors", vcode, len(verrors))
	}
	refused := strings.Contains(rerr, "the document is invalid")
	if refused != (len(verrors) > 0) || (refused && (rcode == 0 || rout != "")) {
		t.Errorf("run --dry-run exit %d, refused %v, with %d errors:\n%s%s", rcode, refused, len(verrors), rout, rerr)
	}
}

// TestValidateAndRunAgreeOutside: a source that is outside the document's
// repository (source-outside) needs a layout the checkout cannot hold, so the
// document of testdata/judgment/outside is copied into a repository made in a
// temporary directory, with its source beside that repository.
func TestValidateAndRunAgreeOutside(t *testing.T) {
	tmp := t.TempDir()
	repo := filepath.Join(tmp, "repo")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{
		filepath.Join("testdata", "judgment", "outside", "source-outside.arazzo.yaml"): filepath.Join(repo, "source-outside.arazzo.yaml"),
		filepath.Join("testdata", "judgment", "pets.openapi.yaml"):                     filepath.Join(tmp, "pets.openapi.yaml"),
	} {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	agree(t, filepath.Join(repo, "source-outside.arazzo.yaml"), filepath.Join("testdata", "judgment", "outside", "source-outside.golden"))
}

// errorLines are the diagnostics of severity error, sorted.
func errorLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, ": error: ") {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}
