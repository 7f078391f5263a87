package asyncapi

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func load(t *testing.T, path string) *Document {
	t.Helper()
	doc, err := Load(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return doc
}

// TestPetExample: the Arazzo 1.1 specification's own AsyncAPI document.
func TestPetExample(t *testing.T) {
	doc := load(t, "testdata/pet-asyncapi.yaml")
	if doc.Version != "3.0.0" || doc.Title != "Simple Pet Purchase API" || len(doc.Warnings) != 0 {
		t.Fatalf("version %q title %q warnings %v", doc.Version, doc.Title, doc.Warnings)
	}
	op := doc.Operation("placeOrder")
	if op == nil || op.Action != ActionReceive {
		t.Fatalf("placeOrder: %+v", op)
	}
	if op.Channel != doc.Channel("place-order") {
		t.Fatal("the operation's channel is not the document's channel value")
	}
	if addr, err := op.Channel.Resolve(nil); err != nil || addr != "place-order" {
		t.Fatalf("address %q, %v", addr, err)
	}
	if len(op.Messages) != 1 || op.Messages[0] != op.Channel.Message("placeOrder.message") || op.Messages[0].ID != "OrderRequest" {
		t.Fatalf("messages %+v", op.Messages)
	}
	if op.Reply == nil || op.Reply.Channel != doc.Channel("confirm-order") || len(op.Reply.Messages) != 1 {
		t.Fatalf("reply %+v", op.Reply)
	}
	resp := op.Reply.Messages[0]
	if resp.ContentType != "application/json" || resp.CorrelationID == nil ||
		resp.CorrelationID.Source != "header" || resp.CorrelationID.Pointer != "/orderRequestId" {
		t.Fatalf("reply message %+v, correlation %+v", resp, resp.CorrelationID)
	}
	if got := resp.CorrelationID.Pos; got.Line != 66 || !strings.HasSuffix(got.File, "pet-asyncapi.yaml") {
		t.Errorf("correlationId position %v", got)
	}
	if err := resp.Payload.Validate(map[string]any{"orderId": int64(42)}); err != nil {
		t.Errorf("valid payload: %v", err)
	}
	if err := resp.Payload.Validate(map[string]any{"orderId": "x"}); err == nil || err.Error() != "/orderId: got string, want integer" {
		t.Errorf("invalid payload: %v", err)
	}
	if err := resp.Headers.Validate(map[string]string{}); err == nil || !strings.Contains(err.Error(), "missing property 'orderRequestId'") {
		t.Errorf("missing header: %v", err)
	}
	if got := resp.Payload.Sample(); !reflect.DeepEqual(got, map[string]any{"orderId": int64(1)}) {
		t.Errorf("sample %#v", got)
	}
	srv := doc.ServersOf(op.Channel)
	if len(srv) != 1 {
		t.Fatalf("servers %v", srv)
	}
	if u, err := srv[0].URL(nil); err != nil || u.String() != "kafka://localhost:9092" {
		t.Errorf("server URL %v, %v", u, err)
	}
	if c, err := doc.ChannelAt("/channels/confirm-order"); err != nil || c != op.Reply.Channel {
		t.Errorf("ChannelAt: %v %v", c, err)
	}
	if m, err := doc.MessageAt("/channels/place-order/messages/placeOrder.message"); err != nil || m != op.Messages[0] {
		t.Errorf("MessageAt through a $ref: %v %v", m, err)
	}
	if _, err := doc.ChannelAt("/channels/nope"); err == nil || err.Error() != "no channel at /channels/nope (channels: /channels/place-order, /channels/confirm-order)" {
		t.Errorf("ChannelAt missing: %v", err)
	}
}

// TestMultiFile: $refs into other files, traits, reusable replies and
// parameters, server variables, bindings and cross-file schemas.
func TestMultiFile(t *testing.T) {
	var reads []string
	read := func(ctx context.Context, u *url.URL) ([]byte, error) {
		reads = append(reads, filepath.Base(u.Path))
		return os.ReadFile(u.Path)
	}
	abs, _ := filepath.Abs("testdata/multi/asyncapi.yaml")
	doc, err := Load(context.Background(), abs, nil, WithReadFunc(read))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"asyncapi.yaml", "messages.yaml", "schemas.json"}; !reflect.DeepEqual(reads, want) {
		t.Errorf("reads %v, want each file once through the ReadFunc: %v", reads, want)
	}
	op := doc.Operation("createOrder")
	if op.Summary != "Accepts orders." {
		t.Errorf("a trait overrode the operation's own summary: %q", op.Summary)
	}
	if g, ok := SchemaValue(op.Bindings.Kafka.GroupID); !ok || g != "order-service" {
		t.Errorf("group id from the trait's binding: %v %v", g, ok)
	}
	if op.Reply == nil || op.Reply.Channel != doc.Channel("confirmations") || op.Reply.Messages[0] != doc.Channel("confirmations").Message("confirmed") {
		t.Fatalf("reply: %+v", op.Reply)
	}
	created := op.Messages[0]
	if created.ID != "OrderCreated" || created.ContentType != "application/cloudevents+json" {
		t.Errorf("message %q content type %q (from its trait)", created.ID, created.ContentType)
	}
	if created.CorrelationID == nil || created.CorrelationID.Expr != "$message.header#/requestId" || created.CorrelationID.Description != "Set by the client." {
		t.Errorf("correlation id from the trait: %+v", created.CorrelationID)
	}
	if !strings.HasSuffix(created.Pos.File, "messages.yaml") || created.Pos.Line != 2 {
		t.Errorf("message position %v", created.Pos)
	}
	if err := created.Payload.Validate(map[string]any{"id": int64(7), "items": []any{map[string]any{"sku": "pen", "quantity": int64(2)}}}); err != nil {
		t.Errorf("valid order: %v", err)
	}
	err = created.Payload.Validate(map[string]any{"id": int64(0), "items": []any{map[string]any{"sku": "pen"}}})
	var se *SchemaError
	if !errors.As(err, &se) || !reflect.DeepEqual(se.Problems, []string{"/id: minimum: got 0, want 1", "/items/0: missing property 'quantity'"}) {
		t.Errorf("invalid order: %#v", err)
	}
	sample := created.Payload.Sample()
	if err := created.Payload.Validate(sample); err != nil {
		t.Errorf("the sample %v is not valid: %v", sample, err)
	}
	if len(created.Examples) != 1 || created.Examples[0].Headers["requestId"] != "req-1" {
		t.Errorf("examples %+v", created.Examples)
	}
	if created.Bindings.Kafka == nil || created.Bindings.Kafka.Key == nil {
		t.Error("kafka key binding missing")
	}
	ch := op.Channel
	if ch.Bindings.Kafka == nil || ch.Bindings.Kafka.Topic != "orders-created" || ch.Bindings.Kafka.Partitions != 3 {
		t.Errorf("kafka channel binding %+v", ch.Bindings.Kafka)
	}
	if a, err := ch.Resolve(nil); err != nil || a != "orders.eu.created" {
		t.Errorf("address with the default %q %v", a, err)
	}
	if a, err := ch.Resolve(map[string]string{"region": "us"}); err != nil || a != "orders.us.created" {
		t.Errorf("address %q %v", a, err)
	}
	if _, err := ch.Resolve(map[string]string{"region": "ap"}); err == nil || err.Error() != `channel "orders": address parameter "region" is "ap", not one of eu, us` {
		t.Errorf("enum: %v", err)
	}
	if s := doc.ServersOf(ch); len(s) != 1 || s[0].Name != "local" {
		t.Errorf("channel servers %v", s)
	}
	prod := doc.Server("production")
	if u, err := prod.URL(map[string]string{"region": "us"}); err != nil || u.String() != "kafka-secure://us.broker.example.com:9093/v2" {
		t.Errorf("URL %v %v", u, err)
	}
	if _, err := prod.URL(map[string]string{"region": "ap"}); err == nil || err.Error() != `server "production": variable "region" is "ap", not one of eu, us` {
		t.Errorf("enum: %v", err)
	}
	if len(prod.Security) != 1 || prod.Security[0] != doc.SecuritySchemes["scram"] || prod.Security[0].Type != SchemeScramSHA512 {
		t.Errorf("security %+v", prod.Security)
	}
}

