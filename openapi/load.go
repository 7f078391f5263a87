package openapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/internal/yamlblock"
)

// ReadFunc reads the document or referenced file at u. u is absolute: a file URL
// (file:///path) or an http(s) URL. It is fetch.ReadFunc, the one signature of
// every reader of documents.
type ReadFunc = fetch.ReadFunc

// Option configures Load.
type Option func(*loadConfig)

type loadConfig struct {
	read ReadFunc
}

// WithReadFunc makes Load read the main document (when Load is given no data) and
// every file an external $ref points to through read, and through nothing else.
//
// SECURITY: a description can $ref any file or URL ("/etc/passwd",
// "http://169.254.169.254/..."). The default reader, a fetch.Reader with its
// default options, follows such references to regular files anywhere and to
// http(s) URLs; a caller loading descriptions it does not trust passes the Read
// method of a fetch.Reader confined to a Root, Offline if need be, or a
// ReadFunc that enforces its own sandbox.
func WithReadFunc(read ReadFunc) Option {
	return func(c *loadConfig) { c.read = read }
}

// LoadError is the error of Load. Line and Col are 1-based and zero when the
// position is unknown.
type LoadError struct {
	// Location is the URL of the file the problem is in: the document itself or a
	// file it references.
	Location string
	Line     int
	Col      int
	Msg      string
	// Err is the underlying error, if any.
	Err error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.Location)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// Load parses and validates an OpenAPI 3.0 or 3.1 description, in YAML or JSON.
//
// location is the absolute file path or URL of the document; relative $refs are
// resolved against it. When data is nil, the document itself is read from location.
// Every read goes through the ReadFunc given with WithReadFunc, else through a
// fetch.Reader with its defaults (regular files and http(s) URLs; 10 s timeout,
// 16 MiB per file, 64 MiB in all).
//
// Any problem is returned as a *LoadError, with the file and position when known.
func Load(ctx context.Context, location string, data []byte, opts ...Option) (doc *Document, err error) {
	var cfg loadConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	u, err := documentURL(location)
	if err != nil {
		return nil, &LoadError{Location: location, Msg: err.Error(), Err: err}
	}
	r := newReader(ctx, cfg.read)
	if data == nil {
		if data, err = r.readRaw(u); err != nil {
			return nil, &LoadError{Location: u.String(), Msg: err.Error(), Err: err}
		}
	}
	r.cache[fetch.Identity(u)] = data

	// kin-openapi is a large library fed with arbitrary input: whatever escapes it
	// as a panic is a bug there, reported here as an error rather than a crash.
	defer func() {
		if p := recover(); p != nil {
			doc = nil
			err = &LoadError{Location: u.String(), Msg: fmt.Sprintf("cannot load the description (internal error: %v)", p)}
		}
	}()

	newLoader := func() *openapi3.Loader {
		loader := openapi3.NewLoader()
		loader.Context = ctx
		loader.IsExternalRefsAllowed = true
		loader.IncludeOrigin = true
		loader.ReadFromURIFunc = r.kin
		return loader
	}
	t, kinErr := newLoader().LoadFromDataWithPath(data, u)
	var dangling []danglingRef
	if kinErr != nil {
		// Load what can be loaded: $refs that point at nothing are disabled in
		// place and become defects (defects.go), unless the rest fails too.
		if patched, refs := danglingRefs(u, data); patched != nil {
			r.cache[u.String()] = patched
			if t2, err := newLoader().LoadFromDataWithPath(patched, u); err == nil {
				t, kinErr, dangling = t2, nil, refs
			} else {
				r.cache[u.String()] = data
			}
		}
	}
	// A valid OpenAPI 3 description needs no YAML tree of ours: kin-openapi has
	// parsed it, and its origins give the order of the paths. Parsing it a second
	// time was a third of the cost of loading; the tree is now parsed only to say
	// what is wrong with a document that is not one.
	var tree *yaml.Node
	if kinErr != nil || !strings.HasPrefix(t.OpenAPI, "3.") {
		if tree, err = parseTree(u, data); err != nil {
			return nil, err
		}
		if err := checkVersion(u, tree); err != nil {
			return nil, err
		}
		if kinErr != nil {
			return nil, r.loadError(u, tree, kinErr)
		}
	}
	problems := validate(ctx, t)
	if (len(problems) > 0 || dangling != nil) && tree == nil {
		tree, _ = parseTree(u, data) // for the positions of the defects
	}
	doc = newDocument(u.String(), t, tree)
	for _, d := range dangling {
		doc.Defects = append(doc.Defects, d.defect(u.String()))
	}
	if dangling != nil {
		doc.markDanglingRefs(tree, dangling)
	}
	doc.validationDefects(r, u, tree, problems)
	return doc, nil
}

