package report

import (
	"net/http"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// Version is the version of the record's JSON form (the trace): it changes
// when a field is removed or changes meaning; fields may be added.
const Version = 1

// Record is the record of one run of a workflow: what it was given, every
// step execution with its attempts, the exchanges each attempt made, the
// criteria evaluated and the actions taken, the outputs and the timing. A
// Recorder builds it from the run's events; every report is rendered from
// it. A Record a Recorder returns is masked: it holds no credential and no
// sensitive value (see runtime.Secrets).
//
// Its JSON encoding is the trace (WriteTrace), whose JSON Schema is
// docs/trace-schema.json.
type Record struct {
	TraceVersion int `json:"traceVersion"`
	// Tool names the program that made the record: version, commit, Go version.
	Tool string `json:"tool"`
	// Document is the Arazzo document run, as the user named it.
	Document   string         `json:"document"`
	Title      string         `json:"title,omitempty"`
	WorkflowID string         `json:"workflowId"`
	Status     runtime.Status `json:"status"`
	Error      string         `json:"error,omitempty"`
	// Inputs are the inputs the run was given; Outputs the workflow outputs
	// that could be evaluated.
	Inputs     map[string]any `json:"inputs"`
	Outputs    map[string]any `json:"outputs"`
	StartedAt  time.Time      `json:"startedAt"`
	DurationMS float64        `json:"durationMs"`
	// Workflows are the workflow executions, the run's own first, then each
	// workflow it ran (dependsOn, workflow steps, goto and retry targets) in
	// the order they started.
	Workflows []*Workflow `json:"workflows"`
	// Steps are the step executions in the order they started; a step run
	// twice (a goto loop) is there twice, its retries are attempts of one.
	Steps    []*Step  `json:"steps"`
	Warnings []string `json:"warnings"`
}

// Workflow is one execution of a workflow.
type Workflow struct {
	WorkflowID string         `json:"workflowId"`
	Document   string         `json:"document,omitempty"`
	Depth      int            `json:"depth"`
	Status     runtime.Status `json:"status"`
	Error      string         `json:"error,omitempty"`
	Outputs    map[string]any `json:"outputs"`
	StartedAt  time.Time      `json:"startedAt"`
	DurationMS float64        `json:"durationMs"`
	// Steps are the indexes of its step executions in Record.Steps.
	Steps []int `json:"steps"`
}

// Step is one execution of a step, its retries included.
type Step struct {
	WorkflowID string `json:"workflowId"`
	StepID     string `json:"stepId"`
	Depth      int    `json:"depth"`
	// Operation is "METHOD /path" for an operation step, "workflow ID" for a workflow step.
	Operation string         `json:"operation,omitempty"`
	Status    runtime.Status `json:"status"`
	// StatusCode is the status of the last attempt's response; 0 when none came.
	StatusCode int       `json:"statusCode,omitempty"`
	Attempts   int       `json:"attempts"`
	StartedAt  time.Time `json:"startedAt"`
	DurationMS float64   `json:"durationMs"`
	// Action is the action that left the step ("goto inStock → step order");
	// "" for the default.
	Action    string         `json:"action,omitempty"`
	Error     string         `json:"error,omitempty"`
	Outputs   map[string]any `json:"outputs"`
	Exchanges []*Exchange    `json:"exchanges"`
	// Criteria are the criteria evaluated, attempt by attempt: the success
	// criteria, then those of the actions tried.
	Criteria []Criterion `json:"criteria"`
	// Actions are the actions taken: retries as they happen, then the goto or
	// end that left the step.
	Actions []Action `json:"actions"`

	result *runtime.StepResult
	closed bool
}

// Kinds of Exchange.
const (
	// ExchangeHTTP is an HTTP request and its response.
	ExchangeHTTP = "http"
	// ExchangeMessage is a message request of an AsyncAPI step: Request is
	// the SUBSCRIBE, PUBLISH or RECEIVE (its URL the channel's, its headers
	// and body the message published), Response the outcome (for a RECEIVE,
	// the message received) and Message says where.
	ExchangeMessage = "message"
)

// Exchange is one exchange of a step attempt with the outside: for Kind
// "http", an HTTP request and its response (or the transport error that
// prevented one). Other kinds of exchange, such as a message sent or received
// on a channel, name their kind and carry their own field beside Request and
// Response.
type Exchange struct {
	Kind       string    `json:"kind"`
	Attempt    int       `json:"attempt"`
	StartedAt  time.Time `json:"startedAt"`
	DurationMS float64   `json:"durationMs"`
	Request    *Request  `json:"request,omitempty"`
	Response   *Response `json:"response,omitempty"`
	Error      string    `json:"error,omitempty"`
	// ErrorKind classifies Error: "timeout", "connection", "tls"... (runtime.Response.ErrKind).
	ErrorKind string `json:"errorKind,omitempty"`
	// Message is set for Kind "message".
	Message *Message `json:"message,omitempty"`

	security []runtime.SecurityOption // how the request is authenticated: which names carry credentials
}

// Message says where a message request of an AsyncAPI step went.
type Message struct {
	// Operation is subscribe, publish or receive.
	Operation string `json:"operation"`
	// Server is the broker's URL (its scheme names the protocol), Channel the
	// address: for a received message, the one it came on.
	Server      string `json:"server"`
	Channel     string `json:"channel"`
	ContentType string `json:"contentType,omitempty"`
	// CorrelationID is the correlation id a receive waited for.
	CorrelationID string `json:"correlationId,omitempty"`
	// Partition and Offset of a Kafka record published or received.
	Partition *int32 `json:"partition,omitempty"`
	Offset    *int64 `json:"offset,omitempty"`
	// Skipped counts the messages a receive passed over: they did not correlate.
	Skipped int `json:"skipped,omitempty"`
}

// Request is an HTTP request as it was sent, with the credentials the driver
// added (masked in a finished Record).
type Request struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers http.Header `json:"headers"`
	Body    *Body       `json:"body,omitempty"`
}

