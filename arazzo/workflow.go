package arazzo

// Workflow is the Workflow Object.
type Workflow struct {
	Node
	WorkflowID     string
	Summary        string
	Description    string
	Inputs         *Value // a JSON Schema, nil when absent
	DependsOn      []Ref
	Steps          []*Step
	SuccessActions []*SuccessAction
	FailureActions []*FailureAction
	Outputs        []*Output
	Parameters     []*Parameter
}

// Step returns the step with the given id, or nil.
func (w *Workflow) Step(id string) *Step {
	for _, s := range w.Steps {
		if s.StepID == id {
			return s
		}
	}
	return nil
}

// StepIndex returns the index of the step with the given id, or -1.
func (w *Workflow) StepIndex(id string) int {
	for i, s := range w.Steps {
		if s.StepID == id {
			return i
		}
	}
	return -1
}

// Ref is a string that names something else (a workflowId, a stepId), with its position.
type Ref struct {
	Value string
	Pos   Pos
	// Parsed is the runtime expression of a Value that starts with "$"
	// ($sourceDescriptions.<name>.<workflowId>), parsed by the loader.
	Parsed *Parsed
}

// Output is one entry of an outputs map: a runtime expression, or in 1.1 a Selector Object.
type Output struct {
	Name   string
	KeyPos Pos
	Value  *Value
}
