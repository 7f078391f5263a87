package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

func (a *app) describeCommand() *cobra.Command {
	var workflow string
	var allowOutside bool
	cmd := &cobra.Command{
		Use:   "describe FILE|URL|PROVIDER/WORKFLOW",
		Short: "Show a workflow's steps: operations, parameters, criteria, actions, outputs",
		Long: `Describe the workflows of an Arazzo document step by step, without running
anything: each step's operation (method, path and the source description it
comes from), its parameters and request body as written, its success criteria,
where control goes on success and on failure (actions and the defaults), and
its outputs.

Without --workflow every workflow of the document is described. A document
with errors is described as far as it can be, each error under the step or
workflow it is in (run refuses such a document; validate lists every problem).`,
		Example: `  arazzo describe workato/rotate-mcp-server-token
  arazzo describe flow.arazzo.yaml --workflow checkout`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeTargets,
		RunE: func(cmd *cobra.Command, args []string) error {
			plan, id, err := a.loadForView(cmd, args[0], workflow, allowOutside)
			if err != nil {
				return err
			}
			var views []*runtime.WorkflowView
			if id == "" {
				for _, w := range plan.Workflows() {
					v, err := plan.Describe(w.ID)
					if err != nil {
						return &exitError{code: ExitUsage, err: err}
					}
					views = append(views, v)
				}
			} else {
				v, err := plan.Describe(id)
				if err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				views = append(views, v)
			}
			for i, v := range views {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				writeDescription(a.stdout, v)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&workflow, "workflow", "w", "", "workflowId to describe (default: every workflow of the document)")
	cmd.Flags().BoolVar(&allowOutside, "allow-outside", false, "read sources outside the document's repository (or its directory outside a repository)")
	completeFlag(cmd, "workflow", completeWorkflowIDs)
	return cmd
}

// loadForView loads a document for describe and graph; the workflow is the
// flag's, else the one a bundled name implies ("" for all). A document with
// errors is shown as far as it was built, its errors marked where they are.
func (a *app) loadForView(cmd *cobra.Command, arg, workflow string, allowOutside bool) (*runtime.Plan, string, error) {
	tgt, err := resolveTarget(arg)
	if err != nil {
		return nil, "", err
	}
	plan, err := a.inspect(cmd, tgt.location, allowOutside)
	if err != nil {
		return nil, "", err
	}
	if workflow == "" {
		workflow = tgt.workflowID
	}
	if workflow != "" {
		if _, err := plan.Describe(workflow); err != nil {
			return nil, "", &exitError{code: ExitUsage, err: err}
		}
	}
	return plan, workflow, nil
}

// inspect loads a document for list, describe and graph: a document with
// errors is loaded as far as it can be, and a note on stderr says how many
// errors it has (they are marked where they are).
func (a *app) inspect(cmd *cobra.Command, location string, allowOutside bool) (*runtime.Plan, error) {
	plan, diags, err := runtime.Inspect(cmd.Context(), location, runtime.WithReadFunc(documentReader(fetch.New(fetch.Options{}), location, allowOutside)))
	if plan == nil {
		return nil, a.loadFailure(diags, err)
	}
	if n := len(diags.Errors()); n > 0 {
		fmt.Fprintf(a.stderr, "arazzo: %s has %d error(s), shown where they are; it cannot run ('arazzo validate %s' lists every problem)\n", location, n, location)
		for _, d := range diags.Errors() {
			if d.File != plan.Document().File || !strings.HasPrefix(d.Path, "workflows[") {
				fmt.Fprintln(a.stderr, d.Error()) // not inside a workflow: nowhere to show it
			}
		}
	}
	return plan, nil
}

// writeErrors prints the document's errors at one place of a description.
func writeErrors(w io.Writer, pad string, ds arazzo.Diagnostics) {
	for _, d := range ds {
		fmt.Fprintf(w, "%s✗ error at %s: %s [%s]\n", pad, d.Pos, d.Message, d.Rule)
	}
}

func writeDescription(w io.Writer, v *runtime.WorkflowView) {
	head := "workflow " + v.ID
	if v.Summary != "" {
		head += " — " + v.Summary
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
			fmt.Fprintf(w, "    %s: %s\n", o.Name, report.FormatValue(o.Value))
		}
	}
	for i, s := range v.Steps {
		fmt.Fprintln(w)
		head := fmt.Sprintf("  %d. %s", i+1, s.ID)
		if s.Description != "" {
			head += " — " + s.Description
		}
		fmt.Fprintln(w, head)
		const pad = "     "
		writeErrors(w, pad, s.Errors)
		switch {
		case s.Operation != nil:
			op := s.Operation
			line := fmt.Sprintf("%soperation: %s %s", pad, op.Method, op.Path)
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
			fmt.Fprintln(w, line)
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
				fmt.Fprintf(w, "%s  %s (%s): %s\n", pad, p.Name, in, report.FormatValue(p.Value))
			}
		}
		if b := s.RequestBody; b != nil {
			ct := b.ContentType
			if ct == "" {
				ct = "as the operation declares"
			}
			fmt.Fprintf(w, "%srequest body (%s):", pad, ct)
			if b.HasPayload {
				fmt.Fprintf(w, " %s", report.FormatValue(b.Payload))
			}
			fmt.Fprintln(w)
			for _, r := range b.Replacements {
				fmt.Fprintf(w, "%s  replace %s with %s\n", pad, r.Name, report.FormatValue(r.Value))
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
				fmt.Fprintf(w, "%s  %s: %s\n", pad, o.Name, report.FormatValue(o.Value))
			}
		}
	}
}

func inputLine(in runtime.InputInfo) string {
	var attrs []string
	if in.Type != "" {
		attrs = append(attrs, in.Type)
	}
	if in.Required {
		attrs = append(attrs, "required")
	}
	if in.HasDefault {
		attrs = append(attrs, "default "+report.FormatValue(in.Default))
	}
	if in.Secret {
		attrs = append(attrs, "secret")
	}
	line := in.Name
	if len(attrs) > 0 {
		line += " (" + strings.Join(attrs, ", ") + ")"
	}
	if in.Description != "" {
		line += " — " + in.Description
	}
	return line
}

func criterionText(c runtime.CriterionView) string {
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
func transitionText(t runtime.Transition) string {
	var s string
	switch t.Kind {
	case runtime.TransitionNext:
		return "→ next step " + t.Step
	case runtime.TransitionEnd:
		end := "the workflow passes"
		if !t.OnSuccess {
			end = "the workflow fails"
		}
		if t.Action == "" {
			return "→ end: " + end
		}
		s = fmt.Sprintf("end %q: %s", t.Action, end)
	case runtime.TransitionGoto:
		s = fmt.Sprintf("goto %q → %s", t.Action, transitionTarget(t))
	case runtime.TransitionRetry:
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

func transitionTarget(t runtime.Transition) string {
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
func writeMessage(w io.Writer, pad string, m *runtime.MessageView) {
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
