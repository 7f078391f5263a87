package openapi

import (
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// BodySchema returns a JSON Schema of the value at pointer (RFC 6901; "" for
// the whole body) in the JSON body of the operation's success response: the
// lowest 2xx response code, else 2XX, else default — the response the
// operation's outputs are usually read from. It is nil when the description
// does not say (no such response, no JSON media type, no schema, or a pointer
// the schema does not describe).
//
// The schema is reduced to what a caller can rely on without the description
// at hand: types (nullable as a "null" type), formats, enums, descriptions,
// array items and object properties, a few levels deep, with no $ref left.
func (o *Operation) BodySchema(pointer string) map[string]any {
	if o == nil {
		return nil
	}
	_, r := successResponse(o)
	if r == nil {
		return nil
	}
	var s *openapi3.Schema
	for _, name := range mediaTypeOrder(r.Content) {
		mt := r.Content[name]
		if !isJSONMediaType(name) || mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		s = mt.Schema.Value
		break
	}
	if pointer != "" {
		if !strings.HasPrefix(pointer, "/") {
			return nil
		}
		for _, tok := range strings.Split(pointer[1:], "/") {
			if s = childSchema(s, unescapePointerToken(tok), 0); s == nil {
				return nil
			}
		}
	}
	if s == nil {
		return nil
	}
	return reducedSchema(s, 0)
}

// childSchema is the schema of member tok of a value described by s: a
// property of an object, an item of an array, looked up through allOf,
// anyOf and oneOf members too.
func childSchema(s *openapi3.Schema, tok string, depth int) *openapi3.Schema {
	if s == nil || depth > 8 {
		return nil
	}
	if p := s.Properties[tok]; p != nil && p.Value != nil {
		return p.Value
	}
	if _, err := strconv.Atoi(tok); err == nil || tok == "-" {
		if s.Items != nil && s.Items.Value != nil {
			return s.Items.Value
		}
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, m := range group {
			if m == nil {
				continue
			}
			if c := childSchema(m.Value, tok, depth+1); c != nil {
				return c
			}
		}
	}
	if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
		return ap.Value
	}
	return nil
}

// maxSchemaDepth bounds how deep reducedSchema describes nested values.
const maxSchemaDepth = 4

func reducedSchema(s *openapi3.Schema, depth int) map[string]any {
	out := map[string]any{}
	if s == nil || depth > maxSchemaDepth {
		return out
	}
	var types []any
	for _, t := range s.Type.Slice() {
		types = append(types, t)
	}
	if len(types) == 0 {
		if t := schemaType(s, 0); t != "" {
			types = append(types, t)
		}
	}
	if len(types) > 0 && (s.Nullable || s.Type.Includes("null")) && !s.Type.Includes("null") {
		types = append(types, "null")
	}
	switch len(types) {
	case 0:
	case 1:
		out["type"] = types[0]
	default:
		out["type"] = types
	}
	if s.Format != "" {
		out["format"] = s.Format
	}
	if s.Description != "" {
		out["description"] = s.Description
	}
	if len(s.Enum) > 0 {
		enum := append([]any(nil), s.Enum...)
		if s.Nullable {
			enum = append(enum, nil)
		}
		out["enum"] = enum
	}
	if s.Items != nil && s.Items.Value != nil {
		out["items"] = reducedSchema(s.Items.Value, depth+1)
	}
	props := map[string]any{}
	collectProperties(s, props, depth, 0)
	if len(props) > 0 {
		out["properties"] = props
	}
	return out
}

// collectProperties describes the properties of s, and of its allOf members
// (every one of them applies).
func collectProperties(s *openapi3.Schema, props map[string]any, depth, level int) {
	if s == nil || level > 8 {
		return
	}
	for name, p := range s.Properties {
		if p != nil && p.Value != nil {
			if _, seen := props[name]; !seen {
				props[name] = reducedSchema(p.Value, depth+1)
			}
		}
	}
	for _, m := range s.AllOf {
		if m != nil {
			collectProperties(m.Value, props, depth, level+1)
		}
	}
}
