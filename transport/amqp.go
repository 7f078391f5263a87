package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// amqpConn speaks AMQP 0-9-1. Publishes go through one channel in confirm
// mode, so Publish returns once the broker has confirmed the message (and, for
// a mandatory one, routed it). Each subscription has a channel of its own.
type amqpConn struct {
	conn *amqp.Connection

	mu       sync.Mutex // serializes publishes and declarations
	pub      *amqp.Channel
	returns  chan amqp.Return
	declared map[string]bool
}

func dialAMQP(ctx context.Context, cfg Config) (Conn, error) {
	u := url.URL{Scheme: "amqp", Host: hostPort(cfg.URL, "5672"), Path: cfg.URL.Path}
	if cfg.TLS != nil {
		u.Scheme, u.Host = "amqps", hostPort(cfg.URL, "5671")
	}
	vhost := "/"
	if p := cfg.URL.Path; len(p) > 1 {
		vhost = p[1:]
	}
	ac := amqp.Config{Vhost: vhost, TLSClientConfig: cfg.TLS, Heartbeat: 10 * time.Second, Locale: "en_US",
		Properties: amqp.Table{"connection_name": clientName(cfg)},
		Dial: func(network, addr string) (net.Conn, error) {
			d := net.Dialer{Timeout: cfg.DialTimeout}
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// The handshake must end within the timeout too.
			if err := c.SetDeadline(time.Now().Add(cfg.DialTimeout)); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
	}
	user, pass := cfg.User, cfg.Password
	if user == "" {
		user, pass = "guest", "guest" // the broker's default, as amqp:// URLs mean
	}
	ac.SASL = []amqp.Authentication{&amqp.PlainAuth{Username: user, Password: pass}}
	conn, err := amqp.DialConfig(u.String(), ac)
	if err != nil {
		return nil, err
	}
	c := &amqpConn{conn: conn, declared: map[string]bool{}}
	if err := c.openPublisher(); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (c *amqpConn) openPublisher() error {
	ch, err := c.conn.Channel()
	if err != nil {
		return err
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return err
	}
	c.pub, c.returns = ch, ch.NotifyReturn(make(chan amqp.Return, 16))
	return nil
}

// ensureExchange declares an exchange unless it exists (declaring an existing
// one with other properties would fail and close the channel).
func (c *amqpConn) ensureExchange(a AMQP) error {
	if a.Exchange == "" || a.ExchangeType == "" || a.ExchangeType == "default" || c.declared["x:"+a.Exchange] {
		return nil
	}
	err := c.probe(func(ch *amqp.Channel) error {
		return ch.ExchangeDeclarePassive(a.Exchange, a.ExchangeType, a.Durable, a.AutoDelete, false, false, nil)
	}, func(ch *amqp.Channel) error {
		return ch.ExchangeDeclare(a.Exchange, a.ExchangeType, a.Durable, a.AutoDelete, false, false, nil)
	})
	if err != nil {
		return fmt.Errorf("exchange %s: %w", a.Exchange, err)
	}
	c.declared["x:"+a.Exchange] = true
	return nil
}

// ensureQueue declares a queue unless it exists.
func (c *amqpConn) ensureQueue(a AMQP) error {
	if c.declared["q:"+a.Queue] {
		return nil
	}
	err := c.probe(func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclarePassive(a.Queue, a.Durable, a.AutoDelete, false, false, nil)
		return err
	}, func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclare(a.Queue, a.Durable, a.AutoDelete, false, false, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("queue %s: %w", a.Queue, err)
	}
	c.declared["q:"+a.Queue] = true
	return nil
}

// probe runs passive on a channel of its own; when the broker answers 404 it
// runs declare on a fresh one (the failed passive closed the first).
func (c *amqpConn) probe(passive, declare func(*amqp.Channel) error) error {
	ch, err := c.conn.Channel()
	if err != nil {
		return err
	}
	err = passive(ch)
	if err == nil {
		return ch.Close()
	}
	var ae *amqp.Error
	if !errors.As(err, &ae) || ae.Code != amqp.NotFound {
		return err
	}
	if ch, err = c.conn.Channel(); err != nil {
		return err
	}
	defer ch.Close()
	return declare(ch)
}

func (c *amqpConn) Publish(ctx context.Context, p *Publish) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := p.AMQP
	key := p.Channel
	if a.Queue != "" {
		if err := c.ensureQueue(a); err != nil {
			return err
		}
		a.Exchange, key = "", a.Queue
	} else if err := c.ensureExchange(a); err != nil {
		return err
	}
	msg := amqp.Publishing{Body: p.Payload, ContentType: p.ContentType, DeliveryMode: a.DeliveryMode, Priority: a.Priority,
		UserId: a.UserID, Type: a.MessageType, ContentEncoding: a.ContentEncoding}
	if a.Expiration > 0 {
		msg.Expiration = strconv.FormatInt(a.Expiration.Milliseconds(), 10)
	}
	if a.Timestamp {
		msg.Timestamp = time.Now()
	}
	if len(p.Headers) > 0 || len(a.CC) > 0 || len(a.BCC) > 0 {
		msg.Headers = amqp.Table{}
		for k, v := range p.Headers {
			msg.Headers[k] = v
		}
		if len(a.CC) > 0 {
			msg.Headers["CC"] = strs(a.CC)
		}
		if len(a.BCC) > 0 {
			msg.Headers["BCC"] = strs(a.BCC)
		}
	}
	if c.pub.IsClosed() {
		if err := c.openPublisher(); err != nil {
			return err
		}
	}
	dc, err := c.pub.PublishWithDeferredConfirmWithContext(ctx, a.Exchange, key, a.Mandatory, false, msg)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", describeRoute(a.Exchange, key), err)
	}
	acked, err := dc.WaitContext(ctx)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", describeRoute(a.Exchange, key), err)
	}
	if !acked {
		return fmt.Errorf("publish to %s: the broker refused the message (nack)", describeRoute(a.Exchange, key))
	}
	// A mandatory message that no queue took comes back before its confirm.
	select {
	case r := <-c.returns:
		return fmt.Errorf("publish to %s: returned unroutable (%d %s)", describeRoute(a.Exchange, key), r.ReplyCode, r.ReplyText)
	default:
	}
	p.Message.Exchange = a.Exchange
	return nil
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func describeRoute(exchange, key string) string {
	if exchange == "" {
		return "queue " + key + " (default exchange)"
	}
	return "exchange " + exchange + " with routing key " + key
}

