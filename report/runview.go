package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// RunView is a recorded run as 'arazzo runs show' shows it: built from a
// journal or from what a Temporal cluster reports, masked (unless revealed)
// by the rule of the live channels before it is rendered. Its JSON encoding
// is the output of 'runs show --output json'.
type RunView struct {
	ID          string         `json:"id"`
	WorkflowID  string         `json:"workflowId"`
	Location    string         `json:"document"`
	Status      string         `json:"status"`
	Started     time.Time      `json:"started"`
	Finished    *time.Time     `json:"finished,omitempty"`
	Inputs      map[string]any `json:"inputs"`
	Steps       []RunStep      `json:"steps"`
	InFlight    []InFlight     `json:"inFlight,omitempty"`
	Outputs     map[string]any `json:"outputs"`
	Error       string         `json:"error,omitempty"`
	ResumedFrom string         `json:"resumedFrom,omitempty"`
	ResumedBy   []string       `json:"resumedBy,omitempty"`
	// Batch and Line: the run is a line of a journaled batch.
	Batch  string `json:"batch,omitempty"`
	Line   int    `json:"line,omitempty"`
	Masked bool   `json:"masked"`
	// NotHandedOver: the run passed but its process stopped before it printed
	// or wrote its outputs.
	NotHandedOver bool `json:"notHandedOver,omitempty"`
	// Mock: the run was answered by the mock of its OpenAPI sources (--mock).
	Mock bool `json:"mock,omitempty"`
	// OutputsRecovered: the run's process died before it recorded its end;
	// Outputs are what the replay of its journaled responses gives.
	OutputsRecovered bool `json:"outputsRecovered,omitempty"`
	// Unreplayed: why the journaled responses of a run whose process died
	// could not be replayed; Responses then lists those that no step shows.
	Unreplayed string             `json:"unreplayed,omitempty"`
	Responses  []RecordedResponse `json:"responses,omitempty"`

	// Gone: the run is not finished and its process no longer exists.
	Gone bool `json:"-"`
	// HandOverHint and ResumeHint are the commands that hand the outputs
	// over, or continue the run, printed after the view; "" for none.
	HandOverHint string `json:"-"`
	ResumeHint   string `json:"-"`
	// RevealHint says how to see the masked values, when Masked.
	RevealHint string `json:"-"`
}

// RunStep is a step execution of a RunView.
type RunStep struct {
	WorkflowID string         `json:"workflowId"`
	StepID     string         `json:"stepId"`
	Status     string         `json:"status"`
	StatusCode int            `json:"statusCode,omitempty"`
	Attempts   int            `json:"attempts"`
	Operation  string         `json:"operation,omitempty"`
	Action     string         `json:"action,omitempty"`
	Outputs    map[string]any `json:"outputs,omitempty"`
	Error      string         `json:"error,omitempty"`
	DurationMS float64        `json:"durationMs"`
	Depth      int            `json:"depth"`
	Replayed   bool           `json:"replayed,omitempty"`
	// Recovered: the run's process died after the step's response was
	// journaled and before the step was; this is what the response gives.
	Recovered bool `json:"recovered,omitempty"`
}

// InFlight is a request the run sent and got no recorded answer to.
type InFlight struct {
	Request string `json:"request"`
	// MayHaveActed: the request is not safe to repeat, and the server may
	// have acted on it (a resumed run sends it again, with a warning).
	MayHaveActed bool `json:"mayHaveActed,omitempty"`
}

// RecordedResponse is a journaled response of a request that is not safe to
// repeat, shown as it came when no step shows what it gave.
type RecordedResponse struct {
	StepID     string `json:"stepId"`
	Request    string `json:"request"`
	StatusCode int    `json:"statusCode,omitempty"`
	Error      string `json:"error,omitempty"`
	Body       any    `json:"body,omitempty"`
}

// Write writes the view as text, or with format "json" as its JSON object.
func (v *RunView) Write(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	v.text(w)
	return nil
}

