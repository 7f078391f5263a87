package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// DryRun is what a run of a workflow would send, built without sending anything.
type DryRun struct {
	WorkflowID string
	// Steps lists the steps in the order a run that passes every step would
	// execute them: dependencies first, then each step; a workflow step is
	// followed by the steps of the workflow it runs (one level deeper).
	// Actions (goto, retry, end) are not followed: they depend on responses.
	Steps []*PlannedStep
}

// PlannedStep is one step of a dry run.
type PlannedStep struct {
	WorkflowID string
	StepID     string
	Depth      int
	// Operation is "METHOD /path" for operation steps, "send <address>" or
	// "receive <address>" for AsyncAPI steps, "workflow <id>" for workflow steps.
	Operation string
	// Request is the request the step would send (for an AsyncAPI send, the
	// PUBLISH of its message; for a receive, the SUBSCRIBE a run opens before
	// its first send), with the credentials the driver would add shown as
	// *** and the values only a run can know as {$expression}; nil for
	// workflow steps and when it cannot be built (then Err says why).
	Request *Request
	Err     error
	// Unresolved lists the expressions the request uses whose values only a
	// real run can know (step outputs, responses); the request shows each as
	// {$expression} where its value would be.
	Unresolved []string
	// Notes say what else a run would do: where an oauth2 token would be
	// requested, what a receive waits for.
	Notes []string
	// MissingCredentials names the security schemes whose credentials the
	// request (or, for an AsyncAPI step, the connection) would go without:
	// the run was given none for them. A CredentialsError with the names of
	// an operation step's says so.
	MissingCredentials []string
}

// DryRun builds every request a run of the workflow would send, in order,
// without sending any. Values that depend on earlier responses show the
// expression instead (see PlannedStep.Unresolved); credentials show as ***.
// Inputs are checked as Run checks them.
func (p *Plan) DryRun(ctx context.Context, workflowID string, inputs map[string]any, opts ...RunOption) (*DryRun, error) {
	cfg := p.runConfig(opts)
	wp, in, err := p.start(workflowID, inputs, &cfg)
	if err != nil {
		return nil, err
	}
	d := &dryState{tokens: map[string]string{}, prefix: "arazzodry" + nonce(), active: map[*workflowPlan]bool{}}
	r := p.newRun(&cfg)
	r.dry, r.result = d, &Result{}
	out := &DryRun{WorkflowID: wp.id}
	d.workflow(ctx, r, wp, in, 0, out, map[*workflowPlan]bool{})
	return out, nil
}

// planned is a copy of req that a dry run can show: its header and body its own.
func planned(req *Request) *Request {
	c := *req
	c.Header = req.Header.Clone()
	c.Body = slices.Clone(req.Body)
	return &c
}

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// dryState stands in for the values a dry run cannot know. Each such value is
// a token made of letters and digits only, so that every serialization (path,
// query, header, JSON, form) keeps it intact; once the request is built each
// token is replaced by the expression it stands for.
type dryState struct {
	prefix string
	tokens map[string]string // token → expression text
	n      int
	active map[*workflowPlan]bool // the workflows being planned, outermost first
}

// placeholder returns the stand-in for an expression whose value comes from a
// response, with the expression's JSON pointer leading to it: the resolver
// returns the value before the pointer is applied.
func (d *dryState) placeholder(e *expr.Expression) (any, bool) {
	switch e.Kind {
	case expr.KindStepOutputs, expr.KindWorkflowOutputs, expr.KindWorkflowInputs, expr.KindOutputs,
		expr.KindStatusCode, expr.KindResponseHeader, expr.KindResponseBody, expr.KindResponseQuery, expr.KindResponsePath:
	default:
		return nil, false
	}
	d.n++
	tok := fmt.Sprintf("%s%dx", d.prefix, d.n)
	d.tokens[tok] = e.Text
	var v any = tok
	if e.HasPointer && e.Pointer != "" {
		parts := strings.Split(strings.TrimPrefix(e.Pointer, "/"), "/")
		for i := len(parts) - 1; i >= 0; i-- {
			k := strings.ReplaceAll(strings.ReplaceAll(parts[i], "~1", "/"), "~0", "~")
			v = map[string]any{k: v}
		}
	}
	return v, true
}

