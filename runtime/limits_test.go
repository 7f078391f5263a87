package runtime

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/arazzo-run/arazzo/arazzo"
)

// TestLoadWithLimits: the limits a caller gives Load bound the document it
// parses (no package global), and a document within them loads.
func TestLoadWithLimits(t *testing.T) {
	path := filepath.Join("..", "examples", "testdata", "pets.arazzo.yaml")
	if _, _, err := Load(context.Background(), path); err != nil {
		t.Fatalf("the default limits refuse the example: %v", err)
	}
	_, diags, err := Load(context.Background(), path, WithLimits(arazzo.Limits{MaxBytes: 64}))
	var de *arazzo.DocumentError
	if !errors.As(err, &de) {
		t.Fatalf("a document over MaxBytes loaded: %v", err)
	}
	found := false
	for _, d := range diags {
		found = found || d.Rule == arazzo.RuleDocumentLimits
	}
	if !found {
		t.Errorf("no %s diagnostic: %v", arazzo.RuleDocumentLimits, diags)
	}
	if _, _, err := Load(context.Background(), path); err != nil {
		t.Errorf("a Load with limits changed what the next Load accepts: %v", err)
	}
}
