package runtime

import "time"

// EventKind says what happened.
type EventKind int

const (
	EventWorkflowStarted EventKind = iota + 1
	EventWorkflowFinished
	EventStepStarted
	EventRequest
	EventResponse
	EventCriterion
	EventStepFinished
	EventAction
	EventRetryWait
	EventWarning
)

// Event is one thing that happened during a run. Observers receive them in order,
// on the goroutine of the run.
type Event struct {
	Kind       EventKind
	Time       time.Time
	WorkflowID string
	// File is the document the workflow is written in (EventWorkflowStarted).
	File      string
	StepID    string
	Attempt   int
	Depth     int
	Request   *Request
	Response  *Response
	Criterion *CriterionResult
	Step      *StepResult
	// Result is set on EventWorkflowFinished of the top-level workflow and nested ones.
	Result  *Result
	Action  string
	Message string
	// Err is the typed problem an EventWarning words in Message, when there
	// is one (a *CredentialsError).
	Err  error
	Wait time.Duration
}

// Observer receives the events of a run. It must not retain Request/Response
// beyond the call unless it copies what it needs.
type Observer interface {
	Event(e *Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(e *Event)

// Event calls f(e).
func (f ObserverFunc) Event(e *Event) { f(e) }

// Observers fans events out to several observers.
type Observers []Observer

// Event forwards e to every observer.
func (os Observers) Event(e *Event) {
	for _, o := range os {
		if o != nil {
			o.Event(e)
		}
	}
}
