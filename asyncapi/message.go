package asyncapi

import (
	"fmt"
	"strings"
)

// Message is an AsyncAPI Message Object, with its traits applied.
type Message struct {
	// ID is the key the message is defined under: in components.messages or in
	// a channel's messages.
	ID          string
	Name        string
	Title       string
	Summary     string
	Description string
	// ContentType is the message's contentType, else the document's
	// defaultContentType, else "".
	ContentType string
	// Headers is the schema of the application headers; Payload that of the
	// payload. Either may be nil.
	Headers *Schema
	Payload *Schema
	// CorrelationID says where the message's correlation id is.
	CorrelationID *Location
	Examples      []Example
	Bindings      MessageBindings
	// Pointer is the message's JSON pointer in its document.
	Pointer string
	Pos     Pos
}

// Label names the message for people: its name, else its title, else its id.
func (m *Message) Label() string {
	switch {
	case m.Name != "":
		return m.Name
	case m.Title != "":
		return m.Title
	}
	return m.ID
}

// Example is an AsyncAPI Message Example Object.
type Example struct {
	Name, Summary string
	// Headers and Payload are JSON-compatible values (map[string]any, []any,
	// string, int64, float64, bool, nil); HasPayload tells a null payload from
	// an absent one.
	Headers    map[string]any
	Payload    any
	HasPayload bool
}

// Location is an AsyncAPI runtime expression, $message.header#/ptr or
// $message.payload#/ptr: where a Correlation ID Object or an Operation Reply
// Address Object says a value is.
type Location struct {
	Description string
	// Expr is the expression as written.
	Expr string
	// Source is "header" or "payload"; Pointer the JSON pointer after # ("" for
	// the whole headers or payload).
	Source  string
	Pointer string
	Pos     Pos
}

// ParseLocation parses a runtime expression of the AsyncAPI grammar:
//
//	expression = ( "$message" "." source )
//	source = ( header-reference | payload-reference )
//	header-reference = "header" ["#" fragment]
//	payload-reference = "payload" ["#" fragment]
func ParseLocation(s string) (*Location, error) {
	rest, ok := strings.CutPrefix(s, "$message.")
	if !ok {
		return nil, fmt.Errorf("%q is not a runtime expression $message.header#/<pointer> or $message.payload#/<pointer>", s)
	}
	src, frag, hasFrag := strings.Cut(rest, "#")
	if src != "header" && src != "payload" {
		hint := ""
		if src == "headers" {
			hint = " (header, not headers)"
		}
		return nil, fmt.Errorf("%q: the source is %q; it must be header or payload%s", s, src, hint)
	}
	if hasFrag && frag != "" && !strings.HasPrefix(frag, "/") {
		return nil, fmt.Errorf("%q: the fragment %q is not a JSON pointer (it starts with /)", s, frag)
	}
	if err := checkPointer(frag); err != nil {
		return nil, fmt.Errorf("%q: %v", s, err)
	}
	return &Location{Expr: s, Source: src, Pointer: frag}, nil
}

// Find returns the value the location points to in a message's headers and
// decoded payload, and whether it is there.
func (l *Location) Find(headers map[string]any, payload any) (any, bool) {
	var root any = payload
	if l.Source == "header" {
		root = headers
		if headers == nil {
			return nil, false
		}
	}
	return PointerGet(root, l.Pointer)
}

// PointerGet follows a JSON pointer (RFC 6901) into a JSON-compatible value.
func PointerGet(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = unescapeToken(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, ok := arrayIndex(tok, len(x))
			if !ok {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func arrayIndex(tok string, n int) (int, bool) {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	i := 0
	for _, c := range tok {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
		if i >= n {
			return 0, false
		}
	}
	return i, true
}

func checkPointer(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 >= len(p) || (p[i+1] != '0' && p[i+1] != '1')) {
			return fmt.Errorf("~ at offset %d of the pointer is not ~0 or ~1", i)
		}
	}
	return nil
}

func unescapeToken(t string) string {
	if !strings.Contains(t, "~") {
		return t
	}
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

// message decodes a Message Object (or a reference to one), its traits applied.
func (l *loader) message(r ref, key string) *Message {
	t, chain, ok := l.deref(r)
	if !ok {
		return nil
	}
	if m, found := memo[*Message](l, t, chain, "a message"); found {
		return m
	}
	o, ok := l.object(t, "a message")
	if !ok {
		return nil
	}
	// The id is the key the message is defined under: in components.messages,
	// a channel's messages, or a file of messages.
	m := &Message{ID: key, Pointer: t.ptr, Pos: t.pos()}
	if kindAt(t.ptr) == "a message" || (t.f != l.entry && t.ptr != "") {
		m.ID = lastToken(t.ptr)
	}
	l.objs[t.loc()] = m
	l.register(chain, m)
	o = l.withTraits(o)
	if l.major == 2 && o.str("messageId") != "" {
		m.ID = o.str("messageId")
	}
	m.Name, m.Title, m.Summary, m.Description = o.str("name"), o.str("title"), o.str("summary"), o.str("description")
	m.ContentType = o.str("contentType")
	if m.ContentType == "" {
		m.ContentType = l.doc.DefaultContentType
	}
	format := ""
	if l.major == 2 {
		format = o.str("schemaFormat") // 2.x: the payload's format is the message's
	}
	if hr, ok := o.get("headers"); ok {
		m.Headers = l.schema(hr, "")
	}
	if pr, ok := o.get("payload"); ok {
		m.Payload = l.schema(pr, format)
	}
	if cr, ok := o.get("correlationId"); ok {
		m.CorrelationID = l.location(cr, "correlationId")
	}
	o.items("examples", func(er ref) {
		eo, ok := l.object(er, "a message example")
		if !ok {
			return
		}
		ex := Example{Name: eo.str("name"), Summary: eo.str("summary")}
		if hr, ok := eo.get("headers"); ok {
			if h, ok := l.value(hr).(map[string]any); ok {
				ex.Headers = h
			} else {
				l.errorf(hr, "the headers of a message example must be an object")
			}
		}
		if pr, ok := eo.get("payload"); ok {
			ex.Payload, ex.HasPayload = l.value(pr), true
		}
		if ex.Headers == nil && !ex.HasPayload {
			l.warnf(er, "message %q: an example has neither headers nor payload", m.ID)
		}
		m.Examples = append(m.Examples, ex)
	})
	if b, ok := o.get("bindings"); ok {
		m.Bindings = l.messageBindings(b)
	}
	return m
}

// location decodes a Correlation ID Object or an Operation Reply Address
// Object (or a reference to one): a description and a runtime expression.
func (l *loader) location(r ref, what string) *Location {
	t, _, ok := l.deref(r)
	if !ok {
		return nil
	}
	o, ok := l.object(t, "a "+what)
	if !ok {
		return nil
	}
	lr, ok := o.get("location")
	if !ok {
		l.errorf(t, "the %s has no location (a runtime expression such as $message.header#/correlationId)", what)
		return nil
	}
	loc, err := ParseLocation(lr.n.Value)
	if err != nil {
		l.errorf(lr, "%s location %v", what, err)
		return nil
	}
	loc.Description, loc.Pos = o.str("description"), lr.pos()
	return loc
}
