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
	_, err = wp.inputs.usage(wp.id, inputs)
	return err
}

// usage checks inputs and returns the effective ones, or a *UsageError with
// every problem; a refused run also lists the close misspellings the schema
// would have let through, since they are often why a required input is missing.
func (s *inputSchema) usage(workflowID string, inputs map[string]any) (map[string]any, error) {
	in, probs := s.Check(inputs)
	if len(probs) == 0 {
		return in, nil
	}
	return nil, &UsageError{Msg: fmt.Sprintf("inputs of workflow %q:", workflowID), Problems: append(probs, s.Undeclared(inputs)...)}
}
