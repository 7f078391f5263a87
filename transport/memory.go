package transport

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"
)

// Memory is an in-process broker: what one connection publishes on a channel
// reaches every subscription of that channel open at the time, on any
// connection to the same Memory. Nothing is kept for later subscribers, as
// with MQTT or core NATS. It is safe for concurrent use.
type Memory struct {
	mu        sync.Mutex
	subs      map[string]map[*memorySub]bool
	published []*Message
	hooks     []func(*Message)
}

// NewMemory returns an empty in-process broker.
func NewMemory() *Memory { return &Memory{subs: map[string]map[*memorySub]bool{}} }

// OnPublish calls fn, outside any lock, with each message published after it
// returns: a test's responder, or a mock answering a request.
func (m *Memory) OnPublish(fn func(*Message)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks = append(m.hooks, fn)
}

// Published lists the messages published so far, in order.
func (m *Memory) Published() []*Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Message(nil), m.published...)
}

// Deliver publishes a message as if a connection had.
func (m *Memory) Deliver(msg *Message) {
	c := *msg
	c.Headers = maps.Clone(msg.Headers)
	c.Payload = append([]byte(nil), msg.Payload...)
	m.mu.Lock()
	m.published = append(m.published, &c)
	var targets []*memorySub
	for s := range m.subs[c.Channel] {
		targets = append(targets, s)
	}
	hooks := append([]func(*Message){}, m.hooks...)
	m.mu.Unlock()
	for _, s := range targets {
		d := c
		d.Received = time.Now()
		s.q.push(&d)
	}
	for _, h := range hooks {
		h(&c)
	}
}

func dialMemory(ctx context.Context, cfg Config) (Conn, error) {
	if cfg.Memory == nil {
		return nil, errors.New("the memory protocol needs a Memory broker")
	}
	return &memoryConn{m: cfg.Memory, subs: map[*memorySub]bool{}}, nil
}

type memoryConn struct {
	m    *Memory
	mu   sync.Mutex
	subs map[*memorySub]bool
}

func (c *memoryConn) Publish(ctx context.Context, p *Publish) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.m.Deliver(&p.Message)
	return nil
}

func (c *memoryConn) Subscribe(ctx context.Context, s *Subscribe) (Subscription, error) {
	sub := &memorySub{c: c, channel: s.Channel, q: newQueue()}
	c.m.mu.Lock()
	if c.m.subs[s.Channel] == nil {
		c.m.subs[s.Channel] = map[*memorySub]bool{}
	}
	c.m.subs[s.Channel][sub] = true
	c.m.mu.Unlock()
	c.mu.Lock()
	c.subs[sub] = true
	c.mu.Unlock()
	return sub, nil
}

func (c *memoryConn) Close() error {
	c.mu.Lock()
	subs := c.subs
	c.subs = map[*memorySub]bool{}
	c.mu.Unlock()
	for s := range subs {
		s.Close()
	}
	return nil
}

type memorySub struct {
	c       *memoryConn
	channel string
	q       *queue
}

func (s *memorySub) Next(ctx context.Context) (*Message, error) { return s.q.next(ctx) }

func (s *memorySub) Close() error {
	s.c.m.mu.Lock()
	delete(s.c.m.subs[s.channel], s)
	s.c.m.mu.Unlock()
	s.q.close(nil)
	return nil
}
