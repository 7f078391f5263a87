package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// dryRun prints the requests a run would send, sending nothing (run --dry-run).
// It exits 1 when a request cannot be built: the run would fail there.
func (a *app) dryRun(ctx context.Context, plan *runtime.Plan, wfID string, inputs map[string]any, opts []runtime.RunOption, f *runFlags, secrets *runtime.Secrets) error {
	dr, err := plan.DryRun(ctx, wfID, inputs, opts...)
	if err != nil {
		var ue *runtime.UsageError
		if errors.As(err, &ue) {
			return &exitError{code: ExitUsage, err: errors.New(secrets.Mask(ue.Error()) + flagHint(ue))}
		}
		return &exitError{code: ExitIncomplete, err: errors.New(secrets.Mask(err.Error()))}
	}
	// The mock enforces no security: missing credentials do not matter.
	o := report.DryRunOptions{Format: f.output, Secrets: secrets, Hint: flagHint, IgnoreMissingCredentials: f.mock}
	if err := report.WriteDryRun(a.stdout, dr, o); err != nil {
		return &exitError{code: ExitIncomplete, err: err}
	}
	failed := 0
	for _, s := range dr.Steps {
		if s.Err != nil {
			failed++
		}
	}
	if failed > 0 {
		return &exitError{code: ExitFailed, err: fmt.Errorf("dry run: %d request(s) cannot be built", failed)}
	}
	return nil
}
