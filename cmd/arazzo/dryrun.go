package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

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
	steps := make([]dryStepJSON, 0, len(dr.Steps))
	failed := 0
	for _, s := range dr.Steps {
		js := dryStepJSON{WorkflowID: s.WorkflowID, StepID: s.StepID, Depth: s.Depth, Operation: s.Operation,
			Unresolved: s.Unresolved, Notes: []string{}}
		if js.Unresolved == nil {
			js.Unresolved = []string{}
		}
		for i, n := range s.Notes {
			if i == 0 && len(s.MissingCredentials) > 0 {
				n += flagHint(&runtime.CredentialsError{Schemes: s.MissingCredentials})
			}
			// The mock enforces no security: missing credentials do not matter.
			if !f.mock || !strings.HasPrefix(n, "no credentials") {
				js.Notes = append(js.Notes, secrets.Mask(n))
			}
		}
		if s.Err != nil {
			js.Error = secrets.Mask(s.Err.Error()) + flagHint(s.Err)
			failed++
		}
		if r := s.Request; r != nil {
			js.Request = &dryRequestJSON{Method: r.Method, URL: secrets.MaskURL(r.URL, nil), Headers: map[string]string{}}
			h := secrets.MaskHeader(r.Header, nil)
			for _, k := range slices.Sorted(maps.Keys(h)) {
				js.Request.Headers[k] = strings.Join(h[k], ", ")
			}
			if len(r.Body) > 0 {
				js.Request.Body = secrets.Mask(string(r.Body))
			}
		}
		steps = append(steps, js)
	}
	if f.output == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(dryRunJSON{WorkflowID: dr.WorkflowID, DryRun: true, Steps: steps}); err != nil {
			return &exitError{code: ExitIncomplete, err: err}
		}
	} else {
		a.printDryRun(dr.WorkflowID, steps)
	}
	if failed > 0 {
		return &exitError{code: ExitFailed, err: fmt.Errorf("dry run: %d request(s) cannot be built", failed)}
	}
	return nil
}

type dryRunJSON struct {
	WorkflowID string        `json:"workflowId"`
	DryRun     bool          `json:"dryRun"`
	Steps      []dryStepJSON `json:"steps"`
}

type dryStepJSON struct {
	WorkflowID string          `json:"workflowId"`
	StepID     string          `json:"stepId"`
	Depth      int             `json:"depth"`
	Operation  string          `json:"operation"`
	Request    *dryRequestJSON `json:"request,omitempty"`
	Unresolved []string        `json:"unresolved"`
	Notes      []string        `json:"notes"`
	Error      string          `json:"error,omitempty"`
}

type dryRequestJSON struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

func (a *app) printDryRun(wfID string, steps []dryStepJSON) {
	w := a.stdout
	built := 0
	for i, s := range steps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		pad := indent(s.Depth)
		fmt.Fprintf(w, "%s%s  %s\n", pad, s.StepID, s.Operation)
		if s.Error != "" {
			fmt.Fprintf(w, "%s  ✗ cannot build the request: %s\n", pad, s.Error)
		}
		if r := s.Request; r != nil {
			built++
			fmt.Fprintf(w, "%s  %s %s\n", pad, r.Method, r.URL)
			for _, k := range sortedStringKeys(r.Headers) {
				fmt.Fprintf(w, "%s  %s: %s\n", pad, k, r.Headers[k])
			}
			if r.Body != "" {
				fmt.Fprintln(w)
				body := r.Body
				var buf bytes.Buffer
				if json.Indent(&buf, []byte(body), "", "  ") == nil {
					body = buf.String()
				}
				for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
					fmt.Fprintf(w, "%s  %s\n", pad, report.Line(l))
				}
			}
		}
		if len(s.Unresolved) > 0 {
			fmt.Fprintf(w, "%s  # known only when the run gets here: %s\n", pad, strings.Join(s.Unresolved, ", "))
		}
		for _, n := range s.Notes {
			fmt.Fprintf(w, "%s  ! %s\n", pad, n)
		}
	}
	fmt.Fprintf(w, "\ndry run of workflow %s: %d request(s) built, nothing sent\n", wfID, built)
}

func sortedStringKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
