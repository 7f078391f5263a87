package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/runtime"
)

type validateFlags struct {
	format       string
	strict       bool
	offline      bool
	allowOutside bool
	sources      []string
	errorRules   []string
	ignoreRules  []string
}

func (a *app) validateCommand() *cobra.Command {
	var f validateFlags
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Validate Arazzo documents: every problem, with its position",
		Long: `Validate Arazzo 1.0.x and 1.1.0 documents and the source descriptions they use.

PATH is a file, an http(s) URL, a directory (searched recursively for
*.arazzo.yaml, *.arazzo.yml, *.arazzo.json and any YAML or JSON file whose root
has an "arazzo" key; hidden directories, node_modules and vendor are not
searched, and a note says which were skipped), or - for standard input. Every
structural and semantic problem is reported at once, each with file:line:col
and a rule id explained in docs/rules.md.

Sources are read relative to each document, and only inside the document's
repository (its directory, outside a repository) unless --allow-outside; URLs
are fetched with a timeout and a size cap, or not at all with --offline (the
checks that need them are skipped, and the text output says which).

Severity can be set per rule: --error RULE reports a rule's warnings as errors
(step-output-unknown, to fail CI on a misspelt output), --ignore RULE drops its
warnings (errors are never dropped); --strict makes every warning an error.

Exit codes: 0 no errors (warnings allowed, unless --strict), 1 errors found, 2
usage error (a bad flag, a PATH that does not exist).`,
		Example: `  arazzo validate workflows/
  arazzo validate --format sarif --offline api.arazzo.yaml > arazzo.sarif
  arazzo validate --source petstore=./openapi/petstore.yaml flow.arazzo.yaml
  arazzo validate --error step-output-unknown,step-ref-unknown --ignore id-pattern workflows/
  arazzo validate https://example.com/flows/checkout.arazzo.yaml
  cat flow.arazzo.yaml | arazzo validate -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.validate(cmd.Context(), args, &f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "text", "output format: text, json, sarif, github or junit")
	fl.BoolVar(&f.strict, "strict", false, "treat warnings as errors")
	fl.StringSliceVar(&f.errorRules, "error", nil, "report the warnings of these rules as errors: RULE[,RULE] (repeatable)")
	fl.StringSliceVar(&f.ignoreRules, "ignore", nil, "drop the warnings of these rules: RULE[,RULE] (repeatable; errors are kept)")
	fl.BoolVar(&f.offline, "offline", false, "fetch no URL; skip the checks that need a remote source")
	fl.BoolVar(&f.allowOutside, "allow-outside", false, "allow sources outside the document's directory tree")
	fl.StringArrayVar(&f.sources, "source", nil, "read a source description from another location: NAME=PATH|URL (repeatable)")
	completeFlag(cmd, "format", cobra.FixedCompletions([]string{"text", "json", "sarif", "github", "junit"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (a *app) validate(ctx context.Context, args []string, f *validateFlags) error {
	switch f.format {
	case "text", "json", "sarif", "github", "junit":
	default:
		return usageErr("--format must be text, json, sarif, github or junit, got %q", f.format)
	}
	overrides := map[string]string{}
	for _, s := range f.sources {
		name, loc, ok := strings.Cut(s, "=")
		if !ok || name == "" || loc == "" {
			return usageErr("--source %q: expected NAME=PATH or NAME=URL", s)
		}
		overrides[name] = loc
	}
	severity, err := ruleSeverities(f)
	if err != nil {
		return err
	}
	// One reader for the whole invocation: a file read for one document is
	// not read again for another, and the total read is bounded once.
	docs := fetch.New(fetch.Options{Offline: f.offline})
	files, searchNotes, err := collectDocuments(args, docs, f.offline)
	if err != nil {
		return err
	}
	var all arazzo.Diagnostics
	var names []string
	skipped := searchNotes
	sources := map[string][]byte{}
	var declared []string // the source names of the documents
	allRead := true       // every document read far enough to know its sources
	for _, file := range files {
		diags, skips, doc := a.validateOne(ctx, docs, file, f, overrides, sources)
		all = append(all, diags...)
		names = append(names, file.name)
		skipped = append(skipped, skips...)
		if doc == nil {
			allRead = false
		} else {
			declared = append(declared, sourceNames(doc)...)
		}
	}
	if allRead {
		// A --source no document declares would leave each to read its own url.
		slices.Sort(declared)
		if err := settingsLines(unknownSources(f.sources, slices.Compact(declared))); err != nil {
			return err
		}
	}
	all = severity(all.Sort())
	if err := a.writeDiagnostics(f.format, all, names, sources, docs); err != nil {
		return &exitError{code: ExitIncomplete, err: err}
	}
	if f.format == "text" {
		for _, s := range skipped {
			fmt.Fprintln(a.stderr, "note:", s)
		}
	}
	if all.HasErrors() {
		return &exitError{code: ExitFailed}
	}
	return nil
}

// ruleSeverities reads --error, --ignore and --strict into the function that
// applies them to the diagnostics: ignored warnings are dropped, then the
// warnings of --error rules (all of them with --strict) become errors.
func ruleSeverities(f *validateFlags) (func(arazzo.Diagnostics) arazzo.Diagnostics, error) {
	known := arazzo.Rules()
	read := func(flag string, list []string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, r := range list {
			r = strings.TrimSpace(r)
			if _, ok := slices.BinarySearch(known, r); !ok {
				return nil, usageErr("--%s %q: no such rule%s (the rules are listed in docs/rules.md)", flag, r, runtime.Suggest(r, known))
			}
			set[r] = true
		}
		return set, nil
	}
	toError, err := read("error", f.errorRules)
	if err != nil {
		return nil, err
	}
	ignore, err := read("ignore", f.ignoreRules)
	if err != nil {
		return nil, err
	}
	for r := range toError {
		if ignore[r] {
			return nil, usageErr("rule %s is given to both --error and --ignore", r)
		}
	}
	return func(ds arazzo.Diagnostics) arazzo.Diagnostics {
		out := ds[:0]
		for _, d := range ds {
			if d.Severity == arazzo.SeverityWarning {
				if ignore[d.Rule] {
					continue
				}
				if f.strict || toError[d.Rule] {
					d.Severity = arazzo.SeverityError
				}
			}
			out = append(out, d)
		}
		return out
	}, nil
}

// sourceRoot is the directory tree a document's sources may be read from: the
// repository that holds it (the nearest directory above it with a .git), whose
// files whoever wrote the document controls anyway, else the document's own
// directory.
func sourceRoot(path string) string {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return filepath.Dir(path)
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// document is one file to validate.
type document struct {
	name string // as the user named it (or "-" for stdin)
	path string // on disk; "" for stdin and URLs
	url  string // an http(s) document
	data []byte // stdin content
}

// yamlArazzoRoot finds a root "arazzo" key in YAML: root keys start a line.
var yamlArazzoRoot = regexp.MustCompile(`(?m)^(["']?arazzo["']?\s*:|\{\s*["']?arazzo["']?\s*:)`)

// skippedDirs are not searched in a directory: hidden ones (.git, .github...)
// and dependencies. Named as a PATH, they are.
func skippedDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor"
}

// collectDocuments expands the arguments: files and http(s) URLs as given,
// directories searched recursively, - for standard input. notes name the
// directories a search skipped (but .git).
func collectDocuments(args []string, docs *fetch.Reader, offline bool) (out []document, notes []string, err error) {
	for _, arg := range args {
		if arg == "-" {
			continue // read below, once
		}
		if u, err := url.Parse(arg); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			if offline {
				return nil, nil, usageErr("%s: --offline fetches nothing, so a document given by URL cannot be validated", u.Redacted())
			}
			out = append(out, document{name: arg, url: arg})
			continue
		}
		st, err := os.Stat(arg)
		if err != nil {
			return nil, nil, usageErr("%s: no such file or directory", arg)
		}
		if !st.IsDir() {
			out = append(out, document{name: arg, path: arg})
			continue
		}
		found, skipped, err := arazzoFilesIn(arg, docs)
		if err != nil {
			return nil, nil, err
		}
		notes = append(notes, skipped...)
		for _, p := range found {
			out = append(out, document{name: p, path: p})
		}
	}
	for _, arg := range args {
		if arg == "-" {
			data, err := io.ReadAll(io.LimitReader(os.Stdin, int64(arazzo.DefaultLimits().MaxBytes)+1))
			if err != nil {
				return nil, nil, usageErr("reading standard input: %v", err)
			}
			out = append(out, document{name: "-", data: data})
			break
		}
	}
	if len(out) == 0 {
		return nil, nil, usageErr("no Arazzo documents found in %s%s", strings.Join(args, ", "), skippedNote(notes, "; "))
	}
	if len(notes) > 0 {
		notes = []string{skippedNote(notes, "")}
	}
	return out, notes, nil
}

// arazzoFilesIn finds the Arazzo documents in directory dir and below it,
// sorted; skipped names the directories it did not search (hidden and
// dependency ones, but .git).
func arazzoFilesIn(dir string, docs *fetch.Reader) (found, skipped []string, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && skippedDir(d.Name()) {
				if d.Name() != ".git" {
					skipped = append(skipped, p+string(filepath.Separator))
				}
				return filepath.SkipDir
			}
			return nil
		}
		if isArazzoFile(docs, p) {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, usageErr("%s: %v", dir, err)
	}
	sort.Strings(found)
	return found, skipped, nil
}

