package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/describe"
	closest "github.com/arazzo-run/arazzo/internal/suggest"
)

// inputSchema is a workflow's inputs JSON Schema, with $refs to components.inputs
// resolved. It checks supplied inputs before the first request is sent.
type inputSchema struct {
	root map[string]any
	doc  *arazzo.Document

	once   sync.Once
	schema *jsonschema.Schema
	err    error
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
func (s *inputSchema) Inputs() []describe.Input {
	props, req := s.props()
	var out []describe.Input
	for name, p := range props {
		pm, _ := p.(map[string]any)
		pm = s.resolve(pm)
		info := describe.Input{Name: name, Required: slices.Contains(req, name), Type: schemaType(pm)}
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

// Check validates inputs against the schema with a JSON Schema implementation
// (draft 2020-12 unless the schema says otherwise, formats asserted), after
// applying the defaults of the declared inputs. It returns the effective inputs
// and every problem found, each naming the JSON path of the value it is about.
// An input the schema does not declare is accepted unless the schema forbids
// it (additionalProperties: false, or properties a schema keyword rejects).
func (s *inputSchema) Check(in map[string]any) (map[string]any, []string) {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	if s == nil {
		return out, nil
	}
	props, _ := s.props()
	for name, p := range props {
		if _, ok := out[name]; !ok {
			if d, ok := s.resolve(asMap(p))["default"]; ok {
				out[name] = d
			}
		}
	}
	sch, err := s.compiled()
	if err != nil {
		return out, []string{err.Error()}
	}
	inst, err := jsonInstance(out)
	if err != nil {
		return out, []string{err.Error()}
	}
	var ve *jsonschema.ValidationError
	if err := sch.Validate(inst); errors.As(err, &ve) {
		probs := s.problems(ve, keys(props))
		sort.Strings(probs)
		return out, slices.Compact(probs)
	} else if err != nil {
		return out, []string{err.Error()}
	}
	return out, nil
}

// Undeclared lists, as warnings, the supplied inputs the schema accepts
// without declaring them whose name is close to a declared one: most likely a
// typo that leaves the declared input at its default.
func (s *inputSchema) Undeclared(in map[string]any) []string {
	props, _ := s.props()
	if props == nil {
		return nil
	}
	var out []string
	for name := range in {
		if _, ok := props[name]; ok {
			continue
		}
		if hint := suggest(name, keys(props)); hint != "" {
			out = append(out, fmt.Sprintf("input %q is not declared by the inputs schema and is passed as given%s", name, hint))
		}
	}
	sort.Strings(out)
	return out
}

// compiled compiles the schema once. Its $refs resolve inside the document:
// the schema is compiled as a part of a resource that also holds
// components.inputs, and nothing is ever read from elsewhere.
func (s *inputSchema) compiled() (*jsonschema.Schema, error) {
	s.once.Do(func() {
		comps := map[string]any{}
		if s.doc != nil && s.doc.Components != nil {
			for k, v := range s.doc.Components.Inputs {
				if v != nil {
					comps[k] = v.V
				}
			}
		}
		res, err := jsonInstance(map[string]any{"components": map[string]any{"inputs": comps}, "workflowInputs": s.root})
		if err != nil {
			s.err = fmt.Errorf("the inputs schema cannot be used: %w", err)
			return
		}
		const loc = "urn:arazzo:inputs"
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.UseLoader(noLoader{})
		if err := c.AddResource(loc, res); err != nil {
			s.err = fmt.Errorf("the inputs schema cannot be used: %w", err)
			return
		}
		if s.schema, err = c.Compile(loc + "#/workflowInputs"); err != nil {
			s.err = fmt.Errorf("the inputs schema cannot be used: %w", err)
		}
	})
	return s.schema, s.err
}

// noLoader refuses every URL: an inputs schema refers only to its own document.
type noLoader struct{}

func (noLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("%s is outside the document; an inputs schema refers only to #/components/inputs", u)
}

// jsonInstance turns a Go value into the JSON value the validator reads
// (numbers as json.Number, so that large integers stay exact).
func jsonInstance(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var out any
	err = d.Decode(&out)
	return out, err
}

// problems words the leaves of a validation error, each with its JSON path.
func (s *inputSchema) problems(ve *jsonschema.ValidationError, declared []string) []string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		at := e.InstanceLocation
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				if len(at) == 0 {
					out = append(out, fmt.Sprintf("missing required input %q", m))
				} else {
					out = append(out, fmt.Sprintf("input %s is missing property %q", jsonPath(at), m))
				}
			}
			return
		case *kind.AdditionalProperties:
			for _, p := range k.Properties {
				if len(at) == 0 {
					out = append(out, fmt.Sprintf("unknown input %q%s (the inputs schema forbids other inputs)", p, suggest(p, declared)))
				} else {
					out = append(out, fmt.Sprintf("input %s has property %q, which its schema forbids", jsonPath(at), p))
				}
			}
			return
		}
		what := "the inputs"
		if len(at) > 0 {
			what = "input " + jsonPath(at)
		}
		out = append(out, what+" "+describeKind(e.ErrorKind))
	}
	walk(ve)
	return out
}

// jsonPath writes an instance location as a JSON pointer.
func jsonPath(at []string) string {
	var b strings.Builder
	for _, t := range at {
		b.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// describeKind words a failed keyword as "must ...".
func describeKind(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("must be %s, got %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		return fmt.Sprintf("must be one of %s", compactJSON(k.Want))
	case *kind.Const:
		return fmt.Sprintf("must be %s", compactJSON(k.Want))
	case *kind.Minimum:
		return fmt.Sprintf("must be >= %s", k.Want.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("must be <= %s", k.Want.RatString())
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("must be > %s", k.Want.RatString())
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("must be < %s", k.Want.RatString())
	case *kind.MinLength:
		return fmt.Sprintf("must be at least %d characters", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters", k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items", k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("must match %s", k.Want)
	case *kind.Format:
		return fmt.Sprintf("must be a valid %s", k.Want)
	case *kind.OneOf:
		if len(k.Subschemas) == 0 {
			return "must match exactly one of the oneOf schemas, matches none"
		}
		return fmt.Sprintf("must match exactly one of the oneOf schemas, matches %d", len(k.Subschemas))
	case *kind.FalseSchema:
		return "is not allowed by its schema"
	}
	return k.LocalizedString(printer)
}

// printer words the validator's own messages.
var printer = message.NewPrinter(language.English)

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

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// suggest returns `; did you mean "x"?` for the closest candidate, or "".
func suggest(name string, candidates []string) string {
	if best := closest.Closest(name, candidates); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

// Suggest returns `; did you mean "x"?` naming the candidate closest to name, or "".
func Suggest(name string, candidates []string) string { return suggest(name, candidates) }
