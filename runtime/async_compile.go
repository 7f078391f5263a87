package runtime

import (
	"fmt"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/asyncapi"
	"github.com/arazzo-run/arazzo/expr"
)

// Rule ids of the problems found while compiling AsyncAPI steps (docs/rules.md).
const (
	RuleAsyncSource      = arazzo.RuleAsyncSource
	RuleAsyncCorrelation = arazzo.RuleAsyncCorrelation
	RuleAsyncParameter   = arazzo.RuleAsyncParameter
)

// DefaultReceiveTimeout is how long a receive step without a timeout waits
// for its message.
const DefaultReceiveTimeout = 30 * time.Second

// asyncStep is the compiled AsyncAPI side of a step: what it sends or
// receives, where, and how to tell its message.
type asyncStep struct {
	src *source
	// op is the AsyncAPI operation (nil for a channelPath step); action the
	// step's (authoritative), reply whether the channel is the operation's reply.
	op       *asyncapi.Operation
	action   string
	reply    bool
	channel  *asyncapi.Channel
	messages []*asyncapi.Message
	// headers and args are the step's parameters in: header and in: channel.
	headers []*paramPlan
	args    []*paramPlan
	// corr is the step's correlationId (receive); locs the correlationId
	// locations of the messages it may receive.
	corr    *valueExpr
	locs    []CorrelationLocation
	timeout time.Duration
	// template holds the protocol settings of the bindings.
	template MessageOp
}

// asyncTarget reports whether a step addresses an AsyncAPI source: its
// channelPath, or an operationId or operationPath that names one.
func (c *compiler) asyncTarget(doc *arazzo.Document, s *arazzo.Step) bool {
	switch s.Kind() {
	case "channelPath":
		return true
	case "operationPath":
		name, _, ok := sourcePath(s, "operationPath")
		src := c.source(doc, name)
		return ok && src != nil && src.kind == arazzo.SourceAsyncAPI
	case "operationId":
		id := s.OperationID
		if p := s.Expr("operationId"); p != nil {
			e := p.Expr
			if e == nil || e.Kind != expr.KindSourceDescription {
				return false
			}
			src := c.source(doc, e.ID)
			return src != nil && src.kind == arazzo.SourceAsyncAPI
		}
		// A bare id: AsyncAPI when no OpenAPI source has it and an AsyncAPI one does.
		inAsync := false
		for _, sd := range doc.SourceDescriptions {
			src := c.plan.sources[doc][sd.Name]
			switch {
			case src == nil:
			case src.openapi != nil && findOperation(src.openapi, id) != nil:
				return false
			case src.asyncapi != nil && src.asyncapi.Operation(id) != nil:
				inAsync = true
			}
		}
		return inAsync
	}
	return false
}