// documentURL turns a file path or URL into the absolute URL of the document.
func documentURL(location string) (*url.URL, error) {
	if location == "" {
		return nil, errors.New("no document location")
	}
	if u, err := url.Parse(location); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
			if u.Host == "" {
				return nil, fmt.Errorf("URL %q has no host", location)
			}
			u.Fragment = ""
			return u, nil
		case "file":
			if u.Path == "" {
				return nil, fmt.Errorf("file URL %q has no path", location)
			}
			return &url.URL{Scheme: "file", Path: u.Path}, nil
		default:
			// Other schemes (a bundle embedded in the binary, say) are the
			// read function's to resolve; the default reader refuses them.
			u.Fragment = ""
			return u, nil
		}
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}, nil
}

// reader serves every read of one Load: through the caller's ReadFunc or the default
// one, each document read once (by its identity: fetch.Identity), syntax errors
// reported with their file and position.
type reader struct {
	ctx   context.Context
	read  ReadFunc
	cache map[string][]byte // by identity
	last  string            // the location last handed to kin-openapi
}

func newReader(ctx context.Context, read ReadFunc) *reader {
	if read == nil {
		read = fetch.New(fetch.Options{}).Read
	}
	return &reader{ctx: ctx, read: read, cache: map[string][]byte{}}
}

func (r *reader) readRaw(u *url.URL) ([]byte, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	return r.read(r.ctx, u)
}

// kin is the ReadFromURIFunc given to kin-openapi.
func (r *reader) kin(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	loc := *u
	loc.Fragment = ""
	if loc.Scheme == "" {
		loc.Scheme = "file"
	}
	key := loc.String()
	r.last = key
	id := fetch.Identity(&loc)
	if data, ok := r.cache[id]; ok {
		return data, nil
	}
	data, err := r.readRaw(&loc)
	if err != nil {
		return nil, &LoadError{Location: key, Msg: err.Error(), Err: err}
	}
	if _, err := parseTree(&loc, data); err != nil {
		return nil, err
	}
	r.cache[id] = data
	return data, nil
}

// parseTree parses data as YAML (JSON being YAML) for positions and key order.
// It returns a nil tree without error for JSON that YAML rejects (duplicate keys),
// which kin-openapi accepts.
func parseTree(u *url.URL, data []byte) (*yaml.Node, error) {
	var root yaml.Node
	err := yamlblock.Unmarshal(data, &root)
	if err == nil {
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			return root.Content[0], nil
		}
		return &root, nil
	}
	if json.Valid(data) {
		return nil, nil
	}
	le := &LoadError{Location: u.String(), Msg: err.Error(), Err: err}
	var ye *yaml.LoadError
	if errors.As(err, &ye) {
		le.Line, le.Col = ye.Mark.Line, ye.Mark.Column
		if ye.Message != "" {
			le.Msg = "invalid YAML: " + ye.Message
		}
	}
	return nil, le
}

// checkVersion rejects what is not an OpenAPI 3 document before kin-openapi sees it.
func checkVersion(u *url.URL, tree *yaml.Node) error {
	if tree == nil {
		return nil // JSON with duplicate keys: kin-openapi and validation will tell
	}
	if tree.Kind == 0 {
		return &LoadError{Location: u.String(), Msg: "the document is empty"}
	}
	if tree.Kind != yaml.MappingNode {
		return &LoadError{Location: u.String(), Line: tree.Line, Col: tree.Column, Msg: "an OpenAPI description must be a mapping (object)"}
	}
	_, v := lookupKey(tree, "openapi")
	if v == nil {
		msg := `missing "openapi" field: not an OpenAPI 3 description`
		if _, sw := lookupKey(tree, "swagger"); sw != nil {
			msg = "Swagger 2.0 is not supported: convert the description to OpenAPI 3"
		}
		return &LoadError{Location: u.String(), Line: tree.Line, Col: tree.Column, Msg: msg}
	}
	if v.Kind != yaml.ScalarNode || !strings.HasPrefix(v.Value, "3.") {
		return &LoadError{Location: u.String(), Line: v.Line, Col: v.Column,
			Msg: fmt.Sprintf("unsupported OpenAPI version %q (want 3.0 or 3.1)", v.Value)}
	}
	return nil
}

