package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testbroker"
	"github.com/arazzo-run/arazzo/transport"
)

// petstore answers the two operations of the pet example's OpenAPI source.
func petstore(t *testing.T) *api {
	return newAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/user/login":
			w.Header().Set("X-Expires-After", "2026-12-31T00:00:00Z")
			w.Header().Set("X-Rate-Limit", "100")
			fmt.Fprint(w, `"session-`+r.URL.Query().Get("username")+`"`)
		case "/pet/findByStatus":
			if r.Header.Get("Authorization") != "session-alice" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `[{"id":7,"name":"Rex"},{"id":8,"name":"Tom"}]`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
}

// responder is the order service of the pet example, on a real broker: it
// takes each order from place-order and answers on confirm-order, first
// with a confirmation of another order (which the workflow must pass over),
// then with the order's own, carrying its orderRequestId header.
func responder(t *testing.T, cfg transport.Config) (stop func() []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := transport.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := conn.Subscribe(ctx, &transport.Subscribe{Channel: "place-order"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []string)
	go func() {
		var seen []string
		defer func() { done <- seen }()
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			var order struct{ PetID int }
			json.Unmarshal(m.Payload, &order)
			id := m.Headers["orderRequestId"]
			seen = append(seen, fmt.Sprintf("%s %s", id, m.Payload))
			for _, reply := range []struct {
				id    string
				order int
			}{{"someone-else", 1}, {id, 1000 + order.PetID}} {
				p := &transport.Publish{Message: transport.Message{Channel: "confirm-order", Headers: map[string]string{"orderRequestId": reply.id},
					Payload: fmt.Appendf(nil, `{"orderId":%d}`, reply.order), ContentType: "application/json"}, QoS: 1}
				if err := conn.Publish(ctx, p); err != nil {
					return
				}
			}
		}
	}()
	return func() []string {
		cancel()
		seen := <-done
		conn.Close()
		return seen
	}
}

// TestPetExampleOnKafka: the Arazzo 1.1 specification's pet purchase example
// end to end — two HTTP steps, a send on Kafka, and a receive of the reply
// that passes over a confirmation of another order and takes the one whose
// orderRequestId header is the workflow's, its orderId an output.
func TestPetExampleOnKafka(t *testing.T) {
	kafka := "kafka://" + testbroker.Kafka(t, false)
	store := petstore(t)
	stop := responder(t, transport.Config{URL: mustParse(t, kafka)})
	plan, _, err := Load(context.Background(), "testdata/async/pet/pet-purchase.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	obs := ObserverFunc(func(e *Event) {
		if e.Kind == EventRequest {
			events = append(events, e.StepID+" "+e.Request.Method+" "+e.Request.URL)
		}
	})
	res, err := plan.Run(context.Background(), "", map[string]any{"username": "alice", "password": "pw", "orderCorrelationId": "order-42"},
		WithServer("petStoreDescription", store.URL), WithServer("asyncOrderApiDescription", kafka), WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	seen := stop()
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	if got := res.Outputs["orderId"]; fmt.Sprint(got) != "1007" {
		t.Errorf("orderId %v, want 1007 (the reply correlated by orderRequestId)", got)
	}
	if len(seen) != 1 || seen[0] != `order-42 {"petId":7}` {
		t.Errorf("the service received %q", seen)
	}
	want := []string{
		"loginStep GET " + store.URL + "/user/login?username=alice&password=pw",
		"getPetStep GET " + store.URL + "/pet/findByStatus?status=available",
		"purchasePetStep SUBSCRIBE " + kafka + "/confirm-order",
		"purchasePetStep PUBLISH " + kafka + "/place-order",
		"confirmPetPurchaseStep RECEIVE " + kafka + "/confirm-order",
	}
	if strings.Join(events, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	last := res.Steps[len(res.Steps)-1]
	if last.StepID != "confirmPetPurchaseStep" || last.Status != StatusPassed {
		t.Errorf("last step %+v", last)
	}
}

// TestReceiveTimesOutAndRetries: no message correlates within the timeout:
// the step fails, its retry action listens again, and a message that comes
// meanwhile is received.
func TestReceiveTimesOutAndRetries(t *testing.T) {
	mem := transport.NewMemory()
	// The reply comes only after the first receive has timed out.
	mem.OnPublish(func(m *transport.Message) {
		if m.Channel != "place-order" {
			return
		}
		go func() {
			time.Sleep(400 * time.Millisecond)
			mem.Deliver(&transport.Message{Channel: "confirm-order", Headers: map[string]string{"orderRequestId": m.Headers["orderRequestId"]},
				Payload: []byte(`{"orderId":5}`), ContentType: "application/json"})
		}()
	})
	doc := strings.NewReplacer("timeout: 6000", "timeout: 150\n    onFailure:\n    - {name: again, type: retry, retryLimit: 5, retryAfter: 0}").Replace(readFile(t, "testdata/async/pet/pet-purchase.arazzo.yaml"))
	plan := loadAsync(t, doc)
	store := petstore(t)
	res, err := plan.Run(context.Background(), "", map[string]any{"username": "alice", "password": "pw", "orderCorrelationId": "o-1"},
		WithServer("petStoreDescription", store.URL), WithServer("asyncOrderApiDescription", "memory://broker"), WithMessageBroker(mem))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	last := res.Steps[len(res.Steps)-1]
	if last.Attempts < 2 || fmt.Sprint(res.Outputs["orderId"]) != "5" {
		t.Errorf("attempts %d, outputs %v", last.Attempts, res.Outputs)
	}
}

// loadAsync compiles an Arazzo document written next to the pet example.
func loadAsync(t *testing.T, doc string) *Plan {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"pet-asyncapi.yaml", "petstore-openapi.yaml"} {
		writeFile(t, dir+"/"+f, readFile(t, "testdata/async/pet/"+f))
	}
	writeFile(t, dir+"/w.arazzo.yaml", doc)
	plan, diags, err := Load(context.Background(), dir+"/w.arazzo.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, diags)
	}
	return plan
}

