package asyncapi

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v4"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer words validation problems; it holds no state that changes.
var printer = message.NewPrinter(language.English)

// Schema is the schema of a message's headers or payload (or of a binding's
// value): an AsyncAPI Schema Object, a JSON Schema, or another format (Avro,
// Protobuf, ...) that is kept as written.
type Schema struct {
	// Format is the schemaFormat ("" for the default, the AsyncAPI Schema
	// Object, a superset of JSON Schema draft-07).
	Format string
	// Value is the schema as written, a JSON-compatible value; $refs inside it
	// are not replaced (Resolve follows one).
	Value any
	Pos   Pos

	base string // URL of the file the schema is in
	ptr  string // its JSON pointer there
	set  *schemaSet

	once     sync.Once
	compiled *jsonschema.Schema
	err      error
}

// JSON reports whether the schema is a JSON Schema (the AsyncAPI Schema Object
// or a JSON Schema draft), whose instances Validate checks.
func (s *Schema) JSON() bool {
	f := strings.ToLower(strings.ReplaceAll(s.Format, " ", ""))
	switch {
	case f == "":
		return true
	case strings.HasPrefix(f, "application/vnd.aai.asyncapi"), strings.HasPrefix(f, "application/schema+json"),
		strings.HasPrefix(f, "application/schema+yaml"), strings.HasPrefix(f, "application/vnd.oai.openapi"):
		return true
	}
	return false
}

// Validate checks a JSON-compatible value against the schema. It returns nil
// for a schema that is not a JSON Schema (see JSON). The error lists every
// problem, each with the place in the value it is about.
func (s *Schema) Validate(v any) error {
	if s == nil || !s.JSON() || s.set == nil {
		return nil
	}
	s.once.Do(func() { s.compiled, s.err = s.set.compile(s.base + "#" + s.ptr) })
	if s.err != nil {
		return fmt.Errorf("the schema at %s cannot be used: %w", s.Pos, s.err)
	}
	err := s.compiled.Validate(normalize(v))
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return &SchemaError{Problems: flatten(ve)}
	}
	return err
}

// SchemaError lists what is wrong with a value, one problem per place.
type SchemaError struct {
	Problems []string
}

func (e *SchemaError) Error() string { return strings.Join(e.Problems, "; ") }

func flatten(ve *jsonschema.ValidationError) []string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			at := "/" + strings.Join(e.InstanceLocation, "/")
			msg := e.ErrorKind.LocalizedString(printer)
			if at == "/" {
				out = append(out, msg)
			} else {
				out = append(out, at+": "+msg)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(out)
	return out
}

// normalize turns the numbers of other Go integer types into int64, which the
// validator reads like the others; maps and slices are walked.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return m
	case int:
		return int64(x)
	}
	return v
}

// schemaSet compiles the schemas of one document: every file of it is a
// resource, so that $refs between schemas and files resolve.
type schemaSet struct {
	mu    sync.Mutex
	files map[string]any
	c     *jsonschema.Compiler
}

func (set *schemaSet) compile(loc string) (*jsonschema.Schema, error) {
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.c == nil {
		set.c = jsonschema.NewCompiler()
		set.c.DefaultDraft(jsonschema.Draft7)
		set.c.UseLoader(setLoader{set})
		for u, v := range set.files {
			if err := set.c.AddResource(u, v); err != nil {
				return nil, err
			}
		}
	}
	return set.c.Compile(loc)
}

// setLoader serves only the files the description loaded: compiling a schema
// reads nothing.
type setLoader struct{ set *schemaSet }

func (l setLoader) Load(u string) (any, error) {
	if v, ok := l.set.files[u]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("%s is not part of the description", u)
}

// schemaSet gathers the files of the description for its schemas.
func (l *loader) schemaSet() *schemaSet {
	set := &schemaSet{files: map[string]any{}}
	for k, f := range l.files {
		if f != nil && f.made {
			set.files[k] = f.value
		}
	}
	for _, v := range l.objs {
		for _, s := range schemasOf(v) {
			s.set = set
		}
	}
	return set
}

// schemasOf lists the schemas an object holds directly.
func schemasOf(v any) []*Schema {
	var out []*Schema
	add := func(s *Schema) {
		if s != nil {
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case *Message:
		add(x.Headers)
		add(x.Payload)
		if x.Bindings.Kafka != nil {
			add(x.Bindings.Kafka.Key)
		}
	case *Operation:
		if b := x.Bindings.Kafka; b != nil {
			add(b.GroupID)
			add(b.ClientID)
		}
	case *Channel:
		if b := x.Bindings.WS; b != nil {
			add(b.Query)
			add(b.Headers)
		}
	}
	return out
}

// schema decodes a Schema Object, a Multi Format Schema Object or a reference
// to either. format is the format a 2.x message gives its payload.
func (l *loader) schema(r ref, format string) *Schema {
	t, _, ok := l.deref(r)
	if !ok {
		return nil
	}
	if t.n.Kind == yaml.MappingNode && l.major == 3 {
		o := obj{l: l, r: t, what: "a schema"}
		if o.has("schemaFormat") && o.has("schema") {
			format = o.str("schemaFormat")
			sr, _ := o.get("schema")
			if t, _, ok = l.deref(sr); !ok {
				return nil
			}
		}
	}
	if t.n.Kind != yaml.MappingNode && !(t.n.Kind == yaml.ScalarNode && t.n.ShortTag() == "!!bool") {
		if format == "" {
			l.errorf(t, "a schema must be an object (or true or false), not %s", kindName(t.n))
			return nil
		}
	}
	t = l.locate(t)
	v, _ := PointerGet(l.fileValue(t.f), t.ptr)
	s := &Schema{Format: format, Value: v, Pos: t.pos(), base: t.f.key, ptr: t.ptr}
	if s.JSON() {
		l.loadSchemaFiles(t.f, v, map[string]bool{})
	}
	return s
}

// loadSchemaFiles reads the files the $refs of a schema point into, and theirs.
func (l *loader) loadSchemaFiles(f *file, v any, seen map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["$ref"].(string); ok {
			if u, err := url.Parse(s); err == nil {
				abs := f.u.ResolveReference(u)
				abs.Fragment, abs.RawFragment = "", ""
				if k := abs.String(); k != f.key && !seen[k] {
					seen[k] = true
					if g := l.fileAt(abs, ref{f, f.root, ""}); g != nil {
						l.loadSchemaFiles(g, l.fileValue(g), seen)
					}
				}
			}
		}
		for _, c := range x {
			l.loadSchemaFiles(f, c, seen)
		}
	case []any:
		for _, c := range x {
			l.loadSchemaFiles(f, c, seen)
		}
	}
}
