package describe

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/internal/show"
)

// WriteText writes each workflow step by step, a blank line between two: its
// file, inputs and outputs, then each step's operation, parameters, request
// body, success criteria, where control goes on success and on failure, and
// outputs, with the document's errors where they are.
func WriteText(w io.Writer, views ...*Workflow) error {
	var b bytes.Buffer
	for i, v := range views {
		if i > 0 {
			b.WriteString("\n")
		}
		writeWorkflow(&b, v)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteList writes each workflow as a listing shows it: its id and summary,
// the count of its errors and the first, its inputs, outputs and steps.
func WriteList(w io.Writer, outlines ...*Outline) error {
	var b bytes.Buffer
	for _, o := range outlines {
		fmt.Fprintf(&b, "  workflow %s", o.ID)
		if o.Summary != "" {
			fmt.Fprintf(&b, " — %s", OneLine(o.Summary))
		}
		b.WriteString("\n")
		if n := len(o.Errors); n > 0 {
			fmt.Fprintf(&b, "    ✗ %d error(s), it cannot run; the first: %s: %s [%s]\n", n, o.Errors[0].Pos, o.Errors[0].Message, o.Errors[0].Rule)
		}
		if len(o.Inputs) > 0 {
			b.WriteString("    inputs:\n")
			for _, in := range o.Inputs {
				line := fmt.Sprintf("      %s (%s)", in.Name, strings.Join(inputAttrs(in, false), ", "))
				if in.Description != "" {
					line += " — " + OneLine(in.Description)
				}
				b.WriteString(line + "\n")
			}
		}
		if len(o.Outputs) > 0 {
			fmt.Fprintf(&b, "    outputs: %s\n", strings.Join(o.Outputs, ", "))
		}
		fmt.Fprintf(&b, "    steps: %s\n", strings.Join(o.Steps, " → "))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeErrors writes the document's errors at one place of a description.
func writeErrors(w io.Writer, pad string, ds arazzo.Diagnostics) {
	for _, d := range ds {
		fmt.Fprintf(w, "%s✗ error at %s: %s [%s]\n", pad, d.Pos, d.Message, d.Rule)
	}
}

func writeWorkflow(w io.Writer, v *Workflow) {
	head := "workflow " + v.ID
	if v.Summary != "" {
		head += " — " + OneLine(v.Summary)
	}
	fmt.Fprintln(w, head)
	fmt.Fprintf(w, "  file: %s:%d:%d\n", v.File, v.Pos.Line, v.Pos.Col)
	writeErrors(w, "  ", v.Errors)
	if len(v.DependsOn) > 0 {
		var deps []string
		for _, d := range v.DependsOn {
			deps = append(deps, d.Ref)
		}
		fmt.Fprintf(w, "  depends on: %s\n", strings.Join(deps, ", "))
	}
	if len(v.Inputs) > 0 {
		fmt.Fprintln(w, "  inputs:")
		for _, in := range v.Inputs {
			fmt.Fprintln(w, "    "+inputLine(in))
		}
	}
	if len(v.Outputs) > 0 {
		fmt.Fprintln(w, "  outputs:")
		for _, o := range v.Outputs {
			fmt.Fprintf(w, "    %s: %s\n", o.Name, show.Value(o.Value))
		}
	}
	for i, s := range v.Steps {
		fmt.Fprintln(w)
		writeStep(w, i+1, s)
	}
}

func writeStep(w io.Writer, n int, s *Step) {
	head := fmt.Sprintf("  %d. %s", n, s.ID)
	if s.Description != "" {
		head += " — " + OneLine(s.Description)
	}
	fmt.Fprintln(w, head)
	const pad = "     "
	writeErrors(w, pad, s.Errors)
	switch {
	case s.Operation != nil:
		fmt.Fprintln(w, pad+operationLine(s.Operation))
	case s.Workflow != nil:
		fmt.Fprintf(w, "%sruns workflow: %s\n", pad, s.Workflow.Ref)
	case s.Message != nil:
		writeMessage(w, pad, s.Message)
	}
	if len(s.DependsOn) > 0 {
		fmt.Fprintf(w, "%sdepends on: %s\n", pad, strings.Join(s.DependsOn, ", "))
	}
	if s.Timeout > 0 {
		fmt.Fprintf(w, "%stimeout: %s\n", pad, s.Timeout)
	}
	if len(s.Parameters) > 0 {
		fmt.Fprintf(w, "%sparameters:\n", pad)
		for _, p := range s.Parameters {
			in := p.In
			if in == "" {
				in = "input"
			}
			fmt.Fprintf(w, "%s  %s (%s): %s\n", pad, p.Name, in, show.Value(p.Value))
		}
	}
	if b := s.RequestBody; b != nil {
		ct := b.ContentType
		if ct == "" {
			ct = "as the operation declares"
		}
		fmt.Fprintf(w, "%srequest body (%s):", pad, ct)
		if b.HasPayload {
			fmt.Fprintf(w, " %s", show.Value(b.Payload))
		}
		fmt.Fprintln(w)
		for _, r := range b.Replacements {
			fmt.Fprintf(w, "%s  replace %s with %s\n", pad, r.Name, show.Value(r.Value))
		}
	}
	if len(s.SuccessCriteria) > 0 {
		fmt.Fprintf(w, "%ssuccess criteria:\n", pad)
		for _, c := range s.SuccessCriteria {
			fmt.Fprintf(w, "%s  %s\n", pad, criterionText(c))
		}
	}
	for _, success := range []bool{true, false} {
		label := "on success:"
		if !success {
			label = "on failure:"
		}
		fmt.Fprintf(w, "%s%s\n", pad, label)
		for _, t := range s.Transitions {
			if t.OnSuccess == success {
				fmt.Fprintf(w, "%s  %s\n", pad, transitionText(t))
			}
		}
	}
	if len(s.Outputs) > 0 {
		fmt.Fprintf(w, "%soutputs:\n", pad)
		for _, o := range s.Outputs {
			fmt.Fprintf(w, "%s  %s: %s\n", pad, o.Name, show.Value(o.Value))
		}
	}
}

// operationLine names the operation a step calls and where it comes from.
func operationLine(op *Operation) string {
	line := fmt.Sprintf("operation: %s %s", op.Method, op.Path)
	var from []string
	if op.ID != "" {
		from = append(from, op.ID)
	} else if op.Ref != "" {
		from = append(from, op.Ref)
	}
	if op.Source != "" {
		from = append(from, "in "+op.Source+" ("+op.SourceURL+")")
	}
	if len(from) > 0 {
		line += "  — " + strings.Join(from, " ")
	}
	return line
}

// inputAttrs lists what an input is: its type, required, its default and,
// when secret is asked for, whether it is secret.
func inputAttrs(in Input, secret bool) []string {
	var attrs []string
	if in.Type != "" {
		attrs = append(attrs, in.Type)
	}
	if in.Required {
		attrs = append(attrs, "required")
	}
	if in.HasDefault {
		attrs = append(attrs, "default "+show.Value(in.Default))
	}
	if secret && in.Secret {
		attrs = append(attrs, "secret")
	}
	return attrs
}

func inputLine(in Input) string {
	line := in.Name
	if attrs := inputAttrs(in, true); len(attrs) > 0 {
		line += " (" + strings.Join(attrs, ", ") + ")"
	}
	if in.Description != "" {
		line += " — " + OneLine(in.Description)
	}
	return line
}

// OneLine is a summary or description (CommonMark, perhaps of several lines
// and paragraphs) on the one line it is shown on: each run of white space,
// line breaks included, is one space.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func criterionText(c Criterion) string {
	s := c.Condition
	if c.Type != "" && c.Type != "simple" {
		s += fmt.Sprintf("  (%s on %s)", c.Type, contextOr(c.Context))
	} else if c.Context != "" {
		s += fmt.Sprintf("  (on %s)", c.Context)
	}
	return s
}

func contextOr(ctx string) string {
	if ctx == "" {
		return "$response.body"
	}
	return ctx
}

// transitionText says where control goes, and when.
func transitionText(t Transition) string {
	var s string
	switch t.Kind {
	case TransitionNext:
		return "→ next step " + t.Step
	case TransitionEnd:
		end := "the workflow passes"
		if !t.OnSuccess {
			end = "the workflow fails"
		}
		if t.Action == "" {
			return "→ end: " + end
		}
		s = fmt.Sprintf("end %q: %s", t.Action, end)
	case TransitionGoto:
		s = fmt.Sprintf("goto %q → %s", t.Action, transitionTarget(t))
	case TransitionRetry:
		s = fmt.Sprintf("retry %q: up to %d time(s)", t.Action, t.RetryLimit)
		if t.RetryAfter > 0 {
			s += fmt.Sprintf(", %gs apart", t.RetryAfter)
		}
		if tg := transitionTarget(t); tg != "" {
			s += ", running " + tg + " first"
		}
	default:
		s = string(t.Kind) + " " + t.Action
	}
	if len(t.Criteria) > 0 {
		s += " — when " + strings.Join(t.Criteria, " and ")
	}
	return s
}

func transitionTarget(t Transition) string {
	switch {
	case t.Step != "":
		return "step " + t.Step
	case t.Workflow != nil:
		return "workflow " + t.Workflow.Ref
	}
	return ""
}

// writeMessage describes what an AsyncAPI step sends or receives: the
// channel, the operation it belongs to, and what a receive correlates by.
func writeMessage(w io.Writer, pad string, m *Message) {
	line := fmt.Sprintf("%s%s: %s", pad, m.Action, m.Address)
	if m.Channel != m.Address {
		line += " (channel " + m.Channel + ")"
	}
	var from []string
	switch {
	case m.Operation != "" && m.Reply:
		from = append(from, "the reply of "+m.Operation)
	case m.Operation != "":
		from = append(from, m.Operation)
	}
	if m.Source != "" {
		from = append(from, "in "+m.Source+" ("+m.SourceURL+")")
	}
	if len(from) > 0 {
		line += "  — " + strings.Join(from, " ")
	}
	fmt.Fprintln(w, line)
	if len(m.Messages) > 0 {
		fmt.Fprintf(w, "%smessages: %s\n", pad, strings.Join(m.Messages, ", "))
	}
	if m.CorrelationID != "" {
		at := "no correlationId location"
		if len(m.Locations) > 0 {
			at = strings.Join(m.Locations, " or ")
		}
		fmt.Fprintf(w, "%scorrelation: the message whose %s is %s\n", pad, at, m.CorrelationID)
	}
}