func mustParse(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMessageMock: with WithMessageMock nothing is dialed; each receive step
// is answered from its message's schema, its correlation id set where the
// message's correlationId location says, so the correlated receive passes.
func TestMessageMock(t *testing.T) {
	plan, _, err := Load(context.Background(), "testdata/async/pet/pet-purchase.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	store := petstore(t)
	var got *Response
	obs := ObserverFunc(func(e *Event) {
		if e.Kind == EventResponse && e.Request.Method == MethodReceive {
			got = e.Response
		}
	})
	res, err := plan.Run(context.Background(), "", map[string]any{"username": "alice", "password": "pw", "orderCorrelationId": "o-7"},
		WithServer("petStoreDescription", store.URL), WithServer("asyncOrderApiDescription", "kafka://nowhere.invalid:9092"), WithMessageMock(), WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusPassed {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	//lint:ignore SA1008 message headers keep the case they were sent with
	if got == nil || got.Header["orderRequestId"][0] != "o-7" || string(got.Body) != `{"orderId":1}` {
		t.Errorf("mock reply %+v", got)
	}
}

// TestAsyncCompileDiagnostics: what compiling AsyncAPI steps reports, each
// problem with its rule, in the file it is in.
func TestAsyncCompileDiagnostics(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/events.yaml", `asyncapi: 3.0.0
channels:
  users:
    address: users/{id}
    parameters:
      id: {}
    messages:
      created: {payload: {type: object}}
operations:
  userCreated:
    action: send
    channel: {$ref: '#/channels/users'}
`)
	writeFile(t, dir+"/w.arazzo.yaml", `arazzo: 1.1.0
info: {title: t, version: "1"}
sourceDescriptions:
  - {name: events, url: ./events.yaml, type: asyncapi}
workflows:
  - workflowId: w
    steps:
      - stepId: send
        operationId: userCreated
        action: send
        parameters:
          - {name: id, in: path, value: "7"}
          - {name: page, in: query, value: 1}
      - stepId: wait
        operationId: $sourceDescriptions.events.userCreated
        action: receive
        correlationId: $inputs.id
      - stepId: nope
        operationId: $sourceDescriptions.events.userCreatd
        action: receive
`)
	_, diags, err := Load(context.Background(), dir+"/w.arazzo.yaml")
	if err == nil {
		t.Fatal("no error")
	}
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s:%s: %s: %s [%s]", filepath.Base(d.File), d.Pos, d.Severity, d.Message, d.Rule))
	}
	want := []string{
		`events.yaml:1:1: warning: source "events": the description has no info (REQUIRED: title and version) [asyncapi-source]`,
		`w.arazzo.yaml:12:13: warning: parameter "id": in: path on an AsyncAPI step is read as in: channel, which fills the {id} of the channel address [async-parameter]`,
		`w.arazzo.yaml:13:13: error: parameter "page": in: query does not apply to a message; an AsyncAPI step takes in: header (a message header) and in: channel (a {parameter} of the channel address) [async-parameter]`,
		`w.arazzo.yaml:14:9: error: step "wait": the address "users/{id}" of channel "users" needs {id}: add a parameter {name: id, in: channel, value: ...} [async-parameter]`,
		`w.arazzo.yaml:17:24: error: step "wait" has a correlationId, but no message it may receive (created) defines a correlationId location to compare it with [correlation-id-location]`,
		`w.arazzo.yaml:19:22: error: operation "userCreatd" not found in AsyncAPI source "events"; did you mean "userCreated"? (operations: userCreated) [unknown-operation]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestAsyncDryRun: a dry run of the pet example lists the message the send
// would publish, its payload's unknown value shown as the expression, and
// the subscription the receive would open with the correlation id it waits
// for; nothing is dialed (the broker's host does not resolve).
func TestAsyncDryRun(t *testing.T) {
	plan, _, err := Load(context.Background(), "testdata/async/pet/pet-purchase.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dr, err := plan.DryRun(context.Background(), "", map[string]any{"username": "alice", "password": "pw", "orderCorrelationId": "o-9"},
		WithServer("asyncOrderApiDescription", "kafka://nowhere.invalid:9092"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dr.Steps) != 4 {
		t.Fatalf("%d steps", len(dr.Steps))
	}
	send, recv := dr.Steps[2], dr.Steps[3]
	if send.Err != nil || send.Request == nil || recv.Err != nil || recv.Request == nil {
		t.Fatalf("send %+v, receive %+v", send, recv)
	}
	if got := send.Request.Method + " " + send.Request.URL; got != "PUBLISH kafka://nowhere.invalid:9092/place-order" {
		t.Errorf("send: %s", got)
	}
	//lint:ignore SA1008 message headers keep the case they were sent with
	if got := send.Request.Header["orderRequestId"]; len(got) != 1 || got[0] != "o-9" {
		t.Errorf("send headers %v", send.Request.Header)
	}
	if got := string(send.Request.Body); got != `{"petId":"{$steps.getPetStep.outputs.petId}"}` {
		t.Errorf("send payload %s", got)
	}
	if strings.Join(send.Unresolved, ",") != "$steps.getPetStep.outputs.petId" {
		t.Errorf("send unresolved %q", send.Unresolved)
	}
	if got := recv.Request.Method + " " + recv.Request.URL; got != "SUBSCRIBE kafka://nowhere.invalid:9092/confirm-order" {
		t.Errorf("receive: %s", got)
	}
	if len(recv.Notes) != 1 || !strings.Contains(recv.Notes[0], "waits up to 6s for a message whose $message.header#/orderRequestId is o-9") {
		t.Errorf("receive notes %q", recv.Notes)
	}
}

// TestReceiveCriteriaFail: the first message that correlates fails the
// step's successCriteria. It is taken (not left for a later receive): the
// step fails with the criteria's failure, and its onFailure actions decide;
// a retry listens again on the same subscription and takes the next
// correlated message. Without a retry the workflow fails.
func TestReceiveCriteriaFail(t *testing.T) {
	for _, retry := range []bool{true, false} {
		t.Run(fmt.Sprintf("retry=%v", retry), func(t *testing.T) {
			mem := transport.NewMemory()
			mem.OnPublish(func(m *transport.Message) {
				if m.Channel != "place-order" {
					return
				}
				h := map[string]string{"orderRequestId": m.Headers["orderRequestId"]}
				go func() {
					for _, p := range []string{`{"orderId":0}`, `{"orderId":9}`} {
						mem.Deliver(&transport.Message{Channel: "confirm-order", Headers: h, Payload: []byte(p), ContentType: "application/json"})
					}
				}()
			})
			step := "timeout: 6000\n    successCriteria:\n    - condition: $message.payload#/orderId > 0"
			if retry {
				step += "\n    onFailure:\n    - {name: again, type: retry, retryLimit: 1, retryAfter: 0}"
			}
			plan := loadAsync(t, strings.Replace(readFile(t, "testdata/async/pet/pet-purchase.arazzo.yaml"), "timeout: 6000", step, 1))
			res, err := plan.Run(context.Background(), "", map[string]any{"username": "alice", "password": "pw", "orderCorrelationId": "o-2"},
				WithServer("petStoreDescription", petstore(t).URL), WithServer("asyncOrderApiDescription", "memory://broker"), WithMessageBroker(mem))
			if err != nil {
				t.Fatal(err)
			}
			last := res.Steps[len(res.Steps)-1]
			if last.StepID != "confirmPetPurchaseStep" {
				t.Fatalf("last step %s", last.StepID)
			}
			if retry {
				if res.Status != StatusPassed || last.Attempts != 2 || fmt.Sprint(res.Outputs["orderId"]) != "9" {
					t.Errorf("status %s, attempts %d, outputs %v: want the second correlated message after a retry", res.Status, last.Attempts, res.Outputs)
				}
				return
			}
			if res.Status != StatusFailed || last.Status != StatusFailed || last.Attempts != 1 {
				t.Errorf("status %s, step %s after %d attempts: want the workflow failed by the criteria", res.Status, last.Status, last.Attempts)
			}
			if res.Err == nil || !strings.Contains(res.Err.Error(), "orderId") {
				t.Errorf("error %v: want the failed criterion", res.Err)
			}
		})
	}
}
