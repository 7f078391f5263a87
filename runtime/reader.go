package runtime

import "github.com/arazzo-run/arazzo/fetch"

// ReadFunc reads a document (an Arazzo or OpenAPI description) from a
// location. Every read of a document goes through it, so a caller can
// sandbox, cache or redirect them. It is fetch.ReadFunc, the one signature of
// every reader of documents; fetch.Reader is the one that reads files and
// URLs, and its documentation says what it guards against.
type ReadFunc = fetch.ReadFunc

// ReaderOptions configure DefaultReader: see fetch.Options.
type ReaderOptions = fetch.Options

// ErrOffline is the cause of the error for a remote location read offline.
var ErrOffline = fetch.ErrOffline

// OutsideError is returned for a file outside the directory tree a reader is
// confined to.
type OutsideError = fetch.OutsideError

// DefaultReader returns the Read method of a new fetch.Reader: regular files
// and http(s) URLs, each document once, within the options' bounds; other
// schemes are refused.
func DefaultReader(o ReaderOptions) ReadFunc { return fetch.New(o).Read }
