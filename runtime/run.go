package runtime

import (
	"context"
	"fmt"
	"sort"

	"github.com/arazzo-run/arazzo/transport"
)

// Run executes a workflow of the entry document with the local driver: requests
// go out through an http.Client, retries wait on real timers. workflowID may be
// empty when the document has a single workflow. inputs are checked against the
// workflow's inputs schema first (defaults applied); every problem is reported at
// once as a *UsageError. A workflow that fails is not an error: see Result.Status.
func (p *Plan) Run(ctx context.Context, workflowID string, inputs map[string]any, opts ...RunOption) (*Result, error) {
	cfg := p.runConfig(opts)
	secrets := cfg.secrets
	if secrets == nil {
		secrets = &Secrets{}
		cfg.secrets = secrets
	}
	if cfg.mockMessages && cfg.memory == nil {
		cfg.memory = transport.NewMemory()
	}
	fx := newLocalEffects(&cfg, secrets)
	defer fx.msg.close() // the run's broker connections and subscriptions
	if cfg.mockMessages {
		fx.msg.mock = p.mockMessage
	}
	if cfg.observer != nil {
		obs := cfg.observer
		fx.auth.obs = func(msg string, err error) {
			obs.Event(&Event{Kind: EventWarning, Time: fx.Now(), Message: msg, Err: err})
		}
	}
	var eff Effects = fx
	if cfg.wrapEffects != nil {
		eff = cfg.wrapEffects(fx)
	}
	res, err := p.execute(ctx, workflowID, inputs, eff, &cfg)
	if res != nil {
		res.Unused = append(res.Unused, p.unusedCredentials(cfg.credentials, fx.auth, res.security, res.Status == StatusPassed)...)
	}
	return res, err
}

// Execute runs a workflow with another driver's Effects (journaled, durable...).
func (p *Plan) Execute(ctx context.Context, workflowID string, inputs map[string]any, fx Effects, opts ...RunOption) (*Result, error) {
	cfg := p.runConfig(opts)
	return p.execute(ctx, workflowID, inputs, fx, &cfg)
}

func (p *Plan) runConfig(opts []RunOption) config {
	cfg := p.cfg // the plan's settings hold no map a run option writes to
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

func (p *Plan) execute(ctx context.Context, workflowID string, inputs map[string]any, fx Effects, cfg *config) (*Result, error) {
	wp, in, err := p.start(workflowID, inputs, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.runTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.runTimeout)
		defer cancel()
	}
	r := p.newRun(cfg)
	r.fx, r.obs = fx, cfg.observer
	res := r.execute(ctx, wp, in)
	res.Unused = r.unusedServers(res.Status == StatusPassed)
	return res, nil
}

// start finds the workflow a run runs and checks its inputs (defaults applied);
// secret inputs are registered for masking.
func (p *Plan) start(workflowID string, inputs map[string]any, cfg *config) (*workflowPlan, map[string]any, error) {
	if p.err != nil {
		return nil, nil, p.err // a plan of a document with errors (Inspect) does not run
	}
	if err := p.checkSettings(cfg); err != nil {
		return nil, nil, err // before anything is sent (settings.go)
	}
	wp, err := p.lookup(workflowID)
	if err != nil {
		return nil, nil, err
	}
	in, err := wp.inputs.usage(wp.id, inputs)
	if err != nil {
		return nil, nil, err
	}
	// A close misspelling the schema lets through is a warning.
	if cfg.observer != nil {
		for _, w := range wp.inputs.Undeclared(inputs) {
			cfg.observer.Event(&Event{Kind: EventWarning, WorkflowID: wp.id, Message: fmt.Sprintf("workflow %q: %s", wp.id, w)})
		}
	}
	cfg.secrets.addInputSecrets(wp, in)
	return wp, in, nil
}

// newRun is the state of a run that has not started.
func (p *Plan) newRun(cfg *config) *run {
	return &run{plan: p, cfg: cfg, done: map[*workflowPlan]*wfOutcome{}, ran: map[*stepPlan]bool{}}
}

// lookup finds a workflow of the entry document.
func (p *Plan) lookup(id string) (*workflowPlan, error) {
	if id == "" {
		if len(p.order) == 1 {
			return p.order[0], nil
		}
		return nil, &UsageError{Msg: fmt.Sprintf("the document has %d workflows; choose one: %s", len(p.order), p.workflowIDs()), Workflows: p.ids()}
	}
	for _, wp := range p.order {
		if wp.id == id {
			return wp, nil
		}
	}
	ids := p.ids()
	return nil, &UsageError{Msg: fmt.Sprintf("unknown workflow %q%s (workflows: %s)", id, Suggest(id, ids), p.workflowIDs())}
}

func (p *Plan) ids() []string {
	ids := make([]string, len(p.order))
	for i, wp := range p.order {
		ids[i] = wp.id
	}
	return ids
}

func (p *Plan) workflowIDs() string {
	ids := p.ids()
	sort.Strings(ids)
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ", "
		}
		s += id
	}
	return s
}

// CoerceInput converts a command-line text value to the type the workflow's
// inputs schema declares for name.
func (p *Plan) CoerceInput(workflowID, name, text string) (any, error) {
	wp, err := p.lookup(workflowID)
	if err != nil {
		return nil, err
	}
	return wp.inputs.Coerce(name, text)
}

// WithSecrets collects the credentials a run uses, so that callers can mask them
// in anything they print.
func WithSecrets(s *Secrets) RunOption { return func(c *config) { c.secrets = s } }
