package runtime

import (
	"fmt"

	"github.com/arazzo-run/arazzo/arazzo"
)

// errorf builds an error of a run: a *StepError at pos in f's workflow, in
// step sp (nil for the workflow itself), wrapping cause (nil for none). An
// empty format leaves the message to the cause.
func (f *frame) errorf(sp *stepPlan, pos arazzo.Pos, cause error, format string, args ...any) *StepError {
	e := &StepError{WorkflowID: f.wp.id, File: f.wp.doc.File, Pos: pos, Err: cause}
	if sp != nil {
		e.StepID = sp.id
	}
	if format != "" {
		e.Msg = fmt.Sprintf(format, args...)
	}
	return e
}
