package temporal

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"

	"github.com/arazzo-run/arazzo/runtime"
)

// Documents are the Arazzo document of a run and every document read to
// compile it (source descriptions, referenced files), so that any worker
// compiles the same plan without reading a file or the network itself.
type Documents struct {
	// Name is the entry document as the user named it; errors point into it
	// (name:line:col) as they do in a local run.
	Name string `json:"name"`
	// Digest identifies the content: a SHA-256 over every location and its
	// bytes, in reading order. Workers cache compiled plans by it.
	Digest string `json:"digest"`
	// Archive holds the documents, the entry first: for each, its location
	// and its bytes, length-prefixed, gzip-compressed.
	Archive []byte `json:"archive"`
}

// maxArchive bounds the compressed documents: Temporal refuses payloads over
// 2 MiB, and the run's inputs and settings travel in the same one.
const maxArchive = 1536 << 10

// maxDocuments bounds the uncompressed documents a worker accepts.
const maxDocuments = 64 << 20

// document is one document read while loading.
type document struct {
	location string
	data     []byte
}

// Recorder keeps every document a load reads: wrap the ReadFunc given to
// runtime.Load with Wrap, then take the Documents. It is safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	docs []document
	seen map[string]bool
}

// Wrap returns a ReadFunc that reads with read and records what it returns.
func (r *Recorder) Wrap(read runtime.ReadFunc) runtime.ReadFunc {
	return func(ctx context.Context, u *url.URL) ([]byte, error) {
		data, err := read(ctx, u)
		if err == nil {
			r.mu.Lock()
			if r.seen == nil {
				r.seen = map[string]bool{}
			}
			if loc := u.String(); !r.seen[loc] {
				r.seen[loc] = true
				r.docs = append(r.docs, document{location: loc, data: data})
			}
			r.mu.Unlock()
		}
		return data, err
	}
}

// Documents packs what was read. name is the entry document as the user
// named it (what runtime.Load was given).
func (r *Recorder) Documents(name string) (*Documents, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.docs) == 0 {
		return nil, errors.New("no document was read")
	}
	var raw bytes.Buffer
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	w := io.MultiWriter(zw, &raw)
	for _, d := range r.docs {
		writeChunk(w, []byte(d.location))
		writeChunk(w, d.data)
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if buf.Len() > maxArchive {
		return nil, fmt.Errorf("the document and its sources are %d bytes compressed, more than a run can carry to Temporal (%d)", buf.Len(), maxArchive)
	}
	return &Documents{Name: name, Digest: digest(raw.Bytes()), Archive: buf.Bytes()}, nil
}

func writeChunk(w io.Writer, b []byte) {
	var n [binary.MaxVarintLen64]byte
	_, _ = w.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	_, _ = w.Write(b)
}

func digest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// unpack decompresses the documents and checks them against the digest.
func (d *Documents) unpack() ([]document, error) {
	zr, err := gzip.NewReader(bytes.NewReader(d.Archive))
	if err != nil {
		return nil, fmt.Errorf("documents of the run: %v", err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxDocuments+1))
	if err != nil {
		return nil, fmt.Errorf("documents of the run: %v", err)
	}
	if len(raw) > maxDocuments {
		return nil, fmt.Errorf("documents of the run: more than %d bytes", maxDocuments)
	}
	if got := digest(raw); got != d.Digest {
		return nil, fmt.Errorf("documents of the run: digest %s does not match their content (%s)", d.Digest, got)
	}
	var docs []document
	for rest := raw; len(rest) > 0; {
		var loc, data []byte
		if loc, rest, err = readChunk(rest); err == nil {
			data, rest, err = readChunk(rest)
		}
		if err != nil {
			return nil, fmt.Errorf("documents of the run: %v", err)
		}
		docs = append(docs, document{location: string(loc), data: data})
	}
	if len(docs) == 0 {
		return nil, errors.New("documents of the run: empty")
	}
	return docs, nil
}

func readChunk(b []byte) ([]byte, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, errors.New("truncated archive")
	}
	return b[k : k+int(n)], b[k+int(n):], nil
}

// readFunc serves the documents by location; anything else is refused, so a
// worker never reads its own files or the network to compile a run.
func readFunc(docs []document) runtime.ReadFunc {
	byLoc := make(map[string][]byte, len(docs))
	for _, d := range docs {
		byLoc[d.location] = d.data
	}
	return func(_ context.Context, u *url.URL) ([]byte, error) {
		if data, ok := byLoc[u.String()]; ok {
			return data, nil
		}
		return nil, fmt.Errorf("%s is not among the documents the run carries", u.Redacted())
	}
}
