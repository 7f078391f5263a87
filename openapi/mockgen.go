package openapi

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Bounds of generated values.
const (
	maxGenDepth     = 12 // nesting of objects and arrays
	maxSchemaVisits = 2  // how often one schema may recur on a path ($ref cycles)
	maxGenItems     = 16 // elements of a generated array
	maxGenLength    = 1024
	maxGenValues    = 10000 // values in one response (a long string counts more), against nested minItems blowing up
)

// generator makes a deterministic example value from a schema: the same schema
// always gives the same value. It is used for one response and then dropped.
type generator struct {
	visits map[*openapi3.Schema]int
	budget int // values left to generate
}

func newGenerator() *generator {
	return &generator{visits: map[*openapi3.Schema]int{}, budget: maxGenValues}
}

// value generates a value for ref; name is the property name it is for, if any, used
// to make strings readable. ok is false when nothing should be generated (a false
// schema, or a recursion bound reached): the property is then left out.
//
// In order of preference: the schema's example, first of its examples, const,
// default, first of enum; then a value of its type built from its keywords.
func (g *generator) value(ref *openapi3.SchemaRef, name string, depth int) (v any, ok bool) {
	if g.budget <= 0 {
		return nil, false
	}
	g.budget--
	if ref == nil || ref.Value == nil {
		return exampleString(name), true
	}
	s := ref.Value
	if s.Always != nil && !*s.Always {
		return nil, false
	}
	switch {
	case s.Example != nil:
		return normalize(s.Example), true
	case len(s.Examples) > 0:
		return normalize(s.Examples[0]), true
	case s.Const != nil:
		return normalize(s.Const), true
	case s.Default != nil:
		return normalize(s.Default), true
	case len(s.Enum) > 0:
		return normalize(s.Enum[0]), true
	}
	if depth > maxGenDepth || g.visits[s] >= maxSchemaVisits {
		return nil, false
	}
	g.visits[s]++
	defer func() { g.visits[s]-- }()

	if len(s.AllOf) > 0 {
		return g.allOf(s, name, depth)
	}
	if len(s.Properties) == 0 && (len(s.OneOf) > 0 || len(s.AnyOf) > 0) {
		for _, alt := range slices.Concat(s.OneOf, s.AnyOf) {
			if alt == nil || (alt.Value != nil && alt.Value.Type.Is("null")) {
				continue
			}
			if v, ok := g.value(alt, name, depth+1); ok {
				return v, true
			}
		}
	}
	switch schemaType(s, 0) {
	case "object":
		return g.object(s, depth), true
	case "array":
		return g.array(s, name, depth), true
	case "integer":
		return integerValue(s), true
	case "number":
		return numberValue(s), true
	case "boolean":
		return true, true
	case "null":
		return nil, true
	case "string":
		v := stringValue(s, name)
		g.budget -= len(v) / 32 // long strings cost more
		return v, true
	}
	if s.Type.Includes("null") {
		return nil, true
	}
	if s.AdditionalProperties.Schema != nil || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) {
		return g.object(s, depth), true
	}
	return exampleString(name), true
}

func (g *generator) object(s *openapi3.Schema, depth int) map[string]any {
	out := map[string]any{}
	for name, p := range s.Properties {
		if p != nil && p.Value != nil && p.Value.WriteOnly {
			continue // requests only; the mock generates responses
		}
		if v, ok := g.value(p, name, depth+1); ok {
			out[name] = v
		}
	}
	if len(s.Properties) == 0 && s.AdditionalProperties.Schema != nil {
		if v, ok := g.value(s.AdditionalProperties.Schema, "key", depth+1); ok {
			out["key"] = v
		}
	}
	return out
}

func (g *generator) allOf(s *openapi3.Schema, name string, depth int) (any, bool) {
	out := map[string]any{}
	var other any
	for _, part := range s.AllOf {
		v, ok := g.value(part, name, depth+1)
		if !ok {
			continue
		}
		if m, isMap := v.(map[string]any); isMap {
			for k, x := range m {
				out[k] = x
			}
		} else if other == nil {
			other = v
		}
	}
	for k, x := range g.object(s, depth) {
		out[k] = x
	}
	if len(out) == 0 && other != nil {
		return other, true
	}
	return out, true
}

