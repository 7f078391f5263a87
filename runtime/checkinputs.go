package runtime

import "fmt"

// CheckInputs checks inputs against the inputs schema of workflowID as Run does
// before it starts, and returns every problem at once as a *UsageError. A
// driver that hands the run to another process (a Temporal cluster) checks
// them first, so that a mistyped input is reported at once.
func (p *Plan) CheckInputs(workflowID string, inputs map[string]any) error {
	wp, err := p.lookup(workflowID)
	if err != nil {
		return err
	}
	if _, probs := wp.inputs.Check(inputs); len(probs) > 0 {
		return &UsageError{Msg: fmt.Sprintf("inputs of workflow %q:", wp.id), Problems: probs}
	}
	return nil
}
