package testserver

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults is an HTTP server on 127.0.0.1 that misbehaves on request:
// GET /faults/{kind} answers with that fault. With ?times=N only the first N
// requests of a kind misbehave and the next ones answer 200 {"ok": true}, so a
// retry can be seen to recover.
//
//	ok          200 {"ok": true}
//	drop        closes the connection without answering
//	stall       accepts the request and never answers (until the client gives up)
//	unavailable 503 with Retry-After: 1
//	garbage     200, Content-Type application/json, a body that is not JSON
//	truncated   200, Content-Type application/json, valid-looking JSON cut short
//	wrong-type  200, Content-Type text/html, an HTML page
//	huge        200, a JSON body of HugeSize bytes
//	reset       headers and half a body, then a TCP reset
//	slow-body   headers, then the body a byte at a time, slower than any timeout
type Faults struct {
	*httptest.Server

	mu     sync.Mutex
	counts map[string]int
	done   chan struct{}
	once   sync.Once
}

// HugeSize is the size of the "huge" fault's body.
const HugeSize = 32 << 20

// FaultKinds lists the faults the server knows.
var FaultKinds = []string{"ok", "drop", "stall", "unavailable", "garbage", "truncated", "wrong-type", "huge", "reset", "slow-body"}

// NewFaults starts the fault server.
func NewFaults() *Faults {
	f := newFaults()
	f.start(false)
	return f
}

// NewFaultsTLS starts the fault server over TLS with a self-signed certificate
// that clients do not trust unless given f.Client().
func NewFaultsTLS() *Faults {
	f := newFaults()
	f.start(true)
	return f
}

func newFaults() *Faults {
	return &Faults{counts: map[string]int{}, done: make(chan struct{})}
}

// start serves every request on a fresh connection: a client never reuses
// one, so it cannot retry a dropped request on its own, and every fault
// reaches the caller.
func (f *Faults) start(tls bool) {
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.Server.Config.SetKeepAlivesEnabled(false)
	f.Server.Config.ErrorLog = quietLog() // failed handshakes and hijacked connections are the point
	if tls {
		f.Server.StartTLS()
	} else {
		f.Server.Start()
	}
}

// Close releases stalled handlers and stops the server.
func (f *Faults) Close() {
	f.once.Do(func() { close(f.done) })
	f.Server.CloseClientConnections()
	f.Server.Close()
}

// Reset forgets the requests received: ?times=N counts from zero again.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts = map[string]int{}
}

// Count is how many requests of a kind arrived.
func (f *Faults) Count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[kind]
}

func (f *Faults) serve(w http.ResponseWriter, r *http.Request) {
	kind, ok := strings.CutPrefix(r.URL.Path, "/faults/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.counts[kind]++
	n := f.counts[kind]
	f.mu.Unlock()
	if times, err := strconv.Atoi(r.URL.Query().Get("times")); err == nil && n > times {
		kind = "ok"
	}
	switch kind {
	case "ok":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok": true}`)
	case "drop":
		f.hijack(w, func(c net.Conn, _ *bufio.ReadWriter) { c.Close() })
	case "stall":
		select {
		case <-r.Context().Done():
		case <-f.done:
		}
	case "unavailable":
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"message": "try again later"}`)
	case "garbage":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "\x00\x17<<garbage>> not json at all")
	case "truncated":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok": true, "items": [{"id": 1}, {"id": `)
	case "wrong-type":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><h1>Service temporarily unavailable</h1></body></html>")
	case "huge":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(HugeSize))
		chunk := []byte(`{"pad":"` + strings.Repeat("x", 1<<16-11) + `"},`)
		w.Write([]byte("["))
		written := 1
		for written+len(chunk) < HugeSize-1 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			written += len(chunk)
		}
		w.Write([]byte(strings.Repeat(" ", HugeSize-1-written) + "]"))
	case "reset":
		f.hijack(w, func(c net.Conn, bw *bufio.ReadWriter) {
			fmt.Fprint(bw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"ok\": true, \"items\": [")
			bw.Flush()
			time.Sleep(20 * time.Millisecond)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // close with RST, not FIN
			}
			c.Close()
		})
	case "slow-body":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		for i := 0; i < 1000; i++ {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-f.done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	default:
		http.Error(w, "unknown fault "+kind, http.StatusNotFound)
	}
}

func (f *Faults) hijack(w http.ResponseWriter, do func(net.Conn, *bufio.ReadWriter)) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	c, bw, err := hj.Hijack()
	if err != nil {
		return
	}
	do(c, bw)
}

// FaultsOpenAPI is an OpenAPI description of the fault server: one operation,
// getFault, GET /faults/{kind}?times=N.
const FaultsOpenAPI = `openapi: 3.1.0
info: {title: Faults, version: 1.0.0}
servers: [{url: http://127.0.0.1:1}]
paths:
  /faults/{kind}:
    get:
      operationId: getFault
      parameters:
        - {name: kind, in: path, required: true, schema: {type: string}}
        - {name: times, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  ok: {type: boolean}
`

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
