//go:build !temporal

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The default build has no Temporal driver: the worker command and --temporal
// say how to get one, with a usage error, and nothing runs.
func TestTemporalLeftOut(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	rotate := filepath.Join("..", "..", "workflows", "workato", "arazzo", "workato-rotate-mcp-server-token-workflow.yml")
	for _, args := range [][]string{
		{"worker", "--temporal", "127.0.0.1:7233"},
		{"run", rotate, "--input", "search=sales", "--temporal", "127.0.0.1:7233"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
		if code != ExitUsage || !strings.Contains(errb.String(), "-tags temporal") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}
