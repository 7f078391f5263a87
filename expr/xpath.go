package expr

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
)

// xpathQuery is a compiled xpath condition, evaluated by
// github.com/antchfx/xpath (XPath 1.0 plus some 2.0 functions) over the
// context value parsed as XML. It passes on the effective boolean value of
// the result.
//
// A compiled *xpath.Expr keeps iteration state while it evaluates, so it is
// not safe for concurrent use; a pool hands each evaluation its own copy.
type xpathQuery struct {
	src  string
	pool sync.Pool
}

func compileXPath(src string) (*xpathQuery, error) {
	if off := unbalancedClose(src); off >= 0 {
		return nil, syntaxErr(src, off, "invalid XPath: unexpected "+quoteChar(src, off))
	}
	e, err := xpath.Compile(src)
	if err != nil {
		return nil, syntaxErr(src, 0, "invalid XPath: "+strings.TrimPrefix(err.Error(), "xpath: "))
	}
	// antchfx/xpath stops at the first token it cannot use and ignores the
	// rest ("/a lt 2" compiles as "/a"). Inside parentheses the leftover is
	// an error, so compiling the parenthesised text detects it.
	if _, err := xpath.Compile("(" + src + ")"); err != nil {
		return nil, syntaxErr(src, 0, "invalid XPath: the expression does not parse completely "+
			"(supported: XPath 1.0 and some 2.0 functions; not supported: value comparisons such as eq or lt, "+
			"for, some, every and if expressions, sequences, except and intersect)")
	}
	q := &xpathQuery{src: src}
	q.pool.Put(e)
	return q, nil
}

func (q *xpathQuery) expr() *xpath.Expr {
	if e, ok := q.pool.Get().(*xpath.Expr); ok {
		return e
	}
	e, _ := xpath.Compile(q.src) // compiled successfully before
	return e
}

// evaluate returns the effective boolean value and a description of the
// result. It stops early, with an error wrapping ErrStopped, once st sees its
// Done channel closed.
func (q *xpathQuery) evaluate(v any, st *stopState) (bool, string, error) {
	if st.done != nil && closed(st.done) {
		return false, "", stoppedErr("xpath " + q.src)
	}
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case []byte:
		text = string(x)
	default:
		return false, "", &EvalError{Msg: "an xpath criterion needs XML text as context, got " + typeName(v)}
	}
	doc, err := xmlquery.Parse(strings.NewReader(text))
	if err != nil {
		return false, "", &EvalError{Msg: "the context is not well-formed XML: " + err.Error(), Err: err}
	}
	e := q.expr()
	ok, desc, err := q.run(e, &stopNav{NodeNavigator: xmlquery.CreateXPathNavigator(doc), st: st})
	if st.stopped {
		// An evaluation cut short may leave iteration state behind: the
		// expression is not returned to the pool.
		return false, "", stoppedErr("xpath " + q.src)
	}
	q.pool.Put(e)
	return ok, desc, err
}

func (q *xpathQuery) run(e *xpath.Expr, nav xpath.NodeNavigator) (bool, string, error) {
	switch r := e.Evaluate(nav).(type) {
	case bool:
		return r, strconv.FormatBool(r), nil
	case float64:
		return r != 0 && !math.IsNaN(r), string(appendFloat(nil, r)), nil
	case string:
		return r != "", strconv.Quote(truncate(r, 80)), nil
	case *xpath.NodeIterator:
		n := 0
		for r.MoveNext() {
			n++
		}
		return n > 0, "a node-set of " + strconv.Itoa(n) + " nodes", nil
	}
	return false, "", &EvalError{Msg: "xpath " + q.src + " returned an unsupported result"}
}

// unbalancedClose returns the offset of the first ')' or ']' without an
// opening partner outside string literals, or -1.
func unbalancedClose(s string) int {
	var stack []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return -1 // unterminated literal: the XPath parser reports it
			}
			i += j + 1
		case '(', '[':
			stack = append(stack, c)
		case ')', ']':
			open := byte('(')
			if c == ']' {
				open = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return i
			}
			stack = stack[:len(stack)-1]
		}
	}
	return -1
}

func (q *xpathQuery) match(v any, done <-chan struct{}) (bool, error) {
	ok, _, err := q.evaluate(v, &stopState{done: done})
	return ok, err
}

func (q *xpathQuery) explain(v any, done <-chan struct{}) verdict {
	ok, desc, err := q.evaluate(v, &stopState{done: done})
	if err != nil {
		return errVerdict(err)
	}
	return verdict{pass: ok, reason: "xpath " + q.src + " is " + desc + " (effective boolean value " + strconv.FormatBool(ok) + ")"}
}
