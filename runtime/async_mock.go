package runtime

import (
	"encoding/json"
	"strings"

	"github.com/arazzo-run/arazzo/transport"
)

// mockServer is where every AsyncAPI source's messages go in a mocked run:
// the in-process broker (.invalid names no host of the network).
const mockServer = "memory://mock.invalid"

// WithMessageMock runs AsyncAPI steps hermetically: every AsyncAPI source's
// server is an in-process broker, and each receive step is answered with a
// message made from its messages' first example (else from their schemas),
// its correlation id set where the message's correlationId location says, so
// that a correlated receive finds it. Nothing is sent over the network.
func WithMessageMock() RunOption { return func(c *config) { c.mockMessages = true } }

// mockMessage makes the message that answers a RECEIVE in a mocked run.
func (p *Plan) mockMessage(req *Request) *transport.Message {
	sp := p.stepOf(req.WorkflowID, req.StepID)
	if sp == nil || sp.async == nil || len(sp.async.messages) == 0 {
		return nil
	}
	m := sp.async.messages[0]
	headers := map[string]any{}
	var payload any
	if len(m.Examples) > 0 {
		ex := m.Examples[0]
		for k, v := range ex.Headers {
			headers[k] = v
		}
		payload = cloneJSON(ex.Payload)
		if !ex.HasPayload {
			payload = m.Payload.Sample()
		}
	} else {
		if h, ok := m.Headers.Sample().(map[string]any); ok {
			headers = h
		}
		payload = m.Payload.Sample()
	}
	if c := req.Message.Correlation; c != nil && m.CorrelationID != nil {
		switch m.CorrelationID.Source {
		case "header":
			if name := strings.TrimPrefix(m.CorrelationID.Pointer, "/"); name != "" && !strings.Contains(name, "/") {
				headers[strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")] = c.Value
			}
		case "payload":
			if payload == nil {
				payload = map[string]any{}
			}
			if v, err := setPointer(payload, m.CorrelationID.Pointer, c.Value); err == nil {
				payload = v
			}
		}
	}
	out := &transport.Message{Channel: req.Message.Channel, ContentType: m.ContentType, Headers: map[string]string{}}
	for k, v := range headers {
		out.Headers[k] = headerText(v)
	}
	if s, ok := payload.(string); ok && !strings.Contains(m.ContentType, "json") {
		out.Payload = []byte(s)
	} else if payload != nil {
		out.Payload, _ = json.Marshal(payload)
	}
	return out
}

// cloneJSON copies an example so that setting the correlation id in it does
// not change the description.
func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = cloneJSON(e)
		}
		return s
	}
	return v
}

// stepOf finds a step of the plan by workflow and step id.
func (p *Plan) stepOf(workflowID, stepID string) *stepPlan {
	for _, wp := range p.allWorkflows() {
		if wp.id != workflowID {
			continue
		}
		if i, ok := wp.stepIndex[stepID]; ok {
			return wp.steps[i]
		}
	}
	return nil
}
