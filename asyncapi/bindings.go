package asyncapi

import yaml "go.yaml.in/yaml/v4"

// The protocol bindings a client needs to send and receive. Other bindings
// (and the other fields of these) are kept as written in Raw, for tools.

// ServerBindings are the bindings of a Server Object.
type ServerBindings struct {
	MQTT *MQTTServerBinding
	// Raw is every binding by protocol, as JSON-compatible values.
	Raw map[string]any
}

// ChannelBindings are the bindings of a Channel Object.
type ChannelBindings struct {
	Kafka *KafkaChannelBinding
	AMQP  *AMQPChannelBinding
	WS    *WSChannelBinding
	Raw   map[string]any
}

// OperationBindings are the bindings of an Operation Object.
type OperationBindings struct {
	Kafka *KafkaOperationBinding
	MQTT  *MQTTOperationBinding
	AMQP  *AMQPOperationBinding
	NATS  *NATSOperationBinding
	Raw   map[string]any
}

// MessageBindings are the bindings of a Message Object.
type MessageBindings struct {
	Kafka *KafkaMessageBinding
	AMQP  *AMQPMessageBinding
	Raw   map[string]any
}

// KafkaChannelBinding: the topic when it differs from the channel's address,
// and its partition count.
type KafkaChannelBinding struct {
	Topic      string
	Partitions int
	Replicas   int
}

// KafkaOperationBinding: the consumer group and client ids, as schemas (their
// const, default or single enum value is the id).
type KafkaOperationBinding struct {
	GroupID  *Schema
	ClientID *Schema
}

// KafkaMessageBinding: the schema of the record key.
type KafkaMessageBinding struct {
	Key *Schema
}

// MQTTServerBinding: the connection settings of an MQTT client.
type MQTTServerBinding struct {
	ClientID     string
	CleanSession *bool
	KeepAlive    int // seconds; 0 when unset
	// SessionExpiryInterval (MQTT 5), seconds; 0 when unset.
	SessionExpiryInterval int
}

// MQTTOperationBinding: the quality of service and retain flag of a publish
// (QoS also of a subscription).
type MQTTOperationBinding struct {
	QoS    *int
	Retain bool
	// MessageExpiryInterval (MQTT 5), seconds; 0 when unset.
	MessageExpiryInterval int
}

// AMQPChannelBinding: whether the channel is a routing key on an exchange or a
// queue, and their properties.
type AMQPChannelBinding struct {
	// Is is "routingKey" (the default) or "queue".
	Is string
	// Name is, for a routing key, the routing pattern that binds a queue to the
	// exchange ("" when absent: the channel's address).
	Name     string
	Exchange AMQPExchange
	Queue    AMQPQueue
}

// AMQPExchange is the exchange of an AMQP channel binding.
type AMQPExchange struct {
	Name       string
	Type       string // topic, direct, fanout, default, headers
	Durable    *bool
	AutoDelete *bool
	VHost      string
}

// AMQPQueue is the queue of an AMQP channel binding.
type AMQPQueue struct {
	Name       string
	Durable    *bool
	Exclusive  *bool
	AutoDelete *bool
	VHost      string
}

// AMQPOperationBinding: the properties of a publish.
type AMQPOperationBinding struct {
	Expiration   int // milliseconds; 0 when unset
	UserID       string
	CC           []string
	BCC          []string
	Priority     *int
	DeliveryMode int // 1 transient, 2 persistent; 0 when unset
	Mandatory    bool
	Timestamp    bool
	Ack          *bool
}

// AMQPMessageBinding: the content encoding and type of a message.
type AMQPMessageBinding struct {
	ContentEncoding string
	MessageType     string
}

// NATSOperationBinding: the queue group a subscriber joins.
type NATSOperationBinding struct {
	Queue string
}

// WSChannelBinding: how a WebSocket connection to the channel is opened.
type WSChannelBinding struct {
	Method  string // GET or POST; "" when unset
	Query   *Schema
	Headers *Schema
}

// bindings resolves a bindings object and returns its reader and raw value.
func (l *loader) bindings(r ref) (obj, map[string]any, bool) {
	t, _, ok := l.deref(r)
	if !ok {
		return obj{}, nil, false
	}
	o, ok := l.object(t, "bindings")
	if !ok {
		return obj{}, nil, false
	}
	raw, _ := l.value(t).(map[string]any)
	return o, raw, true
}

// binding returns the reader of one protocol's binding.
func (l *loader) binding(o obj, protocol string) (obj, bool) {
	r, ok := o.get(protocol)
	if !ok {
		return obj{}, false
	}
	t, _, ok := l.deref(r)
	if !ok {
		return obj{}, false
	}
	return l.object(t, "the "+protocol+" binding")
}

func (l *loader) serverBindings(r ref) ServerBindings {
	o, raw, ok := l.bindings(r)
	if !ok {
		return ServerBindings{}
	}
	b := ServerBindings{Raw: raw}
	if m, ok := l.binding(o, "mqtt"); ok {
		b.MQTT = &MQTTServerBinding{ClientID: m.str("clientId"), CleanSession: m.boolp("cleanSession"),
			KeepAlive: m.int("keepAlive"), SessionExpiryInterval: l.intOrSchema(m, "sessionExpiryInterval")}
	}
	return b
}

