package transport

import (
	"context"
	"errors"
	"sync"
)

// Bounds of what a subscription keeps unread: a receive step reads its
// messages only when it runs, and a busy channel must not fill memory.
const (
	maxQueued      = 10_000
	maxQueuedBytes = 64 << 20
)

// ErrClosed is returned by Next once the subscription or its connection is
// closed and every message it had is read.
var ErrClosed = errors.New("subscription closed")

// queue holds the messages a connection received for one subscription until
// Next reads them. Past its bounds the oldest are dropped (and counted).
type queue struct {
	mu      sync.Mutex
	msgs    []*Message
	bytes   int
	dropped int
	closed  error
	wake    chan struct{} // closed and replaced when a message arrives or the queue closes
}

func newQueue() *queue { return &queue{wake: make(chan struct{})} }

func (q *queue) push(m *Message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed != nil {
		return
	}
	q.msgs = append(q.msgs, m)
	q.bytes += len(m.Payload)
	for len(q.msgs) > maxQueued || (q.bytes > maxQueuedBytes && len(q.msgs) > 1) {
		q.bytes -= len(q.msgs[0].Payload)
		q.msgs[0] = nil
		q.msgs = q.msgs[1:]
		q.dropped++
	}
	close(q.wake)
	q.wake = make(chan struct{})
}

// close ends the queue with err (ErrClosed when nil); unread messages stay readable.
func (q *queue) close(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed != nil {
		return
	}
	if err == nil {
		err = ErrClosed
	}
	q.closed = err
	close(q.wake)
}

func (q *queue) next(ctx context.Context) (*Message, error) {
	for {
		q.mu.Lock()
		if len(q.msgs) > 0 {
			m := q.msgs[0]
			q.msgs[0] = nil
			q.msgs = q.msgs[1:]
			q.bytes -= len(m.Payload)
			q.mu.Unlock()
			return m, nil
		}
		if q.closed != nil {
			err := q.closed
			q.mu.Unlock()
			return nil, err
		}
		wake := q.wake
		q.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Dropped reports how many messages were dropped unread for want of room.
func (q *queue) Dropped() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
