package runtime

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arazzo-run/arazzo/asyncapi"
)

// listening is a subscription a run opened for a receive step, by address.
type listening struct {
	meta MessageMeta
}

// buildMessage builds the message request of an AsyncAPI step: its channel
// URL with the address resolved, and for a send the headers and payload.
func (r *run) buildMessage(sc *scope, sp *stepPlan, method string) (*Request, error) {
	as, f := sp.async, sc.f
	if as == nil || as.src == nil || as.src.asyncapi == nil || as.channel == nil {
		return nil, f.errorf(sp, sp.step.Pos, nil, "the step's AsyncAPI source or channel is not available (its source description was not loaded)")
	}
	address, err := r.address(sc, sp)
	if err != nil {
		return nil, err
	}
	server, version, err := r.messageServer(as)
	if err != nil {
		return nil, f.errorf(sp, sp.step.Pos, err, "")
	}
	op := as.template
	op.Server, op.Channel, op.ProtocolVersion = server, address, version
	u, err := url.Parse(server)
	if err != nil {
		return nil, f.errorf(sp, sp.step.Pos, err, "server %q", server)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(address, "/")
	req := &Request{WorkflowID: f.wp.id, StepID: sp.id, Source: as.src.name, Method: method, URL: u.String(),
		Header: http.Header{}, Message: &op, Security: r.messageSecurity(as), Idempotent: method != MethodPublish}
	if method != MethodPublish {
		return req, nil
	}
	for _, h := range as.headers {
		if h.value == nil {
			continue
		}
		v, err := h.value.Eval(sc)
		if err != nil {
			if h.value.omittable(sc, err) {
				continue
			}
			return nil, f.errorf(sp, h.pos, err, "header %q", h.name)
		}
		// As written: brokers keep the case of header names.
		req.Header[h.name] = []string{headerText(v)}
	}
	if sp.body != nil {
		if err := r.buildBody(sc, sp, req); err != nil {
			return nil, err
		}
		op.ContentType = req.Header.Get("Content-Type")
		req.Header.Del("Content-Type")
	}
	return req, nil
}

func headerText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return textOf(v)
}

// address resolves the step's channel address: its in: channel parameters,
// else each parameter's default; a receive listens on the protocol's
// wildcard for a parameter it is not given.
func (r *run) address(sc *scope, sp *stepPlan) (string, error) {
	as, f := sp.async, sc.f
	vals := map[string]string{}
	for _, a := range as.args {
		if a.value == nil {
			continue
		}
		v, err := a.value.Eval(sc)
		if err != nil {
			return "", f.errorf(sp, a.pos, err, "channel parameter %q", a.name)
		}
		vals[a.name] = headerText(v)
	}
	if as.action == asyncapi.ActionReceive {
		if w := wildcard(protocolOf(as)); w != "" {
			for _, name := range as.channel.ParamNames() {
				if _, ok := vals[name]; !ok {
					if p := as.channel.Parameters[name]; p == nil || !p.HasDefault {
						vals[name] = w
					}
				}
			}
		}
	}
	addr, err := as.channel.Resolve(vals)
	if err != nil {
		return "", f.errorf(sp, sp.step.Pos, err, "")
	}
	return addr, nil
}

// messageServer picks the server of an AsyncAPI step: a server override of
// the source, else the first of the channel's servers (the document's when
// the channel names none), its variables substituted.
func (r *run) messageServer(as *asyncStep) (string, string, error) {
	name := as.src.name
	servers := as.src.asyncapi.ServersOf(as.channel)
	version := ""
	if len(servers) > 0 {
		version = servers[0].ProtocolVersion
	}
	if r.cfg.mockMessages {
		return mockServer, version, nil
	}
	if u, ok := r.cfg.servers[name]; ok {
		r.markUsed("server:" + name)
		return u, version, nil
	}
	if len(servers) == 0 {
		return "", "", fmt.Errorf("source %q declares no server", name)
	}
	srv := servers[0]
	for v := range r.cfg.serverVars[name] {
		if _, ok := srv.Variables[v]; ok {
			r.markUsed("var:" + name + "." + v)
		}
	}
	u, err := srv.URL(r.cfg.serverVars[name])
	if err != nil {
		return "", "", err
	}
	return u.String(), version, nil
}