func (l *loader) channelBindings(r ref) ChannelBindings {
	o, raw, ok := l.bindings(r)
	if !ok {
		return ChannelBindings{}
	}
	b := ChannelBindings{Raw: raw}
	if k, ok := l.binding(o, "kafka"); ok {
		b.Kafka = &KafkaChannelBinding{Topic: k.str("topic"), Partitions: k.int("partitions"), Replicas: k.int("replicas")}
	}
	if a, ok := l.binding(o, "amqp"); ok {
		b.AMQP = &AMQPChannelBinding{Is: a.str("is"), Name: a.str("name")}
		switch b.AMQP.Is {
		case "":
			b.AMQP.Is = "routingKey"
		case "routingKey", "queue":
		default:
			r, _ := a.get("is")
			l.errorf(r, "the amqp binding's is must be routingKey or queue, not %q", b.AMQP.Is)
		}
		if er, ok := a.get("exchange"); ok {
			if e, ok := l.object(er, "an amqp exchange"); ok {
				b.AMQP.Exchange = AMQPExchange{Name: e.str("name"), Type: e.str("type"), Durable: e.boolp("durable"),
					AutoDelete: e.boolp("autoDelete"), VHost: e.str("vhost")}
			}
		}
		if qr, ok := a.get("queue"); ok {
			if q, ok := l.object(qr, "an amqp queue"); ok {
				b.AMQP.Queue = AMQPQueue{Name: q.str("name"), Durable: q.boolp("durable"), Exclusive: q.boolp("exclusive"),
					AutoDelete: q.boolp("autoDelete"), VHost: q.str("vhost")}
			}
		}
	}
	if w, ok := l.binding(o, "ws"); ok {
		b.WS = &WSChannelBinding{Method: w.str("method")}
		if q, ok := w.get("query"); ok {
			b.WS.Query = l.schema(q, "")
		}
		if h, ok := w.get("headers"); ok {
			b.WS.Headers = l.schema(h, "")
		}
	}
	return b
}

func (l *loader) operationBindings(r ref) OperationBindings {
	o, raw, ok := l.bindings(r)
	if !ok {
		return OperationBindings{}
	}
	b := OperationBindings{Raw: raw}
	if k, ok := l.binding(o, "kafka"); ok {
		b.Kafka = &KafkaOperationBinding{}
		if g, ok := k.get("groupId"); ok {
			b.Kafka.GroupID = l.schema(g, "")
		}
		if c, ok := k.get("clientId"); ok {
			b.Kafka.ClientID = l.schema(c, "")
		}
	}
	if m, ok := l.binding(o, "mqtt"); ok {
		b.MQTT = &MQTTOperationBinding{QoS: m.intp("qos"), MessageExpiryInterval: l.intOrSchema(m, "messageExpiryInterval")}
		if p := m.boolp("retain"); p != nil {
			b.MQTT.Retain = *p
		}
		if q := b.MQTT.QoS; q != nil && (*q < 0 || *q > 2) {
			r, _ := m.get("qos")
			l.errorf(r, "the mqtt binding's qos must be 0, 1 or 2, not %d", *q)
			b.MQTT.QoS = nil
		}
	}
	if a, ok := l.binding(o, "amqp"); ok {
		b.AMQP = &AMQPOperationBinding{Expiration: a.int("expiration"), UserID: a.str("userId"), CC: a.strs("cc"),
			BCC: a.strs("bcc"), Priority: a.intp("priority"), DeliveryMode: a.int("deliveryMode"), Ack: a.boolp("ack")}
		if p := a.boolp("mandatory"); p != nil {
			b.AMQP.Mandatory = *p
		}
		if p := a.boolp("timestamp"); p != nil {
			b.AMQP.Timestamp = *p
		}
		if dm := b.AMQP.DeliveryMode; dm != 0 && dm != 1 && dm != 2 {
			r, _ := a.get("deliveryMode")
			l.errorf(r, "the amqp binding's deliveryMode must be 1 (transient) or 2 (persistent), not %d", dm)
		}
	}
	if n, ok := l.binding(o, "nats"); ok {
		b.NATS = &NATSOperationBinding{Queue: n.str("queue")}
	}
	return b
}

func (l *loader) messageBindings(r ref) MessageBindings {
	o, raw, ok := l.bindings(r)
	if !ok {
		return MessageBindings{}
	}
	b := MessageBindings{Raw: raw}
	if k, ok := l.binding(o, "kafka"); ok {
		b.Kafka = &KafkaMessageBinding{}
		if kr, ok := k.get("key"); ok {
			b.Kafka.Key = l.schema(kr, "")
		}
	}
	if a, ok := l.binding(o, "amqp"); ok {
		b.AMQP = &AMQPMessageBinding{ContentEncoding: a.str("contentEncoding"), MessageType: a.str("messageType")}
	}
	return b
}

// intOrSchema reads an integer field that the MQTT 5 bindings allow to be a
// schema too (its const or default is the value).
func (l *loader) intOrSchema(o obj, key string) int {
	r, ok := o.get(key)
	if !ok {
		return 0
	}
	if r.n.Kind == yaml.MappingNode {
		if s := l.schema(r, ""); s != nil {
			if v, ok := SchemaValue(s); ok {
				if i, ok := v.(int64); ok {
					return int(i)
				}
			}
		}
		return 0
	}
	return o.int(key)
}

// SchemaValue is the one value a schema allows or proposes: its const, else its
// default, else its only enum value, else its first example. Bindings give ids
// this way (a Kafka groupId: {type: string, enum: [myGroupId]}).
func SchemaValue(s *Schema) (any, bool) {
	if s == nil {
		return nil, false
	}
	m, ok := s.Value.(map[string]any)
	if !ok {
		return nil, false
	}
	if v, ok := m["const"]; ok {
		return v, true
	}
	if v, ok := m["default"]; ok {
		return v, true
	}
	if e, ok := m["enum"].([]any); ok && len(e) == 1 {
		return e[0], true
	}
	if e, ok := m["examples"].([]any); ok && len(e) > 0 {
		return e[0], true
	}
	return nil, false
}
