package transport_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/internal/testbroker"
	"github.com/arazzo-run/arazzo/transport"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// TestKafkaTopicCreatedLater: a subscription to a topic that does not exist
// yet reads it from its start once a producer creates it.
func TestKafkaTopicCreatedLater(t *testing.T) {
	cfg := transport.Config{URL: mustURL("kafka://" + testbroker.Kafka(t, false))}
	c := dial(t, cfg)
	sub, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "confirm-order"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "confirm-order", Payload: []byte("first")}}); err != nil {
		t.Fatal(err)
	}
	if m := next(t, sub); string(m.Payload) != "first" {
		t.Errorf("got %s", m.Payload)
	}
}

// TestKafkaSubscribeCreatesNoTopic: subscribing to a topic that does not
// exist does not create it, even on a cluster that creates topics on request
// (as Kafka does by default): a receive step with a mistyped address leaves
// no topic behind.
func TestKafkaSubscribeCreatesNoTopic(t *testing.T) {
	addr := testbroker.Kafka(t, false)
	c := dial(t, transport.Config{URL: mustURL("kafka://" + addr)})
	sub, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "no-such-topic"})
	if err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx(t), 300*time.Millisecond)
	defer cancel()
	if m, err := sub.Next(wait); err == nil {
		t.Fatalf("a message on a topic that does not exist: %s", m.Payload)
	}
	sub.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	topics, err := kadm.NewClient(cl).ListTopics(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if topics.Has("no-such-topic") {
		t.Errorf("subscribing created the topic: %v", topics.Names())
	}
}

// TestKafkaSubscribeWhileLeaderMoves: a subscription made while a
// partition's leader is being elected (the broker answers its offsets with
// LEADER_NOT_AVAILABLE) waits for the answer instead of failing, and reads
// from the end offsets it then gets.
func TestKafkaSubscribeWhileLeaderMoves(t *testing.T) {
	cl, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "moving"),
		kfake.ListenFn(func(n, _ string) (net.Listener, error) { return net.Listen(n, "127.0.0.1:0") }))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	c := dial(t, transport.Config{URL: mustURL("kafka://" + cl.ListenAddrs()[0])})
	if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "moving", Payload: []byte("old")}}); err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int32
	cl.ControlKey(int16(kmsg.ListOffsets), func(req kmsg.Request) (kmsg.Response, error, bool) {
		cl.KeepControl()
		if refused.Add(1) > 2 {
			return nil, nil, false
		}
		r := req.(*kmsg.ListOffsetsRequest)
		resp := r.ResponseKind().(*kmsg.ListOffsetsResponse)
		for _, rt := range r.Topics {
			st := kmsg.NewListOffsetsResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewListOffsetsResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.LeaderNotAvailable.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	sub, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "moving"})
	if err != nil {
		t.Fatalf("Subscribe while the leader moves: %v", err)
	}
	if refused.Load() < 2 {
		t.Fatalf("the broker refused %d offset requests, want 2", refused.Load())
	}
	if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "moving", Payload: []byte("new")}}); err != nil {
		t.Fatal(err)
	}
	if m := next(t, sub); string(m.Payload) != "new" {
		t.Errorf("got %s, want the message published after the subscription", m.Payload)
	}
}

// TestKafkaDeadlinePassesAsRecordsArrive: a Next whose deadline passes while
// it waits, as the message arrives, does not lose the message: that Next or
// the following one returns it.
func TestKafkaDeadlinePassesAsRecordsArrive(t *testing.T) {
	c := dial(t, transport.Config{URL: mustURL("kafka://" + testbroker.Kafka(t, false))})
	sub, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "late"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "late", Payload: []byte("first")}}); err != nil {
		t.Fatal(err)
	}
	m, err := sub.Next(newLateDeadline())
	if err != nil {
		wait, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if m, err = sub.Next(wait); err != nil {
			t.Fatalf("the message is lost: after the deadline, Next: %v", err)
		}
	}
	if string(m.Payload) != "first" {
		t.Errorf("got %s", m.Payload)
	}
}

// lateDeadline is a deadline that passes while Next waits: the first look at
// it finds time left, every later one finds it passed (and Done closed).
type lateDeadline struct {
	context.Context
	done  chan struct{}
	looks atomic.Int32
	once  sync.Once
}

func newLateDeadline() *lateDeadline {
	return &lateDeadline{Context: context.Background(), done: make(chan struct{})}
}

func (c *lateDeadline) Done() <-chan struct{} { return c.done }

func (c *lateDeadline) Err() error {
	if c.looks.Add(1) == 1 {
		return nil
	}
	c.once.Do(func() { close(c.done) })
	return context.DeadlineExceeded
}

