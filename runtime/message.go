package runtime

import (
	"errors"
	"fmt"
	"time"
)

// Messages of AsyncAPI steps travel through Effects.Send like HTTP exchanges,
// so that every driver journals, replays, reports and masks them the same way:
// a Request whose Message is set asks the driver to subscribe to a channel,
// publish a message or receive one, and its Response carries the outcome.
// Request.Method is SUBSCRIBE, PUBLISH or RECEIVE; Request.URL is the
// channel's, the server URL with the address as path
// (kafka://127.0.0.1:9092/place-order); Header and Body are the message's.

// Message operations (Request.Method of a message request).
const (
	MethodSubscribe = "SUBSCRIBE"
	MethodPublish   = "PUBLISH"
	MethodReceive   = "RECEIVE"
)

// MessageOp is what a message request asks of the driver.
type MessageOp struct {
	// Source is the AsyncAPI source description; Server the server URL
	// (scheme = protocol) and Channel the resolved address.
	Server  string
	Channel string
	// Protocol settings from the bindings and the server.
	ProtocolVersion string
	QoS             byte   `json:",omitempty"`
	Retain          bool   `json:",omitempty"`
	ExpirySeconds   uint32 `json:",omitempty"`
	Key             []byte `json:",omitempty"` // Kafka record key
	Partition       *int32 `json:",omitempty"`
	Group           string `json:",omitempty"` // NATS queue group
	AMQP            *AMQPRoute
	ContentType     string `json:",omitempty"`
	// Subscription names the subscription a RECEIVE reads (the one its SUBSCRIBE
	// opened, by the Subscription of that response); Cursor is where that
	// subscription started, so that a driver without it (a resumed run, another
	// worker) can subscribe from the same place where the protocol allows
	// (Kafka offsets).
	Subscription string `json:",omitempty"`
	Cursor       string `json:",omitempty"`
	// Correlation selects the message a RECEIVE returns; nil takes the first.
	Correlation *Correlation `json:",omitempty"`
}

// AMQPRoute is the AMQP routing of a message request.
type AMQPRoute struct {
	Queue, Exchange, ExchangeType, BindingKey string
	Durable, AutoDelete                       bool
	DeliveryMode, Priority                    uint8
	ExpirationMS                              int64
	UserID, MessageType, ContentEncoding      string
	CC, BCC                                   []string
	Mandatory, Timestamp                      bool
}

// Correlation is the correlation id a receive step waits for: Value, found at
// one of Locations of a message (the AsyncAPI correlationId locations of the
// messages the step may receive).
type Correlation struct {
	Value     string
	Locations []CorrelationLocation
}

// CorrelationLocation is an AsyncAPI correlationId location:
// $message.header#/x (Source header) or $message.payload#/x.
type CorrelationLocation struct {
	Expr, Source, Pointer string
}

// MessageMeta is what a message response says besides the message.
type MessageMeta struct {
	// Subscription and Cursor of a SUBSCRIBE: pass them to the RECEIVEs.
	Subscription string `json:",omitempty"`
	Cursor       string `json:",omitempty"`
	// Channel the message came on (a receive may listen on a filter);
	// Partition and Offset for Kafka.
	Channel   string `json:",omitempty"`
	Partition int32  `json:",omitempty"`
	Offset    int64  `json:",omitempty"`
	// Skipped counts the messages a RECEIVE read and passed over because they
	// did not correlate.
	Skipped int `json:",omitempty"`
}

// ErrKindNoMessage is the Response.ErrKind of a RECEIVE that timed out: no
// message correlated within the step's timeout. The step fails (its
// onFailure actions apply); it is not a fault of the exchange.
const ErrKindNoMessage = "no-message"

// NoMessageError is the Response.Err of a RECEIVE that got no message.
type NoMessageError struct {
	Channel string
	Timeout time.Duration
	// Skipped counts the messages that arrived but did not correlate.
	Skipped int
	// Want is the correlation id waited for ("" for none).
	Want string
}

func (e *NoMessageError) Error() string {
	s := fmt.Sprintf("no message on %s within %s", e.Channel, e.Timeout)
	if e.Want != "" {
		s = fmt.Sprintf("no message with correlation id %q on %s within %s", e.Want, e.Channel, e.Timeout)
	}
	if e.Skipped > 0 {
		s += fmt.Sprintf(" (%d other message%s skipped)", e.Skipped, plural(e.Skipped))
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// IsNoMessage reports whether a response is a receive that timed out.
func IsNoMessage(resp *Response) bool {
	var nm *NoMessageError
	return resp != nil && (resp.ErrKind == ErrKindNoMessage || errors.As(resp.Err, &nm))
}