// expandDirectories replaces each directory among args by the Arazzo
// documents found in it (as validate searches it), for the commands that take
// several documents; what a search skipped is noted on stderr.
func (a *app) expandDirectories(args []string) ([]string, error) {
	var out, skipped []string
	var docs *fetch.Reader
	for _, arg := range args {
		if st, err := os.Stat(arg); err != nil || !st.IsDir() {
			out = append(out, arg)
			continue
		}
		if docs == nil {
			docs = fetch.New(fetch.Options{Offline: true})
		}
		found, skips, err := arazzoFilesIn(arg, docs)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, usageErr("no Arazzo documents found in %s (*.arazzo.yaml, *.arazzo.yml, *.arazzo.json, or YAML or JSON with a root arazzo key)%s", arg, skippedNote(skips, "; "))
		}
		out = append(out, found...)
		skipped = append(skipped, skips...)
	}
	if len(skipped) > 0 {
		fmt.Fprintln(a.stderr, "note:", skippedNote(skipped, ""))
	}
	return out, nil
}

// skippedNote says which directories a search skipped, after sep; "" if none.
func skippedNote(skipped []string, sep string) string {
	if len(skipped) == 0 {
		return ""
	}
	return sep + "not searched: " + strings.Join(skipped, ", ") + " (hidden and dependency directories; give one as a PATH to include it)"
}