// Subscribe binds a queue of its own (exclusive, deleted with the connection)
// to the exchange, so that a receive sees every message routed there without
// taking any from other consumers; or, for a queue channel (or the default
// exchange, which cannot be bound), consumes from the queue itself, giving
// back what the caller Skips.
func (c *amqpConn) Subscribe(ctx context.Context, s *Subscribe) (Subscription, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := s.AMQP
	if a.Queue == "" && a.Exchange == "" {
		a.Queue = s.Channel
	}
	ch, err := c.conn.Channel()
	if err != nil {
		return nil, err
	}
	sub := &amqpSub{ch: ch, channel: s.Channel}
	queue := a.Queue
	if queue != "" {
		if err := c.ensureQueue(a); err != nil {
			ch.Close()
			return nil, err
		}
		sub.shared = true
		// At most this many messages are held unacknowledged, skipped ones
		// included: past them the queue waits.
		if err := ch.Qos(256, 0, false); err != nil {
			ch.Close()
			return nil, err
		}
	} else {
		if err := c.ensureExchange(a); err != nil {
			ch.Close()
			return nil, err
		}
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			ch.Close()
			return nil, err
		}
		key := a.BindingKey
		if key == "" {
			key = s.Channel
		}
		if err := ch.QueueBind(q.Name, key, a.Exchange, false, nil); err != nil {
			ch.Close()
			return nil, fmt.Errorf("bind to %s: %w", describeRoute(a.Exchange, key), err)
		}
		queue = q.Name
	}
	// Consume answers with consume-ok: the broker delivers from now on.
	d, err := ch.ConsumeWithContext(ctx, queue, "", !sub.shared, false, false, false, nil)
	if err != nil {
		ch.Close()
		return nil, fmt.Errorf("consume %s: %w", queue, err)
	}
	sub.d = d
	return sub, nil
}

func (c *amqpConn) Close() error { return c.conn.Close() }

type amqpSub struct {
	ch      *amqp.Channel
	d       <-chan amqp.Delivery
	channel string
	shared  bool // consuming from a queue others may consume from: ack or give back

	mu      sync.Mutex
	unacked *amqp.Delivery // the delivery Next returned last, not yet settled
	last    *Message
	held    []*amqp.Delivery // skipped deliveries, kept from the queue until released
}

// Next acknowledges the message it returned before (unless it was skipped)
// and returns the next one. On a shared queue a skipped message stays unacked,
// so that the queue can deliver the ones behind it; it goes back to the queue
// when Next gives up (its context ends) or the subscription closes.
func (s *amqpSub) Next(ctx context.Context) (*Message, error) {
	s.settle()
	select {
	case <-ctx.Done():
		s.release()
		return nil, ctx.Err()
	case d, ok := <-s.d:
		if !ok {
			return nil, ErrClosed
		}
		m := &Message{Channel: d.RoutingKey, Payload: d.Body, ContentType: d.ContentType, Exchange: d.Exchange, Received: time.Now()}
		if len(d.Headers) > 0 {
			m.Headers = make(map[string]string, len(d.Headers))
			for k, v := range d.Headers {
				m.Headers[k] = fmt.Sprint(v)
			}
		}
		if s.shared {
			s.mu.Lock()
			s.unacked, s.last = &d, m
			s.mu.Unlock()
		}
		return m, nil
	}
}

// Skip keeps a message of a shared queue from being acknowledged: it goes back
// to the queue, for its other consumers, when released. On a queue of the
// subscription's own it is only dropped.
func (s *amqpSub) Skip(m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == m && s.unacked != nil {
		s.held = append(s.held, s.unacked)
		s.unacked, s.last = nil, nil
	}
}

// settle acknowledges the message Next returned last, if it was not skipped.
func (s *amqpSub) settle() {
	s.mu.Lock()
	d := s.unacked
	s.unacked, s.last = nil, nil
	s.mu.Unlock()
	if d != nil {
		d.Ack(false)
	}
}

// release gives every skipped message back to the queue.
func (s *amqpSub) release() {
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.mu.Unlock()
	for _, d := range held {
		d.Nack(false, true)
	}
}

func (s *amqpSub) Close() error {
	s.settle()
	s.release()
	return s.ch.Close()
}
