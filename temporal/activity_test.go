package temporal

import (
	"errors"
	"testing"

	"github.com/arazzo-run/arazzo/runtime"
)

// A body larger than the run's bound crosses the activity as the bound it
// crossed, and comes back as the *runtime.LimitError a local run gives, so
// that a caller can say how to raise it.
func TestBodyLimitIsALimitError(t *testing.T) {
	out := NewWorker().sendOutput(&runtime.Response{StatusCode: 200, Body: make([]byte, 10)}, 4)
	resp := out.response()
	var le *runtime.LimitError
	if !errors.As(resp.Err, &le) || le.Kind != runtime.LimitBody || le.Max != 4 || resp.ErrKind != "body-too-large" || resp.Body != nil {
		t.Fatalf("response: %v (%s), %d bytes", resp.Err, resp.ErrKind, len(resp.Body))
	}
	if out.Err != le.Error() {
		t.Errorf("activity error %q, want %q", out.Err, le.Error())
	}
}
