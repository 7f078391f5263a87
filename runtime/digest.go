package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sync"
)

// sourceDigest hashes every document read while loading a plan, in the order
// they were read (loading is sequential and follows the document, so the order
// is the same for the same documents).
type sourceDigest struct {
	mu     sync.Mutex
	hashes [][sha256.Size]byte
}

func (d *sourceDigest) wrap(read ReadFunc) ReadFunc {
	return func(ctx context.Context, u *url.URL) ([]byte, error) {
		data, err := read(ctx, u)
		if err == nil {
			d.mu.Lock()
			d.hashes = append(d.hashes, sha256.Sum256(data))
			d.mu.Unlock()
		}
		return data, err
	}
}

func (d *sourceDigest) sum() string {
	if d == nil {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	h := sha256.New()
	for _, x := range d.hashes {
		h.Write(x[:])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// SourceDigest is a hash of the content of every document read to build the
// plan: with Load, the Arazzo document and all its source descriptions (with
// Compile, the sources only). Two plans with the same digest were built from
// the same bytes, wherever the files were; a journal stores it to refuse
// resuming a run with a changed document.
func (p *Plan) SourceDigest() string { return p.cfg.digest.sum() }
