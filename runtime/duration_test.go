package runtime

import (
	"testing"
	"time"
)

// Observers see a step's duration when it is reported finished: every attempt
// and every retry wait of the step counts.
func TestStepDurationReachesObservers(t *testing.T) {
	clock := newFakeClock()
	var seen []time.Duration
	obs := ObserverFunc(func(e *Event) {
		if e.Kind == EventStepFinished {
			seen = append(seen, e.Step.Duration)
		}
	})
	res, _ := runFlow(t, "1.0.1", retryDoc(`          - {name: r, type: retry, retryAfter: 1.5, retryLimit: 2}`), "w",
		map[string]any{"fail": 2, "code": 503, "ra": ""}, WithClock(clock), WithObserver(obs))
	wantStatus(t, res, StatusPassed)
	if len(seen) != 1 {
		t.Fatalf("%d step-finished events, want 1", len(seen))
	}
	if seen[0] < 3*time.Second {
		t.Errorf("observed duration %s, want at least the two 1.5s waits", seen[0])
	}
	if res.Steps[0].Duration != seen[0] {
		t.Errorf("result duration %s, observed %s", res.Steps[0].Duration, seen[0])
	}
}
