package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testbroker"
	"github.com/arazzo-run/arazzo/journal"
	"github.com/arazzo-run/arazzo/transport"
)

// asyncBroker is a real broker on 127.0.0.1 with credentials, and how an
// AsyncAPI document describes it.
type asyncBroker struct {
	name     string
	protocol string
	scheme   string // the security scheme's YAML
	start    func(t *testing.T) (host string, cfg transport.Config)
	headers  bool // messages carry headers (else the correlation id is in the payload)
}

func asyncBrokers() []asyncBroker {
	userPass := func(u string) transport.Config {
		return transport.Config{URL: mustURL(u), User: testbroker.User, Password: testbroker.Password}
	}
	return []asyncBroker{
		{"kafka", "kafka", "{type: scramSha512}", func(t *testing.T) (string, transport.Config) {
			h := testbroker.Kafka(t, true)
			c := userPass("kafka://" + h)
			c.Mechanism = "SCRAM-SHA-512"
			return h, c
		}, true},
		{"nats", "nats", "{type: userPassword}", func(t *testing.T) (string, transport.Config) {
			h := testbroker.NATS(t, true)
			return h, userPass("nats://" + h)
		}, true},
		{"mqtt", "mqtt", "{type: userPassword}", func(t *testing.T) (string, transport.Config) {
			h := testbroker.MQTT(t, true)
			return h, userPass("mqtt://" + h)
		}, true},
		{"amqp", "amqp", "{type: userPassword}", func(t *testing.T) (string, transport.Config) {
			h := testbroker.AMQP(t)
			return h, userPass("amqp://" + h)
		}, true},
		{"ws", "ws", "{type: http, scheme: bearer}", func(t *testing.T) (string, transport.Config) {
			hub := testbroker.WebSocket(t, testbroker.Password)
			u := mustURL(hub.URL())
			return u.Host, transport.Config{URL: u, Token: testbroker.Password}
		}, false},
	}
}

