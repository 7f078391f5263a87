package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// kindChunk is a row that holds several consecutive records of one run, in
// its body (see encodeChunk); its seq is the first one's, and its steps
// column counts the step records among them. The writer joins the records a
// transaction holds for a run into one such row: inserting a row costs SQLite
// about as much as the bytes it holds, many times over for rows of a
// kilobyte or two, so a run writes one row per transaction, not one or two
// per step. A record alone in its transaction keeps a row of its own.
const kindChunk = "chunk"

// maxChunk bounds the bytes of one chunk row: a longer run of records is
// several rows. Rewriting a record in a chunk (a superseded body) rewrites
// its row.
const maxChunk = 1 << 20

// A chunk's body is its records one after another, each:
//
//	uvarint seq, kind, workflow, step (strings: uvarint length, bytes)
//	uvarint attempt, depth; varint at (ms); byte flags (1 replayed, 2 body
//	present, 4 sent present); data; body if present; sent and varint sent_at
//	if present.
const (
	chunkReplayed = 1 << iota
	chunkBody
	chunkSent
)

// chunkSize is about how many bytes r takes in a chunk.
func chunkSize(r *record) int {
	return 40 + len(r.kind) + len(r.workflow) + len(r.step) + len(r.data) + len(r.body) + len(r.sent)
}

// appendChunk appends r to a chunk's body.
func appendChunk(b []byte, r *record) []byte {
	str := func(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	bytes := func(b, s []byte) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	b = binary.AppendUvarint(b, uint64(r.seq))
	b = str(b, r.kind)
	b = str(b, r.workflow)
	b = str(b, r.step)
	b = binary.AppendUvarint(b, uint64(r.attempt))
	b = binary.AppendUvarint(b, uint64(r.depth))
	b = binary.AppendVarint(b, millis(r.at))
	var flags byte
	if r.replayed {
		flags |= chunkReplayed
	}
	if r.body != nil {
		flags |= chunkBody
	}
	if r.sent != nil {
		flags |= chunkSent
	}
	b = append(b, flags)
	b = bytes(b, r.data)
	if r.body != nil {
		b = bytes(b, r.body)
	}
	if r.sent != nil {
		b = bytes(b, r.sent)
		b = binary.AppendVarint(b, millis(r.sentAt))
	}
	return b
}

var errChunk = errors.New("damaged")

// decodeChunk reads the records of a chunk row, in order.
func decodeChunk(b []byte) ([]*record, error) {
	var out []*record
	d := chunkReader{b: b}
	for len(d.b) > 0 && d.err == nil {
		r := &record{seq: int(d.uvarint()), kind: d.str(), workflow: d.str(), step: d.str(), attempt: int(d.uvarint()), depth: int(d.uvarint())}
		r.at = fromMillis(d.varint())
		flags := d.byte()
		r.replayed = flags&chunkReplayed != 0
		r.data = d.bytes()
		if flags&chunkBody != 0 {
			r.body = d.bytes()
		}
		if flags&chunkSent != 0 {
			r.sent = d.bytes()
			r.sentAt = fromMillis(d.varint())
		}
		out = append(out, r)
	}
	if d.err != nil {
		return nil, fmt.Errorf("a chunk of records is %w at byte %d", d.err, len(b)-len(d.b))
	}
	return out, nil
}

type chunkReader struct {
	b   []byte
	err error
}

func (d *chunkReader) uvarint() uint64 { return readNumber(d, binary.Uvarint) }

func (d *chunkReader) varint() int64 { return readNumber(d, binary.Varint) }

func readNumber[T uint64 | int64](d *chunkReader, read func([]byte) (T, int)) T {
	v, n := read(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *chunkReader) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// bytes reads a length and as many bytes; never nil, so a present empty body
// stays present.
func (d *chunkReader) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail()
		return []byte{}
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *chunkReader) str() string { return string(d.bytes()) }

func (d *chunkReader) fail() {
	if d.err == nil {
		d.err = errChunk
	}
	d.b = nil
}
