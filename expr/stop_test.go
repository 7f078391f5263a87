package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/antchfx/xmlquery"
)

// stoppingResolver is a mapResolver whose evaluations must stop when done closes.
type stoppingResolver struct {
	mapResolver
	done chan struct{}
}

func (r stoppingResolver) Done() <-chan struct{} { return r.done }

// quadraticXML has n elements; "//i[count(preceding::i) >= 0]" visits the
// preceding elements of each, about n²/2 navigator moves.
func quadraticXML(n int) string {
	return "<r>" + strings.Repeat("<i/>", n) + "</r>"
}

const quadraticXPath = "count(//i[count(preceding::i) >= 0]) > 0"

// An XPath evaluation in progress stops at its next check once Done has
// closed, however much work is left: the count of navigator moves shows it.
func TestXPathStopsMidEvaluation(t *testing.T) {
	q, err := compileXPath(quadraticXPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := xmlquery.Parse(strings.NewReader(quadraticXML(400)))
	if err != nil {
		t.Fatal(err)
	}
	full := &stopState{}
	if ok, _, err := q.run(q.expr(), &stopNav{NodeNavigator: xmlquery.CreateXPathNavigator(doc), st: full}); err != nil || !ok {
		t.Fatalf("unstopped evaluation: %v, %v", ok, err)
	}
	if full.moves < 400*400/2 {
		t.Fatalf("the query made %d moves; the test needs a quadratic one", full.moves)
	}
	done := make(chan struct{})
	close(done)
	st := &stopState{done: done}
	q.run(q.expr(), &stopNav{NodeNavigator: xmlquery.CreateXPathNavigator(doc), st: st})
	if !st.stopped {
		t.Fatal("the evaluation did not see Done closed")
	}
	if st.moves > stopCheckEvery {
		t.Errorf("%d moves after Done closed (the full query makes %d); want at most %d", st.moves, full.moves, stopCheckEvery)
	}
}

// Every criterion type ends with ErrStopped once its resolver's Done has
// closed, on a context large enough to take long.
func TestCriterionStops(t *testing.T) {
	big := strings.Repeat("a", 1<<20) + "!"
	tests := []struct {
		typ, context, condition string
		value                   any
	}{
		{"xpath", "$response.body", quadraticXPath, quadraticXML(300)},
		{"regex", "$response.body", "^(a+)+$", big},
		{"jsonpath", "$response.body", "$..*[?count(@..*) > 0]", map[string]any{"a": []any{1, 2, map[string]any{"b": 3}}}},
		{"jsonpath", "$response.body", "$.a.length > 2", map[string]any{"a": []any{1, 2, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.condition, func(t *testing.T) {
			c, err := CompileCriterion(CriterionSpec{Type: tt.typ, Context: tt.context, Condition: tt.condition})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			close(done)
			r := stoppingResolver{mapResolver{tt.context: tt.value}, done}
			if ok, err := c.Eval(r); ok || !errors.Is(err, ErrStopped) {
				t.Errorf("Eval = %v, %v; want ErrStopped", ok, err)
			}
			if o := c.Explain(r); o.Pass || !errors.Is(o.Err, ErrStopped) || !strings.Contains(o.Reason, "stopped") {
				t.Errorf("Explain = %+v; want ErrStopped", o)
			}
			// Without a closed Done the same criterion decides.
			if _, err := c.Eval(stoppingResolver{mapResolver{tt.context: tt.value}, make(chan struct{})}); errors.Is(err, ErrStopped) {
				t.Errorf("stopped without Done closed: %v", err)
			}
		})
	}
}

// A long evaluation on its own goroutine is abandoned the moment Done closes.
func TestStoppableAbandons(t *testing.T) {
	done := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	_, err := stoppable(done, true, "regex x", func() bool {
		close(done) // the run is cancelled while the match runs
		<-release   // a match that would go on
		return true
	})
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("err = %v, want ErrStopped", err)
	}
}
