package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
	"github.com/arazzo-run/arazzo/internal/jsonvalue"
)

// scope resolves runtime expressions for one step execution (or for the workflow
// outputs): the current request and response, the frame's inputs and step outputs,
// and the workflows completed in this run.
type scope struct {
	run     *run
	f       *frame
	sp      *stepPlan
	req     *Request
	resp    *Response
	callee  *wfOutcome      // the workflow a workflowId step ran
	outputs map[string]any  // $outputs while evaluating workflow outputs
	ctx     context.Context // the run's: criteria stop when it ends (see stop.go)

	body        any
	bodyDecoded bool
	bodyOK      bool
	bodyPointer bool // a JSON pointer was applied to the body (see bodyProblem)
}

var _ expr.Resolver = (*scope)(nil)

// Resolve implements expr.Resolver.
func (s *scope) Resolve(e *expr.Expression) (any, bool) {
	if s.run.dry != nil {
		if v, ok := s.run.dry.placeholder(e); ok {
			return v, true
		}
	}
	switch e.Kind {
	case expr.KindURL:
		if s.req != nil {
			return s.req.URL, true
		}
	case expr.KindMethod:
		if s.req != nil {
			return s.req.Method, true
		}
	case expr.KindStatusCode:
		if s.resp != nil && s.resp.Err == nil {
			return int64(s.resp.StatusCode), true
		}
		// A workflowId step has no exchange of its own; as a documented leniency
		// $statusCode there is the status of the called workflow's last exchange.
		if s.callee != nil && s.callee.lastCode != 0 {
			return int64(s.callee.lastCode), true
		}
	case expr.KindRequestHeader:
		if s.req != nil {
			if vs := s.req.Header.Values(e.Name); len(vs) > 0 {
				return vs[0], true
			}
		}
	case expr.KindRequestQuery:
		if s.req != nil {
			v, ok := s.req.queryParams[e.Name]
			return v, ok
		}
	case expr.KindRequestPath:
		if s.req != nil {
			v, ok := s.req.pathParams[e.Name]
			return v, ok
		}
	case expr.KindRequestBody:
		if s.req != nil && s.req.bodyValue != nil {
			return s.req.bodyValue, true
		}
	case expr.KindResponseHeader:
		if s.resp != nil && s.resp.Err == nil {
			if vs := s.resp.Header.Values(e.Name); len(vs) > 0 {
				return vs[0], true
			}
		}
	case expr.KindResponseBody:
		s.bodyPointer = s.bodyPointer || e.HasPointer
		return s.responseBody()
	case expr.KindMessageHeader:
		return s.messageHeader(e.Name)
	case expr.KindMessagePayload:
		s.bodyPointer = s.bodyPointer || e.HasPointer
		return s.messagePayload()
	case expr.KindInputs:
		v, ok := s.f.inputs[e.Name]
		return v, ok
	case expr.KindOutputs:
		if s.callee != nil {
			v, ok := s.callee.outputs[e.Name]
			return v, ok
		}
		if s.outputs != nil {
			v, ok := s.outputs[e.Name]
			return v, ok
		}
	case expr.KindStepOutputs:
		if outs, ok := s.f.stepOutputs[e.ID]; ok {
			if e.Name == "" { // $steps.<id>.outputs: all of them
				return maps.Clone(outs), true
			}
			v, ok := outs[e.Name]
			return v, ok
		}
	case expr.KindWorkflowInputs, expr.KindWorkflowOutputs:
		for wp, out := range s.run.done {
			if wp.id == e.ID && wp.doc == s.f.wp.doc {
				m := out.outputs
				if e.Kind == expr.KindWorkflowInputs {
					m = out.inputs
				}
				v, ok := m[e.Name]
				return v, ok
			}
		}
	case expr.KindSourceDescription:
		if src := s.run.plan.sources[s.f.wp.doc][e.ID]; src != nil {
			switch e.Name {
			case "url":
				return src.url, true
			case "name":
				return src.name, true
			case "type":
				return src.kind, true
			}
		}
	case expr.KindSelf:
		if s.f.wp.doc.Self != "" {
			return s.f.wp.doc.Self, true
		}
		return s.f.wp.doc.Location, true
	}
	return nil, false
}

// Omittable implements expr.Omitter: an input the workflow declares, and the
// caller did not give, has no value to send, so the payload member, or the
// query, header or cookie parameter, whose value is exactly that input is left
// out. A required input is always given (inputs are checked first).
func (s *scope) Omittable(e *expr.Expression) bool {
	if e.Kind != expr.KindInputs || s.f == nil {
		return false
	}
	if _, given := s.f.inputs[e.Name]; given {
		return false
	}
	props, _ := s.f.wp.inputs.props()
	_, declared := props[e.Name]
	return declared
}

// Missing implements expr.MissingExplainer for the references a document can get
// wrong: step outputs that no step declares, or that a step has not produced.
func (s *scope) Missing(e *expr.Expression) string {
	if e.Kind != expr.KindStepOutputs {
		return ""
	}
	wp := s.f.wp
	i, ok := wp.stepIndex[e.ID]
	if !ok {
		return fmt.Sprintf("workflow %q has no step %q", wp.id, e.ID)
	}
	target := wp.steps[i]
	if _, ran := s.f.stepOutputs[e.ID]; !ran {
		return fmt.Sprintf("step %q has not run yet", e.ID)
	}
	if !slices.ContainsFunc(target.outputs, func(o *outputPlan) bool { return o.name == e.Name }) {
		if len(target.outputs) == 0 {
			return fmt.Sprintf("step %q declares no outputs", e.ID)
		}
		declared := make([]string, len(target.outputs))
		for j, o := range target.outputs {
			declared[j] = strconv.Quote(o.name)
		}
		return fmt.Sprintf("step %q declares no output %q (declared: %s)", e.ID, e.Name, strings.Join(declared, ", "))
	}
	return fmt.Sprintf("output %q of step %q had no value when the step ran", e.Name, e.ID)
}

// responseBody decodes the response body once: JSON when the content type says so
// (or the body looks like JSON and the type says nothing), else the text.
func (s *scope) responseBody() (any, bool) {
	if s.bodyDecoded {
		return s.body, s.bodyOK
	}
	s.bodyDecoded = true
	if s.resp == nil || s.resp.Err != nil {
		return nil, false
	}
	s.body, s.bodyOK = decodeBody(s.resp.Header.Get("Content-Type"), s.resp.Body)
	return s.body, s.bodyOK
}

func decodeBody(contentType string, body []byte) (any, bool) {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	isJSON := mt == "application/json" || strings.HasSuffix(mt, "+json")
	if !isJSON && mt == "" && len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		isJSON = true
	}
	if isJSON {
		if len(trimmed) == 0 {
			return nil, false
		}
		if v, ok := jsonvalue.Decode(trimmed); ok {
			return v, true
		}
		d := json.NewDecoder(bytes.NewReader(trimmed))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err == nil && !d.More() {
			return v, true
		}
		// Not valid JSON despite its type: expose the text, criteria on it will tell.
		return string(body), true
	}
	if mt == "application/x-www-form-urlencoded" {
		if q, err := url.ParseQuery(string(body)); err == nil {
			m := map[string]any{}
			for k, vs := range q {
				if len(vs) == 1 {
					m[k] = vs[0]
				} else {
					a := make([]any, len(vs))
					for i, v := range vs {
						a[i] = v
					}
					m[k] = a
				}
			}
			return m, true
		}
	}
	return string(body), true
}