// workflow plans wp's dependencies, then its steps.
func (d *dryState) workflow(ctx context.Context, r *run, wp *workflowPlan, inputs map[string]any, depth int, out *DryRun, seen map[*workflowPlan]bool) {
	if depth > r.cfg.maxDepth || ctx.Err() != nil {
		return
	}
	for _, dep := range wp.dependsOn {
		if dep.wf != nil && !seen[dep.wf] {
			seen[dep.wf] = true
			d.workflow(ctx, r, dep.wf, filterInputs(dep.wf, inputs), depth+1, out, seen)
		}
	}
	d.active[wp] = true
	defer delete(d.active, wp)
	f := &frame{wp: wp, inputs: inputs, stepOutputs: map[string]map[string]any{}, depth: depth}
	for _, sp := range wp.steps {
		ps := &PlannedStep{WorkflowID: wp.id, StepID: sp.id, Depth: depth, Operation: sp.operation()}
		out.Steps = append(out.Steps, ps)
		sc := &scope{run: r, f: f, sp: sp}
		switch sp.kind {
		case stepOperation:
			req, err := r.buildRequest(sc, sp)
			if err != nil {
				ps.Err = d.restore(err)
				continue
			}
			ps.Request = planned(req)
			ps.Notes, ps.MissingCredentials = dryCredentials(ps.Request, req.Security, r.cfg.credentials)
			ps.Unresolved = d.substitute(ps.Request)
		case stepAsync:
			d.message(r, sc, sp, ps)
		case stepWorkflow:
			if sp.call == nil || sp.call.wf == nil {
				ps.Err = fmt.Errorf("workflow %q is not resolved", sp.call.text)
				continue
			}
			in := map[string]any{}
			for _, p := range sp.params {
				if p.value == nil {
					continue
				}
				v, err := p.value.Eval(sc)
				if err != nil {
					ps.Err = d.restore(&StepError{WorkflowID: wp.id, StepID: sp.id, File: wp.doc.File, Pos: p.pos, Msg: fmt.Sprintf("parameter %q", p.name), Err: err})
					break
				}
				in[p.name] = v
			}
			if ps.Err != nil {
				continue
			}
			for _, v := range in {
				ps.Unresolved = append(ps.Unresolved, d.found(fmt.Sprint(v))...)
			}
			sort.Strings(ps.Unresolved)
			if d.active[sp.call.wf] {
				ps.Notes = append(ps.Notes, fmt.Sprintf("workflow %q is already running here (a recursive call); its steps are not repeated", sp.call.wf.id))
				continue
			}
			in, _ = sp.call.wf.inputs.Check(in)
			d.workflow(ctx, r, sp.call.wf, in, depth+1, out, seen)
		default:
			ps.Err = fmt.Errorf("step %q cannot run", sp.id)
		}
	}
}

// found lists the expressions whose tokens occur in s.
func (d *dryState) found(s string) []string {
	var out []string
	if !strings.Contains(s, d.prefix) {
		return nil
	}
	for tok, text := range d.tokens {
		if strings.Contains(s, tok) {
			out = append(out, text)
		}
	}
	return out
}

// replace puts {$expression} where each token is; quote escapes the text
// (for JSON strings).
func (d *dryState) replace(s string, quote func(string) string) string {
	if !strings.Contains(s, d.prefix) {
		return s
	}
	for tok, text := range d.tokens {
		if strings.Contains(s, tok) {
			s = strings.ReplaceAll(s, tok, quote("{"+text+"}"))
		}
	}
	return s
}

