package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/arazzo-run/arazzo/asyncapi"
	"github.com/arazzo-run/arazzo/transport"
)

// messenger carries out the message requests of the local driver: one
// connection per server and credentials, and the subscriptions SUBSCRIBE
// requests opened, until Close. It is safe for concurrent use.
type messenger struct {
	auth   *authenticator
	memory *transport.Memory // the broker of memory:// servers (--mock)
	dial   time.Duration
	// mock, when set, makes the message that answers a RECEIVE; it is
	// delivered through the memory broker (WithMessageMock).
	mock func(*Request) *transport.Message

	mu    sync.Mutex
	conns map[string]transport.Conn
	subs  map[string]*subscription
}

type subscription struct {
	sub    transport.Subscription
	cursor string
}

func newMessenger(auth *authenticator, memory *transport.Memory) *messenger {
	return &messenger{auth: auth, memory: memory, dial: 10 * time.Second,
		conns: map[string]transport.Conn{}, subs: map[string]*subscription{}}
}

// close ends every subscription and connection.
func (m *messenger) close() {
	m.mu.Lock()
	conns := m.conns
	m.conns, m.subs = map[string]transport.Conn{}, map[string]*subscription{}
	m.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// send carries out one message request.
func (m *messenger) send(ctx context.Context, req *Request, clock Clock) *Response {
	res := &Response{Started: clock.Now(), Message: &MessageMeta{}}
	defer func() { res.Duration = clock.Now().Sub(res.Started) }()
	op := req.Message
	conn, err := m.conn(ctx, req)
	if err != nil {
		res.Err, res.ErrKind = err, "connection"
		if errors.Is(err, errNoCredential) {
			res.ErrKind = "auth"
		}
		return res
	}
	switch req.Method {
	case MethodSubscribe:
		key, s, err := m.subscribe(ctx, conn, op)
		if err != nil {
			res.Err, res.ErrKind = err, "protocol"
			return res
		}
		res.StatusCode, res.Message.Subscription, res.Message.Cursor = http.StatusOK, key, s.cursor
	case MethodPublish:
		p := publishOf(req)
		if err := conn.Publish(ctx, p); err != nil {
			res.Err, res.ErrKind = describeMessageError(ctx, err)
			return res
		}
		res.StatusCode = http.StatusOK
		res.Message.Channel, res.Message.Partition, res.Message.Offset = p.Channel, p.Message.Partition, p.Message.Offset
	case MethodReceive:
		m.receive(ctx, conn, req, res)
	default:
		res.Err, res.ErrKind = fmt.Errorf("unknown message operation %q", req.Method), "protocol"
	}
	return res
}

//lint:ignore ST1008 it returns a Response's Err and ErrKind, in the order of the fields it fills
func describeMessageError(ctx context.Context, err error) (error, string) {
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return err, "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return err, "timeout"
	}
	return err, "protocol"
}

// conn returns the connection to the server of a request, dialing it on first use.
func (m *messenger) conn(ctx context.Context, req *Request) (transport.Conn, error) {
	op := req.Message
	u, err := url.Parse(op.Server)
	if err != nil {
		return nil, fmt.Errorf("server %q is not a URL: %v", op.Server, err)
	}
	cfg := transport.Config{URL: u, ProtocolVersion: op.ProtocolVersion, DialTimeout: m.dial, Memory: m.memory}
	key, err := m.auth.messageCredentials(req.Security, &cfg)
	if err != nil {
		return nil, err
	}
	key = op.Server + "\x00" + op.ProtocolVersion + "\x00" + key
	m.mu.Lock()
	c, ok := m.conns[key]
	m.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err = transport.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev, ok := m.conns[key]; ok { // dialed meanwhile by a concurrent request
		c.Close()
		return prev, nil
	}
	m.conns[key] = c
	return c, nil
}

func (m *messenger) subscribe(ctx context.Context, conn transport.Conn, op *MessageOp) (string, *subscription, error) {
	s := &transport.Subscribe{Channel: op.Channel, QoS: op.QoS, Group: op.Group, Cursor: op.Cursor}
	if op.AMQP != nil {
		s.AMQP = op.AMQP.transport()
	}
	sub, err := conn.Subscribe(ctx, s)
	if err != nil {
		return "", nil, err
	}
	var b [8]byte
	rand.Read(b[:])
	key := hex.EncodeToString(b[:])
	ss := &subscription{sub: sub, cursor: transport.CursorOf(sub)}
	m.mu.Lock()
	m.subs[key] = ss
	m.mu.Unlock()
	return key, ss, nil
}

