// Package specsuite finds the examples and test suite of the Arazzo
// specification for tests that read them when they are present. They are not
// part of the module: a test looks in ARAZZO_SPEC_EXAMPLES, else in
// shared/reference/arazzo-spec/examples beside the module's root directory,
// and skips when neither holds them.
package specsuite

import (
	"os"
	"path/filepath"
)

// Env names the directory of the specification's examples.
const Env = "ARAZZO_SPEC_EXAMPLES"

// Dir returns the directory of the specification's examples, or "" when it
// is not available.
func Dir() string {
	if dir := os.Getenv(Env); dir != "" {
		if isDir(dir) {
			return dir
		}
		return ""
	}
	root := moduleRoot()
	if root == "" {
		return ""
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "reference", "arazzo-spec", "examples")
	if isDir(dir) {
		return dir
	}
	return ""
}

// moduleRoot is the nearest directory at or above the working directory
// (a test's package directory) that holds a go.mod.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
