package expr

import (
	"errors"
	"strconv"
)

// ErrMissing is wrapped by every [EvalError] caused by an absent value: the
// resolver had nothing for the expression, or its JSON pointer (or condition
// navigation) did not resolve. Test with errors.Is(err, expr.ErrMissing).
var ErrMissing = errors.New("no such value")

// SyntaxError reports malformed input. Offset is the byte offset inside Input
// where the problem was found; callers turn it into file:line:col.
type SyntaxError struct {
	Offset int
	Msg    string
	Input  string
	// Suggestion, when the message says "did you mean", is Input with that
	// fix applied.
	Suggestion string
}

// Error renders "at offset N: msg". It never names a file: positions in the
// Arazzo document are added by the caller.
func (e *SyntaxError) Error() string {
	return "at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// EvalError reports a failure to evaluate an expression against a resolver.
// Expr is the text of the expression (or condition operand) concerned.
type EvalError struct {
	Expr string
	Msg  string
	// Err is the cause, if any. It is ErrMissing when the value is absent.
	Err error
}

// Error renders "<expr>: <msg>", e.g. "$steps.find.outputs.handle: no such value".
func (e *EvalError) Error() string {
	if e.Expr == "" {
		return e.Msg
	}
	return e.Expr + ": " + e.Msg
}

// Unwrap returns the cause (ErrMissing for absent values).
func (e *EvalError) Unwrap() error { return e.Err }

// FieldError locates an error inside a compound input: for [CompileCriterion]
// Field is "condition", "context", "type" or "version"; for [CompileValue] it
// is the JSON pointer of the offending string inside the value ("" for the
// root). Err is usually a *SyntaxError whose Offset is relative to that field.
type FieldError struct {
	Field string
	Err   error
}

// Error renders "<field>: <err>".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

// Unwrap returns the located error.
func (e *FieldError) Unwrap() error { return e.Err }

// Warning reports a compatibility reading: input that is not standard Arazzo
// but that we evaluate anyway. Suggestion is the standard form to write
// instead, when one exists.
type Warning struct {
	// Offset is the byte offset of the construct inside its field.
	Offset int
	// Rule is a stable identifier, e.g. "expr-body-dot", "condition-braced",
	// "jsonpath-goessner", "jsonpath-root-filter".
	Rule       string
	Message    string
	Suggestion string
	// Field locates the warning like FieldError.Field ("" for a single
	// expression, condition or template).
	Field string
}

func (w Warning) String() string {
	s := "at offset " + strconv.Itoa(w.Offset) + ": " + w.Message + " [" + w.Rule + "]"
	if w.Field != "" {
		s = w.Field + ": " + s
	}
	if w.Suggestion != "" {
		s += "; suggestion: " + w.Suggestion
	}
	return s
}

func syntaxErr(input string, off int, msg string) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: msg, Input: input}
}

// fixErr is a syntax error at off whose fix replaces input[off:end] by repl.
func fixErr(input string, off, end int, repl, msg string) *SyntaxError {
	e := syntaxErr(input, off, msg)
	e.Suggestion = input[:off] + repl + input[end:]
	return e
}

func withField(field string, ws []Warning) []Warning {
	for i := range ws {
		if ws[i].Field == "" {
			ws[i].Field = field
		} else if field != "" {
			ws[i].Field = field + ws[i].Field
		}
	}
	return ws
}
