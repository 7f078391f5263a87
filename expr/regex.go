package expr

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// regexQuery is a compiled regex condition: Go RE2 syntax, unanchored
// search over the context value converted to text.
type regexQuery struct {
	re *regexp.Regexp
}

func compileRegex(src string) (*regexQuery, error) {
	re, err := regexp.Compile(src)
	if err == nil {
		return &regexQuery{re: re}, nil
	}
	var se *syntax.Error
	if !errors.As(err, &se) {
		return nil, syntaxErr(src, 0, "invalid regular expression: "+err.Error())
	}
	off := max(strings.Index(src, se.Expr), 0)
	msg := "invalid regular expression: " + string(se.Code) + ": `" + se.Expr + "`"
	if se.Code == syntax.ErrInvalidPerlOp || se.Code == syntax.ErrInvalidEscape {
		msg += " (Go RE2 syntax: no lookaround, no backreferences)"
	}
	return nil, syntaxErr(src, off, msg)
}

func (q *regexQuery) text(v any) (string, error) {
	s, err := toText(v)
	if err != nil {
		return "", &EvalError{Msg: "cannot convert the context to text: " + err.Error(), Err: err}
	}
	return s, nil
}

// find reports whether the text matches; over a large text it gives up when
// done closes (see Stopper).
func (q *regexQuery) find(s string, done <-chan struct{}) (bool, error) {
	return stoppable(done, len(s) > largeText, "regex "+q.re.String(), func() bool { return q.re.MatchString(s) })
}

func (q *regexQuery) match(v any, done <-chan struct{}) (bool, error) {
	s, err := q.text(v)
	if err != nil {
		return false, err
	}
	return q.find(s, done)
}

func (q *regexQuery) explain(v any, done <-chan struct{}) verdict {
	s, err := q.text(v)
	if err != nil {
		return errVerdict(err)
	}
	matched, err := q.find(s, done)
	if err != nil {
		return errVerdict(err)
	}
	shown := strconv.Quote(truncate(s, 80))
	if len(s) > 80 {
		shown += "..."
	}
	if matched {
		return verdict{pass: true, reason: "regex " + q.re.String() + " matched " + shown}
	}
	return verdict{reason: "regex " + q.re.String() + " did not match " + shown}
}