func (v *RunView) text(w io.Writer) {
	// Every line goes through report.Line: the values come from responses and documents.
	ln := func(format string, args ...any) { fmt.Fprintln(w, Line(fmt.Sprintf(format, args...))) }
	status := v.Status
	if v.Gone {
		status += " (its process is gone)"
	}
	if v.NotHandedOver {
		status += ", but its outputs were not handed over: its process stopped before it printed them"
	}
	ln("run %s: %s", v.ID, status)
	ln("  workflow  %s", v.WorkflowID)
	ln("  document  %s", v.Location)
	if v.Mock {
		ln("  mock      answered by the mock of its OpenAPI sources, not by their servers")
	}
	if v.Batch != "" {
		ln("  batch     line %d of batch %s", v.Line, v.Batch)
	}
	when := v.Started.Local().Format(time.DateTime)
	if v.Finished != nil {
		when += ", ran " + FormatDuration(v.Finished.Sub(v.Started))
	}
	ln("  started   %s", when)
	if len(v.Inputs) > 0 {
		var parts []string
		for _, k := range sortedKeys(v.Inputs) {
			parts = append(parts, k+"="+FormatValue(v.Inputs[k]))
		}
		ln("  inputs    %s", strings.Join(parts, " "))
	}
	if v.ResumedFrom != "" {
		ln("  resumes   run %s", v.ResumedFrom)
	}
	if len(v.ResumedBy) > 0 {
		ln("  resumed   as run %s", strings.Join(v.ResumedBy, ", run "))
	}
	if v.Error != "" && (len(v.Steps) == 0 || v.Steps[len(v.Steps)-1].Error != v.Error) {
		ln("  error     %s", v.Error) // (else the last step shows it)
	}
	fmt.Fprintln(w, "\nsteps:")
	if len(v.Steps) == 0 {
		fmt.Fprintln(w, "  (none completed)")
	}
	for _, s := range v.Steps {
		lines := StepLines(&Step{WorkflowID: s.WorkflowID, StepID: s.StepID, Status: runtime.Status(s.Status), StatusCode: s.StatusCode,
			Attempts: s.Attempts, Operation: s.Operation, Action: s.Action, Error: s.Error, Depth: s.Depth, DurationMS: s.DurationMS})
		if s.Replayed {
			lines[0] += "  (replayed)"
		}
		if s.Recovered {
			lines[0] += "  (from its journaled response: the process died before it recorded the step)"
		}
		for _, l := range lines {
			ln("  %s", l)
		}
		for _, k := range sortedKeys(s.Outputs) {
			ln("%s        %s: %s", indent(s.Depth), k, FormatValue(s.Outputs[k]))
		}
	}
	for _, x := range v.InFlight {
		if x.MayHaveActed {
			ln("  … %s: sent, no answer recorded: it may have been sent, and the server may have acted on it (a resumed run sends it again, with a warning)", x.Request)
		} else {
			ln("  … %s: sent, no answer recorded (a resumed run sends it again)", x.Request)
		}
	}
	if v.Unreplayed != "" {
		fmt.Fprintln(w)
		ln("the journaled responses could not be replayed for what they give: %s", v.Unreplayed)
		for _, x := range v.Responses {
			ln("  %s (step %s): answered %d, no step recorded it: %s", x.Request, x.StepID, x.StatusCode, FormatValue(x.Body))
		}
	}
	if len(v.Outputs) > 0 {
		if v.OutputsRecovered {
			fmt.Fprintln(w, "\noutputs (from the journaled responses: the process died before it recorded them):")
		} else {
			fmt.Fprintln(w, "\noutputs:")
		}
		for _, k := range sortedKeys(v.Outputs) {
			ln("  %s: %s", k, FormatValue(v.Outputs[k]))
		}
	}
	if v.Masked {
		if v.RevealHint != "" {
			fmt.Fprintln(w, "\nsecret values are shown as ***; "+Line(v.RevealHint))
		} else {
			fmt.Fprintln(w, "\nsecret values are shown as ***")
		}
	}
	switch {
	case v.NotHandedOver && v.HandOverHint != "":
		ln("hand the outputs over with: %s", v.HandOverHint)
	case v.ResumeHint != "":
		ln("continue it with: %s", v.ResumeHint)
	}
}
