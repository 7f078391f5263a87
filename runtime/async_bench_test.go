package runtime

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testbroker"
	"github.com/arazzo-run/arazzo/transport"
	"github.com/nats-io/nats.go"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The send+receive pair benchmarks: one run of a workflow that sends a
// request message and receives its correlated reply from a service on a real
// broker on 127.0.0.1 (embedded NATS, in-process Kafka), against a plain
// program that does the same with the same client library:
//
//   - arazzo: Plan.Run of the two-step workflow (dial, subscribe, publish,
//     receive the reply whose corr header is the run's, close);
//   - plain: the same protocol work written directly against nats.go or
//     franz-go, a new connection and subscription each time, as a run has;
//   - plain-kept: one connection and subscription for every pair, the least
//     a long-lived client pays.
//
// arazzo minus plain is what the runtime adds to a pair (BENCHMARKS.md).
//
//	go test ./runtime -run '^$' -bench BenchmarkSendReceive -benchtime 2s

func BenchmarkSendReceive(b *testing.B) {
	for _, proto := range []string{"nats", "kafka"} {
		b.Run(proto, func(b *testing.B) {
			var host string
			switch proto {
			case "nats":
				host = testbroker.NATS(b, false)
			case "kafka":
				host = testbroker.Kafka(b, false)
			}
			server := proto + "://" + host
			suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
			requests, replies := "bench-requests-"+suffix, "bench-replies-"+suffix
			if proto == "kafka" {
				createTopics(b, host, requests, replies)
			}
			echoService(b, server, requests, replies)
			b.Run("arazzo", func(b *testing.B) {
				plan := pairPlan(b, proto, host, requests, replies)
				ctx := context.Background()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					i++
					res, err := plan.Run(ctx, "", map[string]any{"id": "r" + strconv.Itoa(i)}, WithServer("svc", server))
					if err != nil {
						b.Fatal(err)
					}
					if res.Status != StatusPassed || fmt.Sprint(res.Outputs["n"]) != "2" {
						b.Fatalf("run %s: %v (outputs %v)", res.Status, res.Err, res.Outputs)
					}
				}
			})
			b.Run("plain", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					i++
					switch proto {
					case "nats":
						natsPair(b, server, nil, requests, replies, "p"+strconv.Itoa(i))
					case "kafka":
						kafkaPair(b, host, nil, requests, replies, "p"+strconv.Itoa(i))
					}
				}
			})
			b.Run("plain-kept", func(b *testing.B) {
				b.ReportAllocs()
				switch proto {
				case "nats":
					k := newNATSKept(b, server, replies)
					i := 0
					for b.Loop() {
						i++
						natsPair(b, server, k, requests, replies, "k"+strconv.Itoa(i))
					}
				case "kafka":
					k := newKafkaKept(b, host, replies)
					i := 0
					for b.Loop() {
						i++
						kafkaPair(b, host, k, requests, replies, "k"+strconv.Itoa(i))
					}
				}
			})
		})
	}
}

// echoService answers each message on requests with {"n":2} on replies,
// carrying the request's corr header.
func echoService(b *testing.B, server, requests, replies string) {
	b.Helper()
	u, err := url.Parse(server)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := transport.Dial(ctx, transport.Config{URL: u})
	if err != nil {
		b.Fatal(err)
	}
	sub, err := conn.Subscribe(ctx, &transport.Subscribe{Channel: requests})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			p := &transport.Publish{Message: transport.Message{Channel: replies, Headers: map[string]string{"corr": m.Headers["corr"]},
				Payload: []byte(`{"n":2}`), ContentType: "application/json"}}
			if conn.Publish(ctx, p) != nil {
				return
			}
		}
	}()
	b.Cleanup(func() { cancel(); <-done; conn.Close() })
}

// pairPlan loads the two-step workflow: send on requests with the run's id
// as corr header, receive its reply on replies.
func pairPlan(b *testing.B, proto, host, requests, replies string) *Plan {
	b.Helper()
	dir := b.TempDir()
	api := fmt.Sprintf(`asyncapi: 3.0.0
info: {title: Echo, version: 1.0.0}
servers:
  broker: {host: %q, protocol: %s}
channels:
  requests:
    address: %s
    messages: {request: {$ref: '#/components/messages/Echo'}}
  replies:
    address: %s
    messages: {reply: {$ref: '#/components/messages/Echo'}}
operations:
  echo:
    action: receive
    channel: {$ref: '#/channels/requests'}
    reply:
      channel: {$ref: '#/channels/replies'}
components:
  messages:
    Echo:
      contentType: application/json
      correlationId: {location: '$message.header#/corr'}
      headers: {type: object, properties: {corr: {type: string}}}
      payload: {type: object, properties: {n: {type: integer}}}
`, host, proto, requests, replies)
	wf := `arazzo: 1.1.0
info: {title: Echo pair, version: 1.0.0}
sourceDescriptions:
  - {name: svc, url: ./echo.asyncapi.yaml, type: asyncapi}
workflows:
  - workflowId: pair
    inputs:
      type: object
      properties:
        id: {type: string}
    steps:
      - stepId: ask
        operationId: echo
        action: send
        parameters:
          - {name: corr, in: header, value: $inputs.id}
        requestBody:
          payload: {n: 1}
      - stepId: answer
        operationId: echo
        action: receive
        correlationId: $inputs.id
        timeout: 10000
        outputs:
          n: $message.payload#/n
    outputs:
      n: $steps.answer.outputs.n
`
	for name, text := range map[string]string{"echo.asyncapi.yaml": api, "pair.arazzo.yaml": wf} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	plan, diags, err := Load(context.Background(), filepath.Join(dir, "pair.arazzo.yaml"))
	if err != nil {
		b.Fatalf("%v\n%v", err, diags)
	}
	return plan
}

