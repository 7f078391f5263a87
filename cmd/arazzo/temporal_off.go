//go:build !temporal

package main

// The default build leaves the Temporal SDK out: it adds about 20 MB to the
// binary, 9 MiB to the memory of every run and 5 ms to every start (see
// BENCHMARKS.md). Build with -tags temporal for `arazzo worker` and --temporal.
// The flags stay, so scripts get a clear error instead of an unknown flag.

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/arazzo-run/arazzo/runtime"
)

// temporalBuild tells which build this is.
const temporalBuild = false

var errNoTemporal = &exitError{code: ExitUsage, err: errors.New("this arazzo was built without Temporal support; build it with -tags temporal (go install -tags temporal ./cmd/arazzo)")}

type clusterFlags struct {
	addr, namespace, taskQueue string
	payloadKey                 []string
}

// register defines the flags, hidden: the help lists them on one line
// (leftOutFlags), and using one is a clear error.
func (c *clusterFlags) register(fl *pflag.FlagSet, addrUsage string) {
	fl.StringVar(&c.addr, "temporal", "", addrUsage)
	fl.StringVar(&c.namespace, "namespace", "default", "Temporal namespace")
	fl.StringVar(&c.taskQueue, "task-queue", "arazzo", "Temporal task queue")
	fl.StringArrayVar(&c.payloadKey, "payload-key", nil, "key encrypting the Temporal history")
	leaveOut(fl, "temporal", "namespace", "task-queue", "payload-key")
}

func (c *clusterFlags) checkUnset(*pflag.FlagSet) error {
	if c.addr != "" || len(c.payloadKey) > 0 {
		return errNoTemporal
	}
	return nil
}

func (a *app) workerCommand() *cobra.Command {
	return &cobra.Command{Use: "worker", Short: "Execute Arazzo runs submitted to a Temporal cluster (not in this build)",
		Long: `A worker executes the runs submitted to a Temporal cluster with 'arazzo run
--temporal'. This arazzo was built without Temporal support; the command with
it is built with:

  go install -tags temporal ./cmd/arazzo

See docs/temporal.md.`,
		Example: `  go install -tags temporal ./cmd/arazzo
  arazzo worker --temporal 127.0.0.1:7233 --auth bearerAuth=env:WORKATO_API_TOKEN`,
		// Whatever flags a worker would take, the answer is how to get one.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				if a == "-h" || a == "--help" {
					return cmd.Help()
				}
			}
			return errNoTemporal
		}}
}

type temporalRunFlags struct {
	cluster clusterFlags
	detach  bool
}

func (t *temporalRunFlags) register(fl *pflag.FlagSet) {
	t.cluster.register(fl, "submit the run to the Temporal cluster at `HOST:PORT`")
	fl.BoolVar(&t.detach, "detach", false, "with --temporal: return without waiting")
	leaveOut(fl, "detach")
}

func (t *temporalRunFlags) check(*runFlags) error {
	if t.cluster.addr != "" || t.detach {
		return errNoTemporal
	}
	return nil
}

func (t *temporalRunFlags) record(opts []runtime.PlanOption, _ runtime.ReadFunc) []runtime.PlanOption {
	return opts
}

func (a *app) runOnTemporal(context.Context, string, *runtime.Plan, string, map[string]any, *runFlags, *runtime.Secrets) error {
	return errNoTemporal
}

func (a *app) showTemporalRun(context.Context, string, *clusterFlags, bool, string) error {
	return errNoTemporal
}

func (a *app) listTemporalRuns(context.Context, *clusterFlags, int) error { return errNoTemporal }

// leftOutAnnotation marks a flag of a driver this build leaves out.
const leftOutAnnotation = "arazzo/left-out"

// leaveOut hides flags of the Temporal driver: they still parse, so that
// using one gets errNoTemporal, and leftOutFlags lists them in the help.
func leaveOut(fl *pflag.FlagSet, names ...string) {
	for _, n := range names {
		_ = fl.SetAnnotation(n, leftOutAnnotation, []string{"temporal"})
		_ = fl.MarkHidden(n)
	}
}

// leftOutFlags adds to the help of every command with flags this build leaves
// out one line that names them and how to get them, instead of one line each.
func leftOutFlags(root *cobra.Command) {
	const at = "{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}"
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		var names []string
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if _, ok := f.Annotations[leftOutAnnotation]; ok {
				names = append(names, "--"+f.Name)
			}
		})
		if i := slices.Index(names, "--temporal"); i > 0 { // the flag the others go with
			names = slices.Insert(slices.Delete(names, i, i+1), 0, "--temporal")
		}
		if len(names) > 0 {
			line := "\n      " + strings.Join(names, ", ") + ": Temporal, not in this build (go install -tags temporal ./cmd/arazzo)"
			c.SetUsageTemplate(strings.Replace(c.UsageTemplate(), at, at+line, 1))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
