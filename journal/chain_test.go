package journal

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/runtime"
)

// ChainLines gives each line of a batch the run its nearest batch of the
// chain has for it, page after page whatever the page size; the batch's
// counts count the same runs.
func TestChainLinesPages(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	finish := func(b *BatchSession, n int, status runtime.Status) {
		t.Helper()
		sess, err := b.Line(ctx, n, map[string]any{}, SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.Finish(&runtime.Result{Status: status}, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	b1, err := st.BeginBatch(ctx, NewBatch{WorkflowID: "w"})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 7; n++ {
		if n%2 == 1 {
			finish(b1, n, runtime.StatusPassed)
		} else if err := b1.Refuse(n, "not JSON"); err != nil {
			t.Fatal(err)
		}
	}
	resume := func(b *BatchSession) *BatchSession {
		t.Helper()
		if err := b.Finish(7, false, false); err != nil {
			t.Fatal(err)
		}
		old, err := st.Batch(ctx, b.Batch().ID)
		if err != nil {
			t.Fatal(err)
		}
		next, err := st.ResumeBatch(ctx, old, old.Digest, nil)
		if err != nil {
			t.Fatal(err)
		}
		return next
	}
	b2 := resume(b1)
	for _, n := range []int{2, 4, 6} {
		finish(b2, n, runtime.StatusPassed)
	}
	finish(b2, 7, runtime.StatusFailed)
	b3 := resume(b2)
	if err := b3.Refuse(4, "not JSON again"); err != nil {
		t.Fatal(err)
	}
	if err := b3.Finish(7, false, false); err != nil {
		t.Fatal(err)
	}
	last, err := st.Batch(ctx, b3.Batch().ID)
	if err != nil {
		t.Fatal(err)
	}
	id := func(b *BatchSession, n int) string { return fmt.Sprintf("%s-%d", b.Batch().ID, n) }
	want := []string{id(b1, 1) + " passed", id(b2, 2) + " passed", id(b1, 3) + " passed", id(b3, 4) + " refused",
		id(b1, 5) + " passed", id(b2, 6) + " passed", id(b2, 7) + " failed"}
	for _, limit := range []int{1, 2, 3, 256} {
		var got []string
		for after := 0; ; {
			page, err := st.ChainLines(ctx, last, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(page))
			}
			for _, r := range page {
				got = append(got, r.ID+" "+string(r.Status))
			}
			if len(page) < limit {
				break
			}
			after = page[len(page)-1].Line
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("limit %d:\n%s\nwant:\n%s", limit, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if r := last.Runs; r[StatusPassed] != 5 || r[StatusRefused] != 1 || r[StatusFailed] != 1 || len(r) != 3 {
		t.Errorf("counts %v", r)
	}
}

// BenchmarkChainLines reads every line of a 10,000-line batch page by page,
// as 'arazzo runs show BATCH' does: alone, and resumed by a batch that
// handed every line over (a chain of two). The batch's counts are read once
// per op too, as Store.Batch does.
//
//	go test ./journal -run '^$' -bench ChainLines
func BenchmarkChainLines(b *testing.B) {
	const lines = 10000
	ctx := context.Background()
	st, err := Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	first, err := st.BeginBatch(ctx, NewBatch{WorkflowID: "w"})
	if err != nil {
		b.Fatal(err)
	}
	for n := 1; n <= lines; n++ {
		sess, err := first.Line(ctx, n, map[string]any{}, SessionOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := sess.FinishQueued(&runtime.Result{Status: runtime.StatusPassed}, nil, false); err != nil {
			b.Fatal(err)
		}
	}
	if err := first.Finish(lines, false, true); err != nil {
		b.Fatal(err)
	}
	old, err := st.Batch(ctx, first.Batch().ID)
	if err != nil {
		b.Fatal(err)
	}
	second, err := st.ResumeBatch(ctx, old, old.Digest, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := second.Finish(lines, false, true); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, id string }{{"alone", first.Batch().ID}, {"handed-over", second.Batch().ID}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				bt, err := st.Batch(ctx, c.id)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for after := 0; ; {
					page, err := st.ChainLines(ctx, bt, after, 256)
					if err != nil {
						b.Fatal(err)
					}
					n += len(page)
					if len(page) < 256 {
						break
					}
					after = page[len(page)-1].Line
				}
				if n != lines || bt.Runs[StatusPassed] != lines {
					b.Fatalf("%d lines, counts %v", n, bt.Runs)
				}
			}
		})
	}
}
