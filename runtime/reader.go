package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ReaderOptions configure DefaultReader.
type ReaderOptions struct {
	// Offline refuses every http(s) location.
	Offline bool
	// Root, when set, confines file reads to this directory tree.
	Root string
	// Timeout bounds each http(s) fetch (default 10 s).
	Timeout time.Duration
	// MaxBytes caps a document's size (default 16 MiB).
	MaxBytes int64
	// Client fetches http(s) locations (default: a client with Timeout).
	Client *http.Client
}

// ErrOffline is returned for a remote location when reading offline.
var ErrOffline = errors.New("not fetched: offline")

// DefaultReader reads file:// locations from disk and http(s):// locations over
// the network, each bounded in time and size; other schemes are refused.
func DefaultReader(o ReaderOptions) ReadFunc {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 16 << 20
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: o.Timeout}
	}
	root := ""
	if o.Root != "" {
		if abs, err := filepath.Abs(o.Root); err == nil {
			root = filepath.Clean(abs)
		}
	}
	return func(ctx context.Context, u *url.URL) ([]byte, error) {
		switch u.Scheme {
		case "file", "":
			if u.Host != "" && u.Host != "localhost" {
				return nil, fmt.Errorf("%s: file URLs on another host (%s) are not read", u.Redacted(), u.Host)
			}
			p := filepath.FromSlash(u.Path)
			if root != "" && !within(root, p) {
				return nil, &OutsideError{Path: p, Root: root}
			}
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return readCapped(f, o.MaxBytes, p)
		case "http", "https":
			if o.Offline {
				return nil, ErrOffline
			}
			ctx, cancel := context.WithTimeout(ctx, o.Timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Accept", "application/yaml, application/json;q=0.9, */*;q=0.5")
			resp, err := client.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return nil, fmt.Errorf("GET %s: %s", u.Redacted(), resp.Status)
			}
			return readCapped(resp.Body, o.MaxBytes, u.Redacted())
		}
		return nil, fmt.Errorf("unsupported location scheme %q (use a file path or an http(s) URL)", u.Scheme)
	}
}

func within(root, p string) bool {
	p = filepath.Clean(p)
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		p = resolved
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func readCapped(r io.Reader, max int64, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, max)
	}
	return b, nil
}

// OutsideError is returned for a file outside the directory tree a reader is
// confined to.
type OutsideError struct {
	Path, Root string
}

func (e *OutsideError) Error() string {
	return e.Path + " is outside " + e.Root + "; sources are read only inside the document's repository, or its directory outside a repository (--allow-outside lifts this)"
}
