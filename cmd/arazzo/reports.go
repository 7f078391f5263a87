package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/arazzo-run/arazzo/runtime"
)

// reportKinds are the formats of --report KIND=FILE.
var reportKinds = []string{"junit", "json", "html"}

type reportSpec struct{ kind, path string }

// parseReports reads --report KIND=FILE flags and checks that every file
// asked for (--trace and --har too) can be created.
func parseReports(specs []string, trace, har string) ([]reportSpec, error) {
	for flag, path := range map[string]string{"--trace": trace, "--har": har} {
		if path != "" {
			if err := checkOutputPath(flag, path); err != nil {
				return nil, err
			}
		}
	}
	var out []reportSpec
	for _, s := range specs {
		kind, path, ok := strings.Cut(s, "=")
		if !ok || path == "" {
			return nil, usageErr("--report %q: expected KIND=FILE, where KIND is %s", s, strings.Join(reportKinds, ", "))
		}
		switch kind {
		case "junit", "json", "html":
		default:
			return nil, usageErr("--report %q: unknown report kind %q%s (kinds: %s)", s, kind, runtime.Suggest(kind, reportKinds), strings.Join(reportKinds, ", "))
		}
		if err := checkOutputPath("--report "+kind, path); err != nil {
			return nil, err
		}
		out = append(out, reportSpec{kind: kind, path: path})
	}
	return out, nil
}

// checkOutputPath refuses, before anything runs, a file that cannot be
// created because its directory does not exist.
func checkOutputPath(flag, path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return usageErr("%s %s: directory %s does not exist", flag, path, dir)
	}
	if !st.IsDir() {
		return usageErr("%s %s: %s is not a directory", flag, path, dir)
	}
	return nil
}

// reporting records a run for --trace, --har and --report.
type reporting struct {
	rec     *recorder
	trace   string
	har     string
	reports []reportSpec
	mask    masker
}

// newReporting returns nil when no trace or report was asked for.
func newReporting(f *runFlags, reports []reportSpec, plan *runtime.Plan, document, wfID string, inputs map[string]any, m masker) *reporting {
	if f.trace == "" && f.har == "" && len(reports) == 0 {
		return nil
	}
	title := ""
	if d := plan.Document(); d != nil {
		title = d.Info.Title
	}
	id := wfID
	if v, err := plan.Describe(wfID); err == nil {
		id = v.ID
	}
	return &reporting{rec: newRecorder(m, document, title, id, inputs, workflowDocuments(plan, wfID, document)),
		trace: f.trace, har: f.har, reports: reports, mask: m}
}

// workflowDocuments maps the id of every workflow a run of wfID can reach to
// the document it is written in (the run's own document as the user named it).
func workflowDocuments(plan *runtime.Plan, wfID, document string) map[string]string {
	out := map[string]string{}
	entry := ""
	if d := plan.Document(); d != nil {
		entry = d.File
	}
	v, err := plan.Describe(wfID)
	if err != nil {
		return out
	}
	var visit func(v *runtime.WorkflowView)
	visit = func(v *runtime.WorkflowView) {
		if _, seen := out[v.ID]; seen {
			return
		}
		doc := v.File
		if doc == entry {
			doc = document
		}
		out[v.ID] = doc
		var links []*runtime.WorkflowLink
		for i := range v.DependsOn {
			links = append(links, &v.DependsOn[i])
		}
		for _, s := range v.Steps {
			links = append(links, s.Workflow)
			for _, t := range s.Transitions {
				links = append(links, t.Workflow)
			}
		}
		for _, l := range links {
			if w, ok := plan.DescribeLink(l); ok {
				visit(w)
			}
		}
	}
	visit(v)
	return out
}

func (r *reporting) observer() runtime.Observer {
	if r == nil {
		return nil
	}
	return r.rec
}

// write writes every file asked for; it reports all failures at once.
func (r *reporting) write(res *runtime.Result) error {
	if r == nil {
		return nil
	}
	doc := r.rec.finish(res)
	var errs []string
	try := func(what, path string, fn func(string, *traceDoc) error) {
		if err := fn(path, doc); err != nil {
			errs = append(errs, fmt.Sprintf("%s %s: %v", what, path, err))
		}
	}
	if r.trace != "" {
		try("--trace", r.trace, writeTrace)
	}
	if r.har != "" {
		try("--har", r.har, writeHAR)
	}
	for _, rs := range r.reports {
		switch rs.kind {
		case "junit":
			try("--report junit", rs.path, writeJUnit)
		case "html":
			try("--report html", rs.path, writeHTMLReport)
		case "json":
			try("--report json", rs.path, func(path string, _ *traceDoc) error {
				return writeFileWith(path, func(w io.Writer) error { return writeJSONResult(w, res, r.mask.text) })
			})
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("could not write: %s", strings.Join(errs, "; "))
	}
	return nil
}

// writeFileWith writes a file through a temporary file in the same directory,
// so that a reader never sees half a report.
func writeFileWith(path string, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// document names the run's document in reports: the bundled location, or the
// path or URL as the user gave it.
func (t target) document(arg string) string {
	if t.bundled {
		return t.location
	}
	return arg
}
