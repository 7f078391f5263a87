package expr

import (
	"errors"

	"github.com/antchfx/xpath"
)

// ErrStopped is the cause of an evaluation error when the resolver's Done
// channel closed while a criterion was being evaluated.
var ErrStopped = errors.New("evaluation stopped: the run was cancelled or reached its deadline")

// Stopper is implemented by a Resolver whose evaluations must end when its
// Done channel closes, as a context's does (a run's deadline, a signal). A
// criterion can take long on a large response: an XPath query is quadratic
// or worse with some axes, a JSONPath filter can nest descendant queries, a
// regular expression runs in time linear in the text times the pattern. Such
// an evaluation checks Done while it works and, once it is closed, returns
// an error wrapping ErrStopped.
//
// An XPath query stops where it is. A JSONPath query or a regular expression
// over a text larger than 64 KiB runs on its own goroutine, which the
// evaluation abandons when Done closes: the caller gets ErrStopped at once,
// and the goroutine ends when the library it runs in returns.
type Stopper interface {
	Done() <-chan struct{}
}

func doneOf(r Resolver) <-chan struct{} {
	if s, ok := r.(Stopper); ok {
		return s.Done()
	}
	return nil
}

func closed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func stoppedErr(what string) error {
	return &EvalError{Msg: what + ": " + ErrStopped.Error(), Err: ErrStopped}
}

// largeText is the size from which a regular expression is evaluated on a
// goroutine of its own when it can be stopped.
const largeText = 64 << 10

// stoppable runs f, or gives up with ErrStopped when done closes first.
// With async false (a small input) f runs on the caller's goroutine; done is
// still checked before it starts.
func stoppable[T any](done <-chan struct{}, async bool, what string, f func() T) (T, error) {
	var zero T
	if done == nil {
		return f(), nil
	}
	if closed(done) {
		return zero, stoppedErr(what)
	}
	if !async {
		return f(), nil
	}
	ch := make(chan T, 1) // buffered: an abandoned f still ends
	go func() { ch <- f() }()
	select {
	case v := <-ch:
		return v, nil
	case <-done:
		return zero, stoppedErr(what)
	}
}

// stopCheckEvery is how many navigator moves an XPath evaluation makes
// between two looks at its Done channel.
const stopCheckEvery = 256

// stopState is shared by a navigator and its copies: once Done is seen
// closed, every move fails, so the XPath engine runs out of nodes and
// returns.
type stopState struct {
	done    <-chan struct{}
	moves   int
	stopped bool
}

func (s *stopState) tick() bool {
	if s.stopped {
		return true
	}
	s.moves++
	if s.done != nil && s.moves%stopCheckEvery == 0 && closed(s.done) {
		s.stopped = true
	}
	return s.stopped
}

// stopNav is an XPath navigator that stops moving once its state stopped.
type stopNav struct {
	xpath.NodeNavigator
	st *stopState
}

func (n *stopNav) Copy() xpath.NodeNavigator {
	return &stopNav{NodeNavigator: n.NodeNavigator.Copy(), st: n.st}
}

func (n *stopNav) MoveToParent() bool { return !n.st.tick() && n.NodeNavigator.MoveToParent() }
func (n *stopNav) MoveToNextAttribute() bool {
	return !n.st.tick() && n.NodeNavigator.MoveToNextAttribute()
}
func (n *stopNav) MoveToChild() bool    { return !n.st.tick() && n.NodeNavigator.MoveToChild() }
func (n *stopNav) MoveToFirst() bool    { return !n.st.tick() && n.NodeNavigator.MoveToFirst() }
func (n *stopNav) MoveToNext() bool     { return !n.st.tick() && n.NodeNavigator.MoveToNext() }
func (n *stopNav) MoveToPrevious() bool { return !n.st.tick() && n.NodeNavigator.MoveToPrevious() }

func (n *stopNav) MoveTo(other xpath.NodeNavigator) bool {
	if n.st.tick() {
		return false
	}
	if o, ok := other.(*stopNav); ok {
		other = o.NodeNavigator
	}
	return n.NodeNavigator.MoveTo(other)
}

// stoppableResult is stoppable for a function that returns an error too.
func stoppableResult(done <-chan struct{}, what string, f func() (bool, error)) (bool, error) {
	type result struct {
		ok  bool
		err error
	}
	r, err := stoppable(done, true, what, func() result {
		ok, err := f()
		return result{ok, err}
	})
	if err != nil {
		return false, err
	}
	return r.ok, r.err
}
