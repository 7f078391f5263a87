package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Message is one message as a broker carries it.
type Message struct {
	// Channel is the address the message was sent to or received on: a Kafka
	// topic, a NATS subject, an MQTT topic, an AMQP routing key, a WebSocket
	// path.
	Channel string
	// Headers are the application headers (Kafka record headers, NATS
	// headers, MQTT 5 user properties, AMQP headers). WebSocket and MQTT 3.1.1
	// messages have none.
	Headers     map[string]string
	Payload     []byte
	ContentType string
	// Key is the Kafka record key (nil for none).
	Key []byte
	// Where the broker put it, for reports: a Kafka partition and offset, an
	// AMQP exchange.
	Partition int32
	Offset    int64
	Exchange  string
	// Received is when the transport took the message from the connection.
	Received time.Time
}

// Publish says what to send and how.
type Publish struct {
	Message
	// Partition, when set, is the Kafka partition to produce to; else the
	// record key chooses it.
	Partition *int32
	// QoS and Retain are MQTT's; ExpirySeconds the MQTT 5 message expiry.
	QoS           byte
	Retain        bool
	ExpirySeconds uint32
	// AMQP is how an AMQP publish is routed and flagged.
	AMQP AMQP
}

// Subscribe says what to listen to.
type Subscribe struct {
	Channel string
	// QoS is the MQTT subscription's maximum QoS.
	QoS byte
	// Group is the NATS queue group to join ("" for none).
	Group string
	// AMQP is the exchange binding or queue to consume from.
	AMQP AMQP
	// Cursor, when set, is where a subscription made before (CursorOf) began:
	// a protocol that keeps messages (Kafka) starts there again, so that a
	// resumed run reads what arrived while it was away. Others ignore it.
	Cursor string
}

// AMQP is the AMQP 0-9-1 routing of a channel (the AsyncAPI amqp channel and
// operation bindings).
type AMQP struct {
	// Queue, when set, makes the channel a queue: publish to the default
	// exchange with the queue's name as routing key, consume from the queue.
	Queue string
	// Exchange is the exchange to publish to or bind to ("" for the default
	// exchange); ExchangeType is its type when it must be declared (topic,
	// direct, fanout, headers; "" leaves it undeclared).
	Exchange     string
	ExchangeType string
	Durable      bool
	AutoDelete   bool
	// BindingKey is the pattern a receive binds its queue with ("" for the
	// channel's address).
	BindingKey string
	// Publish properties.
	DeliveryMode    uint8 // 1 transient, 2 persistent, 0 the broker's default
	Priority        uint8
	Expiration      time.Duration
	UserID          string
	CC, BCC         []string
	Mandatory       bool
	Timestamp       bool
	MessageType     string
	ContentEncoding string
}

// Conn is a connection to one server.
type Conn interface {
	// Publish sends a message and returns once the server has taken it: the
	// broker's acknowledgement where the protocol has one at the chosen QoS
	// (Kafka acks, MQTT PUBACK/PUBCOMP, AMQP publisher confirm), the flush of
	// the connection otherwise (NATS, WebSocket, MQTT QoS 0). It never waits
	// for a consumer.
	Publish(ctx context.Context, p *Publish) error
	// Subscribe starts listening on a channel and returns once the server
	// delivers to it: every message published from then on can be read with
	// Next. For Kafka that is every record after the end offsets at the time
	// of the call.
	Subscribe(ctx context.Context, s *Subscribe) (Subscription, error)
	// Close ends the connection and its subscriptions.
	Close() error
}

// Subscription delivers the messages of one channel, in the order the
// connection received them.
type Subscription interface {
	// Next returns the next message, waiting until ctx ends (then its error).
	Next(ctx context.Context) (*Message, error)
	// Close stops the subscription.
	Close() error
}

