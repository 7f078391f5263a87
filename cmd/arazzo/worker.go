//go:build temporal

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/arazzo-run/arazzo/runtime"
	"github.com/arazzo-run/arazzo/temporal"
)

// clusterFlags name a Temporal cluster: its frontend, namespace and task queue.
type clusterFlags struct {
	addr       string
	namespace  string
	taskQueue  string
	payloadKey []string
	codec      *temporal.Codec // from --payload-key, set by dial
}

func (c *clusterFlags) register(fl *pflag.FlagSet, addrUsage string) {
	fl.StringVar(&c.addr, "temporal", "", addrUsage)
	fl.StringVar(&c.namespace, "namespace", "default", "Temporal namespace (with --temporal)")
	fl.StringVar(&c.taskQueue, "task-queue", temporal.DefaultTaskQueue, "Temporal task queue of the Arazzo workers (with --temporal)")
	fl.StringArrayVar(&c.payloadKey, "payload-key", nil, "encrypt what runs store in the Temporal history with this AES-256 key: env:VAR|file:PATH, 32 bytes in base64 or hex; workers and clients of the same runs use the same key; repeat it to rotate keys: the first encrypts, all decrypt (with --temporal)")
}

// checkUnset refuses --namespace, --task-queue and --payload-key without --temporal.
func (c *clusterFlags) checkUnset(fl *pflag.FlagSet) error {
	if c.addr != "" {
		return nil
	}
	for _, name := range []string{"namespace", "task-queue", "payload-key"} {
		if fl.Changed(name) {
			return usageErr("--%s applies to a Temporal cluster: add --temporal HOST:PORT", name)
		}
	}
	return nil
}

// dialTimeout bounds connecting to the cluster.
const dialTimeout = 10 * time.Second

// dial connects to the cluster. The SDK logs its warnings and errors to w.
func (c *clusterFlags) dial(ctx context.Context, w io.Writer, level slog.Level) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	logger := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})))
	opts := client.Options{HostPort: c.addr, Namespace: c.namespace, Logger: logger}
	if len(c.payloadKey) > 0 {
		codec, err := c.loadCodec()
		if err != nil {
			return nil, err
		}
		c.codec = codec
		opts.DataConverter, opts.FailureConverter = codec.DataConverter(), codec.FailureConverter()
	}
	cl, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, &exitError{code: ExitIncomplete, err: fmt.Errorf("cannot reach the Temporal cluster at %s (namespace %s): %v", c.addr, c.namespace, err)}
	}
	return cl, nil
}

// loadCodec reads --payload-key: env:VAR or file:PATH, never the key itself on
// the command line, where other users of the machine can read it.
func (c *clusterFlags) loadCodec() (*temporal.Codec, error) {
	var keys [][]byte
	for _, v := range c.payloadKey {
		text, isRef, err := readRef(v)
		switch {
		case err != nil:
			return nil, usageErr("--payload-key: %v", err)
		case !isRef:
			return nil, usageErr("--payload-key takes env:VAR or file:PATH, not the key itself (a command line is visible to other users)")
		}
		key, err := temporal.ParseKey(text)
		if err != nil {
			return nil, usageErr("--payload-key %s: %v", v, err)
		}
		keys = append(keys, key)
	}
	return temporal.NewCodec(keys...)
}

// dataConverter is the converter the client was dialled with (nil: the default).
func (c *clusterFlags) dataConverter() converter.DataConverter {
	if c.codec == nil {
		return nil
	}
	return c.codec.DataConverter()
}

// maxWorkerBody bounds a worker's --max-body (temporal.WithMaxBody's limit).
const maxWorkerBody = 1536 << 10

type workerFlags struct {
	cluster     clusterFlags
	auth        []string
	maxBody     int64
	activities  int
	workflows   int
	stopTimeout time.Duration
	verbose     bool
	spool       string
	noSpool     bool
}

