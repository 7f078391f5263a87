package openapi

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// methodOrder is the order of the fixed operation fields of a Path Item Object.
func methodOrder() []string {
	return []string{"get", "put", "post", "delete", "options", "head", "patch", "trace", "query"}
}

// newDocument builds our view of a loaded and validated kin-openapi document. tree is
// the parsed main document, used for the order of paths; when it is nil the
// positions kin-openapi recorded give that order.
func newDocument(location string, t *openapi3.T, tree *yaml.Node) *Document {
	d := &Document{
		URL:             location,
		Version:         t.OpenAPI,
		byID:            map[string]*Operation{},
		SecuritySchemes: map[string]*SecurityScheme{},
		impl:            t,
	}
	if t.Info != nil {
		d.Title = t.Info.Title
	}
	d.Servers = newServers(t.Servers, location)
	if t.Security != nil {
		d.Security = newSecurity(t.Security)
	}
	if t.Components != nil {
		for name, ref := range t.Components.SecuritySchemes {
			if ref != nil && ref.Value != nil {
				d.SecuritySchemes[name] = newSecurityScheme(name, ref.Value)
			}
		}
	}
	for _, path := range pathOrder(t.Paths, tree, location) {
		item := t.Paths.Value(path)
		if item == nil {
			continue
		}
		for _, m := range methodOrder() {
			if op := item.GetOperation(strings.ToUpper(m)); op != nil {
				d.addOperation(path, item, m, op, "/paths/"+escapePointerToken(path)+"/"+m)
			}
		}
		extra := make([]string, 0, len(item.AdditionalOperations))
		for m, op := range item.AdditionalOperations {
			if op != nil && !slices.Contains(methodOrder(), strings.ToLower(m)) {
				extra = append(extra, m)
			}
		}
		slices.Sort(extra)
		seen := map[string]bool{}
		for _, m := range extra {
			if seen[strings.ToUpper(m)] {
				continue
			}
			seen[strings.ToUpper(m)] = true
			d.addOperation(path, item, m, item.AdditionalOperations[m],
				"/paths/"+escapePointerToken(path)+"/additionalOperations/"+escapePointerToken(m))
		}
	}
	return d
}

// pathOrder lists the paths in the order the main document writes them, read from
// tree or, without one, from kin-openapi's origins; paths neither shows (JSON with
// duplicate keys has no origins) follow, sorted.
func pathOrder(paths *openapi3.Paths, tree *yaml.Node, location string) []string {
	if paths.Len() == 0 {
		return nil
	}
	all := paths.Map()
	order := make([]string, 0, len(all))
	_, pm := lookupKey(tree, "paths")
	if pm != nil && pm.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(pm.Content); i += 2 {
			k := pm.Content[i].Value
			if _, ok := all[k]; ok {
				order = append(order, k)
				delete(all, k)
			}
		}
	} else {
		at := map[string]*openapi3.Location{}
		for k, item := range all {
			if item != nil && item.Origin != nil && item.Origin.Key != nil && item.Origin.Key.File == location {
				at[k] = item.Origin.Key
			}
		}
		for k := range at {
			order = append(order, k)
			delete(all, k)
		}
		slices.SortFunc(order, func(a, b string) int {
			if c := cmp.Compare(at[a].Line, at[b].Line); c != 0 {
				return c
			}
			return cmp.Compare(at[a].Column, at[b].Column)
		})
	}
	rest := make([]string, 0, len(all))
	for k := range all {
		rest = append(rest, k)
	}
	slices.Sort(rest)
	return append(order, rest...)
}

func (d *Document) addOperation(path string, item *openapi3.PathItem, method string, op *openapi3.Operation, pointer string) {
	o := &Operation{
		ID:         op.OperationID,
		Method:     strings.ToUpper(method),
		Path:       path,
		Pointer:    pointer,
		Summary:    op.Summary,
		Parameters: mergeParameters(item.Parameters, op.Parameters),
		Responses:  map[string]*Response{},
		doc:        d,
		impl:       op,
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		o.RequestBody = newRequestBody(op.RequestBody.Value)
	}
	switch {
	case op.Servers != nil && len(*op.Servers) > 0:
		o.Servers = newServers(*op.Servers, d.URL)
	case len(item.Servers) > 0:
		o.Servers = newServers(item.Servers, d.URL)
	default:
		o.Servers = d.Servers
	}
	if op.Security != nil {
		o.Security = newSecurity(*op.Security)
	} else {
		o.Security = d.Security
	}
	if op.Responses != nil {
		for code, ref := range op.Responses.Map() {
			if ref != nil && ref.Value != nil {
				o.Responses[code] = newResponse(ref.Value)
			}
		}
	}
	o.Idempotent = idempotent(o.Method, op.Extensions["x-idempotent"])
	d.operations = append(d.operations, o)
	if o.ID != "" {
		if _, dup := d.byID[o.ID]; !dup {
			d.byID[o.ID] = o
		}
	}
}

