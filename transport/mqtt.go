package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"
)

// dialMQTT connects with MQTT 5 (paho.golang) unless the server says
// protocolVersion 3.1.1 (or 3.1), which gets the MQTT 3 client. Only MQTT 5
// carries headers (user properties).
func dialMQTT(ctx context.Context, cfg Config) (Conn, error) {
	switch strings.TrimSpace(cfg.ProtocolVersion) {
	case "3.1.1", "3.1", "3", "4":
		return dialMQTT3(ctx, cfg)
	case "", "5", "5.0", "5.0.0":
	default:
		if strings.ToLower(cfg.URL.Scheme) != "mqtt5" {
			return nil, fmt.Errorf("MQTT protocolVersion %q is not supported (3.1.1 or 5)", cfg.ProtocolVersion)
		}
	}
	addr := hostPort(cfg.URL, map[bool]string{true: "8883", false: "1883"}[cfg.TLS != nil])
	d := net.Dialer{Timeout: cfg.DialTimeout}
	var conn net.Conn
	var err error
	if cfg.TLS != nil {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: cfg.TLS}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	c := &mqttConn{subs: map[*mqttSub]bool{}, done: make(chan struct{})}
	c.cl = paho.NewClient(paho.ClientConfig{
		Conn:              packets.NewThreadSafeConn(conn),
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){c.received},
		OnClientError:     func(err error) { c.fail(err) },
		OnServerDisconnect: func(d *paho.Disconnect) {
			c.fail(fmt.Errorf("the server disconnected (reason %d)", d.ReasonCode))
		},
	})
	cp := &paho.Connect{ClientID: mqttClientID(cfg), CleanStart: true, KeepAlive: uint16(cfg.KeepAlive / time.Second)}
	if cfg.User != "" {
		cp.Username, cp.UsernameFlag = cfg.User, true
	}
	if cfg.Password != "" {
		cp.Password, cp.PasswordFlag = []byte(cfg.Password), true
	}
	cctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	ack, err := c.cl.Connect(cctx, cp)
	if err != nil {
		conn.Close()
		if ack != nil && ack.ReasonCode != 0 {
			return nil, fmt.Errorf("connection refused: %s (reason %d)", ack.Properties.ReasonString, ack.ReasonCode)
		}
		return nil, err
	}
	return c, nil
}

func mqttClientID(cfg Config) string {
	if cfg.ClientID != "" {
		return cfg.ClientID
	}
	return fmt.Sprintf("arazzo-%d", time.Now().UnixNano())
}

type mqttConn struct {
	cl   *paho.Client
	mu   sync.Mutex
	subs map[*mqttSub]bool
	err  error
	done chan struct{}
}

func (c *mqttConn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	close(c.done)
	for s := range c.subs {
		s.q.close(fmt.Errorf("MQTT connection lost: %w", err))
	}
}

func (c *mqttConn) received(pr paho.PublishReceived) (bool, error) {
	p := pr.Packet
	m := &Message{Channel: p.Topic, Payload: p.Payload, Received: time.Now()}
	if p.Properties != nil {
		m.ContentType = p.Properties.ContentType
		if len(p.Properties.User) > 0 {
			m.Headers = make(map[string]string, len(p.Properties.User))
			for _, u := range p.Properties.User {
				if _, dup := m.Headers[u.Key]; !dup {
					m.Headers[u.Key] = u.Value
				}
			}
		}
	}
	c.dispatch(m)
	return true, nil
}

func (c *mqttConn) dispatch(m *Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := range c.subs {
		if topicMatch(s.filter, m.Channel) {
			cp := *m
			s.q.push(&cp)
		}
	}
}

func (c *mqttConn) Publish(ctx context.Context, p *Publish) error {
	if p.QoS > 2 {
		return fmt.Errorf("MQTT QoS %d is not 0, 1 or 2", p.QoS)
	}
	pb := &paho.Publish{Topic: p.Channel, QoS: p.QoS, Retain: p.Retain, Payload: p.Payload, Properties: &paho.PublishProperties{ContentType: p.ContentType}}
	for _, k := range sortedKeys(p.Headers) {
		pb.Properties.User = append(pb.Properties.User, paho.UserProperty{Key: k, Value: p.Headers[k]})
	}
	if p.ExpirySeconds > 0 {
		e := p.ExpirySeconds
		pb.Properties.MessageExpiry = &e
	}
	resp, err := c.cl.Publish(ctx, pb)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", p.Channel, err)
	}
	if resp != nil && resp.ReasonCode >= 0x80 {
		return fmt.Errorf("publish to %s refused (reason %d)", p.Channel, resp.ReasonCode)
	}
	return nil
}

func (c *mqttConn) Subscribe(ctx context.Context, s *Subscribe) (Subscription, error) {
	sub := &mqttSub{c: c, filter: s.Channel, q: newQueue()}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	c.subs[sub] = true
	c.mu.Unlock()
	ack, err := c.cl.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: s.Channel, QoS: s.QoS}}})
	if err == nil && ack != nil && len(ack.Reasons) > 0 && ack.Reasons[0] >= 0x80 {
		err = fmt.Errorf("refused (reason %d)", ack.Reasons[0])
	}
	if err != nil {
		sub.forget()
		return nil, fmt.Errorf("subscribe to %s: %w", s.Channel, err)
	}
	return sub, nil
}

func (c *mqttConn) Close() error {
	c.fail(ErrClosed)
	return c.cl.Disconnect(&paho.Disconnect{ReasonCode: 0})
}

type mqttSub struct {
	c      *mqttConn
	filter string
	q      *queue
}

func (s *mqttSub) Next(ctx context.Context) (*Message, error) { return s.q.next(ctx) }

func (s *mqttSub) forget() {
	s.c.mu.Lock()
	delete(s.c.subs, s)
	s.c.mu.Unlock()
}

func (s *mqttSub) Close() error {
	s.forget()
	s.q.close(nil)
	// Other subscriptions of the connection may share the filter: the
	// subscription stays on the server until the connection closes.
	return nil
}

// topicMatch reports whether an MQTT topic filter (with + and # wildcards)
// matches a topic name.
func topicMatch(filter, topic string) bool {
	if filter == topic {
		return true
	}
	if strings.HasPrefix(topic, "$") && !strings.HasPrefix(filter, "$") {
		return false
	}
	fs, ts := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, f := range fs {
		switch {
		case f == "#":
			return true
		case i >= len(ts):
			return false
		case f != "+" && f != ts[i]:
			return false
		}
	}
	return len(fs) == len(ts)
}

var errNoHeaders = errors.New("MQTT 3.1.1 messages carry no headers (user properties are MQTT 5; set the server's protocolVersion to 5)")
