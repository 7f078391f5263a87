package arazzo

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
