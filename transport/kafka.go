package transport

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// kafkaConn produces with one client (acks from all in-sync replicas,
// idempotent) and gives each subscription a client of its own that reads the
// topic's partitions directly, without a consumer group: a run commits no
// offsets and takes no partitions from the application's consumers.
type kafkaConn struct {
	opts []kgo.Opt
	prod *kgo.Client
	// adm reads offsets through a client of its own, which never asks the
	// cluster to create a topic (the producer's does): subscribing to a
	// topic that does not exist leaves none behind. It connects when first
	// used.
	admCl *kgo.Client
	adm   *kadm.Client

	mu   sync.Mutex
	subs map[*kafkaSub]bool
}

func dialKafka(ctx context.Context, cfg Config) (Conn, error) {
	seeds := strings.Split(cfg.URL.Host, ",")
	for i, s := range seeds {
		if !strings.Contains(s, ":") {
			seeds[i] = s + ":9092"
		}
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.DialTimeout(cfg.DialTimeout),
		kgo.MetadataMinAge(250 * time.Millisecond),
	}
	if cfg.ClientID != "" {
		opts = append(opts, kgo.ClientID(cfg.ClientID))
	}
	if cfg.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(cfg.TLS))
	}
	if cfg.User != "" || cfg.Mechanism != "" {
		m, err := kafkaSASL(cfg)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	// Producing to a topic that does not exist asks the cluster to create it,
	// as the Kafka producer does by default.
	prod, err := kgo.NewClient(append(opts, kgo.AllowAutoTopicCreation(), kgo.RecordPartitioner(partitioner{kgo.StickyKeyPartitioner(nil)}))...)
	if err != nil {
		return nil, err
	}
	// Connect now, so that a wrong address or credentials fail here.
	pctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	if err := prod.Ping(pctx); err != nil {
		prod.Close()
		return nil, err
	}
	admCl, err := kgo.NewClient(opts...)
	if err != nil {
		prod.Close()
		return nil, err
	}
	return &kafkaConn{opts: opts, prod: prod, admCl: admCl, adm: kadm.NewClient(admCl), subs: map[*kafkaSub]bool{}}, nil
}

func kafkaSASL(cfg Config) (sasl.Mechanism, error) {
	switch strings.ToUpper(strings.ReplaceAll(cfg.Mechanism, "_", "-")) {
	case "", "PLAIN":
		return plain.Auth{User: cfg.User, Pass: cfg.Password}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: cfg.User, Pass: cfg.Password}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: cfg.User, Pass: cfg.Password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("SASL mechanism %q is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)", cfg.Mechanism)
}

// partitioner sends a record to the partition a Publish names, else lets the
// key choose (Kafka's own murmur2 hashing; sticky batches without a key).
type partitioner struct{ def kgo.Partitioner }

type manualPartition struct{}

func (p partitioner) ForTopic(t string) kgo.TopicPartitioner {
	return topicPartitioner{p.def.ForTopic(t)}
}

type topicPartitioner struct{ def kgo.TopicPartitioner }

func (t topicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	if _, ok := r.Context.Value(manualPartition{}).(int32); ok {
		return true
	}
	return t.def.RequiresConsistency(r)
}

func (t topicPartitioner) Partition(r *kgo.Record, n int) int {
	if p, ok := r.Context.Value(manualPartition{}).(int32); ok {
		return int(p)
	}
	return t.def.Partition(r, n)
}

func (t topicPartitioner) OnNewBatch() {
	if o, ok := t.def.(kgo.TopicPartitionerOnNewBatch); ok {
		o.OnNewBatch()
	}
}

func (c *kafkaConn) Publish(ctx context.Context, p *Publish) error {
	rec := &kgo.Record{Topic: p.Channel, Key: p.Key, Value: p.Payload, Context: ctx}
	if p.Partition != nil {
		rec.Context = context.WithValue(ctx, manualPartition{}, *p.Partition)
	}
	for _, k := range sortedKeys(p.Headers) {
		rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: k, Value: []byte(p.Headers[k])})
	}
	if p.ContentType != "" && p.Headers["content-type"] == "" {
		rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: "content-type", Value: []byte(p.ContentType)})
	}
	if err := c.prod.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return fmt.Errorf("produce to %s: %w", p.Channel, err)
	}
	p.Message.Partition, p.Message.Offset = rec.Partition, rec.Offset
	return nil
}

