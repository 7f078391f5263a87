package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// reportKinds are the formats of --report KIND=FILE.
var reportKinds = []string{"junit", "json", "html"}

type reportSpec struct{ kind, path string }

// parseReports reads --report KIND=FILE flags and checks that every file
// asked for (--trace, --har and --output-file too) can be written.
func parseReports(specs []string, trace, har, outputFile string) ([]reportSpec, error) {
	for _, f := range []struct{ flag, path string }{{"--output-file", outputFile}, {"--trace", trace}, {"--har", har}} {
		if f.path != "" {
			if err := checkOutputPath(f.flag, f.path); err != nil {
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

// checkOutputPath refuses, before the run sends anything, a file that flag
// could not write at the end: "-" (which would name a file, not standard
// output), a directory, or a path whose directory does not exist or takes no
// new file (one is created there and removed). Found only at the end, it
// would leave a renewed token on stdout alone, or a report unwritten.
func checkOutputPath(flag, path string) error {
	if path == "-" {
		hint := ""
		if flag == "--output-file" {
			hint = " (the outputs are printed on standard output without --output-file, as JSON with -o json)"
		}
		return usageErr("%s -: names a file, not standard output%s; name the file to write", flag, hint)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return usageErr("%s %s: directory %s does not exist", flag, path, dir)
	}
	if !st.IsDir() {
		return usageErr("%s %s: %s is not a directory", flag, path, dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageErr("%s %s: is a directory; name the file to write", flag, path)
	}
	probe, err := tempBeside(path)
	if err != nil {
		return usageErr("%s %s: cannot be written there: %v", flag, path, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// reporting records a run for --output json, --trace, --har and --report:
// every one of them is rendered from the run's record.
type reporting struct {
	rec     *report.Recorder
	trace   string
	har     string
	reports []reportSpec
}

// newReporting records the run; a record without exchanges when no file
// asked for asks for them.
func newReporting(f *runFlags, reports []reportSpec, plan *runtime.Plan, document string, inputs map[string]any, secrets *runtime.Secrets) *reporting {
	opts := []report.Option{report.WithSecrets(secrets), report.WithDocument(document), report.WithTool(versionString()), report.WithInputs(inputs)}
	exchanges := f.trace != "" || f.har != "" || f.verbose
	for _, r := range reports {
		exchanges = exchanges || r.kind == "html"
	}
	if !exchanges {
		opts = append(opts, report.WithoutExchanges())
	}
	return &reporting{rec: report.NewRecorder(plan, opts...), trace: f.trace, har: f.har, reports: reports}
}

func (r *reporting) observer() runtime.Observer { return r.rec }

// write writes every file asked for; it reports all failures at once.
func (r *reporting) write(rec *report.Record) error {
	var errs []string
	try := func(what, path string, render func(io.Writer, *report.Record) error) {
		if err := writeFileWith(path, func(w io.Writer) error { return render(w, rec) }); err != nil {
			errs = append(errs, fmt.Sprintf("%s %s: %v", what, path, err))
		}
	}
	if r.trace != "" {
		try("--trace", r.trace, report.WriteTrace)
	}
	if r.har != "" {
		try("--har", r.har, report.WriteHAR)
	}
	for _, rs := range r.reports {
		switch rs.kind {
		case "junit":
			try("--report junit", rs.path, report.WriteJUnit)
		case "html":
			try("--report html", rs.path, report.WriteHTML)
		case "json":
			try("--report json", rs.path, report.WriteResult)
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
	if err := os.Chmod(tmp.Name(), 0o600); err != nil { // reports show what a run sent and received: for the user only
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
