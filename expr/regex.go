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

func (q *regexQuery) match(v any) (bool, error) {
	s, err := q.text(v)
	if err != nil {
		return false, err
	}
	return q.re.MatchString(s), nil
}

func (q *regexQuery) explain(v any) verdict {
	s, err := q.text(v)
	if err != nil {
		return errVerdict(err)
	}
	shown := strconv.Quote(truncate(s, 80))
	if len(s) > 80 {
		shown += "..."
	}
	if q.re.MatchString(s) {
		return verdict{pass: true, reason: "regex " + q.re.String() + " matched " + shown}
	}
	return verdict{reason: "regex " + q.re.String() + " did not match " + shown}
}