// isArazzoFile tells an Arazzo document by its name, or by a root "arazzo" key.
func isArazzoFile(docs *fetch.Reader, p string) bool {
	lower := strings.ToLower(p)
	for _, suf := range []string{".arazzo.yaml", ".arazzo.yml", ".arazzo.json"} {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	if !strings.HasSuffix(lower, ".yaml") && !strings.HasSuffix(lower, ".yml") && !strings.HasSuffix(lower, ".json") {
		return false
	}
	if strings.HasSuffix(lower, ".json") {
		head, err := docs.Head(fileURL(p), 64<<10)
		return err == nil && jsonArazzoRoot(head)
	}
	head, err := docs.Head(fileURL(p), 8192)
	return err == nil && yamlArazzoRoot.Match(head)
}

// jsonArazzoRoot reports whether the JSON object that data starts (perhaps
// cut short) has an "arazzo" key at its root, wherever the key is written.
func jsonArazzoRoot(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for {
		t, err := dec.Token() // a key, or the end of the object
		key, ok := t.(string)
		if err != nil || !ok {
			return false // cut short, not JSON, or no such key
		}
		if key == "arazzo" {
			return true
		}
		if !skipValue(dec) {
			return false
		}
	}
}

// skipValue reads the next JSON value, whole.
func skipValue(dec *json.Decoder) bool {
	var v json.RawMessage
	return dec.Decode(&v) == nil
}

// validateOne loads, validates and compiles one document; it returns its
// diagnostics, a note per source that was not fetched, and the document as
// parsed (nil when it could not be read or decoded).
func (a *app) validateOne(ctx context.Context, docs *fetch.Reader, doc document, f *validateFlags, overrides map[string]string, sources map[string][]byte) (_ arazzo.Diagnostics, notes []string, parsed *arazzo.Document) {
	location := ""
	switch {
	case doc.url != "":
		location = doc.url
	case doc.path != "":
		location = arazzo.FileLocation(doc.path)
	default:
		cwd, _ := os.Getwd()
		location = arazzo.FileLocation(filepath.Join(cwd, "stdin.arazzo.yaml"))
	}
	var named []string
	for _, loc := range overrides {
		named = append(named, loc)
	}
	rec := &offlineRecorder{}
	base := documentReader(docs, location, f.allowOutside, named...)
	given := map[string]bool{} // the --source locations
	for _, loc := range named {
		given[arazzo.FileLocation(loc)] = true
	}
	read := func(ctx context.Context, u *url.URL) ([]byte, error) {
		if u.String() == location && doc.data != nil {
			return doc.data, nil
		}
		if doc.url != "" && u.Scheme == "file" && !given[u.String()] {
			// Whoever serves the document does not choose the files read here.
			return nil, fmt.Errorf("%s: a document read over http(s) has no local files read for it; give the source with --source NAME=PATH", u.Redacted())
		}
		data, err := base(ctx, u)
		if err == nil && doc.url != "" && u.String() == location {
			sources[doc.name] = data // for the snippets of the text output
		}
		if errors.Is(err, runtime.ErrOffline) {
			rec.add(u.Redacted())
		}
		return data, err
	}
	opts := []runtime.PlanOption{runtime.WithReadFunc(read)}
	for name, loc := range overrides {
		opts = append(opts, runtime.WithSourceLocation(name, arazzo.FileLocation(loc)))
	}
	loadFrom := location
	switch {
	case doc.url != "": // read keeps what it fetches
	case doc.path != "":
		loadFrom = doc.path
		if data, err := base(ctx, fileURL(doc.path)); err == nil {
			sources[doc.name] = data // read once: Load below gets the same bytes
		}
	default:
		sources[doc.name] = doc.data
	}
	plan, diags, err := runtime.Inspect(ctx, loadFrom, opts...)
	if plan != nil {
		parsed = plan.Document()
	}
	if err != nil {
		var de *arazzo.DocumentError
		var re *runtime.ReadError
		switch {
		case errors.As(err, &de):
		case errors.As(err, &re):
			diags = append(diags, arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: runtime.RuleSourceUnreadable, File: doc.name, Message: re.Error()})
		default:
			diags = append(diags, arazzo.Diagnostic{Severity: arazzo.SeverityError, Rule: runtime.RuleSourceUnreadable, File: doc.name, Message: err.Error()})
		}
	}
	for i := range diags {
		if diags[i].File == loadFrom || diags[i].File == "" {
			diags[i].File = doc.name
		}
		diags[i].Message += ruleHint(diags[i])
	}
	for _, u := range rec.list() {
		notes = append(notes, fmt.Sprintf("%s: offline, source %s not fetched; the checks of its operations were skipped", doc.name, u))
	}
	return diags, notes, parsed
}

type offlineRecorder struct {
	mu   sync.Mutex
	urls []string
}

func (r *offlineRecorder) add(u string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.urls = append(r.urls, u)
}

func (r *offlineRecorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.urls...)
}

func (a *app) writeDiagnostics(format string, ds arazzo.Diagnostics, files []string, sources map[string][]byte, docs *fetch.Reader) error {
	switch format {
	case "json":
		return arazzo.WriteJSON(a.stdout, ds, files)
	case "sarif":
		return arazzo.WriteSARIF(a.stdout, ds)
	case "github":
		return arazzo.WriteGitHub(a.stdout, ds)
	case "junit":
		return arazzo.WriteJUnit(a.stdout, ds, files)
	}
	return arazzo.WriteText(a.stdout, ds, arazzo.TextOptions{
		Files:    files,
		Snippets: isTerminal(a.stdout),
		Source: func(file string) []byte {
			if b, ok := sources[file]; ok {
				return b
			}
			b, _ := docs.Read(context.Background(), fileURL(file))
			return b
		},
	})
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
