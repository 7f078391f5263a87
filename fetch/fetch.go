// Package fetch reads the documents a run or a validation needs — an Arazzo
// document, the OpenAPI and Arazzo descriptions it names as sources, the
// files those $ref — from files and http(s) URLs.
//
// SECURITY: this package is the boundary between arazzo and documents it does
// not trust. A document from a pull request names the locations it is read
// from: every path, symbolic link and URL in it is the author's choice. A
// Reader is the one place they are read, and it holds these lines:
//
//   - only regular files are read, at the size they have: a symbolic link to
//     /dev/zero, /dev/stdin, a FIFO or a directory is an error, never a hang
//     or a read without end; a link that cannot be resolved is an error too
//     (it is never read by its unresolved name);
//   - with Root set, a file is read only when its resolved path is inside
//     Root: a symbolic link out of it is refused like a path that leaves it;
//   - http(s) URLs are fetched with a timeout, never under Offline; other
//     schemes and file URLs naming another host are refused;
//   - each document is capped (MaxBytes), and so is everything one Reader
//     reads in total (MaxTotal), however many names the documents use;
//   - each document is read once per identity (Identity: the path with its
//     symbolic links resolved, or the normalised URL), so that one file
//     listed under many names ("./%2E/x.yaml", "x.yaml?1", a link to it)
//     costs one read.
//
// A caller with other needs (documents embedded in a binary, a recorded set
// on a worker) passes its own ReadFunc to runtime.WithReadFunc and
// openapi.WithReadFunc, and takes on these duties for what it serves.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ReadFunc reads the document at u, an absolute location: a file URL
// (file:///path), an http(s) URL, or a scheme the function serves itself.
// It is the one signature every reader of documents has.
type ReadFunc func(ctx context.Context, u *url.URL) ([]byte, error)

// Options configure a Reader.
type Options struct {
	// Offline refuses every http(s) location (with an error wrapping ErrOffline).
	Offline bool
	// Root, when set, confines file reads to this directory tree.
	Root string
	// Timeout bounds each http(s) fetch (default 10 s).
	Timeout time.Duration
	// MaxBytes caps each document (default 16 MiB).
	MaxBytes int64
	// MaxTotal caps the bytes a Reader reads in all, with the Readers made
	// from it by WithRoot (default 64 MiB).
	MaxTotal int64
	// Client fetches http(s) locations (default: a client with Timeout).
	Client *http.Client
}

// Defaults of Options.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultMaxBytes = 16 << 20
	DefaultMaxTotal = 64 << 20
)

// ErrOffline is the cause of the error for a remote location read offline.
var ErrOffline = errors.New("not fetched: offline")

// OutsideError is returned for a file outside the directory tree a reader is
// confined to.
type OutsideError struct {
	Path, Root string
}

func (e *OutsideError) Error() string {
	return e.Path + " is outside " + e.Root + "; sources are read only inside the document's repository, or its directory outside a repository"
}

// LimitError is returned when a document, or all the documents read
// together, are larger than a Reader accepts.
type LimitError struct {
	Location string
	// Total is set when the limit is the Reader's total (MaxTotal).
	Total bool
	Limit int64
}

func (e *LimitError) Error() string {
	if e.Total {
		return fmt.Sprintf("%s: the documents read together are larger than %d bytes (%d MiB), the limit of one invocation", e.Location, e.Limit, e.Limit>>20)
	}
	return fmt.Sprintf("%s is larger than %d bytes", e.Location, e.Limit)
}

// Reader reads documents within the bounds of its Options (see the package
// documentation). It is safe for concurrent use.
type Reader struct {
	o    Options
	root string // Root, absolute, symbolic links resolved; "" when not confined
	s    *shared
}

// shared is what a Reader and those made from it by WithRoot have in common:
// what was read, and how much.
type shared struct {
	mu     sync.Mutex
	total  int64
	reads  int // documents read from disk or the network (for tests)
	client *http.Client
	docs   map[string]*entry // by identity
}

type entry struct {
	once sync.Once
	data []byte
	err  error
}

