package temporal

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/arazzo-run/arazzo/runtime"
)

// Worker executes Arazzo runs: register it on a Temporal worker polling the
// runs' task queue (see Register). Any worker can execute any run, since runs
// carry their documents; credentials are the worker's own, applied in the
// send activity, and never enter a workflow's history.
type Worker struct {
	plans   plans
	sender  *runtime.Sender
	creds   runtime.Credentials
	warn    func(msg string)
	secrets *runtime.Secrets
	// record records a send activity's heartbeat details (recordSend).
	record   func(context.Context, *sendRecord) error
	dc       converter.DataConverter
	identity string
	spool    *spool // nil without WithSpool
}

// DefaultMaxBody is a worker's default cap on a response body. Responses are
// recorded in the workflow's history, and Temporal refuses payloads over 2 MiB.
const DefaultMaxBody = 1 << 20

// maxSendBody bounds WithMaxBody.
const maxSendBody = 1536 << 10

// Option configures a Worker.
type Option func(*config)

type config struct {
	creds   runtime.Credentials
	client  *http.Client
	maxBody int64
	secrets *runtime.Secrets
	warn    func(msg string)
	dc      converter.DataConverter
	spool   string
}

// WithCredentials supplies the credentials of security schemes, as
// runtime.WithCredentials does for a local run. When they can list their
// keys (runtime.CredentialLister, as runtime.CredentialMap), a run whose
// documents leave one of them unbound is refused before its first request,
// as a local run is (runtime.Plan.CheckSettings): it ends with an error of
// type ErrorSettings.
func WithCredentials(c runtime.Credentials) Option { return func(o *config) { o.creds = c } }

// WithHTTPClient sets the client requests are sent with (default: runtime.NewHTTPClient()).
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.client = c } }

// WithMaxBody caps the response bodies the worker reads (default
// DefaultMaxBody, at most 1.5 MiB); a run's own cap may be lower.
func WithMaxBody(n int64) Option { return func(o *config) { o.maxBody = n } }

// WithSecrets collects the credentials the worker applies and the tokens it
// fetches, to mask them in what it prints and in what it returns.
func WithSecrets(s *runtime.Secrets) Option { return func(o *config) { o.secrets = s } }

// WithWarnings receives warnings about requests, such as an operation whose
// credentials the worker does not have, and about runs refused because a
// credential names no security scheme of their documents.
func WithWarnings(f func(msg string)) Option { return func(o *config) { o.warn = f } }

// WithDataConverter sets the data converter of the worker's client
// (client.Options.DataConverter; with a payload key, Codec.DataConverter()).
// The send activity encodes with it the heartbeat details it records
// itself; the default is the SDK's default converter.
func WithDataConverter(dc converter.DataConverter) Option { return func(o *config) { o.dc = dc } }

// WithSpool keeps the response of a request that must not be sent twice in
// dir, on the worker's own disk, from the moment it arrives until the
// activity's heartbeat details in the cluster hold it: a worker killed in
// between loses the response only for the workers that do not share dir.
// Another worker's attempt reads the spool before the heartbeat details, so
// give the workers of one host (or of one shared volume) the same dir. The
// directory is created 0700; its entries are encoded with the worker's data
// converter (with a payload key, encrypted), and those older than a week are
// removed when the worker starts. Should dir be unusable, the worker warns
// (WithWarnings) and goes on without it.
func WithSpool(dir string) Option { return func(o *config) { o.spool = dir } }

// NewWorker returns a Worker.
func NewWorker(opts ...Option) *Worker {
	cfg := config{maxBody: DefaultMaxBody}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxBody <= 0 || cfg.maxBody > maxSendBody {
		cfg.maxBody = min(max(cfg.maxBody, DefaultMaxBody), maxSendBody)
	}
	if cfg.secrets == nil {
		cfg.secrets = &runtime.Secrets{}
	}
	if cfg.client == nil {
		cfg.client = runtime.NewHTTPClient()
	}
	sopts := []runtime.RunOption{runtime.WithHTTPClient(cfg.client), runtime.WithMaxBodySize(cfg.maxBody),
		runtime.WithCredentials(cfg.creds), runtime.WithSecrets(cfg.secrets)}
	if cfg.warn != nil {
		warn := cfg.warn
		sopts = append(sopts, runtime.WithObserver(runtime.ObserverFunc(func(e *runtime.Event) {
			if e.Kind == runtime.EventWarning {
				warn(e.Message)
			}
		})))
	}
	if cfg.dc == nil {
		cfg.dc = converter.GetDefaultDataConverter()
	}
	host, _ := os.Hostname()
	w := &Worker{sender: runtime.NewSender(sopts...), creds: cfg.creds, warn: cfg.warn, secrets: cfg.secrets, dc: cfg.dc, identity: fmt.Sprintf("%d@%s", os.Getpid(), host)}
	w.record = w.recordSend
	if cfg.spool != "" {
		sp, err := openSpool(cfg.spool, cfg.dc)
		switch {
		case err == nil:
			w.spool = sp
		case cfg.warn != nil:
			cfg.warn(fmt.Sprintf("no spool, the heartbeat details alone keep the responses of requests sent once: %v", err))
		}
	}
	return w
}

// Registry is what a Worker registers on: a Temporal worker.Worker, or the
// SDK's test environment.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// Register registers the run workflow and the send activity under
// WorkflowName and SendActivityName.
func (w *Worker) Register(r Registry) {
	r.RegisterWorkflowWithOptions(w.Workflow, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterActivityWithOptions(w.Send, activity.RegisterOptions{Name: SendActivityName})
}
