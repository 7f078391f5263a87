package arazzo

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/internal/yamlblock"
)

// Limits bound what a document may cost to load. A document from an untrusted
// source (a pull request) cannot exhaust memory or time through them.
type Limits struct {
	// MaxBytes is the largest document accepted.
	MaxBytes int
	// MaxDepth is the deepest nesting of mappings and sequences.
	MaxDepth int
	// MaxNodes bounds the nodes visited while decoding, aliases expanded.
	MaxNodes int
}

// DefaultLimits returns the limits Parse applies unless WithLimits says
// otherwise: generous for any real Arazzo document (10 MiB, 200 levels of
// nesting, 2,000,000 values once aliases are expanded). They are a value, not
// a setting of the package: a program that needs others passes them to each
// Parse (runtime.WithLimits for Load).
func DefaultLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxDepth: 200, MaxNodes: 2_000_000}
}

// ParseOption configures Parse.
type ParseOption func(*parseConfig)

type parseConfig struct {
	limits   Limits
	location string
}

// WithLimits replaces DefaultLimits(); a zero field keeps its default.
func WithLimits(l Limits) ParseOption { return func(c *parseConfig) { c.limits = l } }

// WithLocation sets the absolute URL the document was read from (file:// or http(s)://);
// by default it is derived from the file name.
func WithLocation(loc string) ParseOption { return func(c *parseConfig) { c.location = loc } }

// Parse decodes an Arazzo document from YAML or JSON. file names the document in
// diagnostics. The returned document is nil only when nothing could be decoded; the
// diagnostics list every structural problem found, each with its position.
func Parse(file string, data []byte, opts ...ParseOption) (*Document, Diagnostics) {
	cfg := parseConfig{limits: DefaultLimits()}
	for _, o := range opts {
		o(&cfg)
	}
	def := DefaultLimits()
	if cfg.limits.MaxBytes <= 0 {
		cfg.limits.MaxBytes = def.MaxBytes
	}
	if cfg.limits.MaxDepth <= 0 {
		cfg.limits.MaxDepth = def.MaxDepth
	}
	if cfg.limits.MaxNodes <= 0 {
		cfg.limits.MaxNodes = def.MaxNodes
	}
	d := &decoder{file: file, limits: cfg.limits, src: data}
	if cfg.limits.MaxBytes > 0 && len(data) > cfg.limits.MaxBytes {
		d.errorf(Pos{}, "", RuleDocumentLimits, "document is %d bytes, more than the %d accepted", len(data), cfg.limits.MaxBytes)
		return nil, d.diags
	}
	root, ok := d.parseYAML(data)
	if !ok {
		return nil, d.diags
	}
	doc := &Document{File: file, Location: cfg.location}
	if doc.Location == "" {
		doc.Location = FileLocation(file)
	}
	d.resolveMerges(root)
	d.document(root, doc)
	if d.aliases || d.merged != nil {
		// Only a tree that reuses content has reuses to place: the walk that
		// finds them names the path of every node, which costs as much as
		// resolving the merges.
		doc.reuses = reuses(root, d.merged)
	}
	return doc, placeReused(d.diags, doc.reuses).Sort()
}

// FileLocation turns a file name into an absolute file:// URL; a name that already is
// a URL is returned as is.
func FileLocation(name string) string {
	if u, err := url.Parse(name); err == nil && len(u.Scheme) > 1 {
		return name // already a URL (a one-letter scheme is a Windows drive)
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// parseYAML reads the YAML (or JSON) stream into a node tree.
func (d *decoder) parseYAML(data []byte) (*yaml.Node, bool) {
	if len(bytes.TrimSpace(data)) == 0 {
		d.errorf(Pos{Line: 1, Col: 1}, "", RuleRootNotObject, "document is empty; an Arazzo document is an object with arazzo, info, sourceDescriptions and workflows")
		return nil, false
	}
	data, ok := d.yamlText(data)
	if !ok {
		return nil, false
	}
	d.src = data // the text positions refer to
	var n yaml.Node
	err := safeUnmarshal(data, &n)
	if err != nil {
		var le *yaml.LoadError
		pos := Pos{}
		msg := err.Error()
		if errors.As(err, &le) {
			pos = Pos{Line: le.Mark.Line, Col: le.Mark.Column}
			msg = le.Message
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		if strings.Contains(msg, "exceeded max depth") {
			// The parser's own nesting limit (10,000) protects its stack.
			d.errorf(pos, "", RuleDocumentLimits, "document nests too deep for the YAML parser (%s)", msg)
			return nil, false
		}
		if le != nil {
			d.yamlError(data, le)
			return nil, false
		}
		d.errorf(pos, "", RuleYAMLSyntax, "invalid YAML: %s", msg)
		return nil, false
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0], true
	}
	d.errorf(Pos{Line: 1, Col: 1}, "", RuleRootNotObject, "document is empty; an Arazzo document is an object with arazzo, info, sourceDescriptions and workflows")
	return nil, false
}

// safeUnmarshal guards against a parser panic on hostile input: whatever the
// parser does, the caller gets an error, never a crash.
func safeUnmarshal(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the YAML parser failed on this input: %v", r)
		}
	}()
	return yamlblock.Unmarshal(data, n)
}