// Subscribe takes the topic's end offsets now and reads every partition from
// there: what is produced after Subscribe returns is read, what was produced
// before is not. A topic that does not exist yet is read from its start once
// it appears (everything in it is then newer than the subscription).
func (c *kafkaConn) Subscribe(ctx context.Context, s *Subscribe) (Subscription, error) {
	opts := append([]kgo.Opt{}, c.opts...)
	cursor := s.Cursor
	parts, err := parseCursor(cursor)
	if err != nil {
		return nil, err
	}
	if cursor == "" {
		ends, err := c.endOffsets(ctx, s.Channel)
		switch {
		case errors.Is(err, kerr.UnknownTopicOrPartition) || (err == nil && len(ends[s.Channel]) == 0):
			cursor = cursorStart
		case err != nil:
			return nil, fmt.Errorf("end offsets of %s: %w", s.Channel, err)
		default:
			parts = map[int32]int64{}
			ends.Each(func(o kadm.ListedOffset) { parts[o.Partition] = o.Offset })
			cursor = formatCursor(parts)
		}
	}
	if cursor == cursorStart {
		opts = append(opts, kgo.ConsumeTopics(s.Channel), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	} else {
		at := map[int32]kgo.Offset{}
		for p, o := range parts {
			at[p] = kgo.NewOffset().At(o)
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{s.Channel: at}))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	sub := &kafkaSub{c: c, cl: cl, cursor: cursor}
	c.mu.Lock()
	c.subs[sub] = true
	c.mu.Unlock()
	return sub, nil
}

// endOffsetsPatience bounds how long Subscribe asks again for end offsets
// the cluster cannot give yet.
const endOffsetsPatience = 10 * time.Second

// endOffsets lists topic's end offsets, asking again while the cluster
// answers with an error that passes (a partition's leader being elected, a
// broker starting), for as long as ctx allows and at most
// endOffsetsPatience. A topic that does not exist is answered at once.
func (c *kafkaConn) endOffsets(ctx context.Context, topic string) (kadm.ListedOffsets, error) {
	wait := 50 * time.Millisecond
	deadline := time.Now().Add(endOffsetsPatience)
	for {
		ends, err := c.adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = ends.Error()
		}
		if err == nil || errors.Is(err, kerr.UnknownTopicOrPartition) || !kerr.IsRetriable(err) || time.Now().Add(wait).After(deadline) {
			return ends, err
		}
		select {
		case <-ctx.Done():
			return ends, err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// A cursor is the offsets a subscription starts at, "partition:offset" joined
// by commas, or "start" for a topic read from its beginning.
const cursorStart = "start"

func formatCursor(parts map[int32]int64) string {
	keys := make([]int, 0, len(parts))
	for p := range parts {
		keys = append(keys, int(p))
	}
	sort.Ints(keys)
	out := make([]string, len(keys))
	for i, p := range keys {
		out[i] = strconv.Itoa(p) + ":" + strconv.FormatInt(parts[int32(p)], 10)
	}
	return strings.Join(out, ",")
}

func parseCursor(s string) (map[int32]int64, error) {
	if s == "" || s == cursorStart {
		return nil, nil
	}
	out := map[int32]int64{}
	for _, part := range strings.Split(s, ",") {
		ps, os, ok := strings.Cut(part, ":")
		p, err1 := strconv.ParseInt(ps, 10, 32)
		o, err2 := strconv.ParseInt(os, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("kafka cursor %q: want partition:offset pairs separated by commas", s)
		}
		out[int32(p)] = o
	}
	return out, nil
}

func (c *kafkaConn) Close() error {
	c.mu.Lock()
	subs := c.subs
	c.subs = nil
	c.mu.Unlock()
	for s := range subs {
		s.cl.Close()
	}
	c.admCl.Close()
	c.prod.Close()
	return nil
}

type kafkaSub struct {
	c       *kafkaConn
	cl      *kgo.Client
	cursor  string
	pending []*kgo.Record
	once    sync.Once
}

func (s *kafkaSub) Next(ctx context.Context) (*Message, error) {
	for len(s.pending) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fs := s.cl.PollFetches(ctx)
		if fs.IsClientClosed() {
			return nil, ErrClosed
		}
		// The records of a poll are the client's no longer: they are kept
		// before anything returns. A deadline that passes as they arrive
		// then delivers them (the loop ends), and an error fetching another
		// partition leaves them for the next call; neither loses them.
		s.pending = fs.Records()
		for _, e := range fs.Errors() {
			if !errors.Is(e.Err, context.Canceled) && !errors.Is(e.Err, context.DeadlineExceeded) && !kerr.IsRetriable(e.Err) {
				return nil, fmt.Errorf("fetch %s[%d]: %w", e.Topic, e.Partition, e.Err)
			}
		}
	}
	r := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	m := &Message{Channel: r.Topic, Key: r.Key, Payload: r.Value, Partition: r.Partition, Offset: r.Offset, Received: time.Now()}
	if len(r.Headers) > 0 {
		m.Headers = make(map[string]string, len(r.Headers))
		for _, h := range r.Headers {
			m.Headers[h.Key] = string(h.Value)
		}
		m.ContentType = m.Headers["content-type"]
	}
	return m, nil
}

// Cursor is where the subscription began (see Subscribe.Cursor).
func (s *kafkaSub) Cursor() string { return s.cursor }

func (s *kafkaSub) Close() error {
	s.once.Do(func() {
		s.c.mu.Lock()
		delete(s.c.subs, s)
		s.c.mu.Unlock()
		s.cl.Close()
	})
	return nil
}