// receive waits for the first message of the request's subscription that
// correlates, passing over (and counting) the others. A subscription this
// driver does not hold (a resumed run, another worker) is opened again from
// the request's cursor.
func (m *messenger) receive(ctx context.Context, conn transport.Conn, req *Request, res *Response) {
	op := req.Message
	m.mu.Lock()
	s := m.subs[op.Subscription]
	m.mu.Unlock()
	if s == nil {
		key, fresh, err := m.subscribe(ctx, conn, op)
		if err != nil {
			res.Err, res.ErrKind = err, "protocol"
			return
		}
		op.Subscription, s = key, fresh
	}
	if m.mock != nil && m.memory != nil {
		if msg := m.mock(req); msg != nil {
			m.memory.Deliver(msg)
		}
	}
	timeout := req.Timeout
	wait := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	for {
		msg, err := s.sub.Next(wait)
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				nm := &NoMessageError{Channel: op.Channel, Timeout: timeout, Skipped: res.Message.Skipped}
				if op.Correlation != nil {
					nm.Want = op.Correlation.Value
				}
				res.Err, res.ErrKind = nm, ErrKindNoMessage
				return
			}
			res.Err, res.ErrKind = describeMessageError(ctx, err)
			return
		}
		if !correlates(op, msg) {
			res.Message.Skipped++
			transport.Skip(s.sub, msg)
			continue
		}
		res.StatusCode = http.StatusOK
		res.Header = http.Header{}
		for _, k := range sortedKeys(msg.Headers) {
			res.Header[k] = []string{msg.Headers[k]}
		}
		ct := msg.ContentType
		if ct == "" {
			ct = op.ContentType
		}
		if ct != "" && res.Header.Get("Content-Type") == "" {
			res.Header.Set("Content-Type", ct)
		}
		res.Body = msg.Payload
		res.Message.Channel, res.Message.Partition, res.Message.Offset = msg.Channel, msg.Partition, msg.Offset
		return
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// correlates reports whether a message carries the correlation id a receive
// waits for at one of the messages' correlationId locations. Values compare
// as text: a number in a JSON payload matches its decimal form. Header names
// compare case-insensitively.
func correlates(op *MessageOp, msg *transport.Message) bool {
	c := op.Correlation
	if c == nil {
		return true
	}
	var payload any
	decoded := false
	for _, loc := range c.Locations {
		var v any
		var ok bool
		switch loc.Source {
		case "header":
			v, ok = headerAt(msg.Headers, loc.Pointer)
		case "payload":
			if !decoded {
				decoded = true
				ct := msg.ContentType
				if ct == "" {
					ct = op.ContentType
				}
				payload, _ = decodeBody(ct, msg.Payload)
			}
			v, ok = asyncapi.PointerGet(payload, loc.Pointer)
		}
		if ok && textOf(v) == c.Value {
			return true
		}
	}
	return false
}

// headerAt reads $message.header#/name: the header of that name, whatever its
// case; a deeper pointer reads into a header whose value is JSON.
func headerAt(h map[string]string, ptr string) (any, bool) {
	if ptr == "" {
		return nil, false
	}
	name, rest, _ := strings.Cut(ptr[1:], "/")
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	for k, v := range h {
		if strings.EqualFold(k, name) {
			if rest == "" {
				return v, true
			}
			var j any
			if json.Unmarshal([]byte(v), &j) != nil {
				return nil, false
			}
			return asyncapi.PointerGet(j, "/"+rest)
		}
	}
	return nil, false
}

// textOf is a correlation value as text.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// publishOf is the transport's view of a PUBLISH request.
func publishOf(req *Request) *transport.Publish {
	op := req.Message
	p := &transport.Publish{Message: transport.Message{Channel: op.Channel, Payload: req.Body, ContentType: op.ContentType, Key: op.Key},
		Partition: op.Partition, QoS: op.QoS, Retain: op.Retain, ExpirySeconds: op.ExpirySeconds}
	if len(req.Header) > 0 {
		p.Headers = make(map[string]string, len(req.Header))
		for k, vs := range req.Header {
			if len(vs) > 0 && !strings.EqualFold(k, "Content-Type") {
				p.Headers[k] = vs[0]
			}
		}
	}
	if op.AMQP != nil {
		p.AMQP = op.AMQP.transport()
	}
	return p
}

func (a *AMQPRoute) transport() transport.AMQP {
	return transport.AMQP{Queue: a.Queue, Exchange: a.Exchange, ExchangeType: a.ExchangeType, BindingKey: a.BindingKey,
		Durable: a.Durable, AutoDelete: a.AutoDelete, DeliveryMode: a.DeliveryMode, Priority: a.Priority,
		Expiration: time.Duration(a.ExpirationMS) * time.Millisecond, UserID: a.UserID, MessageType: a.MessageType,
		ContentEncoding: a.ContentEncoding, CC: a.CC, BCC: a.BCC, Mandatory: a.Mandatory, Timestamp: a.Timestamp}
}
