package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/arazzo-run/arazzo/runtime"
)

// DryRunOptions say how WriteDryRun renders a dry run.
type DryRunOptions struct {
	// Format is "text" (the default) or "json".
	Format string
	// Secrets masks the sensitive values the requests and notes hold (the
	// credentials show as *** already); nil masks nothing more.
	Secrets *runtime.Secrets
	// Hint, when set, is added to a step's error and to the note that
	// credentials are missing: what the caller can do about it.
	Hint func(error) string
	// IgnoreMissingCredentials leaves out the notes that credentials are
	// missing: the requests go to a mock that enforces no security.
	IgnoreMissingCredentials bool
}

// dryRun is the JSON object of a dry run.
type dryRun struct {
	WorkflowID string    `json:"workflowId"`
	DryRun     bool      `json:"dryRun"`
	Steps      []dryStep `json:"steps"`
}

type dryStep struct {
	WorkflowID string      `json:"workflowId"`
	StepID     string      `json:"stepId"`
	Depth      int         `json:"depth"`
	Operation  string      `json:"operation"`
	Request    *dryRequest `json:"request,omitempty"`
	Unresolved []string    `json:"unresolved"`
	Notes      []string    `json:"notes"`
	Error      string      `json:"error,omitempty"`
}

type dryRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body,omitempty"`
}

// WriteDryRun writes what a run would send (runtime.Plan.DryRun): as text,
// each step with its request, the values only the run can know and the
// notes, then a line that counts the requests built; or as a JSON object.
func WriteDryRun(w io.Writer, dr *runtime.DryRun, o DryRunOptions) error {
	v := newDryRun(dr, o)
	if o.Format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	var b strings.Builder
	v.text(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func newDryRun(dr *runtime.DryRun, o DryRunOptions) *dryRun {
	secrets := o.Secrets
	if secrets == nil {
		secrets = &runtime.Secrets{}
	}
	hint := func(err error) string {
		if o.Hint == nil {
			return ""
		}
		return o.Hint(err)
	}
	v := &dryRun{WorkflowID: dr.WorkflowID, DryRun: true, Steps: make([]dryStep, 0, len(dr.Steps))}
	for _, s := range dr.Steps {
		js := dryStep{WorkflowID: s.WorkflowID, StepID: s.StepID, Depth: s.Depth, Operation: s.Operation,
			Unresolved: s.Unresolved, Notes: []string{}}
		if js.Unresolved == nil {
			js.Unresolved = []string{}
		}
		for _, n := range s.Notes {
			js.Notes = append(js.Notes, secrets.Mask(n))
		}
		if len(s.MissingCredentials) > 0 && !o.IgnoreMissingCredentials {
			if s.Request != nil && s.Request.Message != nil {
				for _, name := range s.MissingCredentials {
					js.Notes = append(js.Notes, secrets.Mask(fmt.Sprintf("no credentials for security scheme %s: the connection is made without", name)))
				}
			} else {
				ce := &runtime.CredentialsError{Schemes: s.MissingCredentials}
				js.Notes = append(js.Notes, secrets.Mask(ce.Error()+": the request would go without"+hint(ce)))
			}
		}
		if s.Err != nil {
			js.Error = secrets.Mask(s.Err.Error()) + hint(s.Err)
		}
		if r := s.Request; r != nil {
			js.Request = &dryRequest{Method: r.Method, URL: secrets.MaskURL(r.URL, nil), Headers: map[string]string{}}
			h := secrets.MaskHeader(r.Header, nil)
			for _, k := range slices.Sorted(maps.Keys(h)) {
				js.Request.Headers[k] = strings.Join(h[k], ", ")
			}
			if len(r.Body) > 0 {
				js.Request.Body = secrets.Mask(string(r.Body))
			}
		}
		v.Steps = append(v.Steps, js)
	}
	return v
}

// text writes the dry run as text; every line goes through Line.
func (v *dryRun) text(w io.Writer) {
	ln := func(format string, args ...any) { fmt.Fprintln(w, Line(fmt.Sprintf(format, args...))) }
	built := 0
	for i, s := range v.Steps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		pad := indent(s.Depth)
		ln("%s%s  %s", pad, s.StepID, s.Operation)
		if s.Error != "" {
			ln("%s  ✗ cannot build the request: %s", pad, s.Error)
		}
		if r := s.Request; r != nil {
			built++
			ln("%s  %s %s", pad, r.Method, r.URL)
			for _, k := range sortedKeys(r.Headers) {
				ln("%s  %s: %s", pad, k, r.Headers[k])
			}
			if r.Body != "" {
				fmt.Fprintln(w)
				body := r.Body
				var buf bytes.Buffer
				if json.Indent(&buf, []byte(body), "", "  ") == nil {
					body = buf.String()
				}
				for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
					ln("%s  %s", pad, l)
				}
			}
		}
		if len(s.Unresolved) > 0 {
			ln("%s  # known only when the run gets here: %s", pad, strings.Join(s.Unresolved, ", "))
		}
		for _, n := range s.Notes {
			ln("%s  ! %s", pad, n)
		}
	}
	fmt.Fprintln(w)
	ln("dry run of workflow %s: %d request(s) built, nothing sent", v.WorkflowID, built)
}
