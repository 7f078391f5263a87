package main

import (
	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/describe"
)

func (a *app) graphCommand() *cobra.Command {
	var workflow, format string
	var allowOutside bool
	cmd := &cobra.Command{
		Use:   "graph FILE|URL|PROVIDER/WORKFLOW",
		Short: "Draw a workflow's control flow as Mermaid or Graphviz DOT",
		Long: `Draw the control-flow graph of a workflow: one node per step, the sequence
between them, goto and retry actions as edges labelled with their criteria,
where the workflow passes or fails, and the workflows it runs (workflow steps,
goto and retry targets, dependsOn) as subgraphs, and step-level dependsOn as
dotted edges. Without --workflow every workflow of the document is drawn.

Solid edges are taken on success, dashed ones on failure; thick (Mermaid) or
dotted (DOT) ones lead to another workflow. Steps that send or receive AsyncAPI
messages have their own shapes (a flag for a send, a parallelogram for a
receive), and a message edge ending in a circle goes from the step that sends to
the step that receives on the channel or receives the operation's reply. Mermaid
pastes into GitHub Markdown inside a mermaid code block; DOT renders with
Graphviz (dot -Tsvg).`,
		Example: `  arazzo graph workato/rotate-mcp-server-token
  arazzo graph flow.arazzo.yaml --workflow checkout --format dot | dot -Tsvg > flow.svg`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeTargets,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "mermaid" && format != "dot" {
				return usageErr("--format must be mermaid or dot, got %q", format)
			}
			plan, id, err := a.loadForView(cmd, args[0], workflow, allowOutside)
			if err != nil {
				return err
			}
			roots, err := workflowViews(plan, id)
			if err != nil {
				return err
			}
			if format == "dot" {
				return describe.WriteDOT(a.stdout, roots...)
			}
			return describe.WriteMermaid(a.stdout, roots...)
		},
	}
	cmd.Flags().StringVarP(&workflow, "workflow", "w", "", "workflowId to draw, with the workflows it reaches (default: every workflow of the document)")
	cmd.Flags().StringVarP(&format, "format", "f", "mermaid", "mermaid or dot")
	cmd.Flags().BoolVar(&allowOutside, "allow-outside", false, "read sources outside the document's repository (or its directory outside a repository)")
	completeFlag(cmd, "workflow", completeWorkflowIDs)
	completeFlag(cmd, "format", cobra.FixedCompletions([]string{"mermaid", "dot"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
