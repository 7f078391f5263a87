package journal

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// A run or a batch is found by its full ID, by a prefix that only it has,
// or as Last (the latest started); a prefix several have names them, and a
// full ID that is also the prefix of others finds its own.
func TestRunAndBatchFoundByIDOrPrefix(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := []string{"20261204-100000-aaaaaa", "20261204-100000-aaaaaa7", "20261204-100000-abcdef", "20261205-090000-123456"}
	for i, id := range ids {
		if _, err := st.db.Exec(`INSERT INTO runs (id, workflow_id, location, digest, inputs, status, started_at) VALUES (?, 'w', 'doc.yaml', '', '{}', 'passed', ?)`, id, 1000+i); err != nil {
			t.Fatal(err)
		}
		if _, err := st.db.Exec(`INSERT INTO batches (id, workflow_id, location, digest, inputs, status, started_at) VALUES (?, 'w', 'doc.yaml', '', '{}', 'passed', ?)`, "b"+id, 1000+i); err != nil {
			t.Fatal(err)
		}
	}
	find := func(batch bool, id string) (string, error) {
		if batch {
			b, err := st.Batch(ctx, id)
			if err != nil {
				return "", err
			}
			return b.ID, nil
		}
		r, err := st.Run(ctx, id)
		if err != nil {
			return "", err
		}
		return r.ID, nil
	}
	for _, batch := range []bool{false, true} {
		p := ""
		if batch {
			p = "b"
		}
		for _, c := range []struct {
			id, want string
			matches  []string // a NotFoundError's, when want is ""
		}{
			{id: p + "20261204-100000-abcdef", want: p + "20261204-100000-abcdef"},
			{id: p + "20261204-100000-ab", want: p + "20261204-100000-abcdef"},
			{id: p + "20261205", want: p + "20261205-090000-123456"},
			{id: p + "20261204-100000-aaaaaa", want: p + "20261204-100000-aaaaaa"}, // also the prefix of …aaaaaa7
			{id: p + "20261204-100000-aaaaaa7", want: p + "20261204-100000-aaaaaa7"},
			{id: Last, want: p + "20261205-090000-123456"},
			{id: p + "20261204", matches: []string{p + "20261204-100000-aaaaaa", p + "20261204-100000-aaaaaa7", p + "20261204-100000-abcdef"}},
			{id: p + "2026120_"},
			{id: p + "2026%"},
			{id: ""},
			{id: p + "20270101"},
		} {
			got, err := find(batch, c.id)
			var nf *NotFoundError
			switch {
			case c.want != "":
				if err != nil || got != c.want {
					t.Errorf("batch %v: %q found %q (%v), want %q", batch, c.id, got, err, c.want)
				}
			case !errors.As(err, &nf) || nf.ID != c.id || !slices.Equal(nf.Matches, c.matches):
				t.Errorf("batch %v: %q found %q, %#v, want not found with matches %q", batch, c.id, got, err, c.matches)
			}
		}
	}
	if _, err := st.db.Exec("DELETE FROM runs"); err != nil {
		t.Fatal(err)
	}
	var nf *NotFoundError
	if _, err := st.Run(ctx, Last); !errors.As(err, &nf) || nf.ID != Last {
		t.Errorf("Last in an empty journal: %v", err)
	}
}
