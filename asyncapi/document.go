package asyncapi

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// Document is a loaded AsyncAPI description: every $ref resolved, traits
// applied, and each object knowing where it is written.
type Document struct {
	// URL is the absolute location the document was read from.
	URL string
	// Version is the value of the root asyncapi field, e.g. "3.0.0".
	Version string
	// Title and APIVersion are info.title and info.version.
	Title, APIVersion string
	// DefaultContentType is the root defaultContentType ("" when absent).
	DefaultContentType string
	// Servers, Channels and Operations are the root ones, in document order. A
	// 2.x description's operations are made from its channels' publish and
	// subscribe operations (see Operation.Action).
	Servers    []*Server
	Channels   []*Channel
	Operations []*Operation
	// SecuritySchemes are components.securitySchemes by name.
	SecuritySchemes map[string]*SecurityScheme
	// Warnings are the problems that do not stop the description from being
	// used: a 2.x document, fields the specification says SHOULD be otherwise.
	Warnings []Problem

	byID      map[string]*Operation
	byPointer map[string]any // "/channels/x", "/operations/y", "/components/messages/z" → object
	schemas   *schemaSet
}

// Major is the major version of the specification the document follows (2 or 3).
func (d *Document) Major() int {
	if strings.HasPrefix(d.Version, "2.") {
		return 2
	}
	return 3
}

// Operation returns the operation with this id (the key under operations; in
// 2.x, the operationId), or nil.
func (d *Document) Operation(id string) *Operation { return d.byID[id] }