// TestVersion2: publish is the application's receive, subscribe its send.
func TestVersion2(t *testing.T) {
	doc := load(t, "testdata/v2.yaml")
	if doc.Major() != 2 || len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0].Msg, "publish operation as the application's receive") {
		t.Fatalf("warnings %v", doc.Warnings)
	}
	addr := "smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured"
	ch := doc.Channel(addr)
	if ch == nil || ch.Address != addr {
		t.Fatalf("channel %+v", ch)
	}
	if got, err := ch.Resolve(nil); err != nil || got != "smartylighting/streetlights/1/0/event/light-1/lighting/measured" {
		t.Errorf("default from the 2.x parameter schema: %q %v", got, err)
	}
	recv := doc.Operation("receiveLightMeasurement")
	turn := doc.Operation("turnOn")
	if recv.Action != ActionSend || turn.Action != ActionReceive {
		t.Errorf("subscribe → %s, publish → %s", recv.Action, turn.Action)
	}
	if recv.Bindings.MQTT == nil || *recv.Bindings.MQTT.QoS != 1 {
		t.Errorf("mqtt binding %+v", recv.Bindings.MQTT)
	}
	if len(turn.Messages) != 1 || turn.Messages[0].ID != "turnOnOff" || turn.Messages[0].CorrelationID.Pointer != "/id" {
		t.Errorf("oneOf messages %+v", turn.Messages)
	}
	if len(ch.Messages) != 2 {
		t.Errorf("channel messages %v", ch.Messages)
	}
	if op, err := doc.OperationAt("/channels/" + escapeToken(addr) + "/publish"); err != nil || op != turn {
		t.Errorf("OperationAt: %v %v", op, err)
	}
	s := doc.Server("test")
	if u, err := s.URL(nil); err != nil || u.String() != "mqtt://test.example.com:1883" {
		t.Errorf("server %v %v", u, err)
	}
	if len(s.Security) != 1 || s.Security[0].Type != SchemeUserPassword {
		t.Errorf("security %+v", s.Security)
	}
}