func (g *generator) array(s *openapi3.Schema, name string, depth int) []any {
	n := max(uint64(1), s.MinItems)
	if s.MaxItems != nil && *s.MaxItems < n {
		n = *s.MaxItems
	}
	n = min(n, maxGenItems)
	out := make([]any, 0, n)
	for _, p := range s.PrefixItems {
		if uint64(len(out)) >= n {
			break
		}
		v, ok := g.value(p, name, depth+1)
		if !ok {
			return out
		}
		out = append(out, v)
	}
	for uint64(len(out)) < n {
		if s.Items == nil {
			if len(s.PrefixItems) > 0 {
				break
			}
			out = append(out, exampleString(name))
			continue
		}
		v, ok := g.value(s.Items, name, depth+1)
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

// bounds returns the numeric range a schema allows and whether each end is exclusive.
func bounds(s *openapi3.Schema) (lo, hi float64, loEx, hiEx bool) {
	lo, hi = math.Inf(-1), math.Inf(1)
	if s.Min != nil {
		lo = *s.Min
		loEx = s.ExclusiveMin.Bool != nil && *s.ExclusiveMin.Bool
	}
	if v := s.ExclusiveMin.Value; v != nil && *v >= lo {
		lo, loEx = *v, true
	}
	if s.Max != nil {
		hi = *s.Max
		hiEx = s.ExclusiveMax.Bool != nil && *s.ExclusiveMax.Bool
	}
	if v := s.ExclusiveMax.Value; v != nil && *v <= hi {
		hi, hiEx = *v, true
	}
	return lo, hi, loEx, hiEx
}

func inBounds(v, lo, hi float64, loEx, hiEx bool) bool {
	return (v > lo || (!loEx && v == lo)) && (v < hi || (!hiEx && v == hi))
}

func integerValue(s *openapi3.Schema) int64 {
	lo, hi, loEx, hiEx := bounds(s)
	v := 1.0
	if m := s.MultipleOf; m != nil && *m > 0 && !math.IsInf(*m, 0) {
		v = math.Ceil(v / *m) * *m
	}
	if !inBounds(v, lo, hi, loEx, hiEx) {
		switch {
		case !math.IsInf(lo, 0):
			v = math.Ceil(lo)
			if loEx && v == lo {
				v++
			}
		case !math.IsInf(hi, 0):
			v = math.Floor(hi)
			if hiEx && v == hi {
				v--
			}
		}
		if m := s.MultipleOf; m != nil && *m > 0 && !math.IsInf(*m, 0) {
			v = math.Ceil(v / *m) * *m
		}
	}
	if math.IsNaN(v) || v > math.MaxInt64/2 || v < math.MinInt64/2 {
		return 1
	}
	return int64(v)
}

func numberValue(s *openapi3.Schema) float64 {
	lo, hi, loEx, hiEx := bounds(s)
	v := 1.5
	if m := s.MultipleOf; m != nil && *m > 0 && !math.IsInf(*m, 0) {
		v = math.Ceil(v / *m) * *m
	}
	if inBounds(v, lo, hi, loEx, hiEx) {
		return v
	}
	switch {
	case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
		v = lo + (hi-lo)/2
	case !math.IsInf(lo, 0):
		v = lo
		if loEx {
			v = lo + 1
		}
	case !math.IsInf(hi, 0):
		v = hi
		if hiEx {
			v = hi - 1
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// stringValue makes a string that fits the schema's format and length bounds.
func stringValue(s *openapi3.Schema, name string) string {
	var v string
	switch strings.ToLower(s.Format) {
	case "date-time":
		v = "2024-01-15T09:30:00Z"
	case "date":
		v = "2024-01-15"
	case "time":
		v = "09:30:00Z"
	case "duration":
		v = "PT1H"
	case "email", "idn-email":
		v = "user@example.com"
	case "hostname", "idn-hostname":
		v = "example.com"
	case "ipv4":
		v = "192.0.2.1"
	case "ipv6":
		v = "2001:db8::1"
	case "uri", "url", "iri":
		v = "https://example.com/" + slug(name)
	case "uri-reference", "iri-reference":
		v = "/" + slug(name)
	case "uri-template":
		v = "https://example.com/" + slug(name) + "/{id}"
	case "uuid":
		v = uuidFor(name)
	case "byte":
		v = base64.StdEncoding.EncodeToString([]byte(exampleString(name)))
	case "password":
		v = "secret"
	case "int32", "int64", "integer", "uint32", "uint64":
		v = "1"
	case "number", "float", "double", "decimal":
		v = "1.5"
	case "json-pointer":
		v = "/" + slug(name)
	case "relative-json-pointer":
		v = "0"
	case "regex":
		v = ".*"
	default:
		v = exampleString(name)
	}
	if minLen := min(s.MinLength, maxGenLength); uint64(len(v)) < minLen {
		v += strings.Repeat("x", int(minLen)-len(v))
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

func exampleString(name string) string {
	if name == "" {
		return "example"
	}
	return "example-" + slug(name)
}

// slug keeps letters, digits, '-' and '_' of name, for use in generated URLs.
func slug(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "resource"
	}
	return b.String()
}

// uuidFor is a version-4-shaped UUID derived from name, so that different properties
// get different but stable identifiers.
func uuidFor(name string) string {
	h := fnv.New128a()
	h.Write([]byte(name))
	b := h.Sum(nil)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// normalize deep-copies a value decoded from YAML or JSON into the shapes
// encoding/json writes: maps with string keys, []any, scalars.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil
		}
		return x
	default:
		return v
	}
}