func (d *dryState) restore(err error) error {
	msg := d.replace(err.Error(), func(s string) string { return s })
	if msg == err.Error() {
		return err
	}
	return &dryError{msg: msg, err: err}
}

type dryError struct {
	msg string
	err error
}

func (e *dryError) Error() string { return e.msg }
func (e *dryError) Unwrap() error { return e.err }

// substitute replaces the tokens of a built request and returns the
// expressions it found, sorted.
func (d *dryState) substitute(req *Request) []string {
	seen := map[string]bool{}
	note := func(s string) {
		for _, t := range d.found(s) {
			seen[t] = true
		}
	}
	plain := func(s string) string { return s }
	note(req.URL)
	req.URL = d.replace(req.URL, plain)
	for k, vs := range req.Header {
		for i, v := range vs {
			note(v)
			vs[i] = d.replace(v, plain)
		}
		req.Header[k] = vs
	}
	if len(req.Body) > 0 {
		body := string(req.Body)
		note(body)
		quote := plain
		if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt == "application/json" || strings.HasSuffix(mt, "+json") {
			quote = func(s string) string {
				b, _ := json.Marshal(s)
				return string(b[1 : len(b)-1])
			}
		}
		req.Body = []byte(d.replace(body, quote))
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// tokenNote says where the token of an oauth2 client-credentials scheme would
// be requested from (the client secret goes there), or why it would not be.
func tokenNote(ref SchemeRef, creds Credentials, apiURL string) string {
	s := ref.Scheme
	v, _ := credentialFor(creds, ref)
	if s.Type != "oauth2" || s.TokenURL == "" || !strings.Contains(v, ":") || !hasFlow(s, "clientCredentials") {
		return ""
	}
	api, _ := url.Parse(apiURL)
	endpoint, err := TokenEndpoint(s, api)
	if err != nil {
		return fmt.Sprintf("oauth2 scheme %q: no token would be requested: %v", ref.Name, err)
	}
	return fmt.Sprintf("oauth2 scheme %q: the token is first requested from POST %s with the client credentials", ref.Name, endpoint)
}

// dryCredentials shows where the driver would put credentials, masked: the
// first security option whose credentials are all supplied, as the local
// driver picks it. When none is, it names the schemes of the first option,
// which the request would go without.
func dryCredentials(req *Request, opts []SecurityOption, creds Credentials) (notes []string, missing []string) {
	if len(opts) == 0 {
		return nil, nil
	}
	const mask = "***"
	for _, opt := range opts {
		ok := true
		for _, ref := range opt {
			_, has := credentialFor(creds, ref)
			if !has || ref.Scheme == nil {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		for _, ref := range opt {
			s := ref.Scheme
			switch s.Type {
			case "apiKey":
				switch s.In {
				case "header":
					req.Header.Set(s.ParamName, mask)
				case "query":
					sep := "?"
					if strings.Contains(req.URL, "?") {
						sep = "&"
					}
					if pair, err := apiKeyQuery(s.ParamName, ""); err == nil { // "name=": a string always encodes
						req.URL += sep + pair + mask
					}
				case "cookie":
					c := s.ParamName + "=" + mask
					if prev := req.Header.Get("Cookie"); prev != "" {
						c = prev + "; " + c
					}
					req.Header.Set("Cookie", c)
				}
			case "http":
				name := s.Scheme
				switch strings.ToLower(name) {
				case "basic":
					name = "Basic"
				case "bearer":
					name = "Bearer"
				default:
					if name != "" {
						name = strings.ToUpper(name[:1]) + name[1:]
					}
				}
				req.Header.Set("Authorization", name+" "+mask)
			case "oauth2", "openIdConnect":
				req.Header.Set("Authorization", "Bearer "+mask)
			}
			if note := tokenNote(ref, creds, req.URL); note != "" {
				notes = append(notes, note)
			}
		}
		return notes, nil
	}
	var names []string
	for _, ref := range opts[0] {
		names = append(names, ref.Name)
	}
	return nil, names
}