// TestJSON: the same description in JSON.
func TestJSON(t *testing.T) {
	src := `{"asyncapi":"3.0.0","info":{"title":"t","version":"1"},
"channels":{"c":{"address":"a/{id}","parameters":{"id":{}},"messages":{"m":{"payload":{"type":"string"}}}}},
"operations":{"o":{"action":"send","channel":{"$ref":"#/channels/c"},"bindings":{"amqp":{"deliveryMode":2,"cc":["x"]},"nats":{"queue":"q"}}}}}`
	doc, err := Load(context.Background(), "/api/a.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Operation("o")
	if op.Bindings.AMQP.DeliveryMode != 2 || op.Bindings.AMQP.CC[0] != "x" || op.Bindings.NATS.Queue != "q" {
		t.Errorf("bindings %+v %+v", op.Bindings.AMQP, op.Bindings.NATS)
	}
	if _, err := op.Channel.Resolve(nil); err == nil || err.Error() != `channel "c": address parameter "id" has no value (address a/{id} has parameters id)` {
		t.Errorf("missing parameter: %v", err)
	}
	if op.Messages[0].Pos.Line != 2 {
		t.Errorf("position %v", op.Messages[0].Pos)
	}
}

// TestProblems: every problem of a broken description, each with its place.
func TestProblems(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"not yaml", "asyncapi: [3.0.0", []string{"/d/a.yaml:2:1: invalid YAML: while parsing a flow sequence: did not find expected ',' or ']'"}},
		{"openapi", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n", []string{"/d/a.yaml:1:1: no asyncapi field: this is an OpenAPI document, not an AsyncAPI description"}},
		{"version", "asyncapi: 1.2.0\ninfo: {title: t, version: '1'}\n", []string{"/d/a.yaml:1:11: AsyncAPI 1.2.0 is not supported (3.0, 3.1, and 2.x read as 3)"}},
		{"not an object", "- asyncapi\n", []string{"/d/a.yaml:1:1: an AsyncAPI description must be an object, not an array"}},
		{"operation", `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c: {address: c}
operations:
  a: {action: publish, channel: {$ref: '#/channels/c'}}
  b: {action: send}
  c: {action: send, channel: {$ref: '#/channels/d'}}
  d: {action: receive, channel: {$ref: '#/components/messages/m'}}
components:
  messages:
    m:
      correlationId: {location: $message.headers#/id}
      payload: {$ref: '#/components/schemas/loop'}
  schemas:
    loop: {$ref: '#/components/schemas/loop2'}
    loop2: {$ref: '#/components/schemas/loop'}
`, []string{
			`/d/a.yaml:6:6: operation "a": action "publish" is AsyncAPI 2 wording; AsyncAPI 3 says send or receive, from the application's side`,
			`/d/a.yaml:7:6: operation "b" has no channel`,
			`/d/a.yaml:8:37: $ref "#/channels/d": /channels has no d`,
			`/d/a.yaml:9:33: this refers to /components/messages/m, which is a message, not a channel`,
			`/d/a.yaml:13:33: correlationId location "$message.headers#/id": the source is "headers"; it must be header or payload (header, not headers)`,
			`/d/a.yaml:14:16: $ref "#/components/schemas/loop" leads to a cycle of references`,
		}},
		{"missing file", `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    messages:
      m: {$ref: 'nope.yaml#/M'}
`, []string{"/d/a.yaml:6:17: cannot read /d/nope.yaml: open /d/nope.yaml: no such file or directory"}},
		{"server", `asyncapi: 3.0.0
info: {title: t, version: '1'}
servers:
  s: {url: 'kafka://x:9092', protocol: kafka}
`, []string{`/d/a.yaml:4:6: server "s" has url, an AsyncAPI 2 field; AsyncAPI 3 splits it into host and pathname`}},
		{"aliases", "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\nx: &a [1,2,3,4,5,6,7,8,9,0]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: {type: array, examples: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]}\n" +
			"channels:\n  c:\n    messages:\n      m: {payload: {$ref: '#/w'}}\n",
			[]string{"/d/a.yaml:1:1: the description has more than 5000 nodes, aliases expanded"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lim := DefaultLimits()
			lim.MaxNodes = 5000
			_, err := Load(context.Background(), "/d/a.yaml", []byte(c.src), WithLimits(lim))
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err %v, want a *LoadError", err)
			}
			var got []string
			for _, p := range le.Problems {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestWarnings: what breaks a SHOULD still loads, with a warning that says
// the standard form.
func TestWarnings(t *testing.T) {
	src := `asyncapi: 3.0.0
channels:
  c:
    address: 'users/{id}/{kind}'
    parameters:
      id: {}
      extra: {}
    messages:
      m: {$ref: '/components/messages/m'}
operations:
  o:
    action: send
    channel: {$ref: '#/channels/c'}
    messages:
      - $ref: '#/components/messages/other'
components:
  messages:
    m: {payload: {type: string}}
    other: {payload: {type: integer}}
`
	doc, err := Load(context.Background(), "/d/a.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range doc.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		"/d/a.yaml:1:1: the description has no info (REQUIRED: title and version)",
		`/d/a.yaml:4:5: channel "c": address "users/{id}/{kind}" uses {kind}, which is not declared under parameters`,
		`/d/a.yaml:4:5: channel "c": parameter "extra" does not appear in the address "users/{id}/{kind}"`,
		`/d/a.yaml:9:17: $ref "/components/messages/m" is read as "#/components/messages/m": a reference inside the document is a fragment, starting with #`,
		`/d/a.yaml:15:9: operation "o": message "other" is not one of the messages of channel "c"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if doc.Channel("c").Message("m") == nil {
		t.Error("the bare-pointer $ref was not followed")
	}
}

func TestParseLocation(t *testing.T) {
	for _, c := range []struct{ in, src, ptr, err string }{
		{"$message.header#/orderRequestId", "header", "/orderRequestId", ""},
		{"$message.payload", "payload", "", ""},
		{"$message.payload#/a~1b/0", "payload", "/a~1b/0", ""},
		{"$message.body#/x", "", "", `"$message.body#/x": the source is "body"; it must be header or payload`},
		{"$response.header#/x", "", "", `"$response.header#/x" is not a runtime expression $message.header#/<pointer> or $message.payload#/<pointer>`},
		{"$message.header#x", "", "", `"$message.header#x": the fragment "x" is not a JSON pointer (it starts with /)`},
	} {
		l, err := ParseLocation(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: error %v, want %s", c.in, err, c.err)
			}
			continue
		}
		if err != nil || l.Source != c.src || l.Pointer != c.ptr {
			t.Errorf("%s: %+v %v", c.in, l, err)
		}
	}
	l, _ := ParseLocation("$message.payload#/a~1b/0")
	if v, ok := l.Find(nil, map[string]any{"a/b": []any{"x"}}); !ok || v != "x" {
		t.Errorf("Find: %v %v", v, ok)
	}
	h, _ := ParseLocation("$message.header#/id")
	if _, ok := h.Find(nil, map[string]any{"id": 1}); ok {
		t.Error("a header location found a value in the payload")
	}
}

// TestReadFuncBoundary: a reader that refuses a file stops the load with an
// error that wraps the reader's own, and nothing else reads the file.
func TestReadFuncBoundary(t *testing.T) {
	refused := errors.New("outside the sandbox")
	read := func(ctx context.Context, u *url.URL) ([]byte, error) {
		if filepath.Base(u.Path) == "schemas.json" {
			return nil, refused
		}
		return os.ReadFile(u.Path)
	}
	abs, _ := filepath.Abs("testdata/multi/asyncapi.yaml")
	_, err := Load(context.Background(), abs, nil, WithReadFunc(read))
	if !errors.Is(err, refused) {
		t.Fatalf("err %v, want it to wrap the reader's error", err)
	}
	var le *LoadError
	if !errors.As(err, &le) || len(le.Problems) != 1 || !strings.Contains(le.Problems[0].String(), "messages.yaml:12:11: cannot read ") {
		t.Errorf("problems %v", le.Problems)
	}
	// The default reader reads local files only.
	_, err = Load(context.Background(), "https://example.com/asyncapi.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), "only local files are read") {
		t.Errorf("default reader: %v", err)
	}
}
