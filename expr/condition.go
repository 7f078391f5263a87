package expr

import (
	"errors"
	"strconv"
	"strings"
)

// Condition is a parsed simple condition (the Criterion "simple" type). It
// is immutable and safe for concurrent use.
type Condition struct {
	src      string
	root     cnode
	refs     []*Expression
	operands []*operand
	warnings []Warning
}

// maxDepth bounds nesting of parentheses and '!' so that no input can
// exhaust the stack.
const maxDepth = 256

// ParseCondition parses a simple condition. The grammar (see
// docs/expressions.md):
//
//	condition  = or-expr
//	or-expr    = and-expr *( "||" and-expr )
//	and-expr   = not-expr *( "&&" not-expr )
//	not-expr   = "!" not-expr / comparison
//	comparison = primary [ comp-op primary ]      ; non-associative
//	comp-op    = "==" / "!=" / "<" / "<=" / ">" / ">="
//	primary    = literal / operand / "(" or-expr ")"
//
// A condition wrapped in braces ("{$statusCode == 401}") is read without
// them, with a "condition-braced" warning.
func ParseCondition(src string) (*Condition, error) {
	start, end := 0, len(src)
	for start < end && isSpace(src[start]) {
		start++
	}
	for end > start && isSpace(src[end-1]) {
		end--
	}
	c := &Condition{src: src}
	if start == end {
		return nil, syntaxErr(src, start, "empty condition")
	}
	if src[start] == '{' && src[end-1] == '}' && end-start >= 2 {
		inner := strings.TrimSpace(src[start+1 : end-1])
		c.warnings = append(c.warnings, Warning{
			Offset:     start,
			Rule:       "condition-braced",
			Message:    "a condition is not an embedded expression; the surrounding braces are ignored",
			Suggestion: inner,
		})
		start, end = start+1, end-1
	}
	l := lexer{src: src, pos: start, end: end}
	if err := l.lex(); err != nil {
		return nil, err
	}
	c.warnings = append(c.warnings, l.warnings...)
	p := condParser{src: src, toks: l.toks, c: c}
	if p.peek().kind == tEOF {
		return nil, syntaxErr(src, p.peek().off, "empty condition")
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		msg := "unexpected " + t.describe(src)
		if t.kind.isComparison() {
			msg = "comparison operators cannot be chained; combine comparisons with && or ||"
		} else if t.kind == tRParen {
			msg = "unexpected ')' without matching '('"
		} else {
			msg += " (missing && or ||?)"
		}
		return nil, syntaxErr(src, t.off, msg)
	}
	c.root = root
	return c, nil
}

// String returns the condition source.
func (c *Condition) String() string { return c.src }

// Refs lists the runtime expressions of the condition in order.
func (c *Condition) Refs() []*Expression { return append([]*Expression(nil), c.refs...) }

// Warnings lists compatibility readings applied while parsing.
func (c *Condition) Warnings() []Warning { return append([]Warning(nil), c.warnings...) }

// Eval evaluates the condition. A condition that cannot be evaluated
// (missing value, incomparable types) returns false and an error. It does not
// allocate unless it returns an error.
func (c *Condition) Eval(r Resolver) (bool, error) {
	return c.root.eval(r)
}

// Explain evaluates the condition and reports what it saw (slow path).
func (c *Condition) Explain(r Resolver) Outcome {
	v := c.root.explain(r)
	out := Outcome{Pass: v.pass && v.err == nil, Err: v.err, Reason: v.reason}
	for _, o := range c.operands {
		v, ok := o.value(r)
		out.Operands = append(out.Operands, Operand{Expr: o.text, Value: v, Missing: !ok})
	}
	return out
}

type condParser struct {
	src   string
	toks  []token
	i     int
	depth int
	c     *Condition
}

func (p *condParser) peek() token { return p.toks[p.i] }

