// Command mock is the HTTP server the benchmarks run against, on loopback. It
// answers the three operations of the rotate workflow (the Workato MCP server
// API) for any server name, and a generic chain resource:
//
//	GET  /api/mcp/mcp_servers?search=S      {"items":[{"handle":"h-S",...}],"next_page":false}
//	GET  /api/mcp/mcp_servers/{handle}      the server
//	POST /api/mcp/mcp_servers/{handle}/token_renew   {"token":"..."}
//	GET  /items/{n}                         {"id":n,"next":n+1,...}, about 1 KiB
//
// It keeps no per-request state, so it costs the same at the millionth request
// as at the first. It prints its base URL on the first line of standard output
// and serves until it is interrupted (or, with -watch-stdin, until its standard
// input closes).
//
//	go run ./bench/mock -addr 127.0.0.1:0
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/arazzo-run/arazzo/internal/benchdoc"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	watchStdin := flag.Bool("watch-stdin", false, "stop when standard input closes (how the harness stops it)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mock:", err)
		os.Exit(2)
	}
	srv := &http.Server{Handler: newHandler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("http://%s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "mock:", err)
		os.Exit(1)
	}
}

type handler struct {
	renewals atomic.Int64
}

func newHandler() http.Handler { return &handler{} }

const serversPath = "/api/mcp/mcp_servers"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/items/") && r.Method == http.MethodGet:
		n, err := strconv.ParseInt(p[len("/items/"):], 10, 64)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, `{"message":"item number expected"}`)
			return
		}
		writeJSON(w, http.StatusOK, benchdoc.Item(n))
	case p == serversPath && r.Method == http.MethodGet:
		search := r.URL.Query().Get("search")
		if search == "" {
			search = "default"
		}
		writeJSON(w, http.StatusOK, `{"items":[`+server("h-"+search, search)+`],"next_page":false}`)
	case strings.HasPrefix(p, serversPath+"/") && strings.HasSuffix(p, "/token_renew") && r.Method == http.MethodPost:
		handle := strings.TrimSuffix(p[len(serversPath)+1:], "/token_renew")
		n := h.renewals.Add(1)
		writeJSON(w, http.StatusOK, `{"token":`+strconv.Quote("mcp_"+handle+"_"+strconv.FormatInt(n, 36))+`}`)
	case strings.HasPrefix(p, serversPath+"/") && r.Method == http.MethodGet && !strings.Contains(p[len(serversPath)+1:], "/"):
		handle := p[len(serversPath)+1:]
		writeJSON(w, http.StatusOK, server(handle, strings.TrimPrefix(handle, "h-")))
	default:
		writeJSON(w, http.StatusNotFound, `{"message":"Not found"}`)
	}
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func server(handle, name string) string {
	h := strconv.Quote(handle)
	return `{"handle":` + h + `,"name":` + strconv.Quote(name) + `,"folder_id":48213,` +
		`"mcp_url":"https://mcp.example.com/servers/` + h[1:len(h)-1] + `","authentication_method":"token",` +
		`"created_at":"2026-01-05T10:00:00Z","updated_at":"2026-11-01T09:00:00Z"}`
}
