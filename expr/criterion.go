package expr

import (
	"errors"
	"iter"
	"slices"
	"strconv"
)

// CriterionSpec is the source of a Criterion Object.
type CriterionSpec struct {
	Condition string
	// Context is the runtime expression text, "" when absent.
	Context string
	// Type is "", "simple", "regex", "jsonpath" or "xpath" (the Expression
	// Type Object's type when the criterion uses the object form).
	Type string
	// Version is the Expression Type Object version
	// ("draft-goessner-dispatch-jsonpath-00", "rfc9535", "xpath-10",
	// "xpath-20", "xpath-30", "xpath-31"), "" for the default.
	Version string
}

type critType uint8

const (
	critSimple critType = iota
	critRegex
	critJSONPath
	critXPath
)

var critTypeNames = [...]string{critSimple: "simple", critRegex: "regex", critJSONPath: "jsonpath", critXPath: "xpath"}

// defaultContext is the context used when a regex, jsonpath or xpath
// criterion has none (the validator reports the omission).
const defaultContext = "$response.body"

// Criterion is a compiled Criterion Object. It is immutable and safe for
// concurrent use.
type Criterion struct {
	spec     CriterionSpec
	typ      critType
	cond     *Condition  // simple
	ctx      *Expression // context; nil for a simple criterion without one
	tmpl     *Template   // regex/jsonpath/xpath condition with {$...} placeholders
	re       *regexQuery
	jp       *jsonPathQuery
	xp       *xpathQuery
	refs     []*Expression
	warnings []Warning
}

// Outcome is the slow-path result of a criterion: what it saw and why it
// passed or failed.
type Outcome struct {
	Pass bool
	// Err is the evaluation error (missing value, type mismatch, ...); Pass
	// is false then.
	Err error
	// Operands lists, for a simple condition, each runtime expression with
	// the value it evaluated to; for other types, the context value (callers
	// may truncate it).
	Operands []Operand
	// Reason is one line a human reads, e.g. "$statusCode is 404, expected == 200".
	Reason string
}

// Operand is one runtime expression seen by a criterion.
type Operand struct {
	Expr    string
	Value   any
	Missing bool
}

// CompileCriterion compiles a Criterion Object. Errors are *FieldError
// values whose Field is "condition", "context", "type" or "version"; the
// wrapped *SyntaxError's Offset is relative to that field.
func CompileCriterion(spec CriterionSpec) (*Criterion, error) {
	c := &Criterion{spec: spec}
	switch spec.Type {
	case "", "simple":
		c.typ = critSimple
	case "regex":
		c.typ = critRegex
	case "jsonpath":
		c.typ = critJSONPath
	case "xpath":
		c.typ = critXPath
	default:
		return nil, &FieldError{Field: "type", Err: errors.New("unknown criterion type " + strconv.Quote(spec.Type) + " (want simple, regex, jsonpath or xpath)")}
	}
	if err := c.checkVersion(); err != nil {
		return nil, &FieldError{Field: "version", Err: err}
	}
	if spec.Context != "" {
		e, err := Parse(spec.Context)
		if err != nil {
			return nil, &FieldError{Field: "context", Err: err}
		}
		c.ctx = e
		c.refs = append(c.refs, e)
		c.warnings = append(c.warnings, withField("context", e.Warnings())...)
	} else if c.typ != critSimple {
		c.ctx, _ = Parse(defaultContext)
		c.warnings = append(c.warnings, Warning{
			Rule:       "criterion-context-missing",
			Message:    "a " + critTypeNames[c.typ] + " criterion needs a context; " + defaultContext + " is used",
			Suggestion: "context: " + defaultContext,
			Field:      "context",
		})
	}
	if err := c.compileCondition(); err != nil {
		return nil, &FieldError{Field: "condition", Err: err}
	}
	return c, nil
}

func (c *Criterion) checkVersion() error {
	v := c.spec.Version
	if v == "" {
		return nil
	}
	switch c.typ {
	case critJSONPath:
		if v == "rfc9535" || v == versionGoessner {
			return nil
		}
		return errors.New("unknown jsonpath version " + strconv.Quote(v) + " (want rfc9535 or " + versionGoessner + ")")
	case critXPath:
		switch v {
		case "xpath-10", "xpath-20", "xpath-30", "xpath-31":
			return nil
		}
		return errors.New("unknown xpath version " + strconv.Quote(v) + " (want xpath-10, xpath-20, xpath-30 or xpath-31)")
	}
	return errors.New("a version applies only to jsonpath and xpath criteria, not " + critTypeNames[c.typ])
}

func (c *Criterion) compileCondition() error {
	src := c.spec.Condition
	if c.typ == critSimple {
		cond, err := ParseCondition(src)
		if err != nil {
			return err
		}
		c.cond = cond
		c.refs = append(c.refs, cond.refs...)
		c.warnings = append(c.warnings, withField("condition", cond.Warnings())...)
		return nil
	}
	if hasPlaceholder(src) {
		// Arazzo 1.1: {$...} placeholders are substituted (as text) before
		// the query is compiled, so the query is compiled per evaluation.
		t, err := ParseTemplate(src)
		if err != nil {
			return err
		}
		c.tmpl = t
		c.refs = append(c.refs, t.refs...)
		c.warnings = append(c.warnings, withField("condition", t.Warnings())...)
		return nil
	}
	q, ws, err := c.compileQuery(src)
	if err != nil {
		return err
	}
	c.warnings = append(c.warnings, withField("condition", ws)...)
	c.re, c.jp, c.xp = q.re, q.jp, q.xp
	return nil
}

