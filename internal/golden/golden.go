// Package golden compares what a test rendered with a file it keeps, and
// rewrites the file when the test binary runs with -update.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files instead of comparing with them")

// Updating tells whether the test binary was asked to rewrite its golden
// files.
func Updating() bool { return *update }

// Check compares got with the file at path; with -update it writes got there
// instead. A difference is reported with the first line that differs.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (the test's -update flag writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (the test's -update flag rewrites it):\n%s", path, FirstDifference(string(want), string(got)))
	}
}

// FirstDifference shows the first line where got differs from want.
func FirstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		if i >= len(w) || i >= len(g) || w[i] != g[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, strings.Join(w[i:min(i+1, len(w))], ""), strings.Join(g[i:min(i+1, len(g))], ""))
		}
	}
	return "(no line differs)"
}
