package journal

import (
	"encoding/json"
	"slices"

	"github.com/arazzo-run/arazzo/runtime"
)

// Masked replaces a value that is not shown.
const Masked = "***"

// Redactor masks the sensitive values of a run for showing it: inputs whose
// schema says format: password or writeOnly: true, and outputs and inputs with
// secret-like names (token, access_token, password, api_key...) — both where
// they are named and wherever their values appear in other text (a URL, an
// error message).
type Redactor struct {
	secretInputs []string
	values       *runtime.Secrets
}

// NewRedactor collects the sensitive values of a run and its steps.
func NewRedactor(r *Run, steps []*Step) *Redactor {
	red := &Redactor{secretInputs: r.SecretInputs, values: &runtime.Secrets{}}
	for k, v := range r.Inputs {
		if red.secretInput(k) {
			red.collect(v, true)
		} else {
			red.collect(v, false)
		}
	}
	for _, s := range steps {
		red.collectMap(s.Outputs)
	}
	red.collectMap(r.Outputs)
	return red
}

func (red *Redactor) secretInput(name string) bool {
	return slices.Contains(red.secretInputs, name) || runtime.IsSecretName(name)
}

func (red *Redactor) collectMap(m map[string]any) {
	for k, v := range m {
		red.collect(v, runtime.IsSecretName(k))
	}
}

// collect registers the strings of v that are secret: all of them when secret,
// else those under secret-like keys.
func (red *Redactor) collect(v any, secret bool) {
	switch x := v.(type) {
	case string:
		if secret {
			red.values.AddSensitive(x)
		}
	case map[string]any:
		for k, e := range x {
			red.collect(e, secret || runtime.IsSecretName(k))
		}
	case []any:
		for _, e := range x {
			red.collect(e, secret)
		}
	default:
		if secret && v != nil {
			if b, err := json.Marshal(v); err == nil {
				red.values.AddSensitive(string(b))
			}
		}
	}
}

// Input masks an input's value when it is secret.
func (red *Redactor) Input(name string, v any) any {
	if red.secretInput(name) {
		return Masked
	}
	return red.Value(v)
}

// Output masks an output's value when its name is secret-like, and the
// sensitive values and secret-like fields inside it.
func (red *Redactor) Output(name string, v any) any {
	if runtime.IsSecretName(name) {
		return Masked
	}
	return red.Value(v)
}

// Value masks the fields with secret-like names inside v, and every sensitive
// value in its strings.
func (red *Redactor) Value(v any) any {
	switch x := v.(type) {
	case string:
		return red.values.Mask(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if runtime.IsSecretName(k) {
				m[k] = Masked
			} else {
				m[k] = red.Value(e)
			}
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = red.Value(e)
		}
		return a
	}
	return v
}

// Text masks every sensitive value in text.
func (red *Redactor) Text(text string) string { return red.values.Mask(text) }