// New returns a Reader with the options' defaults filled in.
func New(o Options) *Reader {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxTotal <= 0 {
		o.MaxTotal = DefaultMaxTotal
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: o.Timeout}
	}
	r := &Reader{o: o, s: &shared{client: client, docs: map[string]*entry{}}}
	r.root = resolveRoot(o.Root)
	return r
}

// WithRoot returns a Reader confined to root ("" for none) that shares this
// one's documents and total: the documents of several roots read in one
// invocation still count once.
func (r *Reader) WithRoot(root string) *Reader {
	o := r.o
	o.Root = root
	return &Reader{o: o, root: resolveRoot(root), s: r.s}
}

func resolveRoot(root string) string {
	if root == "" {
		return ""
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return filepath.Clean(root)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		return resolved
	}
	return filepath.Clean(abs)
}

// Read returns the document at u. It is a ReadFunc.
func (r *Reader) Read(ctx context.Context, u *url.URL) ([]byte, error) {
	switch u.Scheme {
	case "file", "":
		p, err := r.resolveFile(u)
		if err != nil {
			return nil, err
		}
		return r.once("file:"+p, func() ([]byte, error) { return r.readFile(p) })
	case "http", "https":
		if r.o.Offline {
			return nil, fmt.Errorf("%s: %w", u.Redacted(), ErrOffline)
		}
		return r.once(Identity(u), func() ([]byte, error) { return r.get(ctx, u) })
	}
	return nil, fmt.Errorf("unsupported location scheme %q (use a file path or an http(s) URL)", u.Scheme)
}

// Head returns at most n bytes from the start of the document at u, a file
// URL: enough to tell what a file is without reading all of it. The file is
// checked as Read checks it, and read no further than its size.
func (r *Reader) Head(u *url.URL, n int) ([]byte, error) {
	p, err := r.resolveFile(u)
	if err != nil {
		return nil, err
	}
	f, size, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, min(int64(n), size))
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:k], nil
}

// resolveFile turns a file URL into the path it names, symbolic links
// resolved, and checks it against the root.
func (r *Reader) resolveFile(u *url.URL) (string, error) {
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("%s: file URLs on another host (%s) are not read", u.Redacted(), u.Host)
	}
	p := filepath.Clean(filepath.FromSlash(u.Path))
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		// Never read by the unresolved name: a link that does not resolve is
		// an error, as is a file that does not exist.
		if st, lerr := os.Lstat(p); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			return "", fmt.Errorf("%s is a symbolic link to %s, which cannot be resolved to a file: %w", p, target, err)
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", &os.PathError{Op: "open", Path: p, Err: pe.Err} // the name the user wrote
		}
		return "", err
	}
	if r.root != "" && !within(r.root, resolved) {
		return "", &OutsideError{Path: p, Root: r.root}
	}
	return resolved, nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// once reads a document the first time its identity is asked for; later
// asks get the same bytes (or error).
func (r *Reader) once(id string, read func() ([]byte, error)) ([]byte, error) {
	r.s.mu.Lock()
	e := r.s.docs[id]
	if e == nil {
		e = &entry{}
		r.s.docs[id] = e
	}
	r.s.mu.Unlock()
	e.once.Do(func() { e.data, e.err = read() })
	return e.data, e.err
}

// readFile reads a regular file at the size it has when opened: a file that
// is larger than it says (a /proc file, one that grows while read) is an
// error, as is anything that is not a regular file.
func (r *Reader) readFile(p string) ([]byte, error) {
	f, size, err := openRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > r.o.MaxBytes {
		return nil, &LimitError{Location: p, Limit: r.o.MaxBytes}
	}
	if err := r.charge(p, size); err != nil {
		return nil, err
	}
	r.counted()
	// The size is known: one buffer of it (and a byte to notice growth),
	// not the doublings of io.ReadAll.
	data := make([]byte, 0, size+1)
	lr := io.LimitReader(f, size+1)
	for len(data) < cap(data) {
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(data)) > size {
		return nil, fmt.Errorf("%s holds more than its size (%d bytes) says: not a plain file, or it grew while read", p, size)
	}
	return data, nil
}

