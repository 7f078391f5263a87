//go:build !temporal

package main

// The default build leaves the Temporal SDK out: it adds about 20 MB to the
// binary, 9 MiB to the memory of every run and 5 ms to every start (see
// BENCHMARKS.md). Build with -tags temporal for `arazzo worker` and --temporal.
// The flags stay, so scripts get a clear error instead of an unknown flag.

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/arazzo-run/arazzo/runtime"
)

var errNoTemporal = &exitError{code: ExitUsage, err: errors.New("this arazzo was built without Temporal support; build it with -tags temporal (go install -tags temporal ./cmd/arazzo)")}

type clusterFlags struct {
	addr, namespace, taskQueue string
	payloadKey                 []string
}

func (c *clusterFlags) register(fl *pflag.FlagSet, addrUsage string) {
	fl.StringVar(&c.addr, "temporal", "", addrUsage+" (not in this build)")
	fl.StringVar(&c.namespace, "namespace", "default", "Temporal namespace (not in this build)")
	fl.StringVar(&c.taskQueue, "task-queue", "arazzo", "Temporal task queue (not in this build)")
	fl.StringArrayVar(&c.payloadKey, "payload-key", nil, "key encrypting the Temporal history (not in this build)")
}

func (c *clusterFlags) checkUnset(*pflag.FlagSet) error {
	if c.addr != "" || len(c.payloadKey) > 0 {
		return errNoTemporal
	}
	return nil
}

func (a *app) workerCommand() *cobra.Command {
	return &cobra.Command{Use: "worker", Short: "Execute Arazzo runs submitted to a Temporal cluster (not in this build)",
		// Whatever flags a worker would take, the answer is how to get one.
		DisableFlagParsing: true,
		RunE:               func(*cobra.Command, []string) error { return errNoTemporal }}
}

type temporalRunFlags struct {
	cluster clusterFlags
	detach  bool
}

func (t *temporalRunFlags) register(fl *pflag.FlagSet) {
	t.cluster.register(fl, "submit the run to the Temporal cluster at `HOST:PORT`")
	fl.BoolVar(&t.detach, "detach", false, "with --temporal: return without waiting (not in this build)")
}

func (t *temporalRunFlags) check(*runFlags) error {
	if t.cluster.addr != "" || t.detach {
		return errNoTemporal
	}
	return nil
}

func (t *temporalRunFlags) record(opts []runtime.Option) []runtime.Option { return opts }

func (a *app) runOnTemporal(context.Context, string, *runtime.Plan, string, map[string]any, *runFlags, *runtime.Secrets) error {
	return errNoTemporal
}

func (a *app) showTemporalRun(context.Context, string, *clusterFlags, bool, string) error {
	return errNoTemporal
}

func (a *app) listTemporalRuns(context.Context, *clusterFlags, int) error { return errNoTemporal }
