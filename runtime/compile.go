package runtime

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/asyncapi"
	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/openapi"
)

// Rule ids of problems found loading the source descriptions (see docs/rules.md).
const (
	RuleSourceUnreadable = arazzo.RuleSourceUnreadable
	RuleSourceOutside    = arazzo.RuleSourceOutside
	RuleSourceInvalid    = arazzo.RuleSourceInvalid
)

// Load reads the Arazzo document at location (a file path or URL), loads its source
// descriptions, checks it and compiles it from what was checked. The diagnostics
// list every problem found, errors and warnings, with the severities of
// arazzo.Check: the same for every command and embedder. err is non-nil when the
// document cannot run (a *LoadError wrapping an *arazzo.DocumentError that holds
// the errors, or a *ReadError) and the plan is nil; Inspect returns the plan of
// such a document too.
func Load(ctx context.Context, location string, opts ...PlanOption) (*Plan, arazzo.Diagnostics, error) {
	plan, diags, err := Inspect(ctx, location, opts...)
	if err != nil {
		return nil, diags, err
	}
	return plan, diags, nil
}

// Inspect is Load for tools that show a document rather than run it (list,
// describe, graph): it returns the plan of a document with errors too, as far
// as it could be built (a step whose operation is not found has none), with
// the same diagnostics and error as Load. Such a plan refuses to run: Run,
// Execute and DryRun return its error. The plan is nil only when the
// document could not be read or decoded.
func Inspect(ctx context.Context, location string, opts ...PlanOption) (*Plan, arazzo.Diagnostics, error) {
	plan, diags, err := inspect(ctx, location, opts)
	if err != nil {
		err = &LoadError{Location: location, Err: err}
	}
	return plan, diags, err
}

func inspect(ctx context.Context, location string, opts []PlanOption) (*Plan, arazzo.Diagnostics, error) {
	cfg := newConfig(opts)
	loc := arazzo.FileLocation(location)
	u, err := url.Parse(loc)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", location, err)
	}
	data, err := cfg.read(ctx, u)
	if err != nil {
		return nil, nil, &ReadError{Location: location, Err: err}
	}
	doc, diags := arazzo.Parse(location, data, arazzo.WithLocation(loc), arazzo.WithLimits(cfg.limits))
	if doc == nil || !decoded(diags) {
		return nil, diags, diags.Err()
	}
	// Structural errors do not stop the semantic checks: every problem is
	// reported at once.
	return compile(ctx, doc, cfg, diags)
}

// Compile checks and compiles a parsed document; its source descriptions are read
// relative to doc.Location. Like Load, it returns no plan when the document has
// errors.
func Compile(ctx context.Context, doc *arazzo.Document, opts ...PlanOption) (*Plan, arazzo.Diagnostics, error) {
	plan, diags, err := compile(ctx, doc, newConfig(opts), nil)
	if err != nil {
		return nil, diags, &LoadError{Location: doc.Location, Err: err}
	}
	return plan, diags, nil
}

// ReadError reports a document that could not be read.
type ReadError struct {
	Location string
	Err      error
}

