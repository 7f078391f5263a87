package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/journal"
)

// lastRun is the most recent run of the journal in state.
func lastRun(t *testing.T, state string) *journal.Run {
	t.Helper()
	st, err := journal.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Run(context.Background(), journal.Last)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A run whose outputs were printed, or written to --output-file, is marked
// handed over in the journal: runs show does not offer to hand them over again.
func TestRunMarksOutputsDelivered(t *testing.T) {
	api := testserver.NewWorkato(apiToken, testserver.DefaultServers()...)
	defer api.Close()
	t.Setenv("WORKATO_TOKEN", apiToken)
	for _, extra := range [][]string{nil, {"--output", "json"}, {"--output-file", filepath.Join(t.TempDir(), "out.json")}} {
		state := t.TempDir()
		args := append([]string{"run", rotateFile, "--input", "search=sales", "--auth", "bearerAuth=env:WORKATO_TOKEN",
			"--server", "mcpServerApi=" + api.URL, "--state", state}, extra...)
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s%s", extra, code, out.String(), errb.String())
		}
		r := lastRun(t, state)
		if r.Status != journal.StatusPassed || r.Delivered.IsZero() {
			t.Errorf("%v: run %s is %s, delivered %v", extra, r.ID, r.Status, r.Delivered)
		}
	}
}
