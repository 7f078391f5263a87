package asyncapi

import (
	"net/url"
	"sort"
)

// Sample makes a value that the schema accepts, for mock messages: the
// schema's const, default, first example or first enum value when it has one;
// else objects with their required properties and those that have such a
// value of their own, arrays with minItems elements (at least one), numbers
// within their bounds, strings in their format. allOf members are merged, the
// first oneOf/anyOf member is used, and $ref cycles end after a few turns.
// The same schema always gives the same value.
func (s *Schema) Sample() any {
	if s == nil || !s.JSON() {
		return nil
	}
	g := sampler{s: s}
	return g.value(s.Value, s.base, "", 0)
}

type sampler struct {
	s *Schema
}

const maxSampleDepth = 12

func (g sampler) value(v any, base, name string, depth int) any {
	if depth > maxSampleDepth {
		return nil
	}
	v, base = g.deref(v, base)
	m, ok := v.(map[string]any)
	if !ok {
		return nil // true, false or a broken reference: nothing to go by
	}
	if c, ok := m["const"]; ok {
		return c
	}
	if d, ok := m["default"]; ok {
		return d
	}
	if e, ok := m["examples"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	if e, ok := m["example"]; ok {
		return e
	}
	if e, ok := m["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	if all, ok := m["allOf"].([]any); ok && len(all) > 0 {
		merged := map[string]any{}
		for _, part := range all {
			pv, ok := g.value(part, base, name, depth+1).(map[string]any)
			if !ok {
				return g.value(part, base, name, depth+1)
			}
			for k, x := range pv {
				merged[k] = x
			}
		}
		if props := g.object(m, base, depth); props != nil {
			for k, x := range props {
				merged[k] = x
			}
		}
		return merged
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := m[k].([]any); ok && len(alts) > 0 {
			return g.value(alts[0], base, name, depth+1)
		}
	}
	typ := m["type"]
	if ts, ok := typ.([]any); ok {
		typ = nil
		for _, t := range ts {
			if t != "null" {
				typ = t
				break
			}
		}
	}
	if typ == nil {
		switch {
		case m["properties"] != nil:
			typ = "object"
		case m["items"] != nil:
			typ = "array"
		}
	}
	switch typ {
	case "object":
		return g.object(m, base, depth)
	case "array":
		n := 1
		if mi, ok := m["minItems"].(int64); ok && mi > 1 {
			n = int(min(mi, 16))
		}
		out := make([]any, n)
		for i := range out {
			out[i] = g.value(m["items"], base, name, depth+1)
		}
		return out
	case "integer":
		return int64(number(m, 1))
	case "number":
		return number(m, 1.5)
	case "boolean":
		return true
	case "null":
		return nil
	case "string":
		return sampleString(m, name)
	}
	return nil
}

// object samples the properties of an object schema: the required ones, and
// those that have a value of their own (const, default, example, enum).
func (g sampler) object(m map[string]any, base string, depth int) map[string]any {
	props, _ := m["properties"].(map[string]any)
	required := map[string]bool{}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	out := map[string]any{}
	for _, k := range names {
		pv, _ := g.deref(props[k], base)
		pm, _ := pv.(map[string]any)
		if pm != nil && (pm["readOnly"] == true) && !required[k] {
			continue
		}
		if !required[k] && !hasOwnValue(pm) && len(required) > 0 {
			continue
		}
		out[k] = g.value(props[k], base, k, depth+1)
	}
	return out
}

func hasOwnValue(m map[string]any) bool {
	if m == nil {
		return false
	}
	for _, k := range []string{"const", "default", "examples", "example", "enum"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// deref follows $refs within the schema's description.
func (g sampler) deref(v any, base string) (any, string) {
	for hops := 0; hops < 32; hops++ {
		m, ok := v.(map[string]any)
		if !ok {
			return v, base
		}
		r, ok := m["$ref"].(string)
		if !ok || g.s.set == nil {
			return v, base
		}
		u, err := url.Parse(r)
		if err != nil {
			return nil, base
		}
		b, err := url.Parse(base)
		if err != nil {
			return nil, base
		}
		abs := b.ResolveReference(u)
		frag := abs.Fragment
		abs.Fragment, abs.RawFragment = "", ""
		base = abs.String()
		doc, ok := g.s.set.files[base]
		if !ok {
			return nil, base
		}
		if v, ok = PointerGet(doc, frag); !ok {
			return nil, base
		}
	}
	return nil, base
}

func number(m map[string]any, dflt float64) float64 {
	lo, hasLo := num(m["minimum"])
	hi, hasHi := num(m["maximum"])
	if x, ok := num(m["exclusiveMinimum"]); ok {
		lo, hasLo = x+1, true
	}
	if x, ok := num(m["exclusiveMaximum"]); ok {
		hi, hasHi = x-1, true
	}
	switch {
	case hasLo:
		return lo
	case hasHi && hi < dflt:
		return hi
	}
	return dflt
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func sampleString(m map[string]any, name string) string {
	switch m["format"] {
	case "date-time":
		return "2024-01-15T09:30:00Z"
	case "date":
		return "2024-01-15"
	case "time":
		return "09:30:00Z"
	case "email":
		return "user@example.com"
	case "uuid":
		return "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	case "uri", "url":
		return "https://example.com/" + name
	case "hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.1"
	case "ipv6":
		return "2001:db8::1"
	case "byte":
		return "ZXhhbXBsZQ=="
	}
	s := "example"
	if name != "" {
		s = "example-" + name
	}
	if ml, ok := m["minLength"].(int64); ok {
		for int64(len(s)) < ml {
			s += "x"
		}
	}
	if ml, ok := m["maxLength"].(int64); ok && int64(len(s)) > ml {
		s = s[:ml]
	}
	return s
}
