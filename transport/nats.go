package transport

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// natsConn speaks core NATS: a publish is done once the server has it (the
// connection is flushed); a subscription is registered on the server before
// Subscribe returns. Core NATS keeps nothing for a subscriber that comes later.
type natsConn struct {
	nc      *nats.Conn
	timeout time.Duration
}

func dialNATS(ctx context.Context, cfg Config) (Conn, error) {
	u := *cfg.URL
	u.User = nil
	scheme := "nats"
	if cfg.TLS != nil {
		scheme = "tls"
	}
	var servers []string
	for _, h := range strings.Split(u.Host, ",") {
		if !strings.Contains(h, ":") {
			h += ":4222"
		}
		servers = append(servers, scheme+"://"+h)
	}
	opts := []nats.Option{nats.Timeout(cfg.DialTimeout), nats.NoReconnect(), nats.Name(clientName(cfg))}
	if cfg.TLS != nil {
		opts = append(opts, nats.Secure(cfg.TLS))
	}
	if cfg.User != "" {
		opts = append(opts, nats.UserInfo(cfg.User, cfg.Password))
	}
	if cfg.Token != "" {
		opts = append(opts, nats.Token(cfg.Token))
	}
	nc, err := nats.Connect(strings.Join(servers, ","), opts...)
	if err != nil {
		return nil, err
	}
	return &natsConn{nc: nc, timeout: cfg.DialTimeout}, nil
}

func clientName(cfg Config) string {
	if cfg.ClientID != "" {
		return cfg.ClientID
	}
	return "arazzo"
}

func (c *natsConn) Publish(ctx context.Context, p *Publish) error {
	m := &nats.Msg{Subject: p.Channel, Data: p.Payload}
	if len(p.Headers) > 0 || p.ContentType != "" {
		m.Header = nats.Header{}
		for _, k := range sortedKeys(p.Headers) {
			m.Header.Set(k, p.Headers[k])
		}
		if p.ContentType != "" && m.Header.Get("Content-Type") == "" {
			m.Header.Set("Content-Type", p.ContentType)
		}
	}
	if err := c.nc.PublishMsg(m); err != nil {
		return fmt.Errorf("publish to %s: %w", p.Channel, err)
	}
	if err := c.flush(ctx); err != nil {
		return fmt.Errorf("publish to %s: %w", p.Channel, err)
	}
	return nil
}

// flush waits for the server's answer to a PING: it has everything sent
// before. nats.go wants a deadline; without one the dial timeout bounds it.
func (c *natsConn) flush(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	return c.nc.FlushWithContext(ctx)
}

func (c *natsConn) Subscribe(ctx context.Context, s *Subscribe) (Subscription, error) {
	var sub *nats.Subscription
	var err error
	if s.Group != "" {
		sub, err = c.nc.QueueSubscribeSync(s.Channel, s.Group)
	} else {
		sub, err = c.nc.SubscribeSync(s.Channel)
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", s.Channel, err)
	}
	// The server has the subscription once it answers the flush's PING.
	if err := c.flush(ctx); err != nil {
		sub.Unsubscribe()
		return nil, fmt.Errorf("subscribe to %s: %w", s.Channel, err)
	}
	return &natsSub{sub: sub}, nil
}

func (c *natsConn) Close() error {
	c.nc.Close()
	return nil
}

type natsSub struct{ sub *nats.Subscription }

func (s *natsSub) Next(ctx context.Context) (*Message, error) {
	m, err := s.sub.NextMsgWithContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nats.ErrBadSubscription || err == nats.ErrConnectionClosed {
			return nil, ErrClosed
		}
		return nil, err
	}
	out := &Message{Channel: m.Subject, Payload: m.Data, Received: time.Now()}
	if len(m.Header) > 0 {
		out.Headers = make(map[string]string, len(m.Header))
		for k, v := range m.Header {
			if len(v) > 0 {
				out.Headers[k] = v[0]
			}
		}
		out.ContentType = m.Header.Get("Content-Type")
	}
	return out, nil
}

func (s *natsSub) Close() error { return s.sub.Unsubscribe() }
