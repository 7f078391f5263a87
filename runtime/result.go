package runtime

import (
	"fmt"
	"net/http"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
)

// Status of a run or a step.
type Status string

const (
	// StatusPassed: the workflow reached its end successfully (possibly after handled failures).
	StatusPassed Status = "passed"
	// StatusFailed: criteria were not met and no action recovered.
	StatusFailed Status = "failed"
	// StatusError: the run could not complete (transport error, timeout, cancellation, a request that could not be built).
	StatusError Status = "error"
)

// Result is the outcome of one run of a workflow.
type Result struct {
	WorkflowID string
	Status     Status
	// Outputs are the workflow outputs, typed as evaluated. On failure they hold
	// whatever could be evaluated.
	Outputs map[string]any
	// Steps lists every step execution in order (a step run twice by a goto appears twice).
	Steps []*StepResult
	// Err says why the run failed or could not complete; nil when it passed.
	Err error
	// Unused lists the credentials, server overrides and server variables the
	// run was given but never used (see Unused); callers warn about them.
	Unused   []Unused
	Started  time.Time
	Duration time.Duration

	// security lists the security options of every request the run decided
	// to send, replayed ones included (a journal hands back recorded responses
	// without the driver applying credentials).
	security [][]SecurityOption
}

// StepResult is one execution of a step, retries included.
type StepResult struct {
	WorkflowID string
	StepID     string
	Status     Status
	// StatusCode of the last attempt; 0 when no response was received.
	StatusCode int
	Attempts   int
	Method     string
	URL        string
	// Operation is "METHOD /path" for operation steps, "workflow <id>" for workflow steps.
	Operation string
	// Criteria are the success criteria of every attempt, in the order they
	// were evaluated (a retried step lists each attempt's).
	Criteria []CriterionResult
	// Action names the action taken after the step, e.g. "goto recover"; "" for the default.
	Action   string
	Outputs  map[string]any
	Err      string
	Duration time.Duration
	// Depth is the nesting level: 0 for the workflow run, 1 for a workflow it calls...
	Depth int

	started time.Time
}

// CriterionResult is one evaluated criterion.
type CriterionResult struct {
	Condition string
	Context   string
	Type      string
	Pass      bool
	Reason    string
	Operands  []expr.Operand
	// Action names the success or failure action the criterion belongs to;
	// "" for the step's successCriteria.
	Action string
}

// Request is an HTTP request the executor decided to send. It carries no
// credentials: the driver applies them from Security.
type Request struct {
	WorkflowID string
	StepID     string
	Attempt    int
	Source     string
	Method     string
	URL        string
	Header     http.Header
	Body       []byte
	// Security lists the acceptable credential combinations; see Authenticator.
	Security []SecurityOption
	// Timeout bounds this request (the step's 1.1 timeout, else the configured one); 0 = driver default.
	Timeout time.Duration
	// Idempotent reports whether the operation may be repeated safely.
	Idempotent bool
	// NoFollow lists the redirect statuses the operation declares among its
	// responses: a response with one of them is the step's to see, not a
	// redirect to follow.
	NoFollow []int `json:",omitempty"`
	// Message is set for the message requests of AsyncAPI steps (see message.go).
	Message *MessageOp `json:",omitempty"`

	bodyValue   any
	pathParams  map[string]any
	queryParams map[string]any
}

// Response is what came back for a Request, or the transport error that prevented it.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Err is set when no response was received (connection refused, timeout, cancelled...).
	Err error
	// ErrKind classifies Err: "timeout", "canceled", "connection", "tls", "dns", "body-too-large", "protocol".
	ErrKind  string
	Started  time.Time
	Duration time.Duration
	// Sent is the request as it went on the wire, credentials included; observers must mask it.
	Sent *http.Request `json:"-"`
	// Message is set for the responses of message requests (see message.go).
	Message *MessageMeta `json:",omitempty"`
}

// StepError is a problem a document or its inputs cause at run time: it names the
// workflow, the step and where in the file the offending field is.
type StepError struct {
	WorkflowID string
	// StepID is "" for a problem of the workflow itself (its outputs, a dependency).
	StepID string
	// Output names the workflow output that could not be evaluated, when that
	// is the problem: the workflow's requests were sent, and their responses
	// are what a caller may need to recover the value.
	Output string
	File   string
	Pos    arazzo.Pos
	Msg    string
	Err    error
}

func (e *StepError) Error() string {
	loc := e.File
	if e.Pos.IsValid() {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Pos.Line, e.Pos.Col)
	}
	where := "workflow " + e.WorkflowID
	if e.StepID != "" {
		where += ", step " + e.StepID
	}
	msg := e.Msg
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	return loc + ": " + where + ": " + msg
}

func (e *StepError) Unwrap() error { return e.Err }

// UsageError is a problem with how a run was asked for: an unknown workflow,
// inputs that do not match the workflow's schema.
type UsageError struct {
	Msg      string
	Problems []string
	// Workflows lists the workflows to choose from when none was named and
	// the document has several.
	Workflows []string
}

func (e *UsageError) Error() string {
	if len(e.Problems) == 0 {
		return e.Msg
	}
	s := e.Msg
	for _, p := range e.Problems {
		s += "\n  - " + p
	}
	return s
}
