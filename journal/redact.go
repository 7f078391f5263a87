package journal

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/arazzo-run/arazzo/runtime"
)

// Masked replaces a value that is not shown.
const Masked = runtime.Masked

// Redactor masks a recorded run for showing it, by the rule a live run's
// channels follow (runtime.Secrets): inputs whose schema says they are
// secret and inputs and outputs with secret-like names whole; the values a
// run's responses carried under secret-like names (a body's session_token,
// an X-Subject-Token header, a cookie set), wherever they appear — in an
// output of another name, a URL, an error message.
type Redactor struct {
	secretInputs []string
	secrets      *runtime.Secrets
}

// NewRedactor collects the sensitive values of a run and its steps from what
// they hold: secret inputs, and the values of secret-like names in inputs
// and outputs. Store.Redactor adds the run's recorded responses.
func NewRedactor(r *Run, steps []*Step) *Redactor {
	red := &Redactor{secretInputs: r.SecretInputs, secrets: &runtime.Secrets{}}
	for k, v := range r.Inputs {
		red.collect(v, red.secretInput(k))
	}
	for _, s := range steps {
		red.collectMap(s.Outputs)
	}
	red.collectMap(r.Outputs)
	return red
}

// Redactor is NewRedactor with the responses the run recorded: their
// secret-like values are masked too, as the run's live channels masked them.
func (s *Store) Redactor(ctx context.Context, r *Run, steps []*Step) (*Redactor, error) {
	red := NewRedactor(r, steps)
	recs, err := s.records(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		if rec.kind != kindResponse {
			continue
		}
		var d responseData
		if json.Unmarshal(rec.data, &d) == nil {
			red.secrets.AddResponse(d.Header, rec.body)
		}
	}
	return red, nil
}

// AddSensitive registers values to mask, known to be sensitive from
// elsewhere (a Temporal run marks the outputs that hold one).
func (red *Redactor) AddSensitive(values ...string) { red.secrets.AddSensitive(values...) }

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
			red.secrets.AddSensitive(x)
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
				red.secrets.AddSensitive(string(b))
			}
		}
	}
}

// Input masks an input's value: whole when the input is secret.
func (red *Redactor) Input(name string, v any) any {
	if red.secretInput(name) {
		return Masked
	}
	return red.Value(v)
}

// Output masks an output's value: whole when its name is secret-like.
func (red *Redactor) Output(name string, v any) any {
	if runtime.IsSecretName(name) {
		return Masked
	}
	return red.Value(v)
}

// Value masks the members with secret-like names inside v, and every
// sensitive value in its strings.
func (red *Redactor) Value(v any) any { return red.secrets.MaskValue(v) }

// Text masks every sensitive value in text.
func (red *Redactor) Text(text string) string { return red.secrets.Mask(text) }

// URL masks a URL component by component.
func (red *Redactor) URL(u string) string { return red.secrets.MaskURL(u, nil) }
