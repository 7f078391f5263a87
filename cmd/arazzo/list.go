package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/describe"
	"github.com/arazzo-run/arazzo/workflows"
)

func (a *app) listCommand() *cobra.Command {
	var allowOutside bool
	cmd := &cobra.Command{
		Use:   "list [FILE|URL...]",
		Short: "List workflows: their summary, inputs and outputs",
		Long: `List the workflows of the given documents, or the bundled workflows when none is given.
A document with errors is listed as far as it can be, each workflow with errors marked.`,
		Example: `  arazzo list
  arazzo list workflow.arazzo.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				all, err := workflows.List()
				if err != nil {
					return &exitError{code: ExitInvalid, err: err}
				}
				fmt.Fprintln(a.stdout, "Bundled workflows (run one with: arazzo run NAME --mock --input ...):")
				for _, b := range all {
					fmt.Fprintf(a.stdout, "\n%s\n", b.Name)
					if err := a.describeWorkflows(cmd, b.Location, b.WorkflowID, false); err != nil {
						return err
					}
				}
				return nil
			}
			for _, arg := range args {
				tgt, err := resolveTarget(arg)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s\n", arg)
				if err := a.describeWorkflows(cmd, tgt.location, tgt.workflowID, allowOutside); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&allowOutside, "allow-outside", false, "read sources outside the document's repository (or its directory outside a repository)")
	return cmd
}

// describeWorkflows prints the workflows of a document (only id when set).
func (a *app) describeWorkflows(cmd *cobra.Command, location, id string, allowOutside bool) error {
	plan, err := a.inspect(cmd, location, allowOutside)
	if err != nil {
		return err
	}
	var outlines []*describe.Outline
	for _, w := range plan.Workflows() {
		if id == "" || w.ID == id {
			outlines = append(outlines, w)
		}
	}
	return describe.WriteList(a.stdout, outlines...)
}
