package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// app holds the streams of one invocation; commands write only through it.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	code           int
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// run is the whole program: it parses args, runs the command and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return a.code
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "arazzo:", report.Lines(ee.err.Error())) // it may quote a response or a document
		}
		return ee.code
	}
	// Errors from flag parsing and unknown commands are usage errors.
	fmt.Fprintln(stderr, "arazzo:", report.Lines(err.Error()))
	fmt.Fprintln(stderr, "Run 'arazzo --help' for usage.")
	return ExitUsage
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "arazzo",
		Short: "Run and validate Arazzo workflows",
		Long: `arazzo runs Arazzo workflows against real HTTP APIs and validates their
documents.

Exit codes: 0 success, 1 workflow failed (or validation errors), 2 usage error,
3 document could not be loaded or is invalid, 4 run could not complete
(transport error, timeout, cancelled), 130/143 stopped by SIGINT/SIGTERM.`,
		Example: `  arazzo list
  arazzo describe workato/rotate-mcp-server-token
  arazzo run --mock workato/rotate-mcp-server-token --input search=sales
  arazzo run flow.arazzo.yaml --inputs inputs.yaml --auth bearerAuth=env:TOKEN --report junit=junit.xml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(a.runCommand(), a.listCommand(), a.validateCommand(), a.versionCommand(), a.mockCommand())
	root.AddCommand(a.runsCommand())
	root.AddCommand(a.workerCommand()) // Temporal (issue 8): worker.go
	root.AddCommand(a.describeCommand(), a.graphCommand(), a.completionCommand())
	root.AddCommand(a.mcpCommand())
	root.CompletionOptions.DisableDefaultCmd = true // completion.go has ours, with examples
	root.SetFlagErrorFunc(flagError)
	leftOutFlags(root)
	return root
}

// flagError is a usage error that names the command's flag closest to an
// unknown one, and the command's help.
func flagError(cmd *cobra.Command, err error) error {
	hint := ""
	var ne *pflag.NotExistError
	if errors.As(err, &ne) && ne.GetSpecifiedShortnames() == "" {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, "--"+f.Name)
			}
		})
		hint = runtime.Suggest("--"+ne.GetSpecifiedName(), names)
	}
	//lint:ignore ST1005 this is the whole message the user reads, a sentence of its own on the last line
	return &exitError{code: ExitUsage, err: fmt.Errorf("%w%s\nRun '%s --help' for usage.", err, hint, cmd.CommandPath())}
}
