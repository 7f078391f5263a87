package arazzo

import (
	"slices"
	"strings"
)

// Step is the Step Object.
type Step struct {
	Node
	StepID          string
	Description     string
	OperationID     string
	OperationPath   string
	WorkflowID      string
	ChannelPath     string // 1.1, AsyncAPI
	Parameters      []*Parameter
	RequestBody     *RequestBody
	SuccessCriteria []*Criterion
	OnSuccess       []*SuccessAction
	OnFailure       []*FailureAction
	Outputs         []*Output
	Timeout         int64 // 1.1, milliseconds; 0 when absent
	CorrelationID   string
	Action          string // 1.1: send or receive
	DependsOn       []Ref  // 1.1 step-level dependencies
}

// Kind reports what the step calls: "operationId", "operationPath", "workflowId",
// "channelPath", or "" when none is given.
func (s *Step) Kind() string {
	switch {
	case s.Has("operationId"):
		return "operationId"
	case s.Has("operationPath"):
		return "operationPath"
	case s.Has("workflowId"):
		return "workflowId"
	case s.Has("channelPath"):
		return "channelPath"
	}
	return ""
}

// StepDependency is one entry of a 1.1 step dependsOn list:
//
//	dependency = step-id                                          ; this workflow
//	           / "$workflows." workflow-id ".steps." step-id        ; this document
//	           / "$sourceDescriptions." name "." workflow-id ".steps." step-id
type StepDependency struct {
	Source, Workflow, Step string
}

// ParseStepDependency reads a step dependsOn entry; false when it has none of
// the three forms.
func ParseStepDependency(s string) (StepDependency, bool) {
	if !strings.HasPrefix(s, "$") {
		return StepDependency{Step: s}, s != ""
	}
	var d StepDependency
	parts := strings.Split(s, ".")
	if slices.Contains(parts, "") {
		return d, false
	}
	switch {
	case len(parts) == 4 && parts[0] == "$workflows" && parts[2] == "steps":
		d.Workflow, d.Step = parts[1], parts[3]
	case len(parts) == 5 && parts[0] == "$sourceDescriptions" && parts[3] == "steps":
		d.Source, d.Workflow, d.Step = parts[1], parts[2], parts[4]
	default:
		return d, false
	}
	return d, true
}

// LocalTo returns the stepId when d names a step of workflow workflowID of the
// same document: a bare stepId, or $workflows.<workflowID>.steps.<stepId>.
func (d StepDependency) LocalTo(workflowID string) (string, bool) {
	if d.Source != "" || d.Step == "" || d.Workflow != "" && d.Workflow != workflowID {
		return "", false
	}
	return d.Step, true
}
