package report_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

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
