package runtime

import (
	"fmt"
	"strings"
)

// Limit names a bound of a run (see WithMaxSteps, WithMaxDepth, WithMaxBodySize).
type Limit int

const (
	// LimitSteps: the run's step executions (WithMaxSteps).
	LimitSteps Limit = iota + 1
	// LimitDepth: the nesting of workflows calling workflows (WithMaxDepth).
	LimitDepth
	// LimitBody: the bytes of one response body (WithMaxBodySize).
	LimitBody
)

// LimitError says that a run reached one of its bounds. It is the cause of
// the *StepError that names where; errors.As finds it, so that a caller can
// say how to raise the bound.
type LimitError struct {
	Kind Limit
	Max  int64
	// Hint says what usually makes a run reach the bound ("a goto loop with
	// no exit?"); "" for none.
	Hint string
}

func (e *LimitError) Error() string {
	var s string
	switch e.Kind {
	case LimitSteps:
		s = fmt.Sprintf("step budget of %d executions used up", e.Max)
	case LimitDepth:
		s = fmt.Sprintf("workflows nest deeper than %d", e.Max)
	case LimitBody:
		s = fmt.Sprintf("response body is larger than %d bytes", e.Max)
	default:
		s = fmt.Sprintf("limit %d of %d reached", e.Kind, e.Max)
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// CredentialsError says that a request needs credentials of security
// schemes the run was not given (Credentials); the request goes without. It
// is the Err of the EventWarning that says so.
type CredentialsError struct {
	// Schemes is one acceptable combination of schemes, by name.
	Schemes []string
}

func (e *CredentialsError) Error() string {
	return "no credentials for security scheme " + strings.Join(e.Schemes, " + ")
}

// ServerError says that a request of a source description has no server
// URL it can be sent to; a server given for the source (WithServer) is used
// instead of the description's.
type ServerError struct {
	Source string
	Err    error
}

func (e *ServerError) Error() string { return e.Err.Error() }
func (e *ServerError) Unwrap() error { return e.Err }

// LoadError is the error of Load, Inspect and Compile: the document at
// Location cannot run. Err is an *arazzo.DocumentError holding the
// document's errors, or a *ReadError; its text is the error's.
type LoadError struct {
	Location string
	Err      error
}

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }
