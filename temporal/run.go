package temporal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/arazzo-run/arazzo/runtime"
)

// RunInput is what a run carries to the cluster: its documents, the workflow
// and its inputs, and the settings that shape its requests. It never carries
// credentials: workers apply their own (see Worker).
type RunInput struct {
	Documents  Documents `json:"documents"`
	WorkflowID string    `json:"workflowId"`
	// Inputs is the JSON object of the workflow's inputs.
	Inputs json.RawMessage `json:"inputs,omitempty"`
	// SecretInputs names the inputs whose schema says format: password or
	// writeOnly: true, for masking them when the run is shown.
	SecretInputs []string `json:"secretInputs,omitempty"`
	Settings     Settings `json:"settings"`
}

// Settings are the run options that travel with a run. Zero values take the
// defaults of a local run.
type Settings struct {
	// Servers overrides the server URL of source descriptions, by source name.
	Servers map[string]string `json:"servers,omitempty"`
	// ServerVars sets server variables, by source name then variable name.
	ServerVars map[string]map[string]string `json:"serverVars,omitempty"`
	// Timeout bounds each HTTP request (default 30 s).
	Timeout time.Duration `json:"timeout,omitempty"`
	// RunTimeout bounds the whole run, measured on the workflow's clock.
	RunTimeout time.Duration `json:"runTimeout,omitempty"`
	// MaxSteps bounds the step executions of the run (default 10,000).
	MaxSteps int `json:"maxSteps,omitempty"`
	// MaxRetryWait caps the wait a Retry-After header imposes (default 60 s).
	MaxRetryWait time.Duration `json:"maxRetryWait,omitempty"`
	// MaxBody caps a response body; a worker's own cap may be lower (see WithMaxBody).
	MaxBody int64 `json:"maxBody,omitempty"`
}

// NewRunInput prepares a run of workflowID of plan (compiled from docs) with inputs.
func NewRunInput(plan *runtime.Plan, docs *Documents, workflowID string, inputs map[string]any, set Settings) (*RunInput, error) {
	in := &RunInput{Documents: *docs, WorkflowID: workflowID, Settings: set}
	for _, w := range plan.Workflows() {
		if w.ID == workflowID {
			for _, i := range w.Inputs {
				if i.Secret {
					in.SecretInputs = append(in.SecretInputs, i.Name)
				}
			}
		}
	}
	if len(inputs) > 0 {
		b, err := json.Marshal(inputs)
		if err != nil {
			return nil, fmt.Errorf("inputs: %v", err)
		}
		in.Inputs = b
	}
	return in, nil
}

const defaultTimeout = 30 * time.Second

func (s *Settings) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return defaultTimeout
}

// options are the runtime options of the settings.
func (s *Settings) options() []runtime.RunOption {
	var opts []runtime.RunOption
	for _, src := range sortedKeys(s.Servers) {
		opts = append(opts, runtime.WithServer(src, s.Servers[src]))
	}
	for _, src := range sortedKeys(s.ServerVars) {
		for _, name := range sortedKeys(s.ServerVars[src]) {
			opts = append(opts, runtime.WithServerVariable(src, name, s.ServerVars[src][name]))
		}
	}
	if s.MaxSteps > 0 {
		opts = append(opts, runtime.WithMaxSteps(s.MaxSteps))
	}
	if s.MaxRetryWait > 0 {
		opts = append(opts, runtime.WithMaxRetryWait(s.MaxRetryWait))
	}
	return opts
}

// inputs decodes the run's inputs. A number declared integer or number by the
// workflow's inputs schema gets that type, as on the command line; others stay
// json.Number, as when read from an --inputs file.
func (in *RunInput) inputs(plan *runtime.Plan) (map[string]any, error) {
	m := map[string]any{}
	if len(in.Inputs) == 0 {
		return m, nil
	}
	if err := decodeJSON(in.Inputs, &m); err != nil {
		return nil, fmt.Errorf("inputs of the run: %v", err)
	}
	types := map[string]string{}
	for _, w := range plan.Workflows() {
		if w.ID == in.WorkflowID {
			for _, i := range w.Inputs {
				types[i.Name] = i.Type
			}
		}
	}
	for k, v := range m {
		if n, ok := v.(json.Number); ok && (types[k] == "integer" || types[k] == "number") {
			c, err := plan.CoerceInput(in.WorkflowID, k, n.String())
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
	}
	return m, nil
}

// decodeJSON decodes with numbers kept as json.Number, as response bodies are.
func decodeJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v)
}
