package runtime_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMELibrarySnippet: the README's library snippet is the rotate
// function of example_test.go word for word, so the snippet compiles and
// runs (Example runs it).
func TestREADMELibrarySnippet(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Library\n")
	if !ok {
		t.Fatal("README.md has no Library section")
	}
	_, block, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("the Library section of README.md has no Go snippet")
	}
	snippet, _, ok := strings.Cut(block, "```")
	if !ok {
		t.Fatal("the Go snippet of README.md is not closed")
	}
	if !strings.HasPrefix(snippet, "func rotate(") {
		t.Fatalf("the README snippet should be the rotate function of runtime/example_test.go; it starts %q", strings.SplitN(snippet, "\n", 2)[0])
	}
	if !strings.Contains(string(example), "\n"+snippet) {
		t.Errorf("the README snippet differs from rotate in runtime/example_test.go; copy it from there:\n%s", snippet)
	}
}