// idempotent reports whether method is idempotent per RFC 9110, unless the
// x-idempotent extension says otherwise.
func idempotent(method string, ext any) bool {
	switch v := ext.(type) {
	case bool:
		return v
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	switch method {
	case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "QUERY":
		return true
	}
	return false
}

// mergeParameters merges path-level and operation-level parameters: the
// operation-level one wins on name and location, in the place of the path-level one.
// Header parameters named Accept, Content-Type or Authorization are left out:
// OpenAPI (3.0 and 3.1 §4.8.12.1) says their definitions "SHALL be ignored",
// since content negotiation, the media type and security decide those headers.
func mergeParameters(pathLevel, opLevel openapi3.Parameters) []*Parameter {
	var out []*Parameter
	add := func(refs openapi3.Parameters) {
		for _, ref := range refs {
			if ref == nil || ref.Value == nil || ignoredHeader(ref.Value) {
				continue
			}
			p := newParameter(ref.Value)
			if i := slices.IndexFunc(out, func(q *Parameter) bool { return sameParameter(q, p) }); i >= 0 {
				out[i] = p
				continue
			}
			out = append(out, p)
		}
	}
	add(pathLevel)
	add(opLevel)
	return out
}

// ignoredHeader reports a header parameter whose definition OpenAPI ignores.
func ignoredHeader(p *openapi3.Parameter) bool {
	if p.In != "header" {
		return false
	}
	switch strings.ToLower(p.Name) {
	case "accept", "content-type", "authorization":
		return true
	}
	return false
}

func sameParameter(a, b *Parameter) bool {
	if a.In != b.In {
		return false
	}
	if a.In == "header" {
		return strings.EqualFold(a.Name, b.Name)
	}
	return a.Name == b.Name
}

// newParameter applies the serialization defaults of the OpenAPI specification.
func newParameter(p *openapi3.Parameter) *Parameter {
	out := &Parameter{
		Name:          p.Name,
		In:            p.In,
		Required:      p.Required || p.In == "path",
		Style:         p.Style,
		AllowReserved: p.AllowReserved,
	}
	if out.Style == "" {
		switch p.In {
		case "query", "cookie":
			out.Style = "form"
		default:
			out.Style = "simple"
		}
	}
	if p.Explode != nil {
		out.Explode = *p.Explode
	} else {
		out.Explode = out.Style == "form"
	}
	schema := p.Schema
	if len(p.Content) > 0 {
		names := mediaTypeOrder(p.Content)
		out.ContentType = names[0]
		if mt := p.Content[names[0]]; mt != nil {
			schema = mt.Schema
		}
	}
	if schema != nil {
		out.Type = schemaType(schema.Value, 0)
		if out.Type == "array" && schema.Value != nil && schema.Value.Items != nil {
			out.ItemsType = schemaType(schema.Value.Items.Value, 0)
		}
	}
	return out
}

// schemaType is the primary JSON type of s: its first non-null type, else what its
// keywords or its first typed allOf/anyOf/oneOf member imply.
func schemaType(s *openapi3.Schema, depth int) string {
	if s == nil || depth > 8 {
		return ""
	}
	for _, t := range s.Type.Slice() {
		if t != "null" {
			return t
		}
	}
	switch {
	case s.Items != nil || len(s.PrefixItems) > 0:
		return "array"
	case len(s.Properties) > 0:
		return "object"
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, m := range group {
			if m == nil {
				continue
			}
			if t := schemaType(m.Value, depth+1); t != "" {
				return t
			}
		}
	}
	return ""
}

func newRequestBody(b *openapi3.RequestBody) *RequestBody {
	out := &RequestBody{Required: b.Required}
	for _, name := range mediaTypeOrder(b.Content) {
		mt := b.Content[name]
		m := MediaType{Name: name, impl: mt}
		if mt != nil && len(mt.Encoding) > 0 {
			m.Encoding = map[string]Encoding{}
			for prop, e := range mt.Encoding {
				if e != nil {
					m.Encoding[prop] = newEncoding(e)
				}
			}
		}
		out.Content = append(out.Content, m)
	}
	return out
}

func newEncoding(e *openapi3.Encoding) Encoding {
	out := Encoding{
		ContentType:   e.ContentType,
		Style:         e.Style,
		AllowReserved: e.AllowReserved,
	}
	if e.Explode != nil {
		v := *e.Explode
		out.Explode = &v
	}
	if len(e.Headers) > 0 {
		out.Headers = map[string]string{}
		for name, ref := range e.Headers {
			out.Headers[name] = headerValue(ref)
		}
	}
	return out
}

// headerValue is the value a description gives a header: its schema's default,
// else its example, else "".
func headerValue(ref *openapi3.HeaderRef) string {
	if ref == nil || ref.Value == nil {
		return ""
	}
	h := ref.Value
	var v any
	switch {
	case h.Schema != nil && h.Schema.Value != nil && h.Schema.Value.Default != nil:
		v = h.Schema.Value.Default
	case h.Example != nil:
		v = h.Example
	case h.Schema != nil && h.Schema.Value != nil && h.Schema.Value.Example != nil:
		v = h.Schema.Value.Example
	default:
		return ""
	}
	return scalarString(v)
}

func newResponse(r *openapi3.Response) *Response {
	out := &Response{impl: r}
	if r.Description != nil {
		out.Description = *r.Description
	}
	out.MediaTypes = mediaTypeOrder(r.Content)
	return out
}

// mediaTypeOrder lists the keys of a content map in document order (as recorded by
// kin-openapi's origins), falling back to name order.
func mediaTypeOrder(c openapi3.Content) []string {
	names := make([]string, 0, len(c))
	for name := range c {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		la, lb := keyLocation(c[a]), keyLocation(c[b])
		if la.Line > 0 && lb.Line > 0 && la.File == lb.File {
			if r := cmp.Compare(la.Line, lb.Line); r != 0 {
				return r
			}
			if r := cmp.Compare(la.Column, lb.Column); r != 0 {
				return r
			}
		}
		return strings.Compare(a, b)
	})
	return names
}

func keyLocation(mt *openapi3.MediaType) openapi3.Location {
	if mt == nil || mt.Origin == nil || mt.Origin.Key == nil {
		return openapi3.Location{}
	}
	return *mt.Origin.Key
}

// escapePointerToken escapes a JSON pointer reference token (RFC 6901).
func escapePointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// unescapePointerToken reverses escapePointerToken.
func unescapePointerToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// scalarString renders a YAML/JSON value as text: strings as they are, other
// values in JSON.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
