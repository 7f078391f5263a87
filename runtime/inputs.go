package runtime

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/arazzo"
	closest "github.com/arazzo-run/arazzo/internal/suggest"
)

// inputSchema is a workflow's inputs JSON Schema, with $refs to components.inputs
// resolved. It checks supplied inputs before the first request is sent.
type inputSchema struct {
	root map[string]any
	doc  *arazzo.Document
}

func (c *compiler) compileInputs(doc *arazzo.Document, w *arazzo.Workflow) *inputSchema {
	if w.Inputs == nil {
		return nil
	}
	m, ok := w.Inputs.V.(map[string]any)
	if !ok {
		return nil
	}
	return &inputSchema{root: m, doc: doc}
}

// InputInfo describes one declared workflow input.
type InputInfo struct {
	Name        string
	Type        string
	Required    bool
	Default     any
	HasDefault  bool
	Description string
	Secret      bool // format: password or writeOnly: true, or sent by a step under a secret-like name (secretinputs.go)
}

// resolve follows a $ref to #/components/inputs/<key>.
func (s *inputSchema) resolve(m map[string]any) map[string]any {
	for i := 0; i < 16; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		const prefix = "#/components/inputs/"
		if !strings.HasPrefix(ref, prefix) || s.doc.Components == nil {
			return m
		}
		v := s.doc.Components.Inputs[unescapePointerToken(strings.TrimPrefix(ref, prefix))]
		if v == nil {
			return m
		}
		next, ok := v.V.(map[string]any)
		if !ok {
			return m
		}
		m = next
	}
	return m
}

func unescapePointerToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

func (s *inputSchema) props() (map[string]any, []string) {
	if s == nil {
		return nil, nil
	}
	root := s.resolve(s.root)
	props, _ := root["properties"].(map[string]any)
	var req []string
	if r, ok := root["required"].([]any); ok {
		for _, x := range r {
			if name, ok := x.(string); ok {
				req = append(req, name)
			}
		}
	}
	return props, req
}

// Inputs lists the declared inputs, sorted by name.
func (s *inputSchema) Inputs() []InputInfo {
	props, req := s.props()
	var out []InputInfo
	for name, p := range props {
		pm, _ := p.(map[string]any)
		pm = s.resolve(pm)
		info := InputInfo{Name: name, Required: slices.Contains(req, name), Type: schemaType(pm)}
		if pm != nil {
			info.Default, info.HasDefault = pm["default"]
			info.Description, _ = pm["description"].(string)
			f, _ := pm["format"].(string)
			wo, _ := pm["writeOnly"].(bool)
			info.Secret = f == "password" || wo
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func schemaType(m map[string]any) string {
	switch t := m["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				return s
			}
		}
	}
	return ""
}

// Coerce converts a command-line string to the declared type of the input: integer,
// number, boolean, or JSON for arrays and objects; strings and undeclared inputs stay text.
func (s *inputSchema) Coerce(name, text string) (any, error) {
	props, _ := s.props()
	pm, _ := props[name].(map[string]any)
	switch schemaType(s.resolve(pm)) {
	case "integer":
		i, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("input %q must be an integer, got %q", name, text)
		}
		return i, nil
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("input %q must be a number, got %q", name, text)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("input %q must be true or false, got %q", name, text)
		}
		return b, nil
	case "array", "object":
		var v any
		d := json.NewDecoder(strings.NewReader(text))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("input %q must be JSON (%s): %v", name, schemaType(s.resolve(pm)), err)
		}
		return v, nil
	}
	return text, nil
}

