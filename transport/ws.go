package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// wsConn opens one WebSocket connection per channel: the channel's address is
// a path under the server's URL. A publish writes a frame (text for textual
// content types, else binary); a subscription reads the frames the server
// sends on that connection. WebSocket frames carry no headers.
type wsConn struct {
	cfg  Config
	base *url.URL

	mu    sync.Mutex
	conns map[string]*wsChannel
}

type wsChannel struct {
	c    *websocket.Conn
	subs map[*wsSub]bool
	err  error
}

func dialWS(ctx context.Context, cfg Config) (Conn, error) {
	base := *cfg.URL
	base.User = nil
	return &wsConn{cfg: cfg, base: &base, conns: map[string]*wsChannel{}}, nil
}

// channelURL is the URL of a channel: its address joined to the server's
// path; an address that is itself a ws(s) URL is used as is.
func (c *wsConn) channelURL(address string) string {
	if u, err := url.Parse(address); err == nil && (u.Scheme == "ws" || u.Scheme == "wss") {
		return address
	}
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(address, "/")
	return u.String()
}

// channel returns the open connection of a channel, opening it on first use.
func (c *wsConn) channel(ctx context.Context, address string) (*wsChannel, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.conns[address]; ok && ch.err == nil {
		return ch, nil
	}
	h := http.Header{}
	for k, v := range c.cfg.Header {
		h[k] = v
	}
	if c.cfg.Token != "" {
		h.Set("Authorization", "Bearer "+c.cfg.Token)
	} else if c.cfg.User != "" {
		r := &http.Request{Header: h}
		r.SetBasicAuth(c.cfg.User, c.cfg.Password)
	}
	opts := &websocket.DialOptions{HTTPHeader: h}
	if c.cfg.TLS != nil {
		opts.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: c.cfg.TLS}, Timeout: c.cfg.DialTimeout}
	}
	dctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	ws, resp, err := websocket.Dial(dctx, c.channelURL(address), opts)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("open %s: %s", address, resp.Status)
		}
		return nil, fmt.Errorf("open %s: %w", address, err)
	}
	ws.SetReadLimit(maxQueuedBytes)
	ch := &wsChannel{c: ws, subs: map[*wsSub]bool{}}
	c.conns[address] = ch
	go c.read(address, ch)
	return ch, nil
}

// read takes every frame of a channel's connection and hands it to the
// channel's subscriptions. A read that waited on a caller's context would
// close the connection when that context ended; this one waits for the
// connection.
func (c *wsConn) read(address string, ch *wsChannel) {
	for {
		_, data, err := ch.c.Read(context.Background())
		c.mu.Lock()
		if err != nil {
			ch.err = err
			for s := range ch.subs {
				s.q.close(fmt.Errorf("WebSocket %s closed: %w", address, err))
			}
			c.mu.Unlock()
			return
		}
		for s := range ch.subs {
			s.q.push(&Message{Channel: address, Payload: data, Received: time.Now()})
		}
		c.mu.Unlock()
	}
}

func (c *wsConn) Publish(ctx context.Context, p *Publish) error {
	if len(p.Headers) > 0 {
		return fmt.Errorf("publish to %s: WebSocket frames carry no headers", p.Channel)
	}
	ch, err := c.channel(ctx, p.Channel)
	if err != nil {
		return err
	}
	typ := websocket.MessageBinary
	if textual(p.ContentType) {
		typ = websocket.MessageText
	}
	if err := ch.c.Write(ctx, typ, p.Payload); err != nil {
		return fmt.Errorf("publish to %s: %w", p.Channel, err)
	}
	return nil
}

// textual reports whether a content type is text (JSON, XML, text/*): sent as
// a text frame.
func textual(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	return ct == "" || strings.HasPrefix(ct, "text/") || strings.HasSuffix(ct, "json") || strings.HasSuffix(ct, "xml") ||
		ct == "application/javascript" || ct == "application/x-www-form-urlencoded"
}

func (c *wsConn) Subscribe(ctx context.Context, s *Subscribe) (Subscription, error) {
	ch, err := c.channel(ctx, s.Channel)
	if err != nil {
		return nil, err
	}
	sub := &wsSub{c: c, ch: ch, q: newQueue()}
	c.mu.Lock()
	ch.subs[sub] = true
	c.mu.Unlock()
	return sub, nil
}

func (c *wsConn) Close() error {
	c.mu.Lock()
	conns := c.conns
	c.conns = map[string]*wsChannel{}
	c.mu.Unlock()
	var errs []error
	for _, ch := range conns {
		if err := ch.c.Close(websocket.StatusNormalClosure, ""); err != nil && websocket.CloseStatus(err) == -1 {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type wsSub struct {
	c  *wsConn
	ch *wsChannel
	q  *queue
}

func (s *wsSub) Next(ctx context.Context) (*Message, error) { return s.q.next(ctx) }

func (s *wsSub) Close() error {
	s.c.mu.Lock()
	delete(s.ch.subs, s)
	s.c.mu.Unlock()
	s.q.close(nil)
	return nil
}
