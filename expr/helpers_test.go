package expr

import (
	"encoding/json"
	"strings"
	"testing"
)

// mapResolver resolves expressions by a natural key (see resolverKey), the
// way the runtime does: headers case-insensitively, bodies whole.
type mapResolver map[string]any

func (m mapResolver) Resolve(e *Expression) (any, bool) {
	v, ok := m[resolverKey(e)]
	return v, ok
}

func resolverKey(e *Expression) string {
	switch e.Kind {
	case KindRequestHeader, KindResponseHeader, KindMessageHeader:
		return e.Kind.String() + "." + strings.ToLower(e.Name)
	case KindRequestQuery, KindRequestPath, KindResponseQuery, KindResponsePath, KindInputs, KindOutputs:
		return e.Kind.String() + "." + e.Name
	case KindStepOutputs:
		if e.Name == "" {
			return "$steps." + e.ID + ".outputs"
		}
		return "$steps." + e.ID + ".outputs." + e.Name
	case KindWorkflowInputs:
		return "$workflows." + e.ID + ".inputs." + e.Name
	case KindWorkflowOutputs:
		return "$workflows." + e.ID + ".outputs." + e.Name
	case KindSourceDescription:
		return "$sourceDescriptions." + e.ID + "." + e.Name
	case KindComponent:
		return "$components." + e.ID + "." + e.Name
	}
	return e.Kind.String()
}

// decodeJSON decodes like the runtime decodes response bodies (UseNumber).
func decodeJSON(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func warningStrings(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.String())
	}
	return out
}
