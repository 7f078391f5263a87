package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// httpListen is where --http serves, and the token it requires.
type httpListen struct {
	addr  string
	token string
}

// mcpPath is where the streamable HTTP endpoint is served.
const mcpPath = "/mcp"

// checkHTTPFlags reads --http, --allow-remote and --http-token: an address
// without a host is 127.0.0.1's; any other than loopback needs
// --allow-remote, and then a bearer token.
func checkHTTPFlags(f *mcpFlags) (*httpListen, error) {
	host, port, err := net.SplitHostPort(f.http)
	if err != nil {
		return nil, usageErr("--http %q: expected HOST:PORT or :PORT (%v)", f.http, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	l := &httpListen{addr: net.JoinHostPort(host, port)}
	if !isLoopback(host) && !f.allowRemote {
		return nil, usageErr("--http %s listens beyond this machine: anyone who reaches it can run the workflows with your credentials; "+
			"add --allow-remote and --http-token env:VAR|file:PATH to do so, or listen on 127.0.0.1", f.http)
	}
	if f.httpToken != "" {
		if !strings.HasPrefix(f.httpToken, "env:") && !strings.HasPrefix(f.httpToken, "file:") {
			return nil, usageErr("--http-token takes env:VAR or file:PATH, not the token itself (a command line is visible to every user of the machine)")
		}
		tok, _, err := readRef(f.httpToken)
		if err != nil {
			return nil, usageErr("--http-token: %v", err)
		}
		if len(tok) < 16 {
			return nil, usageErr("--http-token: the token is %d characters long; use at least 16 (for example: openssl rand -hex 32)", len(tok))
		}
		l.token = tok
	} else if !isLoopback(host) {
		return nil, usageErr("--http %s with --allow-remote needs --http-token env:VAR|file:PATH: a remote client must prove who it is", f.http)
	}
	return l, nil
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveHTTP serves srv over MCP streamable HTTP until ctx ends.
func (s *mcpServer) serveHTTP(ctx context.Context, srv *mcp.Server, l *httpListen) error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("--http: %v", err)}
	}
	mux := http.NewServeMux()
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{SessionTimeout: 30 * time.Minute})
	mux.Handle(mcpPath, requireBearer(l.token, h))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	auth := ""
	if l.token != "" {
		auth = ", bearer token required"
	}
	fmt.Fprintf(s.a.stderr, "arazzo: serving %d tool(s) over MCP streamable HTTP at http://%s%s%s%s\n", len(s.tools), ln.Addr(), mcpPath, auth, s.confirmNote())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("--http: %v", err)}
	case <-ctx.Done():
	}
	// Stopped: the calls in flight end as interrupted runs (resume_run
	// continues them), and their results still go out if they can.
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return &exitError{code: ExitIncomplete, err: fmt.Errorf("--http: %v", err)}
	}
	return nil
}

// requireBearer lets through the requests that carry the token as a bearer
// token (all of them when token is empty).
func requireBearer(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="arazzo mcp"`)
			http.Error(w, "a bearer token is required (the one --http-token gives)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