// messageSecurity is the security of an AsyncAPI step's server and
// operation: alternatives, any one of which authorizes the connection.
func (r *run) messageSecurity(as *asyncStep) []SecurityOption {
	var schemes []*asyncapi.SecurityScheme
	if srv := as.src.asyncapi.ServersOf(as.channel); len(srv) > 0 && r.cfg.servers[as.src.name] == "" {
		schemes = srv[0].Security
	} else if len(srv) > 0 {
		schemes = srv[0].Security // an overridden URL is the same server elsewhere
	}
	if as.op != nil && len(schemes) == 0 {
		schemes = as.op.Security
	}
	var out []SecurityOption
	for _, s := range schemes {
		out = append(out, SecurityOption{{Source: as.src.name, Name: s.Name, Async: s, Shared: len(r.plan.schemeSources(s.Name)) > 1}})
	}
	return out
}

// message carries out an AsyncAPI step: a send publishes its message once
// every receive step the run can reach is subscribed; a receive waits for its
// message on the subscription opened for it, early.
func (r *run) message(ctx context.Context, f *frame, sp *stepPlan, sc *scope, at *attempt, res *StepResult) bool {
	as := sp.async
	if as == nil || as.channel == nil {
		at.status, at.err = StatusError, f.errorf(sp, sp.step.Pos, nil, "%s", cannotRun(sp))
		return false
	}
	var req *Request
	var err error
	if as.action == asyncapi.ActionSend {
		if err := r.listenAll(ctx, f, sp, res); err != nil {
			at.status, at.err, at.fatal = StatusError, err, ctx.Err() != nil
			return false
		}
		req, err = r.buildMessage(sc, sp, MethodPublish)
		if err == nil {
			r.checkMessage(f, sp, req)
		}
	} else {
		req, err = r.receiveRequest(ctx, sc, f, sp, res)
	}
	if err != nil {
		at.status, at.err = StatusError, err
		if ctx.Err() != nil {
			at.fatal = true
		}
		return false
	}
	req.Attempt = res.Attempts
	if as.action == asyncapi.ActionReceive {
		req.Timeout = as.timeout
		if left, ok := r.timeLeft(); ok && left < req.Timeout {
			req.Timeout = max(left, time.Millisecond)
		}
	}
	sc.req = req
	res.Method, res.URL = req.Method, req.URL
	resp := r.exchange(ctx, f, sp, res, req)
	sc.resp = resp
	if resp.Err != nil && ctx.Err() != nil {
		at.fatal, at.err = true, fmt.Errorf("%s during %s %s: %w", stopped(ctx.Err()), req.Method, req.URL, ctx.Err())
		return false
	}
	if IsNoMessage(resp) {
		// Step Object: "If no matching message is received within the timeout
		// period, the step fails and triggers any defined onFailure actions."
		at.status, at.err = StatusFailed, f.errorf(sp, sp.step.ValuePos("timeout"), resp.Err, "")
		return false
	}
	if resp.Err == nil {
		res.StatusCode = resp.StatusCode
	}
	return true
}

// exchange hands a message request to the driver, reporting it as the step's
// request and response.
func (r *run) exchange(ctx context.Context, f *frame, sp *stepPlan, res *StepResult, req *Request) *Response {
	r.emit(&Event{Kind: EventRequest, WorkflowID: f.wp.id, StepID: sp.id, Attempt: res.Attempts, Depth: f.depth, Request: req})
	if len(req.Security) > 0 {
		r.result.security = append(r.result.security, req.Security)
	}
	resp := r.fx.Send(ctx, req)
	r.cfg.secrets.addResponse(resp)
	r.emit(&Event{Kind: EventResponse, WorkflowID: f.wp.id, StepID: sp.id, Attempt: res.Attempts, Depth: f.depth, Request: req, Response: resp})
	return resp
}

// receiveRequest is the RECEIVE of a receive step, on the subscription the run
// opened for its address (opened now when none was).
func (r *run) receiveRequest(ctx context.Context, sc *scope, f *frame, sp *stepPlan, res *StepResult) (*Request, error) {
	req, err := r.buildMessage(sc, sp, MethodReceive)
	if err != nil {
		return nil, err
	}
	l, err := r.listen(ctx, f, sp, sp, res, req.Message.Channel)
	if err != nil {
		return nil, err
	}
	req.Message.Subscription, req.Message.Cursor = l.meta.Subscription, l.meta.Cursor
	if as := sp.async; as.corr != nil {
		v, err := as.corr.Eval(sc)
		if err != nil {
			return nil, f.errorf(sp, sp.step.ValuePos("correlationId"), err, "correlationId")
		}
		req.Message.Correlation = &Correlation{Value: textOf(v), Locations: as.locs}
	}
	return req, nil
}

