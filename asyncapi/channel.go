package asyncapi

import (
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// Channel is an AsyncAPI Channel Object: a topic, subject, queue or path that
// messages travel on.
type Channel struct {
	// Key is the key under channels (or components.channels); in 2.x it is the
	// address.
	Key string
	// Address is the channel's address, possibly with {parameter} expressions.
	// HasAddress is false when the address is null or absent: "it MUST be
	// interpreted as unknown".
	Address    string
	HasAddress bool
	Title      string
	Summary    string
	// Messages are the messages that may travel on the channel, in order.
	Messages []*Message
	// Servers are the servers the channel is available on; empty means all of
	// the document's.
	Servers []*Server
	// Parameters describe the {name} expressions of the address, by name.
	Parameters map[string]*Parameter
	Bindings   ChannelBindings
	// keys are the keys of Messages under the channel's messages map.
	keys map[string]*Message
	// Pointer is the channel's JSON pointer in its document, e.g. /channels/orders.
	Pointer string
	Pos     Pos
}

// Parameter is an AsyncAPI Parameter Object: one {name} of a channel address.
type Parameter struct {
	Enum        []string
	Default     string
	HasDefault  bool
	Examples    []string
	Description string
	// Location is a runtime expression giving the value from a message, such as
	// $message.payload#/user/id ("" when absent).
	Location string
}

// ParamNames lists the {names} of the address in the order they appear.
func (c *Channel) ParamNames() []string {
	var out []string
	t := c.Address
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, t[i+1:i+j])
		t = t[i+j+1:]
	}
}

// Resolve fills the address's {name} expressions (Channel Address Expressions)
// with values, else the parameter's default. A parameter without a value, or
// whose value is not one of its enum, is an error naming it.
func (c *Channel) Resolve(values map[string]string) (string, error) {
	if !c.HasAddress {
		return "", fmt.Errorf("channel %q has no address (null or absent: unknown until run time)", c.Key)
	}
	var b strings.Builder
	t := c.Address
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String(), nil
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("channel %q: unclosed { in address %q", c.Key, c.Address)
		}
		name := t[i+1 : i+j]
		p := c.Parameters[name]
		v, ok := values[name]
		switch {
		case !ok && p != nil && p.HasDefault:
			v = p.Default
		case !ok:
			return "", fmt.Errorf("channel %q: address parameter %q has no value (%s)", c.Key, name, c.paramList())
		case p != nil && len(p.Enum) > 0 && !contains(p.Enum, v):
			return "", fmt.Errorf("channel %q: address parameter %q is %q, not one of %s", c.Key, name, v, strings.Join(p.Enum, ", "))
		}
		b.WriteString(t[:i])
		b.WriteString(v)
		t = t[i+j+1:]
	}
}

func (c *Channel) paramList() string {
	names := c.ParamNames()
	sort.Strings(names)
	return "address " + c.Address + " has parameters " + strings.Join(names, ", ")
}

// Message returns the channel's message with this key under the channel's
// messages (its messageId), or nil.
func (c *Channel) Message(key string) *Message { return c.keys[key] }

// channel decodes a Channel Object (or a reference to one).
func (l *loader) channel(r ref, key string) *Channel {
	t, chain, ok := l.deref(r)
	if !ok {
		return nil
	}
	if c, found := memo[*Channel](l, t, chain, "a channel"); found {
		return c
	}
	o, ok := l.object(t, "a channel")
	if !ok {
		return nil
	}
	c := &Channel{Key: key, Pointer: t.ptr, Pos: t.pos(), Parameters: map[string]*Parameter{}, keys: map[string]*Message{}}
	if strings.HasPrefix(t.ptr, "/channels/") || strings.HasPrefix(t.ptr, "/components/channels/") {
		c.Key = lastToken(t.ptr)
	}
	l.objs[t.loc()] = c
	l.register(chain, c)
	if a, ok := o.get("address"); ok && !(a.n.Kind == yaml.ScalarNode && a.n.ShortTag() == "!!null") {
		c.Address, c.HasAddress = o.str("address"), true
	}
	c.Title, c.Summary = o.str("title"), o.str("summary")
	o.each("messages", func(k string, mr ref) {
		if m := l.message(mr, k); m != nil {
			c.Messages = append(c.Messages, m)
			c.keys[k] = m
		}
	})
	o.items("servers", func(sr ref) {
		if _, _, isRef := refOf(sr.n); !isRef {
			l.warnf(sr, "the servers of a channel are references ($ref: '#/servers/<name>'), not Server Objects")
		}
		if s := l.server(sr, ""); s != nil {
			c.Servers = append(c.Servers, s)
		}
	})
	o.each("parameters", func(k string, pr ref) {
		if p := l.parameter(pr, k); p != nil {
			c.Parameters[k] = p
		}
	})
	if b, ok := o.get("bindings"); ok {
		c.Bindings = l.channelBindings(b)
	}
	l.checkAddress(t, c)
	return c
}

// checkAddress compares the {names} of an address with the declared parameters
// (Parameters Object: "This map MUST contain all the parameters used in the
// parent channel address").
func (l *loader) checkAddress(t ref, c *Channel) {
	names := c.ParamNames()
	for _, n := range names {
		if c.Parameters[n] == nil {
			l.warnf(t, "channel %q: address %q uses {%s}, which is not declared under parameters", c.Key, c.Address, n)
		}
	}
	if strings.Count(c.Address, "{") != len(names) || strings.Count(c.Address, "}") != len(names) {
		l.errorf(t, "channel %q: address %q has unbalanced braces", c.Key, c.Address)
	}
	declared := make([]string, 0, len(c.Parameters))
	for name := range c.Parameters {
		declared = append(declared, name)
	}
	sort.Strings(declared)
	for _, name := range declared {
		if !contains(names, name) {
			l.warnf(t, "channel %q: parameter %q does not appear in the address %q", c.Key, name, c.Address)
		}
	}
}

// parameter decodes a Parameter Object (or a reference to one). In 2.x the
// enum and default come from the parameter's schema.
func (l *loader) parameter(r ref, key string) *Parameter {
	t, _, ok := l.deref(r)
	if !ok {
		return nil
	}
	o, ok := l.object(t, "a parameter")
	if !ok {
		return nil
	}
	p := &Parameter{Description: o.str("description"), Location: o.str("location")}
	src := o
	if l.major == 2 {
		if sr, ok := o.get("schema"); ok {
			st, _, ok := l.deref(sr)
			if !ok {
				return p
			}
			if src, ok = l.object(st, "a schema"); !ok {
				return p
			}
		}
	}
	p.Enum, p.Examples = src.strs("enum"), src.strs("examples")
	if d, ok := src.get("default"); ok && d.n.Kind == yaml.ScalarNode {
		p.Default, p.HasDefault = d.n.Value, true
	}
	if p.Location != "" {
		if _, err := ParseLocation(p.Location); err != nil {
			r, _ := o.get("location")
			l.errorf(r, "parameter %q: location %v", key, err)
		}
	}
	return p
}
