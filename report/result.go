package report

import (
	"encoding/json"
	"io"

	"github.com/arazzo-run/arazzo/runtime"
)

// The result object is what `arazzo run --output json` prints: the outcome,
// the outputs and one line per step execution, without exchanges or
// criteria. It is a stable contract (docs/cli.md).
type result struct {
	WorkflowID string         `json:"workflowId"`
	Status     runtime.Status `json:"status"`
	Outputs    map[string]any `json:"outputs"`
	Steps      []resultStep   `json:"steps"`
	Error      string         `json:"error,omitempty"`
	DurationMS float64        `json:"durationMs"`
}

type resultStep struct {
	WorkflowID string         `json:"workflowId"`
	StepID     string         `json:"stepId"`
	Status     runtime.Status `json:"status"`
	StatusCode int            `json:"statusCode,omitempty"`
	Attempts   int            `json:"attempts"`
	DurationMS float64        `json:"durationMs"`
	Action     string         `json:"action,omitempty"`
	Error      string         `json:"error,omitempty"`
}

// WriteResult writes the result object of the record: its status, outputs and
// steps as one JSON object.
func WriteResult(w io.Writer, rec *Record) error {
	out := result{WorkflowID: rec.WorkflowID, Status: rec.Status, Outputs: rec.Outputs, Steps: make([]resultStep, 0, len(rec.Steps)),
		Error: rec.Error, DurationMS: rec.DurationMS}
	if out.Outputs == nil {
		out.Outputs = map[string]any{}
	}
	for _, s := range rec.Steps {
		out.Steps = append(out.Steps, resultStep{WorkflowID: s.WorkflowID, StepID: s.StepID, Status: s.Status, StatusCode: s.StatusCode,
			Attempts: s.Attempts, DurationMS: s.DurationMS, Action: s.Action, Error: s.Error})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WithOutputs returns a copy of the record whose outputs are outputs: the
// workflow's outputs as the run produced them, for the channel that hands
// them over (stdout, an outputs file), where only credentials are masked
// (runtime.Secrets.MaskCredentialValues).
func (rec *Record) WithOutputs(outputs map[string]any) *Record {
	out := *rec
	out.Outputs = outputs
	return &out
}