// openRegular opens a regular file for reading without blocking on what is
// not one (a FIFO would block an ordinary open until a writer comes), refuses
// everything else, and returns the file's size as it is open.
func openRegular(p string) (*os.File, int64, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		return nil, 0, notRegular(p, st.Mode())
	}
	f, err := openNoBlock(p)
	if err != nil {
		return nil, 0, err
	}
	// The file may have been replaced between the two looks.
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, 0, err
		}
		return nil, 0, notRegular(p, st.Mode())
	}
	return f, st.Size(), nil
}

// FileTypeError is returned for a location that is not a regular file: a
// device, a named pipe, a socket or a directory.
type FileTypeError struct {
	Path string
	// Kind says what it is: "a directory", "a character device", ...
	Kind string
}

func (e *FileTypeError) Error() string {
	return e.Path + " is " + e.Kind + "; only regular files are read as documents"
}

func notRegular(p string, m os.FileMode) error {
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&os.ModeCharDevice != 0:
		kind = "a character device"
	case m&os.ModeDevice != 0:
		kind = "a device"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	}
	return &FileTypeError{Path: p, Kind: kind}
}

// get fetches an http(s) URL, capped in time and size.
func (r *Reader) get(ctx context.Context, u *url.URL) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/yaml, application/json;q=0.9, */*;q=0.5")
	r.counted()
	resp, err := r.s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("GET %s: %s", u.Redacted(), resp.Status)
	}
	if resp.ContentLength > r.o.MaxBytes {
		return nil, &LimitError{Location: u.Redacted(), Limit: r.o.MaxBytes}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, r.o.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > r.o.MaxBytes {
		return nil, &LimitError{Location: u.Redacted(), Limit: r.o.MaxBytes}
	}
	if err := r.charge(u.Redacted(), int64(len(data))); err != nil {
		return nil, err
	}
	return data, nil
}

func (r *Reader) counted() {
	r.s.mu.Lock()
	r.s.reads++
	r.s.mu.Unlock()
}

// charge counts n bytes against the total, or refuses them.
func (r *Reader) charge(loc string, n int64) error {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.total+n > r.o.MaxTotal {
		return &LimitError{Location: loc, Total: true, Limit: r.o.MaxTotal}
	}
	r.s.total += n
	return nil
}

// Identity names the document at u so that two names of one document are
// equal: for a file URL, its path cleaned and its symbolic links resolved
// (when they resolve; the cleaned path when they do not), without query or
// fragment, which a file does not have; for other URLs, the URL normalised
// as RFC 3986 §6.2.2 says — scheme and host in lower case, the default port
// dropped, percent-encoded unreserved characters decoded, dot segments
// removed — without its fragment.
func Identity(u *url.URL) string {
	if u.Scheme == "file" || u.Scheme == "" {
		p := filepath.Clean(filepath.FromSlash(u.Path))
		if resolved, err := filepath.EvalSymlinks(p); err == nil {
			p = resolved
		}
		return "file://" + filepath.ToSlash(p)
	}
	n := *u
	n.Fragment, n.RawFragment = "", ""
	n.Scheme = strings.ToLower(n.Scheme)
	host := strings.ToLower(n.Host)
	switch {
	case n.Scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	case n.Scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	}
	n.Host = host
	if n.Opaque == "" {
		p := decodeUnreserved(n.EscapedPath())
		if p != "" {
			clean := path.Clean(p)
			if strings.HasSuffix(p, "/") && clean != "/" {
				clean += "/"
			}
			p = clean
		}
		n.RawPath = p
		if dec, err := url.PathUnescape(p); err == nil {
			n.Path = dec
		}
	}
	return n.String()
}

// decodeUnreserved decodes the percent-encoded triples of unreserved
// characters (ALPHA DIGIT - . _ ~), which are the same URL encoded or not.
func decodeUnreserved(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if c, ok := unhex(s[i+1], s[i+2]); ok && unreserved(c) {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unhex(a, b byte) (byte, bool) {
	h, ok1 := hexVal(a)
	l, ok2 := hexVal(b)
	return h<<4 | l, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}
