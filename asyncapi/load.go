package asyncapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/internal/yamlblock"

	"github.com/arazzo-run/arazzo/fetch"
)

// ReadFunc reads the document or a file it references at u. u is absolute: a
// file URL (file:///path), an http(s) URL, or any scheme the caller serves. It
// is fetch.ReadFunc, the one signature of every reader of documents.
//
// SECURITY: a description can $ref any file or URL. Every read of Load goes
// through this one function, so a caller loading descriptions it does not
// trust passes one that enforces its sandbox (a fetch.Reader confined to a
// Root, say). The default reader reads local regular files only.
type ReadFunc = fetch.ReadFunc

// Limits bound what loading a description may cost.
type Limits struct {
	// MaxBytes caps each file the default reader reads (a ReadFunc given with
	// WithReadFunc enforces its own).
	MaxBytes int64
	// MaxDepth is the deepest nesting of mappings and sequences in a file.
	MaxDepth int
	// MaxNodes bounds the YAML nodes decoded over all files, aliases expanded.
	MaxNodes int
	// MaxFiles bounds the files that $refs may bring in, the document included.
	MaxFiles int
}

// DefaultLimits are generous for any real AsyncAPI description.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 16 << 20, MaxDepth: 200, MaxNodes: 2_000_000, MaxFiles: 256}
}

// Option configures Load.
type Option func(*loadConfig)

type loadConfig struct {
	read   ReadFunc
	limits Limits
}

// WithReadFunc makes Load read the document (when it is given no data) and every
// file an external $ref points to through read, and through nothing else.
func WithReadFunc(read ReadFunc) Option { return func(c *loadConfig) { c.read = read } }

// WithLimits replaces DefaultLimits.
func WithLimits(l Limits) Option { return func(c *loadConfig) { c.limits = l } }

// Pos is where something is written: the file (a path for local files, else the
// URL) and a 1-based line and column. The zero Pos means unknown.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	s := p.File
	if p.Line > 0 {
		s += fmt.Sprintf(":%d:%d", p.Line, p.Col)
	}
	return s
}

// Problem is one thing wrong with, or doubtful in, a description.
type Problem struct {
	Pos Pos
	// Path is the JSON pointer of the object concerned in its file, e.g.
	// /operations/placeOrder/channel.
	Path string
	Msg  string
}

func (p Problem) String() string {
	if s := p.Pos.String(); s != "" {
		return s + ": " + p.Msg
	}
	return p.Msg
}

// LoadError is the error of Load: every error found, in file order.
type LoadError struct {
	// Location is the URL of the document Load was asked for.
	Location string
	Problems []Problem
	// Err is the underlying error of a read that failed, if any.
	Err error
}

func (e *LoadError) Error() string {
	if len(e.Problems) == 0 {
		return e.Location + ": cannot load the description"
	}
	s := e.Problems[0].String()
	if n := len(e.Problems) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more problem%s)", n, plural(n))
	}
	return s
}

func (e *LoadError) Unwrap() error { return e.Err }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Load reads an AsyncAPI 3.0 or 3.1 description (2.x is mapped, with a
// warning), in YAML or JSON.
//
// location is the absolute file path or URL of the document; relative $refs are
// resolved against it. When data is nil the document is read from location.
// Every problem that stops the description from being used is returned at once
// in a *LoadError; the doubtful ones are the Document's Warnings.
func Load(ctx context.Context, location string, data []byte, opts ...Option) (*Document, error) {
	cfg := loadConfig{limits: DefaultLimits()}
	for _, o := range opts {
		o(&cfg)
	}
	u, err := documentURL(location)
	if err != nil {
		return nil, &LoadError{Location: location, Problems: []Problem{{Pos: Pos{File: location}, Msg: err.Error()}}, Err: err}
	}
	if cfg.read == nil {
		cfg.read = defaultReader(cfg.limits.MaxBytes)
	}
	l := newLoader(ctx, cfg)
	if data == nil {
		if data, err = cfg.read(ctx, u); err != nil {
			return nil, &LoadError{Location: u.String(), Problems: []Problem{{Pos: Pos{File: display(u)}, Msg: err.Error()}}, Err: err}
		}
	}
	doc := l.load(u, data)
	if len(l.errs) > 0 {
		sortProblems(l.errs)
		return nil, &LoadError{Location: u.String(), Problems: l.errs, Err: l.readErr}
	}
	return doc, nil
}

// documentURL turns a file path or URL into the absolute URL of the document.
func documentURL(location string) (*url.URL, error) {
	if location == "" {
		return nil, errors.New("no document location")
	}
	if u, err := url.Parse(location); err == nil && len(u.Scheme) > 1 {
		u.Fragment = ""
		if strings.EqualFold(u.Scheme, "file") {
			if u.Path == "" {
				return nil, fmt.Errorf("file URL %q has no path", location)
			}
			return &url.URL{Scheme: "file", Path: u.Path}, nil
		}
		return u, nil
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}, nil
}

// display names a file in positions: its path for a local file, else its URL.
func display(u *url.URL) string {
	if u.Scheme == "file" {
		return filepath.FromSlash(u.Path)
	}
	return u.Redacted()
}

// defaultReader reads local regular files, each at most max bytes, and
// nothing else.
func defaultReader(max int64) ReadFunc {
	files := fetch.New(fetch.Options{Offline: true, MaxBytes: max})
	return func(ctx context.Context, u *url.URL) ([]byte, error) {
		if u.Scheme != "file" {
			return nil, fmt.Errorf("%s: only local files are read (pass a ReadFunc to read other locations)", u.Redacted())
		}
		return files.Read(ctx, u)
	}
}

// parseYAML reads one file into a node tree, guarding against parser panics on
// hostile input and against nesting deeper than the limit.
func parseYAML(data []byte, maxDepth int) (root *yaml.Node, pos Pos, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("the YAML parser failed on this input: %v", r)
		}
	}()
	var n yaml.Node
	if err := yamlblock.Unmarshal(data, &n); err != nil {
		var le *yaml.LoadError
		msg := err.Error()
		if errors.As(err, &le) {
			pos = Pos{Line: le.Mark.Line, Col: le.Mark.Column}
			msg = le.Message
			if le.ContextMsg != "" {
				msg = le.ContextMsg + ": " + msg
			}
		}
		return nil, pos, fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
	}
	if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
		return nil, Pos{Line: 1, Col: 1}, errors.New("the file is empty")
	}
	if d, at := depth(n.Content[0], 0, maxDepth); d > maxDepth {
		return nil, Pos{Line: at.Line, Col: at.Column}, fmt.Errorf("the file nests deeper than %d levels", maxDepth)
	}
	return n.Content[0], Pos{}, nil
}

// depth measures the nesting of n, stopping as soon as it passes max.
func depth(n *yaml.Node, d, max int) (int, *yaml.Node) {
	if d > max {
		return d, n
	}
	deepest, at := d, n
	for _, c := range n.Content {
		if cd, cn := depth(c, d+1, max); cd > deepest {
			deepest, at = cd, cn
			if deepest > max {
				break
			}
		}
	}
	return deepest, at
}

// sortProblems orders problems by file, line and column, keeping the order of
// those at one place.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