// listenAll subscribes, before a send, every receive step of the running
// workflow (and every one elsewhere in the plan whose address needs no value
// of a run) that is not subscribed yet: MQTT, core NATS and WebSocket keep
// nothing for a late subscriber, and a reply can come as soon as the message
// is sent. A receive whose address depends on values not known yet is
// subscribed when it runs.
func (r *run) listenAll(ctx context.Context, f *frame, current *stepPlan, res *StepResult) error {
	for _, wp := range r.plan.allWorkflows() {
		for _, sp := range wp.steps {
			as := sp.async
			if sp.kind != stepAsync || as == nil || as.channel == nil || as.action != asyncapi.ActionReceive {
				continue
			}
			var sc *scope
			switch {
			case wp == f.wp:
				sc = &scope{run: r, f: f, sp: sp}
			case constantArgs(as):
				sc = &scope{run: r, f: &frame{wp: wp, stepOutputs: map[string]map[string]any{}}, sp: sp}
			default:
				continue
			}
			addr, err := r.address(sc, sp)
			if err != nil {
				continue // subscribed when the step runs, where the error is the step's
			}
			if _, ok := r.subs[sp][addr]; ok {
				continue
			}
			if _, err := r.listen(ctx, f, current, sp, res, addr); err != nil {
				return err
			}
		}
	}
	return nil
}

func constantArgs(as *asyncStep) bool {
	for _, a := range as.args {
		if a.value != nil && len(a.value.Refs()) > 0 {
			return false
		}
	}
	return true
}

// listen returns the subscription of a receive step to an address, opening it
// with a SUBSCRIBE request (reported in the running step, current).
func (r *run) listen(ctx context.Context, f *frame, current, sp *stepPlan, res *StepResult, address string) (*listening, error) {
	if l, ok := r.subs[sp][address]; ok {
		return l, nil
	}
	sc := &scope{run: r, f: f, sp: sp}
	req, err := r.buildMessage(sc, sp, MethodSubscribe)
	if err != nil {
		return nil, err
	}
	req.Message.Channel = address
	req.WorkflowID, req.StepID, req.Attempt = f.wp.id, current.id, res.Attempts
	resp := r.exchange(ctx, f, current, res, req)
	if resp.Err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s during %s %s: %w", stopped(ctx.Err()), req.Method, req.URL, ctx.Err())
		}
		return nil, f.errorf(current, sp.step.Pos, resp.Err, "subscribe to %s for step %q", req.URL, sp.id)
	}
	l := &listening{}
	if resp.Message != nil {
		l.meta = *resp.Message
	}
	if r.subs == nil {
		r.subs = map[*stepPlan]map[string]*listening{}
	}
	if r.subs[sp] == nil {
		r.subs[sp] = map[string]*listening{}
	}
	r.subs[sp][address] = l
	return l, nil
}

// checkMessage validates the headers and payload of a message a step sends
// against the schemas of its messages: one of them must accept both (Channel
// Object, messages: "Every message sent to this channel MUST be valid against
// one, and only one, of the message objects"). A mismatch is a warning; the
// message is sent as the workflow says.
func (r *run) checkMessage(f *frame, sp *stepPlan, req *Request) {
	ms := sp.async.messages
	if len(ms) == 0 {
		return
	}
	headers := map[string]any{}
	for k, vs := range req.Header {
		headers[k] = vs[0]
	}
	var first string
	for _, m := range ms {
		var probs []string
		if m.Headers != nil {
			if err := m.Headers.Validate(headers); err != nil {
				probs = append(probs, "headers: "+err.Error())
			}
		}
		if m.Payload != nil && req.bodyValue != nil {
			if err := m.Payload.Validate(jsonish(req.bodyValue)); err != nil {
				probs = append(probs, "payload: "+err.Error())
			}
		}
		if len(probs) == 0 {
			return
		}
		if first == "" {
			first = fmt.Sprintf("message %q: %s", m.ID, strings.Join(probs, "; "))
		}
	}
	r.emit(&Event{Kind: EventWarning, WorkflowID: f.wp.id, StepID: sp.id, Depth: f.depth,
		Message: fmt.Sprintf("step %q sends a message that none of the channel's message schemas accepts (%s); it is sent as written", sp.id, first)})
}

