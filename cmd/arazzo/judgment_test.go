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
			dir := filepath.Dir(abs)
			vcode, vout, verr := execCLI("validate", abs)
			got := strings.ReplaceAll(vout+verr, dir, "DIR")
			golden := strings.TrimSuffix(f, ".arazzo.yaml") + ".golden"
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
		})
	}
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
