// Package testbroker starts the message brokers that tests talk to, for real,
// on 127.0.0.1: an in-process Kafka cluster (kfake), an embedded NATS server,
// an embedded MQTT broker (mochi), a WebSocket hub on httptest, and the
// RabbitMQ server that .ci/run installs and starts. Each stops when its test
// ends.
package testbroker

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Credentials every broker here accepts when started with auth (and no other).
const (
	User     = "arazzo-test"
	Password = "s3cret-broker-pass"
)

// Kafka starts a one-broker Kafka cluster that creates topics on first use and
// returns its address (host:port). With sasl, it accepts only User/Password
// over SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512.
func Kafka(t testing.TB, sasl bool) string {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(2),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, "127.0.0.1:0") })}
	if sasl {
		opts = append(opts, kfake.EnableSASL(), kfake.Superuser("PLAIN", User, Password),
			kfake.Superuser("SCRAM-SHA-256", User, Password), kfake.Superuser("SCRAM-SHA-512", User, Password))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// NATS starts a NATS server and returns its address. With auth it accepts
// only User/Password.
func NATS(t testing.TB, withAuth bool) string {
	t.Helper()
	o := &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	if withAuth {
		o.Username, o.Password = User, Password
	}
	s, err := natsserver.NewServer(o)
	if err != nil {
		t.Fatalf("nats-server: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.Addr().String()
}

// MQTT starts an MQTT broker (3.1.1 and 5) and returns its address. With auth
// it accepts only User/Password.
func MQTT(t testing.TB, withAuth bool) string {
	t.Helper()
	s := mochi.New(&mochi.Options{InlineClient: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if withAuth {
		ledger := &auth.Ledger{
			Auth: auth.AuthRules{{Username: auth.RString(User), Password: auth.RString(Password), Allow: true}},
			ACL:  auth.ACLRules{{Username: auth.RString(User), Filters: auth.Filters{"#": auth.ReadWrite}}},
		}
		if err := s.AddHook(new(auth.Hook), &auth.Options{Ledger: ledger}); err != nil {
			t.Fatal(err)
		}
	} else if err := s.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	l := listeners.NewTCP(listeners.Config{ID: "t", Address: "127.0.0.1:0"})
	if err := s.AddListener(l); err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return l.Address()
}

// AMQP returns the address of the RabbitMQ server on 127.0.0.1:5672 (or
// $ARAZZO_TEST_AMQP), skipping the test when none answers there — failing it
// when $ARAZZO_AMQP is "require" or $CI is set. .ci/run installs and starts
// it, with User/Password as a user, and requires it.
func AMQP(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("ARAZZO_TEST_AMQP")
	if addr == "" {
		addr = "127.0.0.1:5672"
	}
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		if os.Getenv("ARAZZO_AMQP") == "require" || os.Getenv("CI") != "" {
			t.Fatalf("no RabbitMQ server at %s (.ci/run starts one): %v", addr, err)
		}
		t.Skipf("no RabbitMQ server at %s: install and start Debian's rabbitmq-server (as .ci/run does) to run this test", addr)
	}
	c.Close()
	return addr
}

// WebSocketHub is a WebSocket server where every frame a client sends on a
// path reaches every client connected to that path, the sender included.
// With a token, it refuses handshakes without "Authorization: Bearer <token>".
type WebSocketHub struct {
	*httptest.Server
	mu    sync.Mutex
	conns map[string]map[*websocket.Conn]bool
	// Received lists every frame clients sent, as "path payload".
	Received []string
}

// WebSocket starts a hub.
func WebSocket(t testing.TB, token string) *WebSocketHub {
	t.Helper()
	h := &WebSocketHub{conns: map[string]map[*websocket.Conn]bool{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		path := r.URL.Path
		h.mu.Lock()
		if h.conns[path] == nil {
			h.conns[path] = map[*websocket.Conn]bool{}
		}
		h.conns[path][c] = true
		h.mu.Unlock()
		defer func() {
			h.mu.Lock()
			delete(h.conns[path], c)
			h.mu.Unlock()
			c.CloseNow()
		}()
		for {
			typ, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			h.Broadcast(path, typ, data)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// Broadcast sends a frame to every client on path.
func (h *WebSocketHub) Broadcast(path string, typ websocket.MessageType, data []byte) {
	h.mu.Lock()
	h.Received = append(h.Received, path+" "+string(data))
	var targets []*websocket.Conn
	for c := range h.conns[path] {
		targets = append(targets, c)
	}
	h.mu.Unlock()
	for _, c := range targets {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.Write(ctx, typ, data)
		cancel()
	}
}

// Clients is the number of clients connected to path.
func (h *WebSocketHub) Clients(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns[path])
}

// URL is the hub's ws:// address.
func (h *WebSocketHub) URL() string { return "ws" + strings.TrimPrefix(h.Server.URL, "http") }
