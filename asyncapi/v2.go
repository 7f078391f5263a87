package asyncapi

import "strings"

// channels2 maps the channels of an AsyncAPI 2.x description: each channel item
// becomes a Channel whose address is its key, and its publish and subscribe
// operations become Operations. 2.x names operations from the client's side —
// publish "defines the messages consumed by the application from the channel",
// subscribe "the messages produced by the application and sent to the
// channel" — so publish is the application's receive and subscribe its send.
func (l *loader) channels2(root obj) {
	root.each("channels", func(address string, r ref) {
		t, chain, ok := l.deref(r)
		if !ok {
			return
		}
		o, ok := l.object(t, "a channel item")
		if !ok {
			return
		}
		ptr := "/channels/" + escapeToken(address)
		c := &Channel{Key: address, Address: address, HasAddress: true, Pointer: ptr, Pos: t.pos(),
			Parameters: map[string]*Parameter{}, keys: map[string]*Message{}}
		l.objs[t.loc()] = c
		l.register(chain, c)
		for _, name := range o.strs("servers") {
			if s := l.doc.Server(name); s != nil {
				c.Servers = append(c.Servers, s)
			} else {
				sr, _ := o.get("servers")
				l.errorf(sr, "channel %q: server %q is not one of the servers", address, name)
			}
		}
		o.each("parameters", func(k string, pr ref) {
			if p := l.parameter(pr, k); p != nil {
				c.Parameters[k] = p
			}
		})
		if b, ok := o.get("bindings"); ok {
			c.Bindings = l.channelBindings(b)
		}
		l.checkAddress(t, c)
		l.doc.Channels = append(l.doc.Channels, c)
		for _, verb := range []string{"publish", "subscribe"} {
			opr, ok := o.get(verb)
			if !ok {
				continue
			}
			op := l.operation2(opr, c, verb)
			if op == nil {
				continue
			}
			l.doc.Operations = append(l.doc.Operations, op)
			l.doc.byPointer[op.Pointer] = op
			if op.ID != "" {
				if prev := l.doc.byID[op.ID]; prev != nil {
					l.errorf(opr, "operationId %q is used twice (also at %s)", op.ID, prev.Pointer)
					continue
				}
				l.doc.byID[op.ID] = op
			}
		}
	})
}

// operation2 decodes a 2.x Operation Object of channel c.
func (l *loader) operation2(r ref, c *Channel, verb string) *Operation {
	t, _, ok := l.deref(r)
	if !ok {
		return nil
	}
	o, ok := l.object(t, "an operation")
	if !ok {
		return nil
	}
	o = l.withTraits(o)
	op := &Operation{ID: o.str("operationId"), Channel: c, Pointer: c.Pointer + "/" + verb, Pos: t.pos(),
		Summary: o.str("summary"), Description: o.str("description")}
	op.Action = ActionReceive
	if verb == "subscribe" {
		op.Action = ActionSend
	}
	if mr, ok := o.get("message"); ok {
		mt, _, ok := l.deref(mr)
		if ok {
			if mo, ok := l.object(mt, "a message"); ok && mo.has("oneOf") {
				mo.items("oneOf", func(one ref) { op.Messages = append(op.Messages, l.message2(one, op)) })
			} else if ok {
				op.Messages = append(op.Messages, l.message2(mr, op))
			}
		}
	}
	var kept []*Message
	for _, m := range op.Messages {
		if m != nil {
			kept = append(kept, m)
			if !containsMessage(c.Messages, m) {
				c.Messages = append(c.Messages, m)
				c.keys[m.ID] = m
			}
		}
	}
	op.Messages = kept
	op.Security = l.security(o)
	if b, ok := o.get("bindings"); ok {
		op.Bindings = l.operationBindings(b)
	}
	return op
}

// message2 decodes a 2.x message and gives one written in place an id.
func (l *loader) message2(r ref, op *Operation) *Message {
	m := l.message(r, "")
	if m != nil && m.ID == "" {
		switch {
		case m.Name != "":
			m.ID = m.Name
		case op.ID != "":
			m.ID = op.ID + ".message"
		default:
			m.ID = strings.TrimPrefix(op.Pointer, "/channels/") + ".message"
		}
	}
	return m
}
