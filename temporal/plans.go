package temporal

import (
	"context"
	"fmt"
	"sync"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/runtime"
)

// maxPlans bounds the compiled plans a worker keeps.
const maxPlans = 64

// plans compiles the documents of runs, once per digest: a worker that runs
// the same document ten thousand times compiles it once. Compiling is pure
// (documents come from the run, not from disk or the network), so it may
// happen in workflow code, and a replay on another worker compiles the same
// plan.
type plans struct {
	mu    sync.Mutex
	byKey map[string]*planEntry
	order []string // oldest first
}

type planEntry struct {
	once sync.Once
	plan *runtime.Plan
	err  error
}

func (p *plans) get(docs *Documents) (*runtime.Plan, error) {
	p.mu.Lock()
	if p.byKey == nil {
		p.byKey = map[string]*planEntry{}
	}
	e := p.byKey[docs.Digest]
	if e == nil {
		e = &planEntry{}
		p.byKey[docs.Digest] = e
		p.order = append(p.order, docs.Digest)
		if len(p.order) > maxPlans {
			delete(p.byKey, p.order[0])
			p.order = p.order[1:]
		}
	}
	p.mu.Unlock()
	e.once.Do(func() { e.plan, e.err = compile(docs) })
	return e.plan, e.err
}

// compile builds the plan of a run's documents as runtime.Load built it on
// the machine that submitted the run. The document was validated there.
func compile(docs *Documents) (*runtime.Plan, error) {
	files, err := docs.unpack()
	if err != nil {
		return nil, err
	}
	doc, diags := arazzo.Parse(docs.Name, files[0].data, arazzo.WithLocation(files[0].location))
	if doc == nil || diags.HasErrors() {
		return nil, fmt.Errorf("the run's document does not parse: %v", diags.Err())
	}
	plan, _, err := runtime.Compile(context.Background(), doc, runtime.WithReadFunc(readFunc(files)))
	if err != nil {
		return nil, fmt.Errorf("the run's document does not compile: %v", err)
	}
	return plan, nil
}
