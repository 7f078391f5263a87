package runtime

import (
	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
)

// secretInputs names the inputs of a workflow that must be masked wherever a
// run shows them: those whose schema says format: password or writeOnly:
// true, and those a step sends as a credential — as the value of a header,
// query or cookie parameter with a secret-like name (X-Api-Key:
// $inputs.apiKey, access_token: "{$inputs.t}").
func (w *workflowPlan) secretInputs() map[string]bool {
	out := map[string]bool{}
	for _, in := range w.inputs.Inputs() {
		if in.Secret {
			out[in.Name] = true
		}
	}
	for _, sp := range w.steps {
		for _, p := range sp.params {
			if p.value == nil || p.value.Value == nil || !IsSecretName(p.name) {
				continue
			}
			switch p.in {
			case arazzo.InHeader, arazzo.InQuery, arazzo.InCookie:
			default:
				continue
			}
			for _, e := range p.value.Refs() {
				if e.Kind == expr.KindInputs {
					out[e.Name] = true
				}
			}
		}
	}
	return out
}
