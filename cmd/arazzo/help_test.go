package main

import (
	"testing"

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