// TestKafkaSASLAndPartition: each SASL mechanism, and a record sent to the
// partition a Publish names, with its key.
func TestKafkaSASLAndPartition(t *testing.T) {
	addr := testbroker.Kafka(t, true)
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		c := dial(t, transport.Config{URL: mustURL("kafka://" + addr), User: testbroker.User, Password: testbroker.Password, Mechanism: mech})
		sub, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "p-" + mech})
		if err != nil {
			t.Fatal(mech, err)
		}
		one := int32(1)
		p := &transport.Publish{Message: transport.Message{Channel: "p-" + mech, Key: []byte("order-7"), Payload: []byte("x")}, Partition: &one}
		if err := c.Publish(ctx(t), p); err != nil {
			t.Fatal(mech, err)
		}
		if p.Message.Partition != 1 {
			t.Errorf("%s: produced to partition %d", mech, p.Message.Partition)
		}
		if m := next(t, sub); m.Partition != 1 || string(m.Key) != "order-7" {
			t.Errorf("%s: partition %d key %q", mech, m.Partition, m.Key)
		}
	}
}

// TestKafkaTLS: kafka-secure speaks TLS, verifying the broker's certificate.
func TestKafkaTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	cl, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}}),
		kfake.ListenFn(func(n, _ string) (net.Listener, error) { return net.Listen(n, "127.0.0.1:0") }))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	u := mustURL("kafka-secure://" + cl.ListenAddrs()[0])
	c := dial(t, transport.Config{URL: u, TLS: &tls.Config{RootCAs: pool}})
	if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "t", Payload: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	// The system's roots do not know the test certificate: refused.
	if _, err := transport.Dial(ctx(t), transport.Config{URL: u, DialTimeout: 3 * time.Second}); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// TestMQTTWildcard: a subscription with a topic filter sees the topics it
// matches, and only those.
func TestMQTTWildcard(t *testing.T) {
	c := dial(t, transport.Config{URL: mustURL("mqtt://" + testbroker.MQTT(t, false))})
	sub, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "lights/+/measured", QoS: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"lights/1/on", "lights/2/measured"} {
		if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: topic, Payload: []byte(topic)}, QoS: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if m := next(t, sub); m.Channel != "lights/2/measured" {
		t.Errorf("got %s", m.Channel)
	}
}

// TestAMQPRouting: a routing-key channel on a topic exchange, received through
// a queue of the subscription's own; and a queue channel, whose messages the
// subscription Skips back to the queue for another consumer.
func TestAMQPRouting(t *testing.T) {
	cfg := transport.Config{URL: mustURL("amqp://" + testbroker.AMQP(t))}
	c := dial(t, cfg)
	ex := fmt.Sprintf("orders-%d", time.Now().UnixNano())
	a := transport.AMQP{Exchange: ex, ExchangeType: "topic", AutoDelete: true, BindingKey: "order.*"}
	sub, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "order.created", AMQP: a})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"invoice.sent", "order.created"} {
		if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: key, Payload: []byte(key), Headers: map[string]string{"requestId": "r1"}}, AMQP: transport.AMQP{Exchange: ex, DeliveryMode: 2}}); err != nil {
			t.Fatal(err)
		}
	}
	if m := next(t, sub); m.Channel != "order.created" || m.Exchange != ex || m.Headers["requestId"] != "r1" {
		t.Errorf("got %+v", m)
	}
	// Mandatory and unroutable: the broker returns it, Publish says so.
	err = c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "nobody.listens", Payload: []byte("x")}, AMQP: transport.AMQP{Exchange: ex, Mandatory: true}})
	if err == nil {
		t.Error("an unroutable mandatory message was reported sent")
	}

	// Not auto-deleted: the queue must outlive its first consumer.
	q := transport.AMQP{Queue: fmt.Sprintf("jobs-%d", time.Now().UnixNano())}
	first, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "jobs", AMQP: q})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "jobs", Payload: []byte("job-1")}, AMQP: q}); err != nil {
		t.Fatal(err)
	}
	m := next(t, first)
	transport.Skip(first, m)
	first.Close()
	other := dial(t, cfg)
	second, err := other.Subscribe(ctx(t), &transport.Subscribe{Channel: "jobs", AMQP: q})
	if err != nil {
		t.Fatal(err)
	}
	if m := next(t, second); string(m.Payload) != "job-1" {
		t.Errorf("the skipped message did not go back to the queue: %s", m.Payload)
	}
}

// TestKafkaCursor: a subscription made again from the cursor of an earlier one
// reads what was produced in between (a resumed run's receive).
func TestKafkaCursor(t *testing.T) {
	c := dial(t, transport.Config{URL: mustURL("kafka://" + testbroker.Kafka(t, false))})
	pub := func(body string) {
		if err := c.Publish(ctx(t), &transport.Publish{Message: transport.Message{Channel: "replies", Key: []byte("k"), Payload: []byte(body)}}); err != nil {
			t.Fatal(err)
		}
	}
	pub("before")
	first, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "replies"})
	if err != nil {
		t.Fatal(err)
	}
	cursor := transport.CursorOf(first)
	first.Close()
	pub("while away")
	again, err := c.Subscribe(ctx(t), &transport.Subscribe{Channel: "replies", Cursor: cursor})
	if err != nil {
		t.Fatal(err)
	}
	if m := next(t, again); string(m.Payload) != "while away" {
		t.Errorf("got %q from cursor %q", m.Payload, cursor)
	}
}