// validate checks the document with kin-openapi and returns every problem,
// tolerating what does not matter to a workflow runtime: examples and defaults
// that do not match their schema, regular expressions Go cannot compile,
// unknown fields and 3.1 keywords in 3.0 documents.
func validate(ctx context.Context, t *openapi3.T) []error {
	err := t.Validate(ctx,
		openapi3.EnableMultiError(),
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(),
		openapi3.DisableSchemaPatternValidation(),
		openapi3.DisableSchemaFormatValidation(),
	)
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range leaves(err) {
		var extra *openapi3.ExtraSiblingFieldsError
		var version *openapi3.FieldVersionMismatchError
		if errors.As(e, &extra) || errors.As(e, &version) && version.MinVersion != "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// loadError turns an error of kin-openapi into a *LoadError with the best position
// available.
func (r *reader) loadError(u *url.URL, tree *yaml.Node, err error) error {
	var le *LoadError
	if errors.As(err, &le) {
		return le
	}
	out := &LoadError{Location: u.String(), Msg: err.Error(), Err: err}
	var ye *yaml.LoadError
	if errors.As(err, &ye) {
		// A decoding error (a value of the wrong type) in the file kin-openapi read last.
		if r.last != "" {
			out.Location = r.last
		}
		out.Line, out.Col = ye.Mark.Line, ye.Mark.Column
		if ye.Message != "" {
			out.Msg = "invalid value: " + ye.Message
		}
		return out
	}
	if loc, ok := originOf(err); ok {
		if loc.File != "" {
			out.Location = loc.File
		}
		out.Line, out.Col = loc.Line, loc.Column
		return out
	}
	if n := contextNode(tree, err); n != nil {
		out.Line, out.Col = n.Line, n.Column
	}
	return out
}

// originOf finds the position of the innermost error in err's chain that carries a
// kin-openapi Origin.
func originOf(err error) (openapi3.Location, bool) {
	var found openapi3.Location
	ok := false
	for depth, e := 0, err; e != nil && depth < 64; depth++ {
		if loc, has := errorOrigin(e); has {
			found, ok = loc, true
		}
		switch x := e.(type) {
		case openapi3.MultiError:
			if len(x) == 0 {
				return found, ok
			}
			e = x[0]
		case interface{ Unwrap() []error }:
			errs := x.Unwrap()
			if len(errs) == 0 {
				return found, ok
			}
			e = errs[0]
		default:
			e = errors.Unwrap(e)
		}
	}
	return found, ok
}

func errorOrigin(e error) (openapi3.Location, bool) {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return openapi3.Location{}, false
	}
	f := v.Elem().FieldByName("Origin")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*openapi3.Origin]() || f.IsNil() {
		return openapi3.Location{}, false
	}
	o := f.Interface().(*openapi3.Origin)
	if o.Key != nil && o.Key.Line > 0 {
		return *o.Key, true
	}
	for _, l := range o.Fields {
		if l.Line > 0 {
			return l, true
		}
	}
	return openapi3.Location{}, false
}

// contextNode finds the node of the main document that kin-openapi's context
// wrappers (section, path, operation, component) point to.
func contextNode(tree *yaml.Node, err error) *yaml.Node {
	if tree == nil {
		return nil
	}
	var best *yaml.Node
	var sec *openapi3.SectionValidationError
	if errors.As(err, &sec) {
		if k, v := lookupKey(tree, sec.Section); k != nil {
			best = k
			switch sec.Section {
			case "paths":
				var pv *openapi3.PathValidationError
				if errors.As(err, &pv) {
					if pk, item := lookupKey(v, pv.Path); pk != nil {
						best = pk
						var ov *openapi3.OperationValidationError
						if errors.As(err, &ov) {
							if mk, _ := lookupKey(item, strings.ToLower(ov.Method)); mk != nil {
								best = mk
							}
						}
					}
				}
			case "components":
				var cv *openapi3.ComponentValidationError
				if errors.As(err, &cv) {
					if sk, section := lookupKey(v, componentSection(cv.Section)); sk != nil {
						best = sk
						if nk, _ := lookupKey(section, cv.Name); nk != nil {
							best = nk
						}
					}
				}
			}
		}
	}
	return best
}

// componentSection maps kin-openapi's ComponentValidationError.Section to the key
// under components.
func componentSection(section string) string {
	switch section {
	case "request body":
		return "requestBodies"
	case "security scheme":
		return "securitySchemes"
	case "path item":
		return "pathItems"
	default:
		return section + "s"
	}
}

// lookupKey returns the key and value nodes of key in mapping m, or nils.
func lookupKey(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}
