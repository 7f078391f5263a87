package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/fetch"
	"github.com/arazzo-run/arazzo/runtime"
	"github.com/arazzo-run/arazzo/workflows"
)

// target is what a user named on the command line: a file, a URL or a bundled workflow.
type target struct {
	location   string // what runtime.Load reads
	workflowID string // preset for bundled names
	bundled    bool
}

// resolveTarget turns FILE|URL|provider/workflowId into a location.
func resolveTarget(arg string) (target, error) {
	if arg == "-" {
		// validate reads standard input; run reads the document again when a
		// run is resumed, mcp's standard input is the protocol's.
		return target{}, usageErr("the document cannot be read from standard input by this command (validate reads it): save it to a file, or give its URL")
	}
	if u, err := url.Parse(arg); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return target{location: arg}, nil
	}
	if _, err := os.Stat(arg); err == nil {
		return target{location: arg}, nil
	}
	if b, ok := workflows.Find(arg); ok {
		return target{location: b.Location, workflowID: b.WorkflowID, bundled: true}, nil
	}
	msg := fmt.Sprintf("%q is neither a file nor a bundled workflow", arg)
	if s := runtime.Suggest(arg, workflows.Names()); s != "" {
		msg += s
	} else if names := workflows.Names(); len(names) > 0 {
		msg += "; bundled workflows: " + strings.Join(names, ", ")
	}
	// Like a document that is there but cannot be read: it could not be loaded.
	return target{}, &exitError{code: ExitInvalid, err: errors.New(msg)}
}

// readFunc reads bundled documents from the binary and everything else from
// disk or the network through a new fetch.Reader (see readerFunc).
func readFunc(o runtime.ReaderOptions) runtime.ReadFunc { return readerFunc(fetch.New(o)) }

// readerFunc reads bundled documents from the binary and everything else
// through r: regular files and http(s) URLs, each once, bounded in time and
// size, alone and in total.
func readerFunc(r *fetch.Reader) runtime.ReadFunc { return workflows.ReadFunc(r.Read) }

// fileURL is the file URL of a path.
func fileURL(p string) *url.URL {
	u, err := url.Parse(arazzo.FileLocation(p))
	if err != nil {
		return &url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	}
	return u
}

// absLocation turns a file name into an absolute file:// URL (URLs pass through).
func absLocation(p string) string { return arazzo.FileLocation(p) }

// documentReader reads a document named on the command line and what it
// refers to, through docs, with the limit of source-outside: the files the
// user named (--source) are read wherever they are; every other file (the
// document too, when it is a link to elsewhere) only inside the document's
// repository, or its directory outside a repository, unless allowOutside. validate, run, list, describe
// and graph read through it, so that they judge a document alike.
func documentReader(docs *fetch.Reader, location string, allowOutside bool, named ...string) runtime.ReadFunc {
	free := readerFunc(docs)
	u, err := url.Parse(arazzo.FileLocation(location))
	if allowOutside || err != nil || u.Scheme != "file" {
		return free
	}
	confined := readerFunc(docs.WithRoot(sourceRoot(filepath.FromSlash(u.Path))))
	allowed := map[string]bool{}
	for _, n := range named {
		allowed[arazzo.FileLocation(n)] = true
	}
	return func(ctx context.Context, u *url.URL) ([]byte, error) {
		if allowed[u.String()] {
			return free(ctx, u)
		}
		return confined(ctx, u)
	}
}
