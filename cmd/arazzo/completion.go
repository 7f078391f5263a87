package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/workflows"
)

// completionCommand writes shell completion scripts. Completion covers
// commands, flags, the bundled workflow names and file names.
func (a *app) completionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Write a shell completion script",
		Long: `Write the completion script of a shell to standard output. Load it in the
current shell, or install it where the shell looks for completions.`,
		Example: `  source <(arazzo completion bash)
  arazzo completion bash > /etc/bash_completion.d/arazzo
  arazzo completion zsh > "${fpath[1]}/_arazzo"
  arazzo completion fish > ~/.config/fish/completions/arazzo.fish`,
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(a.stdout, true)
			case "zsh":
				return root.GenZshCompletion(a.stdout)
			case "fish":
				return root.GenFishCompletion(a.stdout, true)
			}
			return root.GenPowerShellCompletionWithDesc(a.stdout)
		},
	}
}

// completeTargets completes a document argument: bundled workflow names, and
// files (the shell's own completion).
func completeTargets(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return workflows.Names(), cobra.ShellCompDirectiveDefault
}

// completeWorkflowIDs completes --workflow with the workflowIds of the document
// named by the first argument (read from disk or the bundle; sources are not loaded).
func completeWorkflowIDs(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var data []byte
	var err error
	name := args[0]
	if b, ok := workflows.Find(name); ok {
		return []string{b.WorkflowID}, cobra.ShellCompDirectiveNoFileComp
	}
	// A name typed at a prompt is read like any document: a regular file,
	// capped, never a device or a FIFO that would hang the shell.
	if data, err = fetch.New(fetch.Options{Offline: true}).Read(cmd.Context(), fileURL(name)); err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	doc, _ := arazzo.Parse(name, data)
	if doc == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var ids []string
	for _, w := range doc.Workflows {
		ids = append(ids, w.WorkflowID)
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}

// completeFlag registers the completion of a flag, which must be defined
// already: registering it earlier fails, and the completion would silently
// offer nothing.
func completeFlag(cmd *cobra.Command, name string, fn cobra.CompletionFunc) {
	if err := cmd.RegisterFlagCompletionFunc(name, fn); err != nil {
		panic(fmt.Sprintf("%s --%s: %v", cmd.Name(), name, err))
	}
}