func (a *app) workerCommand() *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker --temporal HOST:PORT",
		Short: "Execute Arazzo runs submitted to a Temporal cluster",
		Long: `Run a Temporal worker that executes any Arazzo run submitted with
'arazzo run --temporal': each run is a Temporal workflow that walks the
workflow's steps as a local run does, each HTTP request an activity, each
retry wait a durable timer. Start as many workers as you like, on as many
machines: runs are shared among them, and a run whose worker dies is carried
on by another.

Runs carry their documents, so a worker needs no files. Credentials are the
worker's own (--auth SCHEME=VALUE|env:VAR|file:PATH, resolved here) and never
enter the cluster: requests travel without them, and a response that repeats
one has it masked. Each --auth must name a security scheme of every document
the worker serves (SOURCE.SCHEME when several sources declare it): a run
whose document leaves one unbound is refused before its first request, with
the message a local run gives.

A request whose operation is not idempotent (POST, PATCH...) is sent once: if
its worker dies before reporting the response, the step fails (the server may
or may not have acted on it) and only the step's own retry actions may send it
again. The response of such a request is written to a spool on this machine's
disk (--spool) the moment it arrives, before it is recorded in the cluster: a
worker killed in between leaves it there for the next worker that shares the
directory. See docs/temporal.md.`,
		Example: `  arazzo worker --temporal 127.0.0.1:7233 --auth bearerAuth=env:WORKATO_API_TOKEN
  arazzo run workato/rotate-mcp-server-token --input search=sales --temporal 127.0.0.1:7233`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runWorker(cmd.Context(), &f) },
	}
	fl := cmd.Flags()
	f.cluster.register(fl, "the Temporal cluster's frontend, `HOST:PORT` (required)")
	fl.StringArrayVar(&f.auth, "auth", nil, "credential of a security scheme: SCHEME=VALUE|env:VAR|file:PATH (repeatable)")
	fl.Int64Var(&f.maxBody, "max-body", temporal.DefaultMaxBody, "largest response body read, in bytes (at most 1.5 MiB: responses are stored in the run's history)")
	fl.IntVar(&f.activities, "max-requests", 0, "most HTTP requests in flight at once (0: the SDK's default, 1000)")
	fl.IntVar(&f.workflows, "max-runs", 0, "most run tasks executed at once (0: the SDK's default)")
	fl.DurationVar(&f.stopTimeout, "stop-timeout", 30*time.Second, "on SIGINT/SIGTERM, how long in-flight requests may take to finish")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each run and the SDK's informational messages")
	fl.StringVar(&f.spool, "spool", "", "keep the responses of requests sent once in `DIR` until the cluster has them; share it among the workers of a host (default $XDG_STATE_HOME/arazzo/spool, else ~/.local/state/arazzo/spool)")
	fl.BoolVar(&f.noSpool, "no-spool", false, "keep the responses of requests sent once only in the cluster (the activity's heartbeat details)")
	return cmd
}

func (a *app) runWorker(ctx context.Context, f *workerFlags) error {
	if f.cluster.addr == "" {
		return usageErr("worker needs --temporal HOST:PORT, the frontend of the Temporal cluster")
	}
	if f.maxBody <= 0 || f.maxBody > maxWorkerBody {
		return usageErr("--max-body must be between 1 and %d (responses are stored in the run's history, and Temporal refuses payloads over 2 MiB), got %d", maxWorkerBody, f.maxBody)
	}
	if f.noSpool && f.spool != "" {
		return usageErr("--spool and --no-spool contradict each other: give one")
	}
	spool := f.spool // "" with --no-spool
	if spool == "" && !f.noSpool {
		state, err := stateDir("")
		if err != nil {
			return usageErr("%v; give the spool directory with --spool DIR, or --no-spool", err)
		}
		spool = filepath.Join(state, "spool")
	}
	secrets := &runtime.Secrets{}
	creds, err := parseAuth(f.auth, secrets)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	}
	cl, err := f.cluster.dial(ctx, a.stderr, level)
	if err != nil {
		return err
	}
	defer cl.Close()
	w := worker.New(cl, f.cluster.taskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize:     f.activities,
		MaxConcurrentWorkflowTaskExecutionSize: f.workflows,
		WorkerStopTimeout:                      f.stopTimeout,
	})
	opts := []temporal.Option{temporal.WithCredentials(creds), temporal.WithSecrets(secrets), temporal.WithMaxBody(f.maxBody),
		temporal.WithDataConverter(f.cluster.dataConverter()),
		temporal.WithWarnings(func(msg string) { fmt.Fprintln(a.stderr, "arazzo: worker: "+secrets.Mask(msg)) })}
	if spool != "" {
		opts = append(opts, temporal.WithSpool(spool))
	}
	temporal.NewWorker(opts...).Register(w)
	if err := w.Start(); err != nil {
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("cannot start the worker: %v", err)}
	}
	fmt.Fprintf(a.stderr, "arazzo: worker executing runs from task queue %q of %s (namespace %s); stop it with Ctrl-C\n",
		f.cluster.taskQueue, f.cluster.addr, f.cluster.namespace)
	<-ctx.Done()
	w.Stop() // in-flight requests finish (up to --stop-timeout); their runs carry on elsewhere
	fmt.Fprintln(a.stderr, "arazzo: worker stopped")
	return exitWith(exitCode(ctx, &runtime.Result{Status: runtime.StatusPassed}))
}

// temporalBuild tells which build this is.
const temporalBuild = true

// leftOutFlags is for the default build, which leaves the Temporal flags out.
func leftOutFlags(*cobra.Command) {}