func (p *condParser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// parseOr implements or-expr = and-expr *( "||" and-expr ).
func (p *condParser) parseOr() (cnode, error) {
	n, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tOr {
		return n, nil
	}
	or := &orNode{items: []cnode{n}}
	for p.peek().kind == tOr {
		p.advance()
		m, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		or.items = append(or.items, m)
	}
	return or, nil
}

// parseAnd implements and-expr = not-expr *( "&&" not-expr ).
func (p *condParser) parseAnd() (cnode, error) {
	n, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tAnd {
		return n, nil
	}
	and := &andNode{items: []cnode{n}}
	for p.peek().kind == tAnd {
		p.advance()
		m, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		and.items = append(and.items, m)
	}
	return and, nil
}

// parseNot implements not-expr = "!" not-expr / comparison.
func (p *condParser) parseNot() (cnode, error) {
	if p.peek().kind != tNot {
		return p.parseComparison()
	}
	t := p.advance()
	if p.depth++; p.depth > maxDepth {
		return nil, syntaxErr(p.src, t.off, "condition nested too deeply")
	}
	x, err := p.parseNot()
	p.depth--
	if err != nil {
		return nil, err
	}
	return &notNode{x: x}, nil
}

// parseComparison implements comparison = primary [ comp-op primary ].
func (p *condParser) parseComparison() (cnode, error) {
	l, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	opTok := p.peek()
	if !opTok.kind.isComparison() {
		if l.kind == tmGroup {
			return l.group, nil
		}
		if l.kind == tmLiteral && l.lit.k != cBool {
			return nil, syntaxErr(p.src, l.off, "expected a condition, found the literal "+l.text+" (compare it with an operator)")
		}
		return &truthNode{t: l}, nil
	}
	p.advance()
	r, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	return &cmpNode{op: opTok.kind, l: l, r: r, text: p.src[l.off:r.end]}, nil
}

// parsePrimary implements primary = literal / operand / "(" or-expr ")".
func (p *condParser) parsePrimary() (term, error) {
	t := p.advance()
	switch t.kind {
	case tLiteral:
		if t.dquoted {
			p.c.warnings = append(p.c.warnings, Warning{
				Offset:     t.off,
				Rule:       "condition-double-quoted",
				Message:    "string literals in conditions use single quotes",
				Suggestion: "'" + strings.ReplaceAll(t.lit.s, "'", "''") + "'",
			})
		}
		return term{kind: tmLiteral, lit: t.lit, text: p.src[t.off:t.end], off: t.off, end: t.end}, nil
	case tOperand:
		p.c.refs = append(p.c.refs, t.operand.expr)
		p.c.operands = append(p.c.operands, t.operand)
		return term{kind: tmOperand, op: t.operand, text: t.operand.text, off: t.off, end: t.end}, nil
	case tLParen:
		if p.depth++; p.depth > maxDepth {
			return term{}, syntaxErr(p.src, t.off, "condition nested too deeply")
		}
		g, err := p.parseOr()
		p.depth--
		if err != nil {
			return term{}, err
		}
		closing := p.advance()
		if closing.kind != tRParen {
			return term{}, syntaxErr(p.src, closing.off, "expected ')' to close '(' at offset "+strconv.Itoa(t.off)+", found "+closing.describe(p.src))
		}
		return term{kind: tmGroup, group: g, text: p.src[t.off:closing.end], off: t.off, end: closing.end}, nil
	}
	return term{}, syntaxErr(p.src, t.off, "expected a value, a runtime expression or '(', found "+t.describe(p.src))
}

// cnode is a node of a compiled condition. eval returns (false, err) when
// the node cannot be evaluated; that is a third truth value, "unknown",
// which && and || treat like SQL/Kleene logic (see docs/expressions.md).
type cnode interface {
	eval(r Resolver) (bool, error)
	explain(r Resolver) verdict
}

// verdict is the slow-path result of a node: its truth value, the error
// that made it unknown, and a reason a human reads.
type verdict struct {
	pass   bool
	err    error
	reason string
}

type termKind uint8

const (
	tmLiteral termKind = iota
	tmOperand
	tmGroup
)

type term struct {
	kind     termKind
	lit      cval
	op       *operand
	group    cnode
	text     string
	off, end int
}

// value resolves the operand and applies its pointer and navigation.
func (o *operand) value(r Resolver) (any, bool) {
	v, ok := r.Resolve(o.expr)
	if !ok {
		return nil, false
	}
	if len(o.expr.ptr) > 0 {
		if v, ok = resolveOK(o.expr.ptr, v); !ok {
			return nil, false
		}
	}
	if len(o.nav) > 0 {
		if v, ok = resolveOK(o.nav, v); !ok {
			return nil, false
		}
	}
	if o.length {
		n, err := lengthOf(v, o.text, "")
		return n, err == nil
	}
	return v, true
}

func resolveOK(p pointer, v any) (any, bool) {
	out, failed := p.resolve(v)
	return out, failed < 0
}

// missing builds the error for an operand whose value is absent (slow path).
func (o *operand) missing(r Resolver) error {
	v, ok := r.Resolve(o.expr)
	if !ok {
		return &EvalError{Expr: o.text, Msg: "no such value", Err: ErrMissing}
	}
	for _, p := range []pointer{o.expr.ptr, o.nav} {
		if len(p) == 0 {
			continue
		}
		out, failed := p.resolve(v)
		if failed >= 0 {
			return &EvalError{Expr: o.text, Msg: "no such value: " + p.describe(v, failed), Err: ErrMissing}
		}
		v = out
	}
	if o.length {
		if _, err := lengthOf(v, o.text, strings.TrimSuffix(o.text, ".length")); err != nil {
			return err
		}
	}
	return &EvalError{Expr: o.text, Msg: "no such value", Err: ErrMissing}
}

// eval classifies the term's value.
func (t *term) eval(r Resolver) (cval, error) {
	switch t.kind {
	case tmLiteral:
		return t.lit, nil
	case tmOperand:
		v, ok := t.op.value(r)
		if !ok {
			return cval{}, t.op.missing(r)
		}
		return classify(v), nil
	}
	b, err := t.group.eval(r)
	return cval{k: cBool, b: b}, err
}

// describe renders the term with its value for reasons.
func (t *term) describe(v cval) string {
	if t.kind == tmLiteral {
		return t.text
	}
	return t.text + " (" + describeValue(v.value()) + ")"
}

type orNode struct{ items []cnode }

func (n *orNode) eval(r Resolver) (bool, error) {
	var first error
	for _, it := range n.items {
		b, err := it.eval(r)
		if err == nil && b {
			return true, nil
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return false, first
}

func (n *orNode) explain(r Resolver) verdict {
	var first error
	var reasons []string
	for _, it := range n.items {
		v := it.explain(r)
		if v.err == nil && v.pass {
			return v
		}
		if v.err != nil && first == nil {
			first = v.err
		}
		reasons = append(reasons, v.reason)
	}
	return verdict{err: first, reason: strings.Join(reasons, "; ")}
}

type andNode struct{ items []cnode }

func (n *andNode) eval(r Resolver) (bool, error) {
	var first error
	for _, it := range n.items {
		b, err := it.eval(r)
		if err == nil && !b {
			return false, nil
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first == nil, first
}

func (n *andNode) explain(r Resolver) verdict {
	var first *verdict
	var reasons []string
	for _, it := range n.items {
		v := it.explain(r)
		if v.err == nil && !v.pass {
			return v
		}
		if v.err != nil && first == nil {
			first = &v
		}
		reasons = append(reasons, v.reason)
	}
	if first != nil {
		return *first
	}
	return verdict{pass: true, reason: strings.Join(reasons, "; ")}
}

type notNode struct{ x cnode }

func (n *notNode) eval(r Resolver) (bool, error) {
	b, err := n.x.eval(r)
	if err != nil {
		return false, err
	}
	return !b, nil
}

func (n *notNode) explain(r Resolver) verdict {
	v := n.x.explain(r)
	if v.err != nil {
		return v
	}
	return verdict{pass: !v.pass, reason: "not (" + v.reason + ")"}
}

type cmpNode struct {
	op   tokKind
	l, r term
	text string
}

func (n *cmpNode) eval(r Resolver) (bool, error) {
	a, err := n.l.eval(r)
	if err != nil {
		return false, err
	}
	b, err := n.r.eval(r)
	if err != nil {
		return false, err
	}
	res, ok := compare(n.op, a, b)
	if !ok {
		return false, &EvalError{Expr: n.text, Msg: incompatibleMsg(n.op, a, b)}
	}
	return res, nil
}

func (n *cmpNode) explain(r Resolver) verdict {
	a, err := n.l.eval(r)
	if err != nil {
		return errVerdict(err)
	}
	b, err := n.r.eval(r)
	if err != nil {
		return errVerdict(err)
	}
	res, ok := compare(n.op, a, b)
	if !ok {
		return errVerdict(&EvalError{Expr: n.text, Msg: incompatibleMsg(n.op, a, b)})
	}
	var reason string
	switch {
	case n.l.kind == tmOperand && res:
		reason = n.l.text + " is " + describeValue(a.value()) + ", " + opText[n.op] + " " + n.r.describe(b) + " holds"
	case n.l.kind == tmOperand:
		reason = n.l.text + " is " + describeValue(a.value()) + ", expected " + opText[n.op] + " " + n.r.describe(b)
	default:
		reason = n.l.describe(a) + " " + opText[n.op] + " " + n.r.describe(b) + " is " + strconv.FormatBool(res)
	}
	return verdict{pass: res, reason: reason}
}

// truthNode is a primary used as a condition: it passes iff its value is
// the boolean true.
type truthNode struct{ t term }

func (n *truthNode) eval(r Resolver) (bool, error) {
	v, err := n.t.eval(r)
	if err != nil {
		return false, err
	}
	if v.k != cBool {
		return false, n.notBoolean(v)
	}
	return v.b, nil
}

func (n *truthNode) notBoolean(v cval) error {
	return &EvalError{Expr: n.t.text, Msg: "is " + typeName(v.value()) + " " + describeValue(v.value()) + ", expected a boolean"}
}

func (n *truthNode) explain(r Resolver) verdict {
	v, err := n.t.eval(r)
	if err != nil {
		return errVerdict(err)
	}
	if v.k != cBool {
		return errVerdict(n.notBoolean(v))
	}
	switch {
	case n.t.kind == tmLiteral:
		return verdict{pass: v.b, reason: "literal " + n.t.text}
	case v.b:
		return verdict{pass: true, reason: n.t.text + " is true"}
	}
	return verdict{reason: n.t.text + " is false, expected true"}
}

func errVerdict(err error) verdict { return verdict{err: err, reason: errReason(err)} }

// errReason renders an evaluation error as a reason: missing values read
// "<expr> is missing (<detail>)".
func errReason(err error) string {
	var ee *EvalError
	if errors.As(err, &ee) && errors.Is(err, ErrMissing) {
		detail := strings.TrimPrefix(strings.TrimPrefix(ee.Msg, "no such value"), ": ")
		if detail == "" {
			return ee.Expr + " is missing"
		}
		return ee.Expr + " is missing (" + detail + ")"
	}
	return err.Error()
}

// Rewrite returns the condition with every operand's expression e replaced
// by f(e) (see Value.Rewrite); c itself when nothing changes.
func (c *Condition) Rewrite(f func(*Expression) *Expression) *Condition {
	ops := map[*operand]*operand{}
	for _, o := range c.operands {
		if e := f(o.expr); e != o.expr {
			n := *o
			n.expr = e
			ops[o] = &n
		}
	}
	if len(ops) == 0 {
		return c
	}
	out := &Condition{src: c.src, warnings: c.warnings}
	for _, o := range c.operands {
		if n, ok := ops[o]; ok {
			o = n
		}
		out.operands = append(out.operands, o)
	}
	for _, e := range c.refs {
		out.refs = append(out.refs, f(e))
	}
	out.root = rewriteNode(c.root, ops)
	return out
}

func rewriteNode(n cnode, ops map[*operand]*operand) cnode {
	switch x := n.(type) {
	case *orNode:
		out := &orNode{items: make([]cnode, len(x.items))}
		for i, it := range x.items {
			out.items[i] = rewriteNode(it, ops)
		}
		return out
	case *andNode:
		out := &andNode{items: make([]cnode, len(x.items))}
		for i, it := range x.items {
			out.items[i] = rewriteNode(it, ops)
		}
		return out
	case *notNode:
		return &notNode{x: rewriteNode(x.x, ops)}
	case *cmpNode:
		out := *x
		out.l, out.r = rewriteTerm(x.l, ops), rewriteTerm(x.r, ops)
		return &out
	case *truthNode:
		return &truthNode{t: rewriteTerm(x.t, ops)}
	}
	return n
}

func rewriteTerm(t term, ops map[*operand]*operand) term {
	if n, ok := ops[t.op]; ok {
		t.op = n
	}
	if t.group != nil {
		t.group = rewriteNode(t.group, ops)
	}
	return t
}