// Response is an HTTP response.
type Response struct {
	Status  int         `json:"status"`
	Headers http.Header `json:"headers"`
	Body    *Body       `json:"body,omitempty"`
}

// Body is a request or response body: UTF-8 text as it is, anything else in
// base64. A body longer than the Recorder's cap keeps its first bytes only
// (Truncated); Size is always the size of the whole body.
type Body struct {
	MimeType  string `json:"mimeType,omitempty"`
	Size      int    `json:"size"`
	Text      string `json:"text"`
	Encoding  string `json:"encoding,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`

	raw []byte // as received, up to the cap; Text and Encoding are set from it when the record is finished
}

// Criterion is a criterion as evaluated.
type Criterion struct {
	Attempt   int    `json:"attempt"`
	Condition string `json:"condition"`
	Context   string `json:"context,omitempty"`
	Type      string `json:"type"`
	Pass      bool   `json:"pass"`
	// Reason says why it passed or failed: "$statusCode is 404, expected == 200".
	Reason string `json:"reason,omitempty"`
	// Operands are the runtime expressions it read and their values.
	Operands []Operand `json:"operands"`
	// Action names the success or failure action whose criterion this is;
	// "" for the step's successCriteria.
	Action string `json:"action,omitempty"`
}

// Operand is a runtime expression a criterion read, and its value.
type Operand struct {
	Expr    string `json:"expr"`
	Value   any    `json:"value"`
	Missing bool   `json:"missing,omitempty"`
}

// Action is an action taken after an attempt.
type Action struct {
	Attempt int       `json:"attempt"`
	Time    time.Time `json:"time"`
	// Action is what was done: "retry busy (1/3)", "goto inStock → step order", "end nothingFound".
	Action string  `json:"action"`
	WaitMS float64 `json:"waitMs,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
