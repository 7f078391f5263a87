package runtime

import "context"

// Sender sends the requests an executor decided on the way the local driver
// does: credentials applied from the request's Security, a per-request
// timeout, a bounded body, one retry with a fresh oauth2 token after a 401.
// A driver that carries requests to another process — a Temporal activity on a
// worker — sends them with a Sender there, so that credentials are applied
// where the request leaves and never travel with it.
//
// A Sender is safe for concurrent use; the oauth2 tokens it fetches are cached
// across requests.
type Sender struct{ fx *localEffects }

// NewSender returns a Sender configured by the options that concern sending:
// WithHTTPClient, WithTimeout (the default for requests whose Timeout is 0),
// WithMaxBodySize, WithCredentials, WithSecrets (credentials and fetched
// tokens are registered there), WithClock, and WithObserver, which receives an
// EventWarning when an operation's credentials are missing. Other options are
// ignored.
func NewSender(opts ...RunOption) *Sender {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	fx := newLocalEffects(&cfg, cfg.secrets)
	if obs := cfg.observer; obs != nil {
		fx.auth.obs = func(msg string, err error) {
			obs.Event(&Event{Kind: EventWarning, Time: fx.Now(), Message: msg, Err: err})
		}
	}
	return &Sender{fx: fx}
}

// Send sends req and returns its response, or the transport error in
// Response.Err (classified by Response.ErrKind). Response.Sent is the request
// as it went on the wire, credentials included.
func (s *Sender) Send(ctx context.Context, req *Request) *Response { return s.fx.Send(ctx, req) }