// Check validates inputs against the schema, applying defaults. It returns the
// effective inputs and every problem found.
func (s *inputSchema) Check(in map[string]any) (map[string]any, []string) {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	if s == nil {
		return out, nil
	}
	root := s.resolve(s.root)
	props, req := s.props()
	var probs []string
	for _, name := range req {
		if _, ok := out[name]; !ok {
			if pm, ok := props[name].(map[string]any); ok {
				if d, ok := s.resolve(pm)["default"]; ok {
					out[name] = d
					continue
				}
			}
			probs = append(probs, fmt.Sprintf("missing required input %q", name))
		}
	}
	for name, p := range props {
		pm := s.resolve(asMap(p))
		if _, ok := out[name]; !ok {
			if d, ok := pm["default"]; ok {
				out[name] = d
			}
		}
	}
	// An input the schema does not declare can never be read ($inputs.<name> of
	// an undeclared name is a validation error), so it is a mistake — a typo —
	// unless the schema allows other properties explicitly.
	if ap, set := root["additionalProperties"]; props != nil && (!set || ap == false) {
		for name := range out {
			if _, declared := props[name]; !declared {
				probs = append(probs, fmt.Sprintf("unknown input %q%s", name, suggest(name, keys(props))))
			}
		}
	}
	for name, v := range out {
		if pm, ok := props[name].(map[string]any); ok {
			probs = append(probs, s.checkValue("input \""+name+"\"", v, s.resolve(pm), 0)...)
		}
	}
	sort.Strings(probs)
	return out, probs
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkValue validates a value against the common JSON Schema keywords.
func (s *inputSchema) checkValue(what string, v any, sch map[string]any, depth int) []string {
	if sch == nil || depth > 32 {
		return nil
	}
	var probs []string
	if t := schemaTypes(sch); len(t) > 0 && !slices.ContainsFunc(t, func(t string) bool { return hasType(v, t) }) {
		return []string{fmt.Sprintf("%s must be %s, got %s", what, strings.Join(t, " or "), jsonType(v))}
	}
	if enum, ok := sch["enum"].([]any); ok {
		if !slices.ContainsFunc(enum, func(e any) bool { return jsonEqual(e, v) }) {
			probs = append(probs, fmt.Sprintf("%s must be one of %s", what, compactJSON(enum)))
		}
	}
	if c, ok := sch["const"]; ok && !jsonEqual(c, v) {
		probs = append(probs, fmt.Sprintf("%s must be %s", what, compactJSON(c)))
	}
	switch x := v.(type) {
	case string:
		n := len([]rune(x))
		if m, ok := number(sch["minLength"]); ok && float64(n) < m {
			probs = append(probs, fmt.Sprintf("%s must be at least %v characters", what, m))
		}
		if m, ok := number(sch["maxLength"]); ok && float64(n) > m {
			probs = append(probs, fmt.Sprintf("%s must be at most %v characters", what, m))
		}
		if p, ok := sch["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err == nil && !re.MatchString(x) {
				probs = append(probs, fmt.Sprintf("%s must match %s", what, p))
			}
		}
		if f, ok := sch["format"].(string); ok {
			if msg := checkFormat(f, x); msg != "" {
				probs = append(probs, fmt.Sprintf("%s %s", what, msg))
			}
		}
	case []any:
		if items, ok := sch["items"].(map[string]any); ok {
			for i, e := range x {
				probs = append(probs, s.checkValue(fmt.Sprintf("%s[%d]", what, i), e, s.resolve(items), depth+1)...)
			}
		}
		if m, ok := number(sch["minItems"]); ok && float64(len(x)) < m {
			probs = append(probs, fmt.Sprintf("%s must have at least %v items", what, m))
		}
		if m, ok := number(sch["maxItems"]); ok && float64(len(x)) > m {
			probs = append(probs, fmt.Sprintf("%s must have at most %v items", what, m))
		}
	case map[string]any:
		props := asMap(sch["properties"])
		if req, ok := sch["required"].([]any); ok {
			for _, r := range req {
				if name, ok := r.(string); ok {
					if _, present := x[name]; !present {
						probs = append(probs, fmt.Sprintf("%s is missing property %q", what, name))
					}
				}
			}
		}
		for k, e := range x {
			if ps, ok := props[k].(map[string]any); ok {
				probs = append(probs, s.checkValue(what+"."+k, e, s.resolve(ps), depth+1)...)
			}
		}
	default:
		if f, ok := number(v); ok {
			if m, ok := number(sch["minimum"]); ok && f < m {
				probs = append(probs, fmt.Sprintf("%s must be >= %v", what, m))
			}
			if m, ok := number(sch["maximum"]); ok && f > m {
				probs = append(probs, fmt.Sprintf("%s must be <= %v", what, m))
			}
			if m, ok := number(sch["exclusiveMinimum"]); ok && f <= m {
				probs = append(probs, fmt.Sprintf("%s must be > %v", what, m))
			}
			if m, ok := number(sch["exclusiveMaximum"]); ok && f >= m {
				probs = append(probs, fmt.Sprintf("%s must be < %v", what, m))
			}
		}
	}
	return probs
}

func schemaTypes(sch map[string]any) []string {
	switch t := sch["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasType(v any, t string) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "number":
		_, ok := number(v)
		return ok
	case "integer":
		f, ok := number(v)
		return ok && f == math.Trunc(f)
	}
	return true
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	if f, ok := number(v); ok {
		if f == math.Trunc(f) {
			return "an integer"
		}
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// number converts any JSON number representation to float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func jsonEqual(a, b any) bool {
	fa, oka := number(a)
	fb, okb := number(b)
	if oka && okb {
		return fa == fb
	}
	return compactJSON(a) == compactJSON(b)
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func checkFormat(format, s string) string {
	switch format {
	case "date-time":
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return "must be an RFC 3339 date-time"
		}
	case "date":
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return "must be a date (YYYY-MM-DD)"
		}
	case "email":
		if _, err := mail.ParseAddress(s); err != nil {
			return "must be an email address"
		}
	case "uri":
		if u, err := url.Parse(s); err != nil || u.Scheme == "" {
			return "must be an absolute URI"
		}
	case "uuid":
		if !uuidPattern.MatchString(s) {
			return "must be a UUID"
		}
	}
	return ""
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// suggest returns `; did you mean "x"?` for the closest candidate, or "".
func suggest(name string, candidates []string) string {
	if best := closest.Closest(name, candidates); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// Suggest returns `; did you mean "x"?` naming the candidate closest to name, or "".
func Suggest(name string, candidates []string) string { return suggest(name, candidates) }
