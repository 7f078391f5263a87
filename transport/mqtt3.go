package transport

import (
	"context"
	"fmt"
	"time"

	mqtt3 "github.com/eclipse/paho.mqtt.golang"
)

// mqtt3Conn speaks MQTT 3.1.1 with the Eclipse Paho MQTT 3 client. Its
// messages have no headers and no content type.
type mqtt3Conn struct {
	cl   mqtt3.Client
	base *mqttConn // the dispatch and failure handling shared with MQTT 5
}

func dialMQTT3(ctx context.Context, cfg Config) (Conn, error) {
	scheme := "tcp"
	if cfg.TLS != nil {
		scheme = "ssl"
	}
	addr := hostPort(cfg.URL, map[bool]string{true: "8883", false: "1883"}[cfg.TLS != nil])
	base := &mqttConn{subs: map[*mqttSub]bool{}, done: make(chan struct{})}
	// OrderMatters: the client then calls the handler from one goroutine, in
	// the order messages arrived; without it each message gets a goroutine of
	// its own and two can reach the queue swapped. The handler only queues.
	o := mqtt3.NewClientOptions().AddBroker(scheme + "://" + addr).SetClientID(mqttClientID(cfg)).
		SetCleanSession(true).SetAutoReconnect(false).SetOrderMatters(true).SetProtocolVersion(4).
		SetKeepAlive(cfg.KeepAlive).SetConnectTimeout(cfg.DialTimeout).
		SetConnectionLostHandler(func(_ mqtt3.Client, err error) { base.fail(err) }).
		SetDefaultPublishHandler(func(_ mqtt3.Client, m mqtt3.Message) {
			base.dispatch(&Message{Channel: m.Topic(), Payload: m.Payload(), Received: time.Now()})
		})
	if cfg.TLS != nil {
		o.SetTLSConfig(cfg.TLS)
	}
	if cfg.User != "" {
		o.SetUsername(cfg.User).SetPassword(cfg.Password)
	}
	cl := mqtt3.NewClient(o)
	if err := wait(ctx, cl.Connect()); err != nil {
		return nil, err
	}
	return &mqtt3Conn{cl: cl, base: base}, nil
}

// wait waits for a Paho MQTT 3 token or the end of ctx.
func wait(ctx context.Context, t mqtt3.Token) error {
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *mqtt3Conn) Publish(ctx context.Context, p *Publish) error {
	if len(p.Headers) > 0 {
		return fmt.Errorf("publish to %s: %w", p.Channel, errNoHeaders)
	}
	if p.QoS > 2 {
		return fmt.Errorf("MQTT QoS %d is not 0, 1 or 2", p.QoS)
	}
	if err := wait(ctx, c.cl.Publish(p.Channel, p.QoS, p.Retain, p.Payload)); err != nil {
		return fmt.Errorf("publish to %s: %w", p.Channel, err)
	}
	return nil
}

func (c *mqtt3Conn) Subscribe(ctx context.Context, s *Subscribe) (Subscription, error) {
	sub := &mqttSub{c: c.base, filter: s.Channel, q: newQueue()}
	c.base.mu.Lock()
	if c.base.err != nil {
		c.base.mu.Unlock()
		return nil, c.base.err
	}
	c.base.subs[sub] = true
	c.base.mu.Unlock()
	// No callback: messages go to the default handler, which dispatches them
	// to every matching subscription of the connection.
	t := c.cl.Subscribe(s.Channel, s.QoS, nil)
	if err := wait(ctx, t); err != nil {
		sub.forget()
		return nil, fmt.Errorf("subscribe to %s: %w", s.Channel, err)
	}
	if st, ok := t.(*mqtt3.SubscribeToken); ok {
		if r, ok := st.Result()[s.Channel]; ok && r >= 0x80 {
			sub.forget()
			return nil, fmt.Errorf("subscribe to %s: refused", s.Channel)
		}
	}
	return sub, nil
}

func (c *mqtt3Conn) Close() error {
	c.base.fail(ErrClosed)
	c.cl.Disconnect(250)
	return nil
}
