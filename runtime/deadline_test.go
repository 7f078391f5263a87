package runtime

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// A run that times out ends in error with an error that wraps
// context.DeadlineExceeded, whether the run's own bound, the caller's
// context or the bound of each request expired.
func TestTimedOutRunWrapsDeadlineExceeded(t *testing.T) {
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		<-r.Context().Done() // answers nothing: only a deadline ends the exchange
	})
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: hang
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
`))
	for _, tt := range []struct {
		name     string
		deadline bool // the caller's context has a deadline
		opts     []RunOption
	}{
		{"run timeout", false, []RunOption{WithRunTimeout(50 * time.Millisecond)}},
		{"caller's deadline", true, nil},
		{"request timeout", false, []RunOption{WithTimeout(50 * time.Millisecond)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.deadline {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
			}
			res, err := plan.Run(ctx, "w", nil, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusError {
				t.Fatalf("status %s, want error", res.Status)
			}
			if !errors.Is(res.Err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(%q, context.DeadlineExceeded) is false", res.Err)
			}
			if errors.Is(res.Err, context.Canceled) {
				t.Errorf("%q is a cancellation", res.Err)
			}
		})
	}
}

// A cancelled run's error wraps context.Canceled.
func TestCancelledRunWrapsCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv := newAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		cancel()
		<-r.Context().Done()
	})
	plan := loadFiles(t, srv.URL, flowDoc("1.0.1", `workflows:
  - workflowId: w
    steps:
      - stepId: hang
        operationId: status
        parameters: [{name: code, in: path, value: 200}]
`))
	res, err := plan.Run(ctx, "w", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusError || !errors.Is(res.Err, context.Canceled) {
		t.Errorf("status %s, error %q: want error wrapping context.Canceled", res.Status, res.Err)
	}
}