// compileAsync resolves an AsyncAPI step: its source, operation or channel,
// the channel and messages its action uses, its parameters, correlation and
// timeout.
func (c *compiler) compileAsync(wp *workflowPlan, s *arazzo.Step, sp *stepPlan, path string) *asyncStep {
	doc := wp.doc
	as := &asyncStep{action: s.Action}
	field, pos := s.Kind(), s.ValuePos(s.Kind())
	switch field {
	case "channelPath":
		as.src, as.channel = c.resolveChannelPath(doc, s, path)
	case "operationPath":
		name, pointer, _ := sourcePath(s, "operationPath")
		as.src = c.source(doc, name)
		if as.src.asyncapi != nil {
			op, err := as.src.asyncapi.OperationAt(pointer)
			if err != nil {
				c.errorf(doc, pos, path+".operationPath", arazzo.RuleUnknownOperation, "operationPath %q: %v", s.OperationPath, err)
			}
			as.op = op
		}
	case "operationId":
		as.src, as.op = c.resolveAsyncOperationID(doc, s, path)
	}
	if as.src == nil || as.src.asyncapi == nil || (as.op == nil && as.channel == nil) {
		return as // reported, or the source is not loaded (offline)
	}
	if as.action == "" && as.op != nil {
		as.action = as.op.Action // the validator warns: async-action-missing
	}
	// The step's action is authoritative; the document says what the
	// application it describes does. On an operation with a reply, the
	// operation's channel carries the request and the reply channel the
	// answer: a step that does what the application does is on the reply's
	// side (the pet example's confirmation: a receive of placeOrder, whose
	// application receives orders, is the receive of its reply).
	switch {
	case as.op != nil && as.op.Reply != nil && as.action == as.op.Action:
		if as.op.Reply.Channel == nil {
			c.errorf(doc, pos, path+"."+field, arazzo.RuleUnknownOperation,
				"the reply of operation %q has only a runtime address (%s), which this runtime cannot listen on before the request is sent; give the reply a channel", as.op.ID, as.op.Reply.Address.Expr)
			return as
		}
		as.reply, as.channel, as.messages = true, as.op.Reply.Channel, as.op.Reply.Messages
	case as.op != nil:
		as.channel, as.messages = as.op.Channel, as.op.Messages
	default:
		as.messages = as.channel.Messages
	}
	if as.channel == nil {
		return as
	}
	if !as.channel.HasAddress {
		c.errorf(doc, pos, path+"."+field, arazzo.RuleUnknownOperation, "channel %q has no address (null: unknown until run time), so there is nothing to %s on", as.channel.Key, as.action)
		return as
	}
	c.asyncParams(doc, as, sp, path)
	if sp.body != nil && s.RequestBody.ContentType == "" {
		if ct := contentTypeOf(as.messages); ct != "" {
			sp.body.media.Name = ct
		}
	}
	as.timeout = DefaultReceiveTimeout
	if s.Timeout > 0 {
		as.timeout = time.Duration(s.Timeout) * time.Millisecond
	}
	for _, m := range as.messages {
		if m.CorrelationID != nil && !containsLoc(as.locs, m.CorrelationID.Expr) {
			as.locs = append(as.locs, CorrelationLocation{Expr: m.CorrelationID.Expr, Source: m.CorrelationID.Source, Pointer: m.CorrelationID.Pointer})
		}
	}
	if s.Has("correlationId") && as.action == asyncapi.ActionReceive {
		as.corr = c.correlationValue(doc, s)
		if len(as.locs) == 0 {
			c.errorf(doc, s.ValuePos("correlationId"), path+".correlationId", RuleAsyncCorrelation,
				"step %q has a correlationId, but no message it may receive (%s) defines a correlationId location to compare it with", s.StepID, messageNames(as.messages))
		}
	}
	as.template = bindingTemplate(as)
	return as
}

func containsLoc(locs []CorrelationLocation, e string) bool {
	for _, l := range locs {
		if l.Expr == e {
			return true
		}
	}
	return false
}

func messageNames(ms []*asyncapi.Message) string {
	if len(ms) == 0 {
		return "the channel defines none"
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.ID
	}
	return strings.Join(names, ", ")
}

// contentTypeOf is the content type of a step's messages: the first one's.
func contentTypeOf(ms []*asyncapi.Message) string {
	for _, m := range ms {
		if m.ContentType != "" {
			return m.ContentType
		}
	}
	return ""
}

// resolveAsyncOperationID finds the AsyncAPI operation of an operationId step.
func (c *compiler) resolveAsyncOperationID(doc *arazzo.Document, s *arazzo.Step, path string) (*source, *asyncapi.Operation) {
	id, name := s.OperationID, ""
	if p := s.Expr("operationId"); p != nil && p.Expr != nil {
		name, id = p.Expr.ID, p.Expr.Name
	}
	var found *source
	for _, sd := range doc.SourceDescriptions {
		src := c.plan.sources[doc][sd.Name]
		if src == nil || src.kind != arazzo.SourceAsyncAPI || (name != "" && src != c.source(doc, name)) {
			continue
		}
		if src.asyncapi == nil {
			return src, nil // not loaded (offline): reported elsewhere
		}
		if op := src.asyncapi.Operation(id); op != nil {
			return src, op
		}
		found = src
	}
	if found != nil {
		c.errorf(doc, s.ValuePos("operationId"), path+".operationId", arazzo.RuleUnknownOperation, "operation %q not found in AsyncAPI source %q%s (operations: %s)",
			id, found.name, Suggest(id, found.asyncapi.OperationIDs()), strings.Join(found.asyncapi.OperationIDs(), ", "))
	}
	return found, nil
}

