package asyncapi

import "strconv"

// Actions of an operation.
const (
	ActionSend    = "send"
	ActionReceive = "receive"
)

// Operation is an AsyncAPI Operation Object: what the application the document
// describes does on a channel.
//
// The perspective is the application's: action send means the application
// sends, so a client of it receives. A 2.x description says it the other way
// round (publish: the application receives what clients publish; subscribe: it
// sends what clients subscribe to); Load maps publish to receive and subscribe
// to send.
type Operation struct {
	// ID is the key under operations (2.x: the operationId, "" when absent).
	ID     string
	Action string // send or receive
	// Channel is the channel the operation is performed on.
	Channel *Channel
	// Messages are the operation's messages; when the operation lists none,
	// all the messages of its channel.
	Messages    []*Message
	Reply       *Reply
	Title       string
	Summary     string
	Description string
	// Security lists alternative schemes for this operation (in addition to
	// the server's).
	Security []*SecurityScheme
	Bindings OperationBindings
	// Pointer is the operation's JSON pointer, e.g. /operations/placeOrder.
	Pointer string
	Pos     Pos
}

// Reply is an AsyncAPI Operation Reply Object: where the answer of a
// request/reply operation travels.
type Reply struct {
	// Channel is the reply's channel; nil when only Address is given.
	Channel *Channel
	// Messages are the reply's messages; when it lists none, all the messages
	// of its channel.
	Messages []*Message
	// Address, when set, says where in the request the reply address is, as a
	// runtime expression ($message.header#/replyTo).
	Address *Location
	Pos     Pos
}

// operation decodes an AsyncAPI 3 Operation Object (or a reference to one).
func (l *loader) operation(r ref, key string) *Operation {
	t, chain, ok := l.deref(r)
	if !ok {
		return nil
	}
	if op, found := memo[*Operation](l, t, chain, "an operation"); found {
		return op
	}
	o, ok := l.object(t, "an operation")
	if !ok {
		return nil
	}
	op := &Operation{Pointer: t.ptr, Pos: t.pos()}
	l.objs[t.loc()] = op
	l.register(chain, op)
	o = l.withTraits(o)
	op.Action = o.str("action")
	switch op.Action {
	case ActionSend, ActionReceive:
	case "":
		l.errorf(t, "operation %q has no action (send or receive)", key)
	case "publish", "subscribe":
		l.errorf(t, "operation %q: action %q is AsyncAPI 2 wording; AsyncAPI 3 says send or receive, from the application's side", key, op.Action)
	default:
		l.errorf(t, "operation %q: action %q is neither send nor receive", key, op.Action)
	}
	op.Title, op.Summary, op.Description = o.str("title"), o.str("summary"), o.str("description")
	if cr, ok := o.get("channel"); ok {
		if _, _, isRef := refOf(cr.n); !isRef {
			l.warnf(cr, "the channel of an operation is a reference ($ref: '#/channels/<name>'), not a Channel Object")
		}
		op.Channel = l.channel(cr, "")
	} else {
		l.errorf(t, "operation %q has no channel", key)
	}
	op.Messages = l.messageRefs(o, op.Channel, "operation "+strconv.Quote(key))
	if rr, ok := o.get("reply"); ok {
		op.Reply = l.reply(rr, key)
	}
	op.Security = l.security(o)
	if b, ok := o.get("bindings"); ok {
		op.Bindings = l.operationBindings(b)
	}
	return op
}

// messageRefs decodes the messages list of an operation or reply: each must be
// one of the channel's (else a warning); none means all of the channel's.
func (l *loader) messageRefs(o obj, c *Channel, what string) []*Message {
	var out []*Message
	o.items("messages", func(mr ref) {
		m := l.message(mr, "")
		if m == nil {
			return
		}
		out = append(out, m)
		if c != nil && !containsMessage(c.Messages, m) {
			l.warnf(mr, "%s: message %q is not one of the messages of channel %q", what, m.ID, c.Key)
		}
	})
	if !o.has("messages") && c != nil {
		out = c.Messages
	}
	return out
}

func containsMessage(list []*Message, m *Message) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// reply decodes an Operation Reply Object (or a reference to one).
func (l *loader) reply(r ref, opKey string) *Reply {
	t, _, ok := l.deref(r)
	if !ok {
		return nil
	}
	o, ok := l.object(t, "a reply")
	if !ok {
		return nil
	}
	rp := &Reply{Pos: t.pos()}
	if cr, ok := o.get("channel"); ok {
		rp.Channel = l.channel(cr, "")
	}
	if ar, ok := o.get("address"); ok {
		rp.Address = l.location(ar, "reply address")
		if rp.Channel != nil && rp.Channel.HasAddress {
			l.warnf(ar, "operation %q: the reply has an address, so its channel's address must be null or absent (it is %q)", opKey, rp.Channel.Address)
		}
	}
	if rp.Channel == nil && rp.Address == nil {
		l.errorf(t, "operation %q: the reply has neither a channel nor an address", opKey)
	}
	rp.Messages = l.messageRefs(o, rp.Channel, "the reply of operation "+strconv.Quote(opKey))
	return rp
}
