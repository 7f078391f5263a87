//go:build temporal

package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/metadata"
)

// grpcHold is a gRPC proxy in front of a Temporal server that forwards every
// call as it is, except that, once armed, it holds the next call of one
// method instead of forwarding it: a worker behind it is then caught at a
// precise point (its response recorded, its completion not yet delivered)
// for the test to kill it there.
type grpcHold struct {
	addr    string
	method  string
	mu      sync.Mutex
	armed   bool
	held    chan struct{} // closed when a call is held
	release chan struct{}
}

// rawCodec passes messages through as bytes.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

var _ encoding.Codec = rawCodec{}

func newGRPCHold(t *testing.T, backend, method string) *grpcHold {
	t.Helper()
	conn, err := grpc.NewClient(backend, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &grpcHold{addr: ln.Addr().String(), method: method, held: make(chan struct{}), release: make(chan struct{})}
	srv := grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(func(_ any, ss grpc.ServerStream) error {
		method, _ := grpc.MethodFromServerStream(ss)
		var req []byte
		if err := ss.RecvMsg(&req); err != nil {
			return err
		}
		if p.hold(method) {
			select {
			case <-p.release:
			case <-ss.Context().Done():
				return ss.Context().Err()
			}
		}
		md, _ := metadata.FromIncomingContext(ss.Context())
		out := metadata.MD{}
		for k, v := range md {
			if !strings.HasPrefix(k, ":") && k != "content-type" && k != "user-agent" && !strings.HasPrefix(k, "grpc-") {
				out[k] = v
			}
		}
		ctx := metadata.NewOutgoingContext(ss.Context(), out)
		var resp []byte
		var header, trailer metadata.MD
		err := conn.Invoke(ctx, method, &req, &resp, grpc.Header(&header), grpc.Trailer(&trailer))
		_ = ss.SetHeader(header)
		ss.SetTrailer(trailer)
		if err != nil {
			return err
		}
		return ss.SendMsg(&resp)
	}))
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		p.mu.Lock()
		select {
		case <-p.release:
		default:
			close(p.release)
		}
		p.mu.Unlock()
		srv.Stop()
		conn.Close()
	})
	return p
}

// arm makes the proxy hold the next call of its method.
func (p *grpcHold) arm() {
	p.mu.Lock()
	p.armed = true
	p.mu.Unlock()
}

func (p *grpcHold) hold(method string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.armed || !strings.HasSuffix(method, "/"+p.method) {
		return false
	}
	p.armed = false
	close(p.held)
	return true
}

