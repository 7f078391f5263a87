package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/describe"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/workflows"
)

func (a *app) listCommand() *cobra.Command {
	var allowOutside bool
	cmd := &cobra.Command{
		Use:   "list [FILE|DIR|URL...]",
		Short: "List workflows: their summary, inputs and outputs",
		Long: `List the workflows of the given documents, or the bundled workflows when none is
given. A directory is searched for Arazzo documents as 'arazzo validate'
searches it. A document with errors is listed as far as it can be, each workflow
with errors marked; one that cannot be loaded is reported and the others are
still listed.`,
		Example: `  arazzo list
  arazzo list workflow.arazzo.yaml
  arazzo list workflows/`,
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
			args, err := a.expandDirectories(args)
			if err != nil {
				return err
			}
			code := ExitOK
			for _, arg := range args {
				fmt.Fprintf(a.stdout, "%s\n", arg)
				err := a.listDocument(cmd, arg, allowOutside)
				var ee *exitError
				if err == nil {
					continue
				} else if len(args) == 1 || !errors.As(err, &ee) {
					return err
				}
				// Said now, under the document's name, and the others listed.
				if ee.err != nil {
					fmt.Fprintf(a.stderr, "arazzo: %s: %s\n", arg, report.Lines(ee.err.Error()))
				}
				if code == ExitOK {
					code = ee.code
				}
			}
			if code != ExitOK {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&allowOutside, "allow-outside", false, "read sources outside the document's repository (or its directory outside a repository)")
	return cmd
}

// listDocument lists the workflows of the document arg names.
func (a *app) listDocument(cmd *cobra.Command, arg string, allowOutside bool) error {
	tgt, err := resolveTarget(arg)
	if err != nil {
		return err
	}
	return a.describeWorkflows(cmd, tgt.location, tgt.workflowID, allowOutside)
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
