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

// Rule ids of problems found while compiling (see docs/rules.md).
const (
	RuleSourceUnreadable = arazzo.RuleSourceUnreadable
	RuleSourceOutside    = arazzo.RuleSourceOutside
	RuleSourceInvalid    = arazzo.RuleSourceInvalid
	RuleOperation        = arazzo.RuleOperation
	RuleWorkflowRef      = arazzo.RuleWorkflowUnresolved
	RuleExpression       = arazzo.RuleExpressionSyntax
	RuleComponentRef     = arazzo.RuleComponentRef
	RuleActionTarget     = arazzo.RuleActionTarget
)

// Load reads the Arazzo document at location (a file path or URL), loads its source
// descriptions and compiles it. The diagnostics list every problem found, errors and
// warnings; err is non-nil when the document cannot run (then it is an
// *arazzo.DocumentError holding the errors).
func Load(ctx context.Context, location string, opts ...Option) (*Plan, arazzo.Diagnostics, error) {
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
	// reported at once. compile builds no plan when any error was found.
	return compile(ctx, doc, cfg, diags)
}

// Compile compiles a parsed document; its source descriptions are read relative to
// doc.Location.
func Compile(ctx context.Context, doc *arazzo.Document, opts ...Option) (*Plan, arazzo.Diagnostics, error) {
	return compile(ctx, doc, newConfig(opts), nil)
}

// ReadError reports a document that could not be read.
type ReadError struct {
	Location string
	Err      error
}

func (e *ReadError) Error() string { return "cannot read " + e.Location + ": " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

func newConfig(opts []Option) config {
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
}

func compile(ctx context.Context, doc *arazzo.Document, cfg config, diags arazzo.Diagnostics) (*Plan, arazzo.Diagnostics, error) {
	c := &compiler{ctx: ctx, cfg: cfg, diags: diags, byLoc: map[string]*arazzo.Document{}, openapis: map[string]openapiLoad{},
		plan: &Plan{doc: doc, cfg: cfg, sources: map[*arazzo.Document]map[string]*source{}, workflows: map[*arazzo.Document]map[string]*workflowPlan{}}}
	c.loadDocument(doc, 0)
	if cfg.validate {
		for _, d := range c.plan.docs {
			c.diags = append(c.diags, arazzo.Validate(d, arazzo.WithSources(sourceIndex{c.plan, d}))...)
		}
	}
	if c.diags.HasErrors() {
		c.diags = c.diags.Sort()
		return nil, c.diags, c.diags.Err()
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
	if c.diags.HasErrors() {
		return nil, c.diags, c.diags.Err()
	}
	return c.plan, c.diags, nil
}

func (c *compiler) errorf(doc *arazzo.Document, pos arazzo.Pos, path, rule, format string, args ...any) {
	c.diags = append(c.diags, arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: rule, File: doc.File, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *compiler) warnf(doc *arazzo.Document, pos arazzo.Pos, path, rule, format string, args ...any) {
	c.diags = append(c.diags, arazzo.Diagnostic{Severity: arazzo.SeverityWarning, Rule: rule, File: doc.File, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

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
			c.errorf(doc, sd.ValuePos("url"), path+".url", RuleSourceInvalid, "source %q: url %q is not a URI reference: %v", sd.Name, sd.URL, err)
			continue
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
				c.errorf(doc, sd.ValuePos("url"), path+".url", RuleSourceInvalid, "source %q (%s) is not a valid OpenAPI description: %v", sd.Name, s.loc, prev.err)
				continue
			}
			s.kind, s.openapi = arazzo.SourceOpenAPI, prev.doc
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
			c.errorf(doc, sd.ValuePos("url"), path+".url", rule, "cannot read source description %q at %s: %v", sd.Name, s.loc, err)
			continue
		}
		if s.kind == "" {
			s.kind = sniffKind(data)
		}
		switch s.kind {
		case arazzo.SourceArazzo:
			if depth > 16 {
				c.errorf(doc, sd.ValuePos("url"), path+".url", RuleSourceInvalid, "source %q: Arazzo sources nest more than 16 deep", sd.Name)
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
				c.errorf(doc, sd.ValuePos("url"), path+".url", RuleSourceInvalid, "source %q (%s) is not a valid OpenAPI description: %v", sd.Name, s.loc, err)
				continue
			}
			s.kind, s.openapi = arazzo.SourceOpenAPI, od
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
