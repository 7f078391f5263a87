package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/describe"
	"github.com/arazzo-run/arazzo/fetch"
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
			views, err := workflowViews(plan, id)
			if err != nil {
				return err
			}
			return describe.WriteText(a.stdout, views...)
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

// workflowViews describes workflow id of the plan, or every workflow of its
// entry document when id is "".
func workflowViews(plan *runtime.Plan, id string) ([]*describe.Workflow, error) {
	ids := []string{id}
	if id == "" {
		ids = ids[:0]
		for _, w := range plan.Workflows() {
			ids = append(ids, w.ID)
		}
	}
	views := make([]*describe.Workflow, 0, len(ids))
	for _, id := range ids {
		v, err := plan.Describe(id)
		if err != nil {
			return nil, &exitError{code: ExitUsage, err: err}
		}
		views = append(views, v)
	}
	return views, nil
}
