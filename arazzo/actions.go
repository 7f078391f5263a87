package arazzo

// Action types.
const (
	ActionEnd   = "end"
	ActionGoto  = "goto"
	ActionRetry = "retry"
)

// SuccessAction is a Success Action Object, or a Reusable Object referring to one.
type SuccessAction struct {
	Node
	Name       string
	Type       string
	WorkflowID string
	StepID     string
	Parameters []*Parameter // 1.1
	Criteria   []*Criterion
	Reference  string
}

// IsReference reports whether the entry is a Reusable Object.
func (a *SuccessAction) IsReference() bool { return a.Reference != "" || a.Has("reference") }

// FailureAction is a Failure Action Object, or a Reusable Object referring to one.
type FailureAction struct {
	Node
	Name       string
	Type       string
	WorkflowID string
	StepID     string
	Parameters []*Parameter // 1.1
	// RetryAfter is in seconds; HasRetryAfter tells whether it was given.
	RetryAfter    float64
	HasRetryAfter bool
	// RetryLimit counts retries (not attempts); HasRetryLimit tells whether it was given.
	RetryLimit    int
	HasRetryLimit bool
	Criteria      []*Criterion
	Reference     string
}

// IsReference reports whether the entry is a Reusable Object.
func (a *FailureAction) IsReference() bool { return a.Reference != "" || a.Has("reference") }