// Server returns the root server with this name, or nil.
func (d *Document) Server(name string) *Server {
	for _, s := range d.Servers {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Channel returns the root channel with this key, or nil.
func (d *Document) Channel(key string) *Channel {
	for _, c := range d.Channels {
		if c.Key == key {
			return c
		}
	}
	return nil
}

// OperationIDs lists the ids of the operations, sorted, for suggestions.
func (d *Document) OperationIDs() []string {
	ids := make([]string, 0, len(d.byID))
	for id := range d.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ChannelAt returns the channel a JSON pointer of this document points to:
// /channels/<key> or /components/channels/<key> (a channelPath's fragment).
func (d *Document) ChannelAt(pointer string) (*Channel, error) {
	switch v := d.byPointer[pointer].(type) {
	case *Channel:
		return v, nil
	case nil:
		return nil, fmt.Errorf("no channel at %s (channels: %s)", pointer, strings.Join(d.channelPointers(), ", "))
	default:
		return nil, fmt.Errorf("%s is not a channel", pointer)
	}
}

// OperationAt returns the operation a JSON pointer of this document points to:
// /operations/<id> or /components/operations/<id>; in 2.x also
// /channels/<address>/publish and /channels/<address>/subscribe.
func (d *Document) OperationAt(pointer string) (*Operation, error) {
	switch v := d.byPointer[pointer].(type) {
	case *Operation:
		return v, nil
	case nil:
		return nil, fmt.Errorf("no operation at %s", pointer)
	default:
		return nil, fmt.Errorf("%s is not an operation", pointer)
	}
}

// MessageAt returns the message a JSON pointer of this document points to, such
// as /components/messages/<name> or /channels/<key>/messages/<id>.
func (d *Document) MessageAt(pointer string) (*Message, error) {
	switch v := d.byPointer[pointer].(type) {
	case *Message:
		return v, nil
	case nil:
		return nil, fmt.Errorf("no message at %s", pointer)
	default:
		return nil, fmt.Errorf("%s is not a message", pointer)
	}
}

func (d *Document) channelPointers() []string {
	var out []string
	for _, c := range d.Channels {
		out = append(out, c.Pointer)
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// Servers lists the servers an operation may use: its channel's, else the
// document's (Channel Object, servers: "If servers is absent or empty, this
// channel MUST be available on all the servers defined in the Servers Object").
func (d *Document) ServersOf(c *Channel) []*Server {
	if c != nil && len(c.Servers) > 0 {
		return c.Servers
	}
	return d.Servers
}

// load decodes the document at u and everything it references.
func (l *loader) load(u *url.URL, data []byte) *Document {
	f := l.addFile(u, data, Pos{File: display(u)})
	if f == nil {
		return nil
	}
	l.entry = f
	rootRef := ref{f, f.root, ""}
	root, ok := l.object(rootRef, "an AsyncAPI description")
	if !ok {
		return nil
	}
	doc := &Document{URL: u.String(), byID: map[string]*Operation{}, byPointer: map[string]any{},
		SecuritySchemes: map[string]*SecurityScheme{}}
	l.doc = doc
	vr, ok := root.get("asyncapi")
	switch {
	case !ok:
		what := "no asyncapi field: this is not an AsyncAPI description"
		for _, k := range []string{"openapi", "swagger", "arazzo"} {
			if root.has(k) {
				what = "no asyncapi field: this is a" + map[bool]string{true: "n", false: ""}[k == "openapi" || k == "arazzo"] + " " + map[string]string{"openapi": "OpenAPI", "swagger": "Swagger", "arazzo": "Arazzo"}[k] + " document, not an AsyncAPI description"
			}
		}
		l.errorf(rootRef, "%s", what)
		return nil
	case vr.n.Kind != yaml.ScalarNode:
		l.errorf(vr, "asyncapi must be a version string such as 3.0.0, not %s", kindName(vr.n))
		return nil
	}
	doc.Version = vr.n.Value
	major, minor, ok := version(doc.Version)
	switch {
	case !ok:
		l.errorf(vr, "asyncapi %q is not a version major.minor.patch such as 3.0.0", doc.Version)
		return nil
	case major == 3 && minor > 1:
		l.warnf(vr, "AsyncAPI %s is newer than 3.1; it is read as 3.1", doc.Version)
	case major == 2:
		l.warnf(vr, "AsyncAPI %s description: it is read as AsyncAPI 3, each channel's publish operation as the application's receive and subscribe as its send (2.x names them from the client's side); an AsyncAPI 3 document says action: send or receive", doc.Version)
	case major != 3:
		l.errorf(vr, "AsyncAPI %s is not supported (3.0, 3.1, and 2.x read as 3)", doc.Version)
		return nil
	}
	l.major = major

	if info, ok := root.get("info"); ok {
		if io, ok := l.object(info, "info"); ok {
			doc.Title, doc.APIVersion = io.str("title"), io.str("version")
		}
	} else {
		l.warnf(rootRef, "the description has no info (REQUIRED: title and version)")
	}
	doc.DefaultContentType = root.str("defaultContentType")
	// Security schemes first: servers and operations refer to them by name in 2.x.
	if comps, ok := root.get("components"); ok {
		if co, ok := l.object(comps, "components"); ok {
			co.each("securitySchemes", func(k string, r ref) {
				if s := l.securityScheme(r, k); s != nil {
					doc.SecuritySchemes[k] = s
				}
			})
		}
	}
	root.each("servers", func(k string, r ref) {
		if s := l.server(r, k); s != nil {
			doc.Servers = append(doc.Servers, s)
		}
	})
	if major == 2 {
		l.channels2(root)
	} else {
		root.each("channels", func(k string, r ref) {
			if c := l.channel(r, k); c != nil {
				doc.Channels = append(doc.Channels, c)
			}
		})
		root.each("operations", func(k string, r ref) {
			if op := l.operation(r, k); op != nil {
				op.ID = k
				doc.Operations = append(doc.Operations, op)
				doc.byID[k] = op
			}
		})
	}
	// Components are decoded too, so that a channelPath can point into them and
	// their problems are reported.
	if comps, ok := root.get("components"); ok {
		if co, ok := l.object(comps, "components"); ok {
			co.each("servers", func(k string, r ref) { l.server(r, k) })
			co.each("channels", func(k string, r ref) { l.channel(r, k) })
			co.each("messages", func(k string, r ref) { l.message(r, k) })
			if major == 3 {
				co.each("operations", func(k string, r ref) { l.operation(r, k) })
			}
		}
	}
	sortProblems(l.warns)
	doc.Warnings = l.warns
	doc.schemas = l.schemaSet()
	return doc
}

// register makes the objects a reference chain passed through findable by
// pointer when they are in the document itself.
func (l *loader) register(chain []ref, v any) {
	for _, r := range chain {
		if r.f == l.entry {
			if _, ok := l.doc.byPointer[r.ptr]; !ok {
				l.doc.byPointer[r.ptr] = v
			}
		}
	}
}

// memo returns the object already decoded at t, checking that it is of the
// kind asked for: found is true when the caller has nothing more to do (the
// object is returned, or a problem was reported and the zero value is).
func memo[T any](l *loader, t ref, chain []ref, what string) (x T, found bool) {
	if kind := kindAt(t.ptr); kind != "" && kind != what {
		l.errorf(chain[0], "this refers to %s, which is %s, not %s", t.ptr, kind, what)
		return x, true
	}
	v, ok := l.objs[t.loc()]
	if !ok {
		return x, false
	}
	if x, ok = v.(T); ok {
		l.register(chain, x)
		return x, true
	}
	l.errorf(chain[0], "this refers to %s, which is not %s", t.ptr, what)
	return x, true
}

// kinds are the objects that the maps of a document hold, by the map's name.
var kinds = map[string]string{"channels": "a channel", "messages": "a message", "operations": "an operation",
	"servers": "a server", "securitySchemes": "a security scheme"}

// kindAt is the kind of object a pointer names when its parent is one of the
// maps of the specification (/channels/x, /components/messages/y), else "".
func kindAt(ptr string) string {
	i := strings.LastIndexByte(ptr, '/')
	if i <= 0 {
		return ""
	}
	parent := ptr[:i]
	name := parent[strings.LastIndexByte(parent, '/')+1:]
	grand := parent[:strings.LastIndexByte(parent, '/')]
	switch {
	case grand == "" || grand == "/components":
		return kinds[name]
	case name == "messages" && strings.Count(grand, "/") <= 3 && (strings.HasPrefix(grand, "/channels/") || strings.HasPrefix(grand, "/components/channels/")):
		return kinds[name]
	}
	return ""
}

// version splits major.minor.patch (the patch may carry a suffix).
func version(s string) (major, minor int, ok bool) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 {
		return 0, 0, false
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(parts[0])
	minor, err2 = strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}