func (e *ReadError) Error() string { return "cannot read " + e.Location + ": " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

func newConfig(opts []PlanOption) config {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.read == nil {
		cfg.read = DefaultReader(ReaderOptions{})
	}
	cfg.digest = &sourceDigest{}
	cfg.read = cfg.digest.wrap(cfg.read)
	return cfg
}

type compiler struct {
	ctx   context.Context
	cfg   config
	diags arazzo.Diagnostics
	plan  *Plan
	// byLoc holds the Arazzo documents loaded, by identity (fetch.Identity):
	// one document reached under several names is parsed once; nil marks one
	// that did not parse (its problems are reported once).
	byLoc map[string]*arazzo.Document
	// openapis holds the OpenAPI descriptions loaded (or the error of
	// loading one), by identity, for the same reason.
	openapis map[string]openapiLoad
	// checked is the judgment of each document, which the plan is compiled from.
	checked map[*arazzo.Document]*arazzo.Checked
}

// compile loads the sources, checks every document once with them loaded, and
// compiles the plan from what was checked: the operations the checker
// resolved, the readings it chose. It reports nothing itself. The plan is
// built even when the document has errors (for Inspect); it then carries them
// and refuses to run.
func compile(ctx context.Context, doc *arazzo.Document, cfg config, diags arazzo.Diagnostics) (*Plan, arazzo.Diagnostics, error) {
	c := &compiler{ctx: ctx, cfg: cfg, diags: diags, byLoc: map[string]*arazzo.Document{}, openapis: map[string]openapiLoad{}, checked: map[*arazzo.Document]*arazzo.Checked{},
		plan: &Plan{doc: doc, cfg: cfg, sources: map[*arazzo.Document]map[string]*source{}, workflows: map[*arazzo.Document]map[string]*workflowPlan{}}}
	c.loadDocument(doc, 0)
	for _, d := range c.plan.docs {
		chk := arazzo.Check(d, arazzo.WithSources(newSourceIndex(c.plan, d)))
		c.checked[d] = chk
		c.diags = append(c.diags, chk.Diagnostics...)
	}
	for _, d := range c.plan.docs {
		c.compileWorkflows(d)
	}
	for _, d := range c.plan.docs {
		for _, w := range d.Workflows {
			c.bindWorkflow(c.plan.workflows[d][w.WorkflowID])
		}
	}
	c.diags = c.diags.Sort()
	c.plan.err = c.diags.Err()
	return c.plan, c.diags, c.plan.err
}

// Err returns the errors of the document the plan was built from (an
// *arazzo.DocumentError), nil for a plan that can run.
func (p *Plan) Err() error { return p.err }

// loadDocument registers an Arazzo document and loads its sources, recursively.
func (c *compiler) loadDocument(doc *arazzo.Document, depth int) {
	c.byLoc[identity(doc.Location)] = doc
	c.plan.docs = append(c.plan.docs, doc)
	srcs := map[string]*source{}
	c.plan.sources[doc] = srcs
	base, _ := url.Parse(doc.Location)
	for i, sd := range doc.SourceDescriptions {
		path := fmt.Sprintf("sourceDescriptions[%d]", i)
		s := &source{name: sd.Name, kind: sd.Type, url: sd.URL}
		srcs[sd.Name] = s
		ref, err := url.Parse(sd.URL)
		if err != nil {
			continue // the checker reports it (source-url)
		}
		abs := ref
		if base != nil {
			abs = base.ResolveReference(ref)
		}
		if loc, ok := c.cfg.sourceLocations[sd.Name]; ok && depth == 0 {
			if u, err := url.Parse(loc); err == nil {
				abs = u
			}
		}
		s.loc = abs.String()
		id := fetch.Identity(abs)
		if other, ok := c.byLoc[id]; ok {
			s.kind, s.arazzo = arazzo.SourceArazzo, other
			continue
		}
		if prev, ok := c.openapis[id]; ok && (s.kind == "" || s.kind == arazzo.SourceOpenAPI) {
			if prev.err != nil {
				s.problem = &arazzo.SourceProblem{Rule: RuleSourceInvalid, Message: fmt.Sprintf("source %q (%s) is not a valid OpenAPI description: %v", sd.Name, s.loc, prev.err)}
				continue
			}
			s.kind, s.openapi = arazzo.SourceOpenAPI, prev.doc
			if len(prev.doc.Defects) > 0 {
				s.problem = &arazzo.SourceProblem{Defects: sourceDefects(prev.doc.Defects)}
			}
			continue
		}
		data, err := c.cfg.read(c.ctx, abs)
		if err != nil {
			if errors.Is(err, ErrOffline) {
				continue // offline: checks that need this source are skipped
			}
			rule := RuleSourceUnreadable
			var outside *OutsideError
			var limit *fetch.LimitError
			var kind *fetch.FileTypeError
			switch {
			case errors.As(err, &outside):
				rule = RuleSourceOutside
			case errors.As(err, &limit), errors.As(err, &kind):
				rule = RuleSourceInvalid // there, but not a document that can be read
			}
			s.problem = &arazzo.SourceProblem{Rule: rule, Message: fmt.Sprintf("cannot read source description %q at %s: %v", sd.Name, s.loc, err)}
			continue
		}
		if s.kind == "" {
			s.kind = sniffKind(data)
		}
		switch s.kind {
		case arazzo.SourceArazzo:
			if depth > 16 {
				s.problem = &arazzo.SourceProblem{Rule: RuleSourceInvalid, Message: fmt.Sprintf("source %q: Arazzo sources nest more than 16 deep", sd.Name)}
				continue
			}
			sub, ds := arazzo.Parse(displayName(doc, sd.URL, s.loc), data, arazzo.WithLocation(s.loc), arazzo.WithLimits(c.cfg.limits))
			c.diags = append(c.diags, ds...)
			if sub == nil || ds.HasErrors() {
				c.byLoc[id] = nil
				continue
			}
			s.arazzo = sub
			c.loadDocument(sub, depth+1)
		case arazzo.SourceAsyncAPI:
			ad, err := asyncapi.Load(c.ctx, s.loc, data, asyncapi.WithReadFunc(asyncapi.ReadFunc(c.cfg.read)))
			c.asyncDiagnostics(doc, sd, path, ad, err)
			s.asyncapi = ad
		default:
			od, err := openapi.Load(c.ctx, s.loc, data, openapi.WithReadFunc(c.cfg.read))
			c.openapis[id] = openapiLoad{od, err}
			if err != nil {
				s.problem = &arazzo.SourceProblem{Rule: RuleSourceInvalid, Message: fmt.Sprintf("source %q (%s) is not a valid OpenAPI description: %v", sd.Name, s.loc, err)}
				continue
			}
			s.kind, s.openapi = arazzo.SourceOpenAPI, od
			if len(od.Defects) > 0 {
				s.problem = &arazzo.SourceProblem{Defects: sourceDefects(od.Defects)}
			}
		}
	}
}

type openapiLoad struct {
	doc *openapi.Document
	err error
}

// identity is fetch.Identity of a location written as a string.
func identity(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return fetch.Identity(u)
}

// displayName names a source document in diagnostics: relative to the entry when it is a file.
func displayName(doc *arazzo.Document, written, loc string) string {
	if strings.HasPrefix(loc, "file://") {
		if u, err := url.Parse(loc); err == nil {
			return u.Path
		}
	}
	return loc
}

// sniffKind detects a source's type from its top-level key when the document does not say.
func sniffKind(data []byte) string {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	s := string(head)
	switch {
	case strings.Contains(s, "arazzo:") || strings.Contains(s, `"arazzo"`):
		return arazzo.SourceArazzo
	case strings.Contains(s, "asyncapi:") || strings.Contains(s, `"asyncapi"`):
		return arazzo.SourceAsyncAPI
	}
	return arazzo.SourceOpenAPI
}

// OpenAPIDocuments returns every loaded OpenAPI source, for tools such as the mock server.
func (p *Plan) OpenAPIDocuments() []*openapi.Document {
	var out []*openapi.Document
	seen := map[*openapi.Document]bool{}
	for _, d := range p.docs {
		for _, sd := range d.SourceDescriptions {
			if s := p.sources[d][sd.Name]; s != nil && s.openapi != nil && !seen[s.openapi] {
				seen[s.openapi] = true
				out = append(out, s.openapi)
			}
		}
	}
	return out
}

// decoded reports whether a document was read far enough to check its meaning:
// not when its YAML is broken, its root is not an object or it hits a limit.
func decoded(diags arazzo.Diagnostics) bool {
	for _, d := range diags {
		switch d.Rule {
		case arazzo.RuleYAMLSyntax, arazzo.RuleRootNotObject, arazzo.RuleDocumentLimits:
			return false
		}
	}
	return true
}
