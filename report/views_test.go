package report_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// A dry run, with and without credentials, in text and JSON: the sensitive
// input masked, the values only the run knows shown as their expression,
// the caller's hint after the note that credentials are missing.
func TestDryRun(t *testing.T) {
	ctx := context.Background()
	plan, _, err := runtime.Load(ctx, filepath.Join("testdata", "orders.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hint := func(err error) string {
		var ce *runtime.CredentialsError
		if errors.As(err, &ce) {
			return " (give " + ce.Schemes[0] + ")"
		}
		return ""
	}
	inputs := map[string]any{"query": "widget", "note": note}
	for _, tc := range []struct {
		name string
		opts []runtime.RunOption
		o    report.DryRunOptions
	}{
		{"dryrun.txt", []runtime.RunOption{runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": bearer})}, report.DryRunOptions{}},
		{"dryrun.json", []runtime.RunOption{runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": bearer})}, report.DryRunOptions{Format: "json"}},
		{"dryrun-nocreds.txt", nil, report.DryRunOptions{Hint: hint}},
	} {
		secrets := &runtime.Secrets{}
		secrets.AddSensitive(note)
		tc.o.Secrets = secrets
		dr, err := plan.DryRun(ctx, "order", inputs, append(tc.opts, runtime.WithServer("orders", "http://orders.test"))...)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := report.WriteDryRun(&b, dr, tc.o); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), note) || strings.Contains(b.String(), bearer) {
			t.Errorf("%s shows a secret:\n%s", tc.name, b.String())
		}
		checkGolden(t, tc.name, "http://orders.test", b.Bytes())
	}
	// Without credentials but for a mock, no note says they are missing.
	dr, err := plan.DryRun(ctx, "order", inputs)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.WriteDryRun(&b, dr, report.DryRunOptions{IgnoreMissingCredentials: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "no credentials") {
		t.Errorf("IgnoreMissingCredentials: %s", b.String())
	}
}

// A list of runs and batches, and a batch with its lines, as 'runs list' and
// 'runs show BATCH' render them; control characters from a document are
// escaped.
func TestRunListAndBatchView(t *testing.T) {
	started := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	finished := started.Add(2500 * time.Millisecond)
	batch := &report.BatchView{ID: "20260504-030201-b4c4ed", WorkflowID: "order", Location: "/src/orders.arazzo.yaml", Status: "failed",
		Started: started, Finished: &finished, Lines: 3, Runs: map[string]int{"passed": 1, "failed": 1, "interrupted": 1},
		LineRuns: []report.BatchLine{{Line: 1, Run: "20260504-030201-b4c4ed-1", Status: "passed", Steps: 3},
			{Line: 2, Run: "20260504-030201-b4c4ed-2", Status: "failed", Steps: 1}, {Line: 4, Run: "20260504-030201-b4c4ed-4", Status: "interrupted", Steps: 0}},
		ResumeHint: "arazzo run --resume 20260504-030201-b4c4ed"}
	list := &report.RunList{Entries: []report.RunListEntry{
		{Run: &report.ListedRun{ID: "20260504-030301-aaaaaa", WorkflowID: "order\x1b[2J", Started: started.Add(time.Minute), Status: "passed", Steps: 3,
			ResumedFrom: "20260504-030101-cccccc", Mock: true}},
		{Batch: batch, Lines: []report.ListedRun{{ID: "20260504-030201-b4c4ed-2", WorkflowID: "order", Started: started, Status: "failed", Steps: 1, Line: 2}},
			More: "more lines elsewhere"},
		{Run: &report.ListedRun{ID: "arazzo-order-20260504-030001-dddddd", WorkflowID: "order", Started: started.Add(-time.Minute), Status: "running", Steps: -1}},
	}}
	local := func(b []byte) []byte {
		for _, at := range []time.Time{started, started.Add(time.Minute), started.Add(-time.Minute)} {
			b = bytes.ReplaceAll(b, []byte(at.Local().Format(time.DateTime)), []byte(at.Format(time.DateTime)))
		}
		return b
	}
	var b bytes.Buffer
	if err := list.Write(&b); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "runlist.txt", "http://orders.test", local(b.Bytes()))
	b.Reset()
	if err := (&report.RunList{Where: "/state/journal.db"}).Write(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no runs in /state/journal.db\n" {
		t.Errorf("empty list: %q", b.String())
	}
	for _, format := range []string{"text", "json"} {
		b.Reset()
		if err := batch.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "batchview."+map[string]string{"text": "txt", "json": "json"}[format], "http://orders.test", local(b.Bytes()))
	}
}

// The summary line of a batch and the progress line a terminal redraws.
func TestBatchLines(t *testing.T) {
	c := report.BatchCounts{Passed: 9, Failed: 2, Errors: 1, NotPassed: []int{12, 3}, Elapsed: 2 * time.Second}
	for _, tc := range []struct{ got, want string }{
		{report.BatchSummary(c, false), "batch: 12 run(s) in 2.00s (6/s): 9 passed, 2 failed, 1 error(s); not passed: lines 3, 12, …"},
		{report.BatchSummary(report.BatchCounts{Passed: 1, Failed: 1, NotPassed: []int{2}, Elapsed: time.Second}, true),
			"batch: 2 run(s) in 1.00s (2/s): 1 passed, 1 failed, 0 error(s); not passed: line 2; stopped before the end of the input"},
		{report.BatchProgress(c, 40, false), "12/40 runs · 3 not passed · 6/s"},
		{report.BatchProgress(c, -1, true), "12 runs\x1b[31m · 3 not passed\x1b[0m · 6/s"},
		{report.BatchProgress(report.BatchCounts{Passed: 1, Elapsed: time.Millisecond}, -1, true), "1 runs"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}

// What a terminal shows while a step runs: the step and its attempt, then
// its request, the credential in its URL masked.
func TestRunning(t *testing.T) {
	secrets := &runtime.Secrets{}
	secrets.Add("k-SECRET-123")
	for _, tc := range []struct {
		e    *runtime.Event
		want string
	}{
		{&runtime.Event{Kind: runtime.EventStepStarted, StepID: "reserve", Depth: 1, Attempt: 2}, "  reserve (attempt 2)"},
		{&runtime.Event{Kind: runtime.EventStepStarted, StepID: "find\x1b[2J", Attempt: 1}, `find\x1b[2J`},
		{&runtime.Event{Kind: runtime.EventRequest, Request: &runtime.Request{Method: "GET", URL: "http://orders.test/items?key=k-SECRET-123"}},
			"GET http://orders.test/items?key=***"},
		{&runtime.Event{Kind: runtime.EventStepFinished, StepID: "find"}, ""},
	} {
		if got := report.Running(tc.e, secrets); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.e.Kind, got, tc.want)
		}
	}
}