type natsKept struct {
	nc  *nats.Conn
	sub *nats.Subscription
}

func newNATSKept(b *testing.B, server, replies string) *natsKept {
	nc, err := nats.Connect(server)
	if err != nil {
		b.Fatal(err)
	}
	sub, err := nc.SubscribeSync(replies)
	if err == nil {
		err = nc.Flush()
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	return &natsKept{nc, sub}
}

// natsPair publishes a request and waits for the reply whose corr header is
// id, on a connection and subscription of its own unless k holds them.
func natsPair(b *testing.B, server string, k *natsKept, requests, replies, id string) {
	if k == nil {
		k = &natsKept{}
		nc, err := nats.Connect(server)
		if err != nil {
			b.Fatal(err)
		}
		defer nc.Close()
		sub, err := nc.SubscribeSync(replies)
		if err == nil {
			err = nc.Flush() // the server has the subscription before the request goes
		}
		if err != nil {
			b.Fatal(err)
		}
		k.nc, k.sub = nc, sub
	}
	msg := nats.NewMsg(requests)
	msg.Header.Set("corr", id)
	msg.Header.Set("content-type", "application/json")
	msg.Data = []byte(`{"n":1}`)
	if err := k.nc.PublishMsg(msg); err != nil {
		b.Fatal(err)
	}
	if err := k.nc.Flush(); err != nil {
		b.Fatal(err)
	}
	for {
		m, err := k.sub.NextMsg(10 * time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if m.Header.Get("corr") == id {
			return
		}
	}
}

type kafkaKept struct {
	prod, cons *kgo.Client
}

// kafkaClients makes a producer and a consumer of replies that reads from
// the end offsets as they are now.
func kafkaClients(host, replies string) (*kafkaKept, error) {
	prod, err := kgo.NewClient(kgo.SeedBrokers(host), kgo.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	ends, err := kadm.NewClient(prod).ListEndOffsets(ctx, replies)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		prod.Close()
		return nil, err
	}
	at := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) { at[o.Partition] = kgo.NewOffset().At(o.Offset) })
	cons, err := kgo.NewClient(kgo.SeedBrokers(host), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{replies: at}))
	if err != nil {
		prod.Close()
		return nil, err
	}
	return &kafkaKept{prod, cons}, nil
}

func (k *kafkaKept) close() { k.cons.Close(); k.prod.Close() }

// createTopics creates the benchmark's topics, so that every client finds
// their end offsets.
func createTopics(b *testing.B, host string, topics ...string) {
	b.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(host))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	res, err := kadm.NewClient(cl).CreateTopics(context.Background(), 2, 1, nil, topics...)
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		b.Fatal(err)
	}
}

func newKafkaKept(b *testing.B, host, replies string) *kafkaKept {
	k, err := kafkaClients(host, replies)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(k.close)
	return k
}

// kafkaPair produces a request and polls for the reply whose corr header is
// id, with clients of its own unless k holds them.
func kafkaPair(b *testing.B, host string, k *kafkaKept, requests, replies, id string) {
	if k == nil {
		var err error
		if k, err = kafkaClients(host, replies); err != nil {
			b.Fatal(err)
		}
		defer k.close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec := &kgo.Record{Topic: requests, Value: []byte(`{"n":1}`),
		Headers: []kgo.RecordHeader{{Key: "corr", Value: []byte(id)}, {Key: "content-type", Value: []byte("application/json")}}}
	if err := k.prod.ProduceSync(ctx, rec).FirstErr(); err != nil {
		b.Fatal(err)
	}
	for {
		fs := k.cons.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			b.Fatal(err)
		}
		for _, e := range fs.Errors() {
			if !errors.Is(e.Err, context.DeadlineExceeded) {
				b.Fatal(e.Err)
			}
		}
		found := false
		fs.EachRecord(func(r *kgo.Record) {
			for _, h := range r.Headers {
				if h.Key == "corr" && string(h.Value) == id {
					found = true
				}
			}
		})
		if found {
			return
		}
	}
}