// signalWriter is a command's output; it closes seen once the output shows
// want.
type signalWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	want  string
	seen  chan struct{}
	shown bool
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.want != "" && !w.shown && strings.Contains(w.buf.String(), w.want) {
		w.shown = true
		close(w.seen)
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// asyncDocs writes an AsyncAPI description of an order service on the
// broker, and a workflow that places an order and waits for its
// confirmation, correlated by requestId (a header, or a payload member where
// the protocol has no headers). The receive times out after 400 ms and is
// retried.
func asyncDocs(t *testing.T, dir string, b asyncBroker, host, suffix string) string {
	loc := "$message.header#/requestId"
	header := "      headers:\n        type: object\n        required: [requestId]\n        properties:\n          requestId: {type: string}\n"
	param := "        parameters:\n          - {name: requestId, in: header, value: $inputs.requestId}\n"
	if !b.headers {
		loc, header, param = "$message.payload#/requestId", "", ""
	}
	api := fmt.Sprintf(`asyncapi: 3.0.0
info: {title: Orders, version: 1.0.0}
servers:
  broker:
    host: %s
    protocol: %s
    security:
      - $ref: '#/components/securitySchemes/brokerAuth'
channels:
  orders:
    address: orders-%s
    messages:
      order: {$ref: '#/components/messages/Order'}
  confirmations:
    address: confirmations-%s
    messages:
      confirmation: {$ref: '#/components/messages/Confirmation'}
operations:
  placeOrder:
    action: receive
    channel: {$ref: '#/channels/orders'}
    reply:
      channel: {$ref: '#/channels/confirmations'}
components:
  securitySchemes:
    brokerAuth: %s
  messages:
    Order:
      contentType: application/json
      correlationId: {location: '%s'}
%s      payload:
        type: object
        required: [requestId, item]
        properties:
          requestId: {type: string}
          item: {type: string}
    Confirmation:
      contentType: application/json
      correlationId: {location: '%s'}
%s      payload:
        type: object
        required: [requestId, orderId]
        properties:
          requestId: {type: string}
          orderId: {type: integer}
`, host, b.protocol, suffix, suffix, b.scheme, loc, header, loc, header)
	wf := fmt.Sprintf(`arazzo: 1.1.0
info: {title: Order over %s, version: 1.0.0}
sourceDescriptions:
  - {name: orders, url: ./orders.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: placeOrder
    inputs:
      type: object
      required: [requestId]
      properties:
        requestId: {type: string}
    steps:
      - stepId: place
        operationId: placeOrder
        action: send
%s        requestBody:
          payload:
            requestId: $inputs.requestId
            item: pen
      - stepId: confirm
        operationId: placeOrder
        action: receive
        correlationId: $inputs.requestId
        timeout: 400
        onFailure:
          - {name: listenAgain, type: retry, retryAfter: 0, retryLimit: 10}
        successCriteria:
          - condition: $message.payload#/orderId > 0
        outputs:
          orderId: $message.payload#/orderId
    outputs:
      orderId: $steps.confirm.outputs.orderId
`, b.name, param)
	writeTestFile(t, filepath.Join(dir, "orders.asyncapi.yaml"), api)
	writeTestFile(t, filepath.Join(dir, "order.arazzo.yaml"), wf)
	return filepath.Join(dir, "order.arazzo.yaml")
}

func writeTestFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// orderService answers each order on the broker: at once with the
// confirmation of another order (to be passed over), then, once retried is
// closed (the first receive has timed out), with the order's own. Both
// replies carry one key: Kafka keeps them in order.
func orderService(t *testing.T, cfg transport.Config, b asyncBroker, suffix string, retried <-chan struct{}) (orders func() []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := transport.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := conn.Subscribe(ctx, &transport.Subscribe{Channel: "orders-" + suffix, QoS: 1})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					t.Errorf("order service: receiving an order: %v", err)
				}
				return
			}
			var order struct{ RequestID, Item string }
			json.Unmarshal(m.Payload, &order)
			mu.Lock()
			seen = append(seen, string(m.Payload))
			mu.Unlock()
			reply := func(id string, orderID int) {
				p := &transport.Publish{Message: transport.Message{Channel: "confirmations-" + suffix, ContentType: "application/json",
					Key: []byte(suffix), Payload: fmt.Appendf(nil, `{"requestId":%q,"orderId":%d}`, id, orderID)}, QoS: 1}
				if b.headers {
					p.Headers = map[string]string{"requestId": id}
				}
				if err := conn.Publish(ctx, p); err != nil && ctx.Err() == nil {
					t.Errorf("order service: publishing the confirmation of %s: %v", id, err)
				}
			}
			reply("another-request", 1)
			select {
			case <-retried:
			case <-ctx.Done():
				return
			}
			reply(order.RequestID, 4242)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait(); conn.Close() })
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// TestAsyncBrokersCLI: for each broker, the real CLI sends an order, passes
// over a confirmation of another order, times out and listens again (the
// retry action; the service confirms the order only once the CLI has said
// it retries), and takes its own confirmation; the broker's password
// shows in none of the outputs: text and verbose output, the trace, the HAR
// file, the JUnit, JSON and HTML reports, the journal's view of the run and
// the journal's files byte for byte; nor does its base64 form.
func TestAsyncBrokersCLI(t *testing.T) {
	for _, b := range asyncBrokers() {
		t.Run(b.name, func(t *testing.T) {
			host, cfg := b.start(t)
			dir := t.TempDir()
			suffix := fmt.Sprintf("%d", time.Now().UnixNano())
			doc := asyncDocs(t, dir, b, host, suffix)
			retried := &signalWriter{want: "retry listenAgain", seen: make(chan struct{})}
			orders := orderService(t, cfg, b, suffix, retried.seen)
			t.Setenv("BROKER_CREDENTIAL", testbroker.User+":"+testbroker.Password)
			if b.name == "ws" {
				t.Setenv("BROKER_CREDENTIAL", testbroker.Password)
			}
			state := filepath.Join(dir, "state")
			files := map[string]string{}
			for _, f := range []string{"trace", "har", "junit", "json", "html"} {
				files[f] = filepath.Join(dir, "out."+f)
			}
			args := []string{"run", doc, "--input", "requestId=req-" + suffix, "--auth", "brokerAuth=env:BROKER_CREDENTIAL",
				"--state", state, "--verbose", "--trace", files["trace"], "--har", files["har"],
				"--report", "junit=" + files["junit"], "--report", "json=" + files["json"], "--report", "html=" + files["html"]}
			channels := map[string]string{}
			exec := func(name string, args ...string) int {
				out := &signalWriter{}
				if name == "run" {
					out = retried
				}
				var errb bytes.Buffer
				code := run(context.Background(), args, strings.NewReader(""), out, &errb)
				channels[name+" stdout"], channels[name+" stderr"] = out.String(), errb.String()
				return code
			}
			if code := exec("run", args...); code != ExitOK {
				t.Fatalf("exit %d\n%s\n%s", code, channels["run stdout"], channels["run stderr"])
			}
			out := channels["run stdout"]
			if os.Getenv("ASYNC_SHOW") != "" {
				t.Log(out)
			}
			for _, want := range []string{"orderId: 4242", "PUBLISH " + b.protocol + "://", "RECEIVE " + b.protocol + "://", "retry listenAgain"} {
				if !strings.Contains(out, want) {
					t.Errorf("the output lacks %q:\n%s", want, out)
				}
			}
			if got := orders(); len(got) != 1 || !strings.Contains(got[0], `"item":"pen"`) {
				t.Errorf("the service received %q, want one order", got)
			}
			var trace struct {
				Steps []struct {
					StepID    string `json:"stepId"`
					Attempts  int    `json:"attempts"`
					Exchanges []struct {
						Kind      string `json:"kind"`
						ErrorKind string `json:"errorKind"`
						Request   struct{ Method string }
						Message   struct {
							Operation, Server, Channel, CorrelationID string
							Skipped                                   int
						}
					} `json:"exchanges"`
				} `json:"steps"`
			}
			data, err := os.ReadFile(files["trace"])
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &trace); err != nil {
				t.Fatal(err)
			}
			var tv any
			json.Unmarshal(data, &tv)
			if err := traceSchema(t.Fatalf, "../..").Validate(tv); err != nil {
				t.Errorf("the trace does not follow docs/trace-schema.json: %v", err)
			}
			var ops []string
			skipped := 0
			for _, s := range trace.Steps {
				if s.StepID == "confirm" && s.Attempts < 2 {
					t.Errorf("confirm: %d attempts, want a timeout and a retry", s.Attempts)
				}
				for _, x := range s.Exchanges {
					if x.Kind != "message" || !strings.EqualFold(x.Message.Operation, x.Request.Method) || !strings.HasPrefix(x.Message.Server, b.protocol+"://") {
						t.Errorf("step %s: exchange %+v, want a message", s.StepID, x)
					}
					ops = append(ops, x.Message.Operation+" "+strings.TrimSuffix(x.Message.Channel, "-"+suffix)+" "+x.ErrorKind)
					skipped += x.Message.Skipped
					if x.Message.Operation == "receive" && x.Message.CorrelationID != "req-"+suffix {
						t.Errorf("receive waited for %q", x.Message.CorrelationID)
					}
				}
			}
			// One timeout at least: the confirmation is sent after it; more
			// when it takes longer than a receive's 400 ms to cross.
			got := strings.Join(ops, ", ")
			timeouts := strings.Count(got, "receive confirmations no-message, ")
			if want := "subscribe confirmations , publish orders , " + strings.Repeat("receive confirmations no-message, ", timeouts) + "receive confirmations "; timeouts < 1 || got != want {
				t.Errorf("trace exchanges: %s\nwant subscribe confirmations , publish orders , receive confirmations no-message, (as many as timed out) receive confirmations ", got)
			}
			if skipped < 1 {
				t.Errorf("the trace counts no message passed over")
			}
			var har struct {
				Log struct {
					Entries []struct {
						Request struct{ Method, URL string }
						Message *struct{ Channel string } `json:"_message"`
					}
				}
			}
			if data, err := os.ReadFile(files["har"]); err != nil || json.Unmarshal(data, &har) != nil {
				t.Fatalf("HAR: %v", err)
			}
			if n := len(har.Log.Entries); n != len(ops) {
				t.Errorf("HAR: %d entries, want the %d messages", n, len(ops))
			}
			for _, e := range har.Log.Entries {
				if e.Message == nil || !strings.HasSuffix(e.Request.URL, "/"+e.Message.Channel) {
					t.Errorf("HAR entry %+v: no channel", e)
				}
			}
			exec("runs show", "runs", "show", "last", "--state", state)
			exec("runs show json", "runs", "show", "last", "--state", state, "--output", "json")
			for k, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Errorf("%s: %v", k, err)
				}
				channels[k] = string(data)
			}
			// The journal's files, byte for byte (the database and its WAL).
			journalFiles, _ := filepath.Glob(filepath.Join(state, "*"))
			for _, f := range journalFiles {
				if data, err := os.ReadFile(f); err == nil {
					channels["journal "+filepath.Base(f)] = string(data)
				}
			}
			if len(journalFiles) == 0 {
				t.Errorf("no journal in %s", state)
			}
			secret := []string{testbroker.Password, base64.StdEncoding.EncodeToString([]byte(testbroker.Password)),
				base64.StdEncoding.EncodeToString([]byte(testbroker.User + ":" + testbroker.Password))}
			for ch, text := range channels {
				for _, form := range secret {
					if strings.Contains(text, form) {
						t.Errorf("%s shows the broker's password (as %q)", ch, form)
					}
				}
			}
		})
	}
}

