package report

import (
	"slices"

	"github.com/arazzo-run/arazzo/runtime"
)

// mask returns a copy of rec with every value the run's secrets say must not
// be shown masked (runtime.Secrets does the masking, on values: header by
// header, URL by URL, body by body). secretInputs name the inputs masked
// whole.
func mask(rec *Record, s *runtime.Secrets, secretInputs []string) *Record {
	out := *rec
	out.Error = s.Mask(rec.Error)
	out.Inputs = make(map[string]any, len(rec.Inputs))
	for k, v := range rec.Inputs {
		if slices.Contains(secretInputs, k) || runtime.IsSecretName(k) {
			out.Inputs[k] = runtime.Masked
		} else {
			out.Inputs[k] = s.MaskValue(v)
		}
	}
	out.Outputs = s.MaskValues(rec.Outputs)
	out.Warnings = make([]string, len(rec.Warnings))
	for i, w := range rec.Warnings {
		out.Warnings[i] = s.Mask(w)
	}
	out.Workflows = make([]*Workflow, len(rec.Workflows))
	for i, w := range rec.Workflows {
		mw := *w
		mw.Error, mw.Outputs = s.Mask(w.Error), s.MaskValues(w.Outputs)
		out.Workflows[i] = &mw
	}
	out.Steps = make([]*Step, len(rec.Steps))
	for i, st := range rec.Steps {
		out.Steps[i] = maskStep(st, s)
	}
	return &out
}

func maskStep(st *Step, s *runtime.Secrets) *Step {
	ms := *st
	ms.result = nil
	ms.Action, ms.Error, ms.Outputs = s.Mask(st.Action), s.Mask(st.Error), s.MaskValues(st.Outputs)
	ms.Exchanges = make([]*Exchange, len(st.Exchanges))
	for i, x := range st.Exchanges {
		ms.Exchanges[i] = maskExchange(x, s)
	}
	ms.Criteria = make([]Criterion, len(st.Criteria))
	for i, c := range st.Criteria {
		mc := c
		mc.Condition, mc.Reason = s.Mask(c.Condition), s.Mask(c.Reason)
		mc.Operands = make([]Operand, len(c.Operands))
		for j, o := range c.Operands {
			mc.Operands[j] = Operand{Expr: o.Expr, Value: s.MaskValue(o.Value), Missing: o.Missing}
		}
		ms.Criteria[i] = mc
	}
	ms.Actions = make([]Action, len(st.Actions))
	for i, a := range st.Actions {
		a.Action = s.Mask(a.Action)
		ms.Actions[i] = a
	}
	return &ms
}

func maskExchange(x *Exchange, s *runtime.Secrets) *Exchange {
	mx := *x
	mx.security = nil
	mx.Error = s.Mask(x.Error)
	if q := x.Request; q != nil {
		mx.Request = &Request{Method: q.Method, URL: s.MaskURL(q.URL, x.security), Headers: s.MaskHeader(q.Headers, x.security), Body: maskBody(q.Body, s)}
	}
	if p := x.Response; p != nil {
		mx.Response = &Response{Status: p.Status, Headers: s.MaskHeader(p.Headers, x.security), Body: maskBody(p.Body, s)}
	}
	if m := x.Message; m != nil {
		mm := *m
		mm.Server, mm.Channel, mm.CorrelationID = s.MaskURL(m.Server, x.security), s.Mask(m.Channel), s.Mask(m.CorrelationID)
		mx.Message = &mm
	}
	return &mx
}

// maskBody sets a body's text from what was received: masked text, or
// base64 when it is not UTF-8.
func maskBody(b *Body, s *runtime.Secrets) *Body {
	if b == nil {
		return nil
	}
	mb := *b
	mb.raw = nil
	if b.raw == nil {
		return &mb
	}
	text, isBase64 := s.MaskBody(b.raw, b.MimeType, b.Truncated)
	mb.Text, mb.Encoding = text, ""
	if isBase64 {
		mb.Encoding = "base64"
	}
	return &mb
}
