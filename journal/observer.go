package journal

import (
	"github.com/arazzo-run/arazzo/runtime"
)

// Observer records the steps of the run: each step execution's status and
// outputs when it finishes. Its start is not a record: nothing is done then
// that a resumed run would need, and where a failed step began is found from
// the steps that ended before it (failedStepStart).
func (s *Session) Observer() runtime.Observer { return runtime.ObserverFunc(s.event) }

func (s *Session) event(e *runtime.Event) {
	switch e.Kind {
	case runtime.EventStepStarted:
		s.mu.Lock()
		defer s.mu.Unlock()
		if e.Attempt == 1 {
			// A step that starts once the replay is over is live, whatever it does.
			s.open = append(s.open, openStep{live: len(s.replay) == 0})
		}
	case runtime.EventStepFinished:
		if e.Step == nil {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		st := e.Step
		replayed := false
		if n := len(s.open); n > 0 {
			replayed = !s.open[n-1].live
			s.open = s.open[:n-1]
		}
		sec := s.opts.Secrets
		d := stepData{Status: string(st.Status), StatusCode: st.StatusCode, Attempts: st.Attempts, Operation: st.Operation,
			Method: st.Method, URL: sec.MaskCredentials(st.URL), Action: st.Action, Outputs: maskCredentials(sec, st.Outputs),
			Err: sec.MaskCredentials(st.Err), Duration: int64(st.Duration)}
		_ = s.write(&record{kind: kindStep, workflow: e.WorkflowID, step: e.StepID, attempt: st.Attempts, depth: e.Depth, at: e.Time,
			replayed: replayed, data: encodeStep(&d)}, false)
	}
}