type compiledQuery struct {
	re *regexQuery
	jp *jsonPathQuery
	xp *xpathQuery
}

func (c *Criterion) compileQuery(src string) (compiledQuery, []Warning, error) {
	switch c.typ {
	case critRegex:
		re, err := compileRegex(src)
		return compiledQuery{re: re}, nil, err
	case critJSONPath:
		jp, ws, err := compileJSONPath(src, c.spec.Version)
		return compiledQuery{jp: jp}, ws, err
	}
	xp, err := compileXPath(src)
	return compiledQuery{xp: xp}, nil, err
}

// query returns the compiled query, substituting placeholders first when
// the condition has any.
func (c *Criterion) query(r Resolver) (compiledQuery, error) {
	if c.tmpl == nil {
		return compiledQuery{re: c.re, jp: c.jp, xp: c.xp}, nil
	}
	src, err := c.tmpl.Eval(r)
	if err != nil {
		return compiledQuery{}, err
	}
	q, _, err := c.compileQuery(src)
	if err != nil {
		return compiledQuery{}, &EvalError{Expr: src, Msg: "the condition after substitution is invalid: " + err.Error(), Err: err}
	}
	return q, nil
}

// Refs lists the runtime expressions of the criterion: the context first,
// then those of the condition, in order.
func (c *Criterion) Refs() []*Expression { return append([]*Expression(nil), c.refs...) }

// AllRefs yields the index and expression of each of Refs, without a copy of
// the list.
func (c *Criterion) AllRefs() iter.Seq2[int, *Expression] { return slices.All(c.refs) }

// Warnings lists the compatibility readings applied, each with a suggested
// standard form. Field is "condition" or "context".
func (c *Criterion) Warnings() []Warning { return append([]Warning(nil), c.warnings...) }

// Type returns the criterion type: "simple", "regex", "jsonpath" or "xpath".
func (c *Criterion) Type() string { return critTypeNames[c.typ] }

// Eval evaluates the criterion. An evaluation error (missing context,
// invalid substituted query, type mismatch) returns false and the error.
func (c *Criterion) Eval(r Resolver) (bool, error) {
	if c.typ == critSimple {
		return c.cond.Eval(r)
	}
	ctx, err := c.context(r)
	if err != nil {
		return false, err
	}
	q, err := c.query(r)
	if err != nil {
		return false, err
	}
	done := doneOf(r)
	switch c.typ {
	case critRegex:
		return q.re.match(ctx, done)
	case critJSONPath:
		return q.jp.match(ctx, done)
	}
	return q.xp.match(ctx, done)
}

func (c *Criterion) context(r Resolver) (any, error) {
	v, err := c.ctx.Eval(r)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, &EvalError{Expr: c.ctx.Text, Msg: "is null; a " + critTypeNames[c.typ] + " criterion fails on a null context"}
	}
	return v, nil
}

// Explain evaluates the criterion and reports what it saw and why (slow
// path, for traces and verbose output).
func (c *Criterion) Explain(r Resolver) Outcome {
	if c.typ == critSimple {
		return c.cond.Explain(r)
	}
	v, err := c.ctx.Eval(r)
	out := Outcome{Operands: []Operand{{Expr: c.ctx.Text, Value: v, Missing: err != nil}}}
	ctx, err := c.context(r)
	if err != nil {
		return fail(out, err)
	}
	q, err := c.query(r)
	if err != nil {
		return fail(out, err)
	}
	var vd verdict
	done := doneOf(r)
	switch c.typ {
	case critRegex:
		vd = q.re.explain(ctx, done)
	case critJSONPath:
		vd = q.jp.explain(ctx, done)
	default:
		vd = q.xp.explain(ctx, done)
	}
	out.Pass, out.Err, out.Reason = vd.pass && vd.err == nil, vd.err, vd.reason
	return out
}

func fail(out Outcome, err error) Outcome {
	out.Pass, out.Err, out.Reason = false, err, errReason(err)
	return out
}

// Rewrite returns the criterion with every expression e replaced by f(e)
// (see Value.Rewrite); c itself when nothing changes.
func (c *Criterion) Rewrite(f func(*Expression) *Expression) *Criterion {
	if !rewrites(c.refs, f) {
		return c
	}
	out := *c
	out.refs = nil
	if c.ctx != nil {
		out.ctx = f(c.ctx)
	}
	if c.spec.Context != "" {
		out.refs = append(out.refs, out.ctx)
	}
	switch {
	case c.cond != nil:
		out.cond = c.cond.Rewrite(f)
		out.refs = append(out.refs, out.cond.refs...)
	case c.tmpl != nil:
		out.tmpl = c.tmpl.Rewrite(f)
		out.refs = append(out.refs, out.tmpl.refs...)
	}
	return &out
}