// TestAsyncCrashAfterSend: the process is killed (SIGKILL) right after its
// send is journaled, before the reply comes; the reply arrives while no
// process runs. --resume does not send the order again and still receives
// the reply: the journal kept where the receive's Kafka subscription began.
func TestAsyncCrashAfterSend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildArazzo(t)
	b := asyncBrokers()[0] // Kafka
	host, cfg := b.start(t)
	dir := t.TempDir()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	doc := asyncDocs(t, dir, b, host, suffix)
	writeTestFile(t, doc, strings.Replace(readTestFile(t, doc), "timeout: 400", "timeout: 20000", 1))
	state := filepath.Join(dir, "state")
	env := append(os.Environ(), "BROKER_CREDENTIAL="+testbroker.User+":"+testbroker.Password, "NO_COLOR=1")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := transport.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sub, err := conn.Subscribe(ctx, &transport.Subscribe{Channel: "orders-" + suffix})
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "run", doc, "--input", "requestId=r-crash", "--auth", "brokerAuth=env:BROKER_CREDENTIAL", "--state", state, "--output", "json")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	order, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("no order came: %v\n%s", err, stderr.String())
	}
	id := waitForRunningStep(t, state, "place", 20*time.Second)
	waitForInFlight(t, state, id, "RECEIVE", 20*time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// The service answers while the workflow's process is gone.
	reply := &transport.Publish{Message: transport.Message{Channel: "confirmations-" + suffix, Headers: map[string]string{"requestId": "r-crash"},
		Payload: []byte(`{"requestId":"r-crash","orderId":4242}`), ContentType: "application/json"}}
	if err := conn.Publish(ctx, reply); err != nil {
		t.Fatal(err)
	}

	res := exec.Command(bin, "run", "--resume", id, "--auth", "brokerAuth=env:BROKER_CREDENTIAL", "--state", state, "--output", "json")
	res.Env = env
	var rout, rerr bytes.Buffer
	res.Stdout, res.Stderr = &rout, &rerr
	if err := res.Run(); err != nil {
		t.Fatalf("resume: %v\nstdout:\n%s\nstderr:\n%s", err, rout.String(), rerr.String())
	}
	var result struct {
		Status  string         `json:"status"`
		Outputs map[string]any `json:"outputs"`
	}
	if err := json.Unmarshal(rout.Bytes(), &result); err != nil {
		t.Fatalf("resume output is not JSON: %v\n%s", err, rout.String())
	}
	if result.Status != "passed" || fmt.Sprint(result.Outputs["orderId"]) != "4242" {
		t.Errorf("resumed run %s with outputs %v\n%s", result.Status, result.Outputs, rerr.String())
	}
	// The receive listens again (from where the first run subscribed); the
	// send is not repeated.
	if strings.Contains(rerr.String(), "sending PUBLISH") || !strings.Contains(rerr.String(), "sending RECEIVE") {
		t.Errorf("the resumed run's warnings:\n%s", rerr.String())
	}
	// No second order: the send was replayed from the journal.
	short, stop := context.WithTimeout(ctx, 500*time.Millisecond)
	defer stop()
	if m, err := sub.Next(short); err == nil {
		t.Errorf("the order was sent again: %s (first: %s)", m.Payload, order.Payload)
	}
}

func readTestFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pollJournal opens the journal in state every 10 ms, for at most limit,
// until found reports what it waits for; the test fails naming what if it
// never does.
func pollJournal(t *testing.T, state string, limit time.Duration, what string, found func(ctx context.Context, st *journal.Store) bool) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		st, err := journal.Open(ctx, state)
		if err != nil {
			continue
		}
		ok := found(ctx, st)
		st.Close()
		if ok {
			return
		}
	}
	t.Fatalf("the journal in %s never %s", state, what)
}

// waitForRunningStep polls the journal until the latest run, still running,
// has recorded step as passed, and returns the run's ID.
func waitForRunningStep(t *testing.T, state, step string, limit time.Duration) string {
	t.Helper()
	var id string
	pollJournal(t, state, limit, "recorded step "+step, func(ctx context.Context, st *journal.Store) bool {
		r, err := st.Run(ctx, journal.Last)
		if err != nil {
			return false
		}
		steps, _ := st.Steps(ctx, r.ID)
		for _, s := range steps {
			if s.StepID == step && s.Status == "passed" {
				id = r.ID
				return true
			}
		}
		return false
	})
	return id
}

// waitForInFlight waits until run id's journal shows a request of method
// sent and not answered.
func waitForInFlight(t *testing.T, state, id, method string, limit time.Duration) {
	t.Helper()
	pollJournal(t, state, limit, "showed a "+method+" in flight", func(ctx context.Context, st *journal.Store) bool {
		ex, _ := st.Exchanges(ctx, id)
		for _, e := range ex {
			if e.Method == method && !e.Answered {
				return true
			}
		}
		return false
	})
}

