package runtime

import "github.com/arazzo-run/arazzo/expr"

var _ expr.Stopper = (*scope)(nil)

// Done implements expr.Stopper: the criteria of a step (an XPath query over a
// large response, say) stop when the run is cancelled or reaches its
// deadline, instead of running on after it.
func (s *scope) Done() <-chan struct{} { return s.done }
