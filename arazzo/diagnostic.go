package arazzo

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity of a diagnostic.
type Severity int

const (
	// SeverityError marks a problem that stops the document from running, or makes its meaning ambiguous.
	SeverityError Severity = iota + 1
	// SeverityWarning marks a departure from the specification's SHOULDs, or a non-standard form
	// that still has exactly one sensible reading; the document still runs.
	SeverityWarning
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "unknown"
}

// Diagnostic is one problem found in a document.
type Diagnostic struct {
	Severity Severity
	// Rule is the stable id of the check that produced the diagnostic (see docs/rules.md).
	Rule string
	// File is the document's location as the user named it.
	File string
	Pos  Pos
	// Path is the location inside the document, e.g. workflows[0].steps[2].parameters[1].
	Path    string
	Message string
	// Suggestion, when set, is the standard form or the fix to apply.
	Suggestion string
}

// Error renders the diagnostic as "file:line:col: severity: message [rule]".
func (d Diagnostic) Error() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Pos.IsValid() {
		fmt.Fprintf(&b, ":%d:%d", d.Pos.Line, d.Pos.Col)
	}
	b.WriteString(": ")
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	b.WriteString(d.Text())
	if d.Rule != "" {
		b.WriteString(" [")
		b.WriteString(d.Rule)
		b.WriteString("]")
	}
	return b.String()
}

// Text is the message with the suggestion in parentheses, unless the message
// already names it ("did you mean "operationId"?"): then the Suggestion field
// is there for tools, and people read it in the message.
func (d Diagnostic) Text() string {
	if d.Suggestion == "" || strings.Contains(d.Message, "did you mean "+strconv.Quote(d.Suggestion)) {
		return d.Message
	}
	return d.Message + " (" + d.Suggestion + ")"
}

// Diagnostics is a list of problems; validators collect them rather than stop at the first.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns the error-severity diagnostics.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns the warning-severity diagnostics.
func (ds Diagnostics) Warnings() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == SeverityWarning {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders the diagnostics by file, position, severity and rule; duplicates are removed.
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(ds)
}

// Err returns the diagnostics as an error when any of them is an error, else nil.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return &DocumentError{Diagnostics: ds.Errors()}
}

// DocumentError is returned when a document cannot be loaded or is invalid.
type DocumentError struct {
	Diagnostics Diagnostics
}

func (e *DocumentError) Error() string {
	var b strings.Builder
	for i, d := range e.Diagnostics {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}