// Config is how to connect to a server.
type Config struct {
	// URL is the server, its scheme the AsyncAPI protocol (kafka,
	// kafka-secure, nats, mqtt, mqtts, secure-mqtt, mqtt5, amqp, amqps, ws,
	// wss, memory). Credentials in the URL are ignored: use User and Password.
	URL *url.URL
	// ProtocolVersion is the server's protocolVersion (MQTT: 3.1.1 or 5).
	ProtocolVersion string
	// User and Password for userPassword, plain and SCRAM schemes.
	User, Password string
	// Mechanism is the Kafka SASL mechanism: PLAIN, SCRAM-SHA-256 or
	// SCRAM-SHA-512 ("" with a User means PLAIN).
	Mechanism string
	// Token is a NATS token or a WebSocket bearer token.
	Token string
	// Header is sent with a WebSocket handshake.
	Header http.Header
	// TLS configures TLS; nil means none for plain protocols and the
	// system's defaults for secure ones.
	TLS *tls.Config
	// ClientID names the client to the server (MQTT client id, Kafka client
	// id); "" lets the transport choose.
	ClientID string
	// KeepAlive is the MQTT keep-alive (default 30 s).
	KeepAlive time.Duration
	// DialTimeout bounds connecting (default 10 s).
	DialTimeout time.Duration
	// Memory is the in-process broker of the memory protocol.
	Memory *Memory
}

// Protocols lists the protocols Dial knows.
func Protocols() []string {
	out := make([]string, 0, len(dialers))
	for p := range dialers {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

type dialer func(ctx context.Context, cfg Config) (Conn, error)

var dialers = map[string]dialer{
	"kafka": dialKafka, "kafka-secure": dialKafka,
	"nats": dialNATS, "tls": dialNATS,
	"mqtt": dialMQTT, "mqtts": dialMQTT, "secure-mqtt": dialMQTT, "mqtt5": dialMQTT,
	"amqp": dialAMQP, "amqps": dialAMQP,
	"ws": dialWS, "wss": dialWS,
	"memory": dialMemory,
}

// ErrProtocol is the error of Dial for a protocol it does not know.
var ErrProtocol = errors.New("protocol not supported")

// Dial connects to the server of cfg.URL.
func Dial(ctx context.Context, cfg Config) (Conn, error) {
	if cfg.URL == nil {
		return nil, errors.New("transport: no server URL")
	}
	scheme := strings.ToLower(cfg.URL.Scheme)
	d, ok := dialers[scheme]
	if !ok {
		return nil, fmt.Errorf("%w: %q (supported: %s)", ErrProtocol, cfg.URL.Scheme, strings.Join(Protocols(), ", "))
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 30 * time.Second
	}
	if cfg.TLS == nil && secure(scheme) {
		cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.TLS != nil && cfg.TLS.ServerName == "" {
		cfg.TLS = cfg.TLS.Clone()
		cfg.TLS.ServerName = cfg.URL.Hostname()
	}
	c, err := d(ctx, cfg)
	if err != nil {
		return nil, &DialError{Server: redacted(cfg.URL), Err: err}
	}
	return c, nil
}

// secure reports whether the protocol says TLS.
func secure(scheme string) bool {
	switch scheme {
	case "kafka-secure", "tls", "mqtts", "secure-mqtt", "amqps", "wss":
		return true
	}
	return false
}

// DialError is the error of Dial: which server, and why.
type DialError struct {
	Server string
	Err    error
}

func (e *DialError) Error() string { return "cannot connect to " + e.Server + ": " + e.Err.Error() }
func (e *DialError) Unwrap() error { return e.Err }

// redacted is a URL for messages: without its user information.
func redacted(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// hostPort is the host and port of u, with the protocol's default port.
func hostPort(u *url.URL, port string) string {
	if u.Port() != "" {
		return u.Host
	}
	h := u.Hostname()
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return h + ":" + port
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Skip tells a subscription that its reader does not want m (it does not
// correlate): a subscription that consumes from a queue shared with other
// consumers (an AMQP queue channel) gives it back to the broker; the others,
// which see a copy of every message, drop it.
func Skip(s Subscription, m *Message) {
	if sk, ok := s.(interface{ Skip(*Message) }); ok {
		sk.Skip(m)
	}
}

// CursorOf is where a subscription began, for Subscribe.Cursor ("" for a
// protocol that keeps nothing for later subscribers).
func CursorOf(s Subscription) string {
	if c, ok := s.(interface{ Cursor() string }); ok {
		return c.Cursor()
	}
	return ""
}