// jsonish turns the numbers of a payload into the types the validator reads.
func jsonish(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonish(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = jsonish(e)
		}
		return s
	case int:
		return int64(x)
	}
	return v
}

// allWorkflows lists the workflows of every document of the plan, in order.
func (p *Plan) allWorkflows() []*workflowPlan {
	var out []*workflowPlan
	for _, d := range p.docs {
		ids := make([]string, 0, len(p.workflows[d]))
		for _, w := range d.Workflows {
			ids = append(ids, w.WorkflowID)
		}
		for _, id := range ids {
			if wp := p.workflows[d][id]; wp != nil {
				out = append(out, wp)
			}
		}
	}
	return out
}

// messageHeader reads $message.header.<name>: the step's message is the one
// it sent (a send step) or received (a receive step); names compare without
// case.
func (s *scope) messageHeader(name string) (any, bool) {
	var h http.Header
	switch {
	case s.sp != nil && s.sp.async != nil && s.sp.async.action == asyncapi.ActionSend && s.req != nil:
		h = s.req.Header
	case s.resp != nil && s.resp.Err == nil:
		h = s.resp.Header
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) && len(h[k]) > 0 {
			return h[k][0], true
		}
	}
	return nil, false
}

// messagePayload reads $message.payload: the payload sent, or the one received
// decoded by its content type.
func (s *scope) messagePayload() (any, bool) {
	if s.sp != nil && s.sp.async != nil && s.sp.async.action == asyncapi.ActionSend {
		if s.req != nil && s.req.bodyValue != nil {
			return s.req.bodyValue, true
		}
		return nil, false
	}
	return s.responseBody()
}

// message plans an AsyncAPI step for a dry run: the message a send would
// publish, or the subscription a receive would open and what it waits for.
func (d *dryState) message(r *run, sc *scope, sp *stepPlan, ps *PlannedStep) {
	method := MethodPublish
	if sp.async != nil && sp.async.action == asyncapi.ActionReceive {
		method = MethodSubscribe
	}
	req, err := r.buildMessage(sc, sp, method)
	if err != nil {
		ps.Err = d.restore(err)
		return
	}
	ps.Request = planned(req)
	if ct := req.Message.ContentType; ct != "" && method == MethodPublish {
		ps.Request.Header.Set("Content-Type", ct)
	}
	if method == MethodSubscribe {
		as := sp.async
		note := fmt.Sprintf("subscribes before the run's first send, then waits up to %s for a message", as.timeout)
		if as.corr != nil {
			want := "{" + strings.Join(exprTexts(as.corr), "") + "}"
			if v, err := as.corr.Eval(sc); err == nil {
				want = textOf(v)
			}
			locs := make([]string, len(as.locs))
			for i, l := range as.locs {
				locs[i] = l.Expr
			}
			note += fmt.Sprintf(" whose %s is %s", strings.Join(locs, " or "), want)
		}
		ps.Notes = append(ps.Notes, note)
	}
	unresolved := d.found(strings.Join(ps.Notes, "\n"))
	for i, n := range ps.Notes {
		ps.Notes[i] = d.replace(n, func(s string) string { return s })
	}
	for _, opt := range req.Security {
		for _, ref := range opt {
			if _, ok := credentialFor(r.cfg.credentials, ref); !ok {
				ps.MissingCredentials = append(ps.MissingCredentials, ref.Name)
			}
		}
	}
	ps.Unresolved = d.substitute(ps.Request)
	for _, u := range unresolved {
		if !slices.Contains(ps.Unresolved, u) {
			ps.Unresolved = append(ps.Unresolved, u)
		}
	}
	sort.Strings(ps.Unresolved)
}

// exprTexts lists the runtime expressions a value reads.
func exprTexts(v *valueExpr) []string {
	if v == nil || v.Value == nil {
		return nil
	}
	var out []string
	for _, e := range v.Value.Refs() {
		out = append(out, e.Text)
	}
	return out
}
