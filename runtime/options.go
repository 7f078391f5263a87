package runtime

import (
	"context"
	"github.com/arazzo-run/arazzo/transport"
	"net/http"
	"net/url"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
)

// PlanOption configures how a plan is built (Load, Inspect, Compile): how
// documents are read, what parsing may cost, where sources come from. Every
// document is validated: the plan is compiled from the validator's reading of
// it (its expressions, parsed once).
type PlanOption func(*config)

// RunOption configures one run (Run, Execute, DryRun, CheckSettings, NewSender):
// servers, credentials, limits of the run, timeouts, observers and the driver.
// A plan keeps no run settings, so concurrent runs of one plan may differ.
type RunOption func(*config)

type config struct {
	read         ReadFunc
	limits       arazzo.Limits
	client       *http.Client
	timeout      time.Duration
	runTimeout   time.Duration
	credentials  Credentials
	servers      map[string]string
	serverBase   string   // resolves relative server URLs of descriptions read from files (WithServerBase)
	serverOrigin *url.URL // every request goes to this scheme and host (WithServerOrigin)
	serverVars   map[string]map[string]string
	maxSteps     int
	maxDepth     int
	maxRetryWait time.Duration
	maxBody      int64
	observer     Observer
	clock        Clock
	secrets      *Secrets
	// sourceLocations maps source names to the locations they are read from instead.
	sourceLocations map[string]string
	wrapEffects     func(Effects) Effects
	memory          *transport.Memory // the broker of memory:// servers (WithMessageBroker)
	mockMessages    bool              // WithMessageMock
	digest          *sourceDigest     // set by Load and Compile
}

func defaultConfig() config {
	return config{
		timeout:      30 * time.Second,
		maxSteps:     10_000,
		maxDepth:     32,
		maxRetryWait: 60 * time.Second,
		maxBody:      16 << 20,
	}
}

// WithMessageBroker gives the in-process broker that memory:// servers of
// AsyncAPI sources reach (tests, and the CLI's --mock).
func WithMessageBroker(m *transport.Memory) RunOption { return func(c *config) { c.memory = m } }

// WithReadFunc sets how documents are read (default: DefaultReader).
func WithReadFunc(f ReadFunc) PlanOption { return func(c *config) { c.read = f } }

// WithLimits bounds what parsing each Arazzo document may cost (default
// arazzo.DefaultLimits(); a zero field keeps its default). The bytes read are
// bounded by the reader (ReaderOptions.MaxBytes and MaxTotal).
func WithLimits(l arazzo.Limits) PlanOption { return func(c *config) { c.limits = l } }

// WithHTTPClient sets the client the local driver sends requests with. Its
// Timeout should be zero: per-request timeouts come from WithTimeout.
func WithHTTPClient(cl *http.Client) RunOption { return func(c *config) { c.client = cl } }

// WithTimeout bounds each HTTP request (default 30 s).
func WithTimeout(d time.Duration) RunOption { return func(c *config) { c.timeout = d } }

// WithRunTimeout bounds a whole run (default: none).
func WithRunTimeout(d time.Duration) RunOption { return func(c *config) { c.runTimeout = d } }

// WithCredentials supplies the credentials of security schemes.
func WithCredentials(cr Credentials) RunOption { return func(c *config) { c.credentials = cr } }

// WithServer overrides the server URL of a source description.
func WithServer(source, serverURL string) RunOption {
	return func(c *config) {
		if c.servers == nil {
			c.servers = map[string]string{}
		}
		c.servers[source] = serverURL
	}
}

// WithSourceLocation reads the named source description from location instead of
// its url (validate a document whose sources are remote against local copies).
func WithSourceLocation(source, location string) PlanOption {
	return func(c *config) {
		if c.sourceLocations == nil {
			c.sourceLocations = map[string]string{}
		}
		c.sourceLocations[source] = location
	}
}

// WithServerBase resolves the relative server URLs ("/", "/v1") of descriptions
// that were not served over http(s) against base, which has none otherwise.
// The CLI's --mock uses it: the mock answers whatever the host.
func WithServerBase(base string) RunOption { return func(c *config) { c.serverBase = base } }

// WithServerOrigin sends every request to origin (scheme://host[:port]),
// keeping the path of the server URL it would have gone to: a run against a
// local mock, or a recording proxy, then shows where its requests really go.
// An origin that is not an absolute http(s) URL is ignored.
func WithServerOrigin(origin string) RunOption {
	return func(c *config) {
		if u, err := url.Parse(origin); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			c.serverOrigin = &url.URL{Scheme: u.Scheme, Host: u.Host}
		}
	}
}

// WithServerVariable sets a server variable of a source description's server.
func WithServerVariable(source, name, value string) RunOption {
	return func(c *config) {
		if c.serverVars == nil {
			c.serverVars = map[string]map[string]string{}
		}
		if c.serverVars[source] == nil {
			c.serverVars[source] = map[string]string{}
		}
		c.serverVars[source][name] = value
	}
}

// WithMaxSteps bounds the step executions of one run (default 10,000), so a goto
// loop cannot run forever.
func WithMaxSteps(n int) RunOption { return func(c *config) { c.maxSteps = n } }

// WithMaxDepth bounds the nesting of workflows calling workflows (default 32).
func WithMaxDepth(n int) RunOption { return func(c *config) { c.maxDepth = n } }

// WithMaxRetryWait caps how long a Retry-After header can make a retry wait (default 60 s).
func WithMaxRetryWait(d time.Duration) RunOption { return func(c *config) { c.maxRetryWait = d } }

// WithMaxBodySize caps the response bytes read (default 16 MiB); a larger body fails the step.
func WithMaxBodySize(n int64) RunOption { return func(c *config) { c.maxBody = n } }

// WithObserver receives the events of a run (progress, traces, reports, a
// journal). Given several times, every observer receives every event, in the
// order the options were given.
func WithObserver(o Observer) RunOption {
	return func(c *config) {
		if c.observer == nil {
			c.observer = o
		} else if o != nil {
			c.observer = Observers{c.observer, o}
		}
	}
}

// WithEffects wraps the in-process driver of Plan.Run: wrap receives the
// Effects that send requests and wait on timers, and returns the Effects the
// run uses. A journaling driver records each result before handing it back,
// and replays recorded results instead of sending again.
func WithEffects(wrap func(local Effects) Effects) RunOption {
	return func(c *config) { c.wrapEffects = wrap }
}

// WithClock replaces the wall clock (tests, deterministic drivers).
func WithClock(cl Clock) RunOption { return func(c *config) { c.clock = cl } }

// Clock is the time source of the local driver.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
