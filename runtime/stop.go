package runtime

import (
	"errors"
	"fmt"

	"github.com/arazzo-run/arazzo/expr"
)

var _ expr.Stopper = (*scope)(nil)

// Done implements expr.Stopper: the criteria of a step (an XPath query over a
// large response, say) stop when the run is cancelled or reaches its
// deadline, instead of running on after it.
func (s *scope) Done() <-chan struct{} {
	if s.ctx == nil {
		return nil
	}
	return s.ctx.Done()
}

// stoppedBy is the error that ends the run when the evaluation of criterion
// text, which failed with err, was stopped because the run was cancelled or
// reached its deadline: such a criterion has no verdict, and the step is
// neither passed nor failed by it. It wraps the context's error, as every
// end of a run by its context does (see Effects). nil for any other error.
func (s *scope) stoppedBy(err error, text string) error {
	if err == nil || !errors.Is(err, expr.ErrStopped) || s.ctx == nil || s.ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("%s while evaluating criterion `%s` of step %s: %w", stopped(s.ctx.Err()), text, s.sp.id, s.ctx.Err())
}