// The only worker is killed (SIGKILL) while the renewal of a single run is
// in flight, at each point of the send activity; a new worker then takes the
// run over. Once the response reached the worker, it is in the worker's
// spool, then in the activity's heartbeat details: the token is handed over,
// renewed once. Before that,
// the renewal is reported lost and is not sent again.
func TestTemporalWorkerKilledMidRenewal(t *testing.T) {
	addr := temporalServer(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	const handle = "team-002-mcp"

	// run submits one rotate run and waits for it in the background.
	type result struct {
		code           int
		stdout, stderr string
	}
	run1 := func(t *testing.T, f *fleet, queue string) <-chan result {
		done := make(chan result, 1)
		go func() {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"run", rotateFile, "--input", "search=Team 002", "--server", "mcpServerApi=" + f.api.URL,
				"--temporal", addr, "--task-queue", queue, "--output", "json"}, strings.NewReader(""), &out, &errb)
			done <- result{code, out.String(), errb.String()}
		}()
		return done
	}
	wait := func(t *testing.T, done <-chan result) result {
		select {
		case r := <-done:
			return r
		case <-time.After(3 * time.Minute):
			t.Fatal("the run did not end 3 minutes after the kill")
		}
		return result{}
	}
	kill := func(t *testing.T, victim *exec.Cmd) {
		if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = victim.Wait()
	}

	// killHeld kills the only worker while a proxy holds its next call of
	// method after the server got the renewal (which takes a second), then
	// starts another worker on the same spool (the same $XDG_STATE_HOME):
	// the token is handed over, renewed once. It logs how long after the
	// server's commit the call was held (a figure, not a check): what is
	// left of the window a kill loses a token in.
	killHeld := func(t *testing.T, method, held string) {
		queue := randomName("arazzo-test-")
		f := newFleet(t, 3)
		proxy := newGRPCHold(t, addr, method)
		f.api.BeforeRenew = func(*http.Request) { proxy.arm(); time.Sleep(time.Second) }
		var committed time.Time
		var mu sync.Mutex
		f.api.AfterRenew = func(http.ResponseWriter, *http.Request) { mu.Lock(); committed = time.Now(); mu.Unlock() }
		victim, logs := startWorker(t, proxy.addr, queue)
		done := run1(t, f, queue)
		select {
		case <-proxy.held:
			mu.Lock()
			t.Logf("%s within %s of the server's commit", held, time.Since(committed).Round(100*time.Microsecond))
			mu.Unlock()
		case r := <-done:
			t.Fatalf("the run ended before the worker's %s: exit %d\n%s%s\nworker:\n%s", method, r.code, r.stdout, r.stderr, logs)
		case <-time.After(2 * time.Minute):
			t.Fatalf("no renewal after 2 minutes\nworker:\n%s", logs)
		}
		kill(t, victim)
		if got := f.api.Renewals(handle); got != 1 {
			t.Fatalf("renewed %d times before the kill, want 1", got)
		}
		startWorker(t, addr, queue)
		r := wait(t, done)
		if r.code != ExitOK || !strings.Contains(r.stdout, `"token": "`+f.api.Token(handle)+`"`) {
			t.Errorf("exit %d, want %d with the renewed token %s\nstdout:\n%s\nstderr:\n%s", r.code, ExitOK, f.api.Token(handle), r.stdout, r.stderr)
		}
		if got := f.api.Renewals(handle); got != 1 {
			t.Errorf("renewed %d times, want 1", got)
		}
	}

	// The renewal's completion is held: its response is spooled and in the
	// heartbeat details.
	t.Run("after the response arrived", func(t *testing.T) {
		killHeld(t, "RespondActivityTaskCompleted", "the response was recorded, and the completion sent,")
	})
	// The heartbeat that records the response is held: the response is only
	// in the worker's spool.
	t.Run("after the response arrived, before the cluster had it", func(t *testing.T) {
		killHeld(t, "RecordActivityTaskHeartbeat", "the response was spooled, and its heartbeat sent,")
	})

	t.Run("before the response arrived", func(t *testing.T) {
		queue := randomName("arazzo-test-")
		f := newFleet(t, 3)
		old := f.api.Token(handle)
		inFlight := make(chan struct{})
		var once sync.Once
		// The server acts on a renewal only if its client is still there
		// when it is ready (see testserver.Workato.BeforeRenew).
		f.api.BeforeRenew = func(r *http.Request) {
			once.Do(func() { close(inFlight) })
			<-r.Context().Done()
		}
		victim, logs := startWorker(t, addr, queue)
		done := run1(t, f, queue)
		select {
		case <-inFlight:
		case r := <-done:
			t.Fatalf("the run ended before the renewal: exit %d\n%s%s\nworker:\n%s", r.code, r.stdout, r.stderr, logs)
		case <-time.After(2 * time.Minute):
			t.Fatalf("no renewal after 2 minutes\nworker:\n%s", logs)
		}
		kill(t, victim)
		startWorker(t, addr, queue)
		r := wait(t, done)
		if r.code != ExitIncomplete || !strings.Contains(r.stdout, "the server may or may not have acted on it") {
			t.Errorf("exit %d, want %d reporting the renewal lost\nstdout:\n%s\nstderr:\n%s", r.code, ExitIncomplete, r.stdout, r.stderr)
		}
		if got := f.api.Renewals(handle); got != 0 || f.api.Token(handle) != old {
			t.Errorf("renewed %d times: the renewal was sent again", got)
		}
	})
}
