package workflows

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"

	"github.com/arazzo-run/arazzo/fetch"
)

//go:embed */arazzo/*.yml */openapi/*.yml
var files embed.FS

// FS returns the bundled files.
func FS() fs.FS { return files }

// Scheme is the URL scheme of bundled locations: bundled:/<provider>/arazzo/<file>.
const Scheme = "bundled"

// Bundled describes one bundled workflow.
type Bundled struct {
	// Name is provider/workflowId.
	Name       string
	Provider   string
	WorkflowID string
	Summary    string
	// Path is the file inside the bundle, e.g. workato/arazzo/x.yml.
	Path string
	// Location is the document's URL, bundled:/<Path>.
	Location string
}

// List returns every bundled workflow, sorted by name.
func List() ([]Bundled, error) {
	docs, err := fs.Glob(files, "*/arazzo/*.yml")
	if err != nil {
		return nil, err
	}
	var out []Bundled
	for _, p := range docs {
		data, err := files.ReadFile(p)
		if err != nil {
			return nil, err
		}
		doc, ds := arazzo.Parse(p, data)
		if doc == nil || ds.HasErrors() {
			return nil, fmt.Errorf("bundled document %s is invalid: %v", p, ds.Err())
		}
		provider := strings.SplitN(p, "/", 2)[0]
		for _, w := range doc.Workflows {
			out = append(out, Bundled{Name: provider + "/" + w.WorkflowID, Provider: provider, WorkflowID: w.WorkflowID,
				Summary: w.Summary, Path: p, Location: Scheme + ":/" + p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Find returns the bundled workflow with the given provider/workflowId name.
func Find(name string) (Bundled, bool) {
	all, err := List()
	if err != nil {
		return Bundled{}, false
	}
	for _, b := range all {
		if b.Name == name {
			return b, true
		}
	}
	return Bundled{}, false
}

// Names lists the names of the bundled workflows.
func Names() []string {
	all, _ := List()
	names := make([]string, len(all))
	for i, b := range all {
		names[i] = b.Name
	}
	return names
}

// ReadFunc returns a reader for bundled: locations that hands every other
// location to next (nil: refuse them).
func ReadFunc(next fetch.ReadFunc) fetch.ReadFunc {
	return func(ctx context.Context, u *url.URL) ([]byte, error) {
		if u.Scheme == Scheme {
			p := strings.TrimPrefix(path.Clean(u.Path), "/")
			if u.Opaque != "" {
				p = strings.TrimPrefix(path.Clean(u.Opaque), "/")
			}
			return files.ReadFile(p)
		}
		if next == nil {
			return nil, fmt.Errorf("cannot read %s from a bundled workflow", u.Redacted())
		}
		return next(ctx, u)
	}
}