// TestAsyncFixturesMock: arazzo run --mock runs every AsyncAPI pass fixture
// of the Arazzo 1.1 test suite (with the descriptions written for them in
// testdata/async-fixtures, see its README) and the specification's pet
// example, each workflow to a pass, with no broker and no network.
func TestAsyncFixturesMock(t *testing.T) {
	dir := filepath.Join("testdata", "async-fixtures")
	inputs := filepath.Join(t.TempDir(), "inputs.json")
	writeTestFile(t, inputs, `{"createOrderSend":{"requestId":"r-1"},"getUserLocation":{"userEmail":"ada@example.com"}}`)
	runs := [][]string{
		{filepath.Join(dir, "async-correlation-id-for-receive-action.arazzo.yaml")},
		{filepath.Join(dir, "async-depends-on-across-document.arazzo.yaml")},
		{filepath.Join(dir, "async-depends-on-cross-workflow.arazzo.yaml"), "--workflow", "producerWorkflow"},
		{filepath.Join(dir, "async-depends-on-cross-workflow.arazzo.yaml"), "--workflow", "consumerWorkflow"},
		{filepath.Join(dir, "async-depends-on.arazzo.yaml")},
		{filepath.Join(dir, "async-parameter-reusable-reference.arazzo.yaml")},
		{filepath.Join(dir, "async-parameter-with-in.arazzo.yaml")},
		{filepath.Join(dir, "async-receive-without-correlation-id.arazzo.yaml")},
		{filepath.Join(dir, "async-with-channel-path.arazzo.yaml")},
		{filepath.Join(dir, "asyncapi-success-criteria.arazzo.yaml")},
		{filepath.Join(dir, "openapi-and-asyncapi.arazzo.yaml"), "--inputs", inputs},
		{filepath.Join("..", "..", "runtime", "testdata", "async", "pet", "pet-purchase.arazzo.yaml"),
			"--input", "username=ada", "--input", "password=pw", "--input", "orderCorrelationId=o-1"},
	}
	for _, r := range runs {
		t.Run(strings.Join(append([]string{filepath.Base(r[0])}, r[1:]...), " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"run", "--mock", "--no-journal", "--output", "json", r[0]}, r[1:]...)
			code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
			var res struct {
				Status string `json:"status"`
				Steps  []struct {
					StepID string `json:"stepId"`
					Status string `json:"status"`
				} `json:"steps"`
			}
			if err := json.Unmarshal(out.Bytes(), &res); err != nil || code != ExitOK || res.Status != "passed" {
				t.Fatalf("exit %d, status %q\n%s\n%s", code, res.Status, out.String(), errb.String())
			}
			for _, s := range res.Steps {
				if s.Status != "passed" {
					t.Errorf("step %s %s", s.StepID, s.Status)
				}
			}
		})
	}
}

// TestAsyncHeaderNames: a message header is shown with its name as the
// workflow writes it (brokers keep the case of header names), in the dry run
// and in the verbose output of a run.
func TestAsyncHeaderNames(t *testing.T) {
	doc := filepath.Join("..", "..", "runtime", "testdata", "async", "pet", "pet-purchase.arazzo.yaml")
	in := []string{"--input", "username=ada", "--input", "password=pw", "--input", "orderCorrelationId=o-1"}
	for _, mode := range [][]string{{"--dry-run"}, {"--mock", "--no-journal", "--verbose"}} {
		var out, errb bytes.Buffer
		args := append(append([]string{"run", doc}, mode...), in...)
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", mode, code, out.String(), errb.String())
		}
		text := out.String() + errb.String()
		if !strings.Contains(text, "orderRequestId: o-1") || strings.Contains(text, "Orderrequestid") {
			t.Errorf("%v: the header is not shown as orderRequestId:\n%s", mode, text)
		}
	}
}