// resolveChannelPath resolves "{$sourceDescriptions.name.url}#/channels/orders",
// or a bare channel name of the only AsyncAPI source (the validator warns).
func (c *compiler) resolveChannelPath(doc *arazzo.Document, s *arazzo.Step, path string) (*source, *asyncapi.Channel) {
	text := s.ChannelPath
	name, pointer, ok := sourcePath(s, "channelPath")
	var src *source
	if ok {
		src = c.source(doc, name)
	} else {
		for _, sd := range doc.SourceDescriptions {
			if cand := c.plan.sources[doc][sd.Name]; cand != nil && cand.kind == arazzo.SourceAsyncAPI {
				if src != nil {
					return nil, nil // several: the validator reports it
				}
				src = cand
			}
		}
		pointer = "/channels/" + strings.ReplaceAll(strings.ReplaceAll(text, "~", "~0"), "/", "~1")
	}
	if src == nil || src.asyncapi == nil {
		return src, nil
	}
	ch, err := src.asyncapi.ChannelAt(pointer)
	if err != nil {
		c.errorf(doc, s.ValuePos("channelPath"), path+".channelPath", arazzo.RuleUnknownOperation, "channelPath %q: %v", text, err)
	}
	return src, ch
}

// asyncParams sorts the step's parameters: in: header become message
// headers, in: channel fill the channel address ({name}); in: path is read
// as in: channel, with a warning.
func (c *compiler) asyncParams(doc *arazzo.Document, as *asyncStep, sp *stepPlan, path string) {
	for _, pp := range sp.params {
		switch pp.in {
		case arazzo.InHeader:
			as.headers = append(as.headers, pp)
		case arazzo.InChannel, arazzo.InPath:
			if pp.in == arazzo.InPath {
				c.warnf(doc, pp.pos, path+".parameters", RuleAsyncParameter,
					"parameter %q: in: path on an AsyncAPI step is read as in: channel, which fills the {%s} of the channel address", pp.name, pp.name)
			}
			if !contains(as.channel.ParamNames(), pp.name) {
				c.warnf(doc, pp.pos, path+".parameters", RuleAsyncParameter, "parameter %q: the address %q of channel %q has no {%s}%s; it is not used",
					pp.name, as.channel.Address, as.channel.Key, pp.name, Suggest(pp.name, as.channel.ParamNames()))
				continue
			}
			as.args = append(as.args, pp)
		default:
			c.errorf(doc, pp.pos, path+".parameters", RuleAsyncParameter,
				"parameter %q: in: %s does not apply to a message; an AsyncAPI step takes in: header (a message header) and in: channel (a {parameter} of the channel address)", pp.name, pp.in)
		}
	}
	for _, name := range as.channel.ParamNames() {
		given := false
		for _, a := range as.args {
			given = given || a.name == name
		}
		p := as.channel.Parameters[name]
		if !given && (p == nil || !p.HasDefault) && !(as.action == asyncapi.ActionReceive && wildcard(protocolOf(as)) != "") {
			c.errorf(doc, sp.step.Pos, path+".parameters", RuleAsyncParameter,
				"step %q: the address %q of channel %q needs {%s}: add a parameter {name: %s, in: channel, value: ...}", sp.id, as.channel.Address, as.channel.Key, name, name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// protocolOf is the protocol of the first server a step may use.
func protocolOf(as *asyncStep) string {
	if srv := as.src.asyncapi.ServersOf(as.channel); len(srv) > 0 {
		return strings.ToLower(srv[0].Protocol)
	}
	return ""
}

// wildcard is the single-level wildcard of a protocol, which a receive puts
// for an address parameter it is not given ("" for none).
func wildcard(protocol string) string {
	switch protocol {
	case "mqtt", "mqtts", "secure-mqtt", "mqtt5", "memory":
		return "+"
	case "nats", "tls":
		return "*"
	}
	return ""
}

// bindingTemplate turns the bindings of the operation, channel and messages
// into the protocol settings of the step's requests.
func bindingTemplate(as *asyncStep) MessageOp {
	var t MessageOp
	t.ContentType = contentTypeOf(as.messages)
	var ob asyncapi.OperationBindings
	if as.op != nil && !as.reply {
		ob = as.op.Bindings
	}
	if b := ob.MQTT; b != nil {
		if b.QoS != nil {
			t.QoS = byte(*b.QoS)
		}
		t.Retain = b.Retain
		t.ExpirySeconds = uint32(b.MessageExpiryInterval)
	} else {
		t.QoS = 1 // acknowledged: a send completes on the broker's PUBACK
	}
	if b := ob.NATS; b != nil {
		t.Group = b.Queue
	}
	for _, m := range as.messages {
		if m.Bindings.Kafka != nil {
			if v, ok := asyncapi.SchemaValue(m.Bindings.Kafka.Key); ok {
				t.Key = []byte(fmt.Sprint(v))
			}
			break
		}
	}
	if cb := as.channel.Bindings.AMQP; cb != nil {
		r := &AMQPRoute{Exchange: cb.Exchange.Name, ExchangeType: cb.Exchange.Type, BindingKey: cb.Name}
		if cb.Is == "queue" {
			r = &AMQPRoute{Queue: cb.Queue.Name}
			if r.Queue == "" {
				r.Queue = as.channel.Address
			}
			r.Durable, r.AutoDelete = isTrue(cb.Queue.Durable), isTrue(cb.Queue.AutoDelete)
		} else {
			r.Durable, r.AutoDelete = isTrue(cb.Exchange.Durable), isTrue(cb.Exchange.AutoDelete)
		}
		if b := ob.AMQP; b != nil {
			r.DeliveryMode, r.ExpirationMS, r.UserID, r.CC, r.BCC = uint8(b.DeliveryMode), int64(b.Expiration), b.UserID, b.CC, b.BCC
			r.Mandatory, r.Timestamp = b.Mandatory, b.Timestamp
			if b.Priority != nil {
				r.Priority = uint8(*b.Priority)
			}
		}
		for _, m := range as.messages {
			if mb := m.Bindings.AMQP; mb != nil {
				r.MessageType, r.ContentEncoding = mb.MessageType, mb.ContentEncoding
				break
			}
		}
		t.AMQP = r
	}
	return t
}

func isTrue(b *bool) bool { return b != nil && *b }

// asyncDiagnostics reports the problems and warnings of a loaded AsyncAPI
// description in its own file.
func (c *compiler) asyncDiagnostics(doc *arazzo.Document, sd *arazzo.SourceDescription, path string, ad *asyncapi.Document, err error) {
	if le, ok := err.(*asyncapi.LoadError); ok {
		for _, p := range le.Problems {
			c.diags = append(c.diags, arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: RuleSourceInvalid, File: p.Pos.File,
				Pos: arazzo.Pos{Line: p.Pos.Line, Col: p.Pos.Col}, Path: p.Path, Message: fmt.Sprintf("source %q: %s", sd.Name, p.Msg)})
		}
		return
	}
	if err != nil {
		c.errorf(doc, sd.ValuePos("url"), path+".url", RuleSourceInvalid, "source %q is not a valid AsyncAPI description: %v", sd.Name, err)
		return
	}
	for _, w := range ad.Warnings {
		c.diags = append(c.diags, arazzo.Diagnostic{Severity: arazzo.SeverityWarning, Rule: RuleAsyncSource, File: w.Pos.File,
			Pos: arazzo.Pos{Line: w.Pos.Line, Col: w.Pos.Col}, Path: w.Path, Message: fmt.Sprintf("source %q: %s", sd.Name, w.Msg)})
	}
}

// asyncSchemes lists the security scheme names of an AsyncAPI source: those
// of components.securitySchemes and those its servers declare in place.
func (s *source) asyncSchemes() []string {
	if s == nil || s.asyncapi == nil {
		return nil
	}
	var out []string
	for n := range s.asyncapi.SecuritySchemes {
		out = append(out, n)
	}
	for _, srv := range s.asyncapi.Servers {
		for _, sc := range srv.Security {
			if sc.Name != "" && !contains(out, sc.Name) {
				out = append(out, sc.Name)
			}
		}
	}
	return out
}

// asyncServerVariables lists the server variable names of an AsyncAPI source.
func (s *source) asyncServerVariables() []string {
	if s == nil || s.asyncapi == nil {
		return nil
	}
	var out []string
	for _, srv := range s.asyncapi.Servers {
		for n := range srv.Variables {
			if !contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// correlationValue is a receive step's correlationId as the loader parsed it:
// a runtime expression, or literal text.
func (c *compiler) correlationValue(doc *arazzo.Document, s *arazzo.Step) *valueExpr {
	if p := s.Expr("correlationId"); p != nil {
		if p.Expr == nil {
			return nil // the checker reports it
		}
		e := c.checked[doc].Reading(p.Expr)
		return &valueExpr{Value: expr.ExpressionValue(e)}
	}
	v, err := expr.CompileValue(s.CorrelationID) // literal text: nothing to parse
	if err != nil {
		return nil
	}
	return &valueExpr{Value: v}
}
