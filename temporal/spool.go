package temporal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// spool keeps, on the worker's own disk, the response of a request that must
// not be sent twice, from the moment it arrives until the activity's
// heartbeat details hold it. The heartbeat details are the record any worker
// reads, but reaching the cluster takes a network round trip; a file written
// and renamed takes a fraction of a millisecond, and once renamed it
// survives the process being killed. An attempt that follows a lost worker
// on a worker sharing the directory reads it first.
//
// Entries are encoded with the worker's data converter (with a payload key,
// encrypted) and named by a hash of the activity's identity: no credential,
// no response and no user text is in a file name or in clear in a file.
type spool struct {
	dir string
	dc  converter.DataConverter
}

// spoolMaxAge bounds how long an entry is kept: far longer than an activity
// can be retried (five attempts, each bounded by the request's timeout plus
// a grace period), so an entry swept at start belongs to no live attempt.
const spoolMaxAge = 7 * 24 * time.Hour

// openSpool creates dir (0700) if needed and sweeps the entries older than
// spoolMaxAge, and the temporary files of writes that did not finish.
func openSpool(dir string, dc converter.DataConverter) (*spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool directory: %w", err)
	}
	s := &spool{dir: dir, dc: dc}
	s.sweep(time.Now().Add(-spoolMaxAge))
	return s, nil
}

// sweep removes the entries last written before cutoff, and temporary files
// of that age (a worker killed mid-write leaves one).
func (s *spool) sweep(cutoff time.Time) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !(strings.HasSuffix(e.Name(), ".rec") || strings.HasPrefix(e.Name(), ".tmp-")) {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}

// spoolKey names the entry of the activity of ctx: the same for each of its
// attempts, and for no other activity.
func spoolKey(ctx context.Context) string {
	info := activity.GetInfo(ctx)
	h := sha256.New()
	for _, part := range []string{info.Namespace, info.WorkflowExecution.ID, info.WorkflowExecution.RunID, info.ActivityID} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *spool) path(key string) string { return filepath.Join(s.dir, key+".rec") }

// write records rec under key. It returns once the entry is
// in place, which a killed process cannot undo; sync, which the caller runs
// while it records the heartbeat, makes it survive a power cut too.
func (s *spool) write(key string, rec *sendRecord) (sync func() error, err error) {
	payloads, err := s.dc.ToPayloads(rec)
	if err != nil {
		return nil, err
	}
	data, err := proto.Marshal(payloads)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.dir, ".tmp-*") // 0600
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	if err := os.Rename(f.Name(), s.path(key)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return func() error {
		err := f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if d, derr := os.Open(s.dir); derr == nil {
			if serr := d.Sync(); err == nil {
				err = serr
			}
			d.Close()
		}
		return err
	}, nil
}

// read returns the entry of key; nil, nil when there is none.
func (s *spool) read(key string) (*sendRecord, error) {
	data, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var payloads commonpb.Payloads
	if err := proto.Unmarshal(data, &payloads); err != nil {
		return nil, fmt.Errorf("spooled response: %w", err)
	}
	var rec sendRecord
	if err := s.dc.FromPayloads(&payloads, &rec); err != nil {
		return nil, fmt.Errorf("spooled response: %w", err)
	}
	if rec.Output == nil {
		return nil, errors.New("spooled response: the entry holds no response")
	}
	return &rec, nil
}

// remove removes the entry of key, once the heartbeat details hold what it
// held.
func (s *spool) remove(key string) {
	_ = os.Remove(s.path(key))
}
