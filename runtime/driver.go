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
	"strings"
	"time"
)

// localEffects is the in-process driver: it sends requests with an http.Client
// and waits with real timers.
type localEffects struct {
	client  *http.Client
	timeout time.Duration
	maxBody int64
	auth    *authenticator
	clock   Clock
}

// NewHTTPClient returns the client the local driver uses by default: connections
// are pooled and reused across steps and runs, redirects are followed for GET and
// HEAD only, and credentials never follow a redirect to another host.
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.MaxIdleConns = 256
	tr.ResponseHeaderTimeout = 0 // bounded per request by the context
	return &http.Client{Transport: tr, CheckRedirect: checkRedirect}
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0]
	if first.Method != http.MethodGet && first.Method != http.MethodHead {
		return http.ErrUseLastResponse
	}
	if req.URL.Host != first.URL.Host {
		for _, h := range credentialHeaders(first) {
			req.Header.Del(h)
		}
		req.Header.Del("Authorization")
		req.Header.Del("Cookie")
		req.Header.Del("Proxy-Authorization")
	}
	return nil
}

type credHeadersKey struct{}

func credentialHeaders(r *http.Request) []string {
	hs, _ := r.Context().Value(credHeadersKey{}).([]string)
	return hs
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
	if len(headers) > 0 {
		hr = hr.WithContext(context.WithValue(hr.Context(), credHeadersKey{}, headers))
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
		res.Err, res.ErrKind = fmt.Errorf("response body is larger than %d bytes (raise it with --max-body)", l.maxBody), "body-too-large"
		return res, oauthKey
	}
	res.Body = data
	return res, oauthKey
}

// describeTransportError classifies a client error and words it for a person.
func describeTransportError(err error, timeout time.Duration) (error, string) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return errors.New("cancelled"), "canceled"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("timed out after %s", timeout), "timeout"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot resolve host %s: %v", dnsErr.Name, dnsErr.Err), "dns"
	}
	var tlsErr *tls.CertificateVerificationError
	if errors.As(err, &tlsErr) || strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:") {
		return fmt.Errorf("TLS error: %v", err), "tls"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("connection failed: %v", opErr.Err), "connection"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("connection closed before the response was complete"), "connection"
	}
	return err, "protocol"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
