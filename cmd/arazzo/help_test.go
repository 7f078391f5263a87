package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExample: the README promises an example in the --help
// of every command.
func TestEveryCommandHasExample(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.Hidden && c.Name() != "help" && c.Example == "" {
			t.Errorf("%q has no example in its help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{}).rootCommand())
}

// TestEveryCommandDocumented: the README's list of commands and the command
// table of docs/cli.md name every command the binary has.
func TestEveryCommandDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cli, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, list, _ := strings.Cut(string(readme), "Other commands:")
	list, _, _ = strings.Cut(list, "\n\n")
	for _, c := range (&app{}).rootCommand().Commands() {
		if c.Hidden || c.Name() == "help" {
			continue
		}
		if c.Name() != "run" && !strings.Contains(list, "`"+c.Name()) && !strings.Contains(list, "`arazzo "+c.Name()) {
			t.Errorf("the README's list of other commands does not name %q", c.Name())
		}
		if !strings.Contains(string(cli), "\n| `arazzo "+c.Name()+" ") && !strings.Contains(string(cli), "\n| `arazzo "+c.Name()+"`") {
			t.Errorf("docs/cli.md's command table has no row for %q", c.Name())
		}
	}
}

// TestHelpIsWrapped: the prose of every command's --help fits a terminal of
// 80 columns, as cobra prints it unwrapped.
func TestHelpIsWrapped(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for i, line := range strings.Split(c.Long, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("%s --help, line %d of its description: %d columns: %s", c.CommandPath(), i+1, n, line)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk((&app{}).rootCommand())
}
