package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testbroker"
	"github.com/arazzo-run/arazzo/transport"
)

// broker is one server to run the shared tests against.
type broker struct {
	name    string
	cfg     func(t *testing.T) transport.Config
	headers bool // messages carry headers
	// settle, when set, waits until the server knows of the subscriptions to
	// channel: a WebSocket server learns of a client after the client's
	// handshake is done.
	settle func(channel string)
}

func brokers() []broker {
	return []broker{
		wsBroker(),
		{"memory", func(t *testing.T) transport.Config {
			return transport.Config{URL: mustURL("memory://local"), Memory: transport.NewMemory()}
		}, true, nil},
		{"kafka", func(t *testing.T) transport.Config {
			return transport.Config{URL: mustURL("kafka://" + testbroker.Kafka(t, true)), User: testbroker.User, Password: testbroker.Password, Mechanism: "SCRAM-SHA-512"}
		}, true, nil},
		{"nats", func(t *testing.T) transport.Config {
			return transport.Config{URL: mustURL("nats://" + testbroker.NATS(t, true)), User: testbroker.User, Password: testbroker.Password}
		}, true, nil},
		{"mqtt5", func(t *testing.T) transport.Config {
			return transport.Config{URL: mustURL("mqtt://" + testbroker.MQTT(t, true)), User: testbroker.User, Password: testbroker.Password}
		}, true, nil},
		{"mqtt3", func(t *testing.T) transport.Config {
			return transport.Config{URL: mustURL("mqtt://" + testbroker.MQTT(t, true)), ProtocolVersion: "3.1.1", User: testbroker.User, Password: testbroker.Password}
		}, false, nil},
		{"amqp", func(t *testing.T) transport.Config {
			return transport.Config{URL: mustURL("amqp://" + testbroker.AMQP(t)), User: testbroker.User, Password: testbroker.Password}
		}, true, nil},
	}
}

func wsBroker() broker {
	var hub *testbroker.WebSocketHub
	return broker{name: "ws", cfg: func(t *testing.T) transport.Config {
		hub = testbroker.WebSocket(t, "tok")
		return transport.Config{URL: mustURL(hub.URL() + "/v1"), Token: "tok"}
	}, settle: func(channel string) {
		for i := 0; i < 500 && hub.Clients("/v1/"+channel) == 0; i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func dial(t *testing.T, cfg transport.Config) transport.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := transport.Dial(ctx, cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func next(t *testing.T, s transport.Subscription) *transport.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return m
}

// TestTransports: the contract of Conn on every broker — only what is
// published after Subscribe returns is delivered, in order, with headers; a
// Next that times out leaves the subscription working; Close ends it.
func TestTransports(t *testing.T) {
	for _, b := range brokers() {
		t.Run(b.name, func(t *testing.T) {
			cfg := b.cfg(t)
			pub, recv := dial(t, cfg), dial(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			channel := fmt.Sprintf("orders.%s.%d", b.name, time.Now().UnixNano())
			if b.name == "ws" {
				channel = "orders/" + b.name
			}
			msg := func(body string, h map[string]string) *transport.Publish {
				// One key: Kafka keeps order within a partition only.
				p := &transport.Publish{Message: transport.Message{Channel: channel, Key: []byte("k"), Payload: []byte(body), ContentType: "application/json"}, QoS: 1}
				if b.headers {
					p.Headers = h
				}
				return p
			}
			if b.name != "ws" { // a WebSocket server only sends to connected clients: there is no "before"
				if err := pub.Publish(ctx, msg(`{"n":0}`, nil)); err != nil {
					t.Fatalf("publish before subscribing: %v", err)
				}
				// The broker has it (it acknowledged the publish); give it the
				// moment some take to route it before a subscription exists.
				time.Sleep(50 * time.Millisecond)
			}
			sub, err := recv.Subscribe(ctx, &transport.Subscribe{Channel: channel, QoS: 1})
			if err != nil {
				t.Fatalf("Subscribe: %v", err)
			}
			if b.settle != nil {
				b.settle(channel)
			}
			for i := 1; i <= 2; i++ {
				if err := pub.Publish(ctx, msg(fmt.Sprintf(`{"n":%d}`, i), map[string]string{"requestId": fmt.Sprint("r", i)})); err != nil {
					t.Fatalf("Publish: %v", err)
				}
			}
			for i := 1; i <= 2; i++ {
				m := next(t, sub)
				if want := fmt.Sprintf(`{"n":%d}`, i); string(m.Payload) != want {
					t.Fatalf("message %d: %s, want %s (a message published before Subscribe must not arrive)", i, m.Payload, want)
				}
				if b.headers && m.Headers["requestId"] != fmt.Sprint("r", i) {
					t.Errorf("message %d headers %v", i, m.Headers)
				}
			}
			short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
			_, err = sub.Next(short)
			cancelShort()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Next on an idle channel: %v, want the context's deadline", err)
			}
			if err := pub.Publish(ctx, msg(`{"n":3}`, nil)); err != nil {
				t.Fatal(err)
			}
			if m := next(t, sub); string(m.Payload) != `{"n":3}` {
				t.Errorf("after a timeout: %s", m.Payload)
			}
			sub.Close()
			done, cancelDone := context.WithTimeout(ctx, 5*time.Second)
			defer cancelDone()
			if _, err := sub.Next(done); !errors.Is(err, transport.ErrClosed) {
				t.Errorf("Next after Close: %v", err)
			}
		})
	}
}

// TestCredentials: a wrong password is refused at Dial, and the error names
// the server but neither the user's password nor the URL's.
func TestCredentials(t *testing.T) {
	for _, b := range brokers() {
		if b.name == "memory" {
			continue
		}
		t.Run(b.name, func(t *testing.T) {
			cfg := b.cfg(t)
			cfg.Password = "wrong-password-123"
			cfg.Token = strings.Repeat("x", len(cfg.Token))
			cfg.URL.User = url.UserPassword("u", "url-password-456")
			cfg.DialTimeout = 5 * time.Second
			c, err := transport.Dial(context.Background(), cfg)
			if b.name == "ws" && err == nil {
				// A WebSocket connection opens with its first channel.
				_, err = c.Subscribe(context.Background(), &transport.Subscribe{Channel: "x"})
				c.Close()
			}
			if err == nil {
				t.Fatal("a wrong password was accepted")
			}
			for _, secret := range []string{"wrong-password-123", "url-password-456"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a password: %v", err)
				}
			}
		})
	}
}

func TestUnknownProtocol(t *testing.T) {
	_, err := transport.Dial(context.Background(), transport.Config{URL: mustURL("stomp://x")})
	if !errors.Is(err, transport.ErrProtocol) || !strings.Contains(err.Error(), `"stomp" (supported: amqp, amqps, kafka, kafka-secure, memory, mqtt`) {
		t.Errorf("err %v", err)
	}
}
