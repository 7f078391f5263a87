package runtime

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/openapi"
)

// localEffects is the in-process driver: it sends requests with an http.Client
// and waits with real timers.
type localEffects struct {
	client  *http.Client
	timeout time.Duration
	maxBody int64
	auth    *authenticator
	clock   Clock
	msg     *messenger // the message requests of AsyncAPI steps (messaging.go)
}

// NewHTTPClient returns the client the local driver uses by default: connections
// are pooled and reused across steps and runs, and redirects are followed as
// checkRedirect says.
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.MaxIdleConns = 256
	tr.ResponseHeaderTimeout = 0 // bounded per request by the context
	return &http.Client{Transport: tr, CheckRedirect: checkRedirect}
}

// checkRedirect decides each redirect of a request:
//
//   - only GET and HEAD are followed, at most 10 times; the response of any
//     other method is the step's;
//   - a redirect status the operation declares among its responses
//     (Request.NoFollow) is the step's to see ($statusCode == 302), not
//     followed;
//   - no Referer is sent: the URL it would carry may hold an apiKey query
//     parameter;
//   - credentials (Authorization, Proxy-Authorization, cookies, the apiKey
//     headers the driver set) are not forwarded once the chain has left the
//     first request's host or gone from https to plain http, even on the
//     same host: they would travel in clear.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0]
	if first.Method != http.MethodGet && first.Method != http.MethodHead {
		return http.ErrUseLastResponse
	}
	if req.Response != nil && slices.Contains(noFollow(first), req.Response.StatusCode) {
		return http.ErrUseLastResponse
	}
	req.Header.Del("Referer")
	if leftOrigin(first, append(via[1:], req)) {
		for _, h := range credentialHeaders(first) {
			req.Header.Del(h)
		}
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
		req.Header.Del("Proxy-Authorization")
	}
	return nil
}

// leftOrigin reports whether any hop after the first request goes to another
// host, or from https to plain http. Each redirect starts again from the
// first request's headers, so the check covers the whole chain: credentials
// dropped once stay dropped.
func leftOrigin(first *http.Request, hops []*http.Request) bool {
	for _, h := range hops {
		if !strings.EqualFold(h.URL.Host, first.URL.Host) || (first.URL.Scheme == "https" && h.URL.Scheme != "https") {
			return true
		}
	}
	return false
}

type credHeadersKey struct{}

type noFollowKey struct{}

func credentialHeaders(r *http.Request) []string {
	hs, _ := r.Context().Value(credHeadersKey{}).([]string)
	return hs
}

func noFollow(r *http.Request) []int {
	codes, _ := r.Context().Value(noFollowKey{}).([]int)
	return codes
}

func newLocalEffects(cfg *config, secrets *Secrets) *localEffects {
	client := cfg.client
	if client == nil {
		client = defaultClient
	}
	clock := cfg.clock
	if clock == nil {
		clock = realClock{}
	}
	l := &localEffects{client: client, timeout: cfg.timeout, maxBody: cfg.maxBody, clock: clock}
	l.auth = &authenticator{creds: cfg.credentials, client: client, secrets: secrets, now: clock.Now}
	l.msg = newMessenger(l.auth, cfg.memory)
	return l
}

// defaultClient is shared by every plan that is not given a client, so that
// connections are reused across runs. It holds no configuration that changes.
var defaultClient = NewHTTPClient()

func (l *localEffects) Now() time.Time { return l.clock.Now() }

func (l *localEffects) Sleep(ctx context.Context, d time.Duration) error {
	return l.clock.Sleep(ctx, d)
}

// Send implements Effects.
func (l *localEffects) Send(ctx context.Context, req *Request) *Response {
	if req.Message != nil {
		return l.msg.send(ctx, req, l.clock)
	}
	resp, oauthKey := l.send(ctx, req)
	if resp.Err == nil && resp.StatusCode == http.StatusUnauthorized && oauthKey != "" {
		// A cached oauth2 token was rejected: fetch a fresh one and try once more.
		l.auth.invalidate(oauthKey)
		resp, _ = l.send(ctx, req)
	}
	return resp
}

