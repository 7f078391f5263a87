package runtime

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/arazzo-run/arazzo/arazzo"
)

// Load's errors are *LoadError, wrapping what went wrong: a document that
// cannot be read (*ReadError, and the reader's error), or one with errors
// (*arazzo.DocumentError).
func TestLoadErrorsAreTyped(t *testing.T) {
	dir := writeFiles(t, "http://api.invalid", map[string]string{
		"bad.yaml": "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: []\nworkflows: []\n",
	})
	missing := filepath.Join(dir, "missing.yaml")
	_, _, err := Load(context.Background(), missing)
	var le *LoadError
	var re *ReadError
	if !errors.As(err, &le) || le.Location != missing || !errors.As(err, &re) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing document: %#v", err)
	}
	_, diags, err := Load(context.Background(), filepath.Join(dir, "bad.yaml"))
	var de *arazzo.DocumentError
	if !errors.As(err, &le) || !errors.As(err, &de) || len(de.Diagnostics) == 0 || err.Error() != de.Error() {
		t.Errorf("invalid document: %#v (diagnostics %v)", err, diags)
	}
}