func (l *localEffects) send(ctx context.Context, req *Request) (*Response, string) {
	start := l.clock.Now()
	res := &Response{Started: start}
	timeout := l.timeout
	if req.Timeout > 0 {
		timeout = req.Timeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		res.Err, res.ErrKind = err, "protocol"
		return res, ""
	}
	for k, vs := range req.Header {
		hr.Header[k] = append([]string(nil), vs...)
	}
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json, */*;q=0.8")
	}
	if hr.Header.Get("User-Agent") == "" {
		hr.Header.Set("User-Agent", "arazzo")
	}
	headers, oauthKey, err := l.auth.apply(ctx, hr, req.Security)
	if err != nil {
		res.Err, res.ErrKind = err, "auth"
		res.Duration = l.clock.Now().Sub(start)
		return res, ""
	}
	if len(headers) > 0 || len(req.NoFollow) > 0 {
		rctx := hr.Context()
		if len(headers) > 0 {
			rctx = context.WithValue(rctx, credHeadersKey{}, headers)
		}
		if len(req.NoFollow) > 0 {
			rctx = context.WithValue(rctx, noFollowKey{}, req.NoFollow)
		}
		hr = hr.WithContext(rctx)
	}
	res.Sent = hr
	hresp, err := l.client.Do(hr)
	if err != nil {
		res.Err, res.ErrKind = describeTransportError(err, timeout)
		res.Duration = l.clock.Now().Sub(start)
		return res, oauthKey
	}
	defer hresp.Body.Close()
	res.StatusCode, res.Header = hresp.StatusCode, hresp.Header
	data, err := io.ReadAll(io.LimitReader(hresp.Body, l.maxBody+1))
	res.Duration = l.clock.Now().Sub(start)
	if err != nil {
		res.Err, res.ErrKind = describeTransportError(err, timeout)
		res.Err = fmt.Errorf("reading the response body: %w", res.Err)
		return res, oauthKey
	}
	if int64(len(data)) > l.maxBody {
		res.Err, res.ErrKind = &LimitError{Kind: LimitBody, Max: l.maxBody}, "body-too-large"
		return res, oauthKey
	}
	res.Body = data
	return res, oauthKey
}

// describeTransportError classifies a client error and words it for a
// person; the error it returns wraps the client's, so that errors.Is(err,
// context.DeadlineExceeded) holds for a request that timed out.
//
//lint:ignore ST1008 it returns a Response's Err and ErrKind, in the order of the fields it fills
func describeTransportError(err error, timeout time.Duration) (error, string) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &transportError{"cancelled", err}, "canceled"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &transportError{fmt.Sprintf("timed out after %s", timeout), err}, "timeout"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &transportError{fmt.Sprintf("cannot resolve host %s: %v", dnsErr.Name, dnsErr.Err), err}, "dns"
	}
	var tlsErr *tls.CertificateVerificationError
	if errors.As(err, &tlsErr) || strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:") {
		return &transportError{fmt.Sprintf("TLS error: %v", err), err}, "tls"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return &transportError{fmt.Sprintf("connection failed: %v", opErr.Err), err}, "connection"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &transportError{"connection closed before the response was complete", err}, "connection"
	}
	return err, "protocol"
}

// transportError is a client error worded for a person; it wraps the error.
type transportError struct {
	msg   string
	cause error
}

func (e *transportError) Error() string { return e.msg }
func (e *transportError) Unwrap() error { return e.cause }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// followed are the statuses Go's client follows as redirects.
var followed = []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect}

// declaredRedirects lists the redirect statuses an operation declares as
// responses ("302", or the range "3XX"): the step handles those itself.
func declaredRedirects(op *openapi.Operation) []int {
	var out []int
	for _, code := range followed {
		if _, ok := op.Responses[strconv.Itoa(code)]; ok {
			out = append(out, code)
		} else if _, ok := op.Responses["3XX"]; ok {
			out = append(out, code)
		} else if _, ok := op.Responses["3xx"]; ok {
			out = append(out, code)
		}
	}
	return out
}
