package describe_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/arazzo-run/arazzo/describe"
	"github.com/arazzo-run/arazzo/internal/golden"
	"github.com/arazzo-run/arazzo/runtime"
)

// views inspects a document (a document with errors too: they are shown
// where they are) and describes every workflow of
// it; outlines are what a listing shows.
func views(t *testing.T, file string) ([]*describe.Workflow, []*describe.Outline) {
	t.Helper()
	plan, _, err := runtime.Inspect(context.Background(), file)
	if plan == nil {
		t.Fatal(err)
	}
	outlines := plan.Workflows()
	var vs []*describe.Workflow
	for _, o := range outlines {
		v, err := plan.Describe(o.ID)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs, outlines
}

func TestRenderers(t *testing.T) {
	for _, c := range []struct{ name, file string }{
		{"orders", "testdata/orders.arazzo.yaml"},
		// send and receive steps over AsyncAPI channels: the message edges
		{"pet", "../runtime/testdata/async/pet/pet-purchase.arazzo.yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			vs, outlines := views(t, c.file)
			for _, r := range []struct {
				ext   string
				write func(*bytes.Buffer) error
			}{
				{"txt", func(b *bytes.Buffer) error { return describe.WriteText(b, vs...) }},
				{"list.txt", func(b *bytes.Buffer) error { return describe.WriteList(b, outlines...) }},
				{"dot", func(b *bytes.Buffer) error { return describe.WriteDOT(b, vs...) }},
				{"mmd", func(b *bytes.Buffer) error { return describe.WriteMermaid(b, vs...) }},
			} {
				var b bytes.Buffer
				if err := r.write(&b); err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", c.name+"."+r.ext), b.Bytes())
			}
		})
	}
}

// Views link to the views of the workflows they reach, each built once, so
// that workflows that go to each other (order depends on login, whose step
// goes back to order) lead to views that end.
func TestLinksLeadToViews(t *testing.T) {
	vs, _ := views(t, "testdata/orders.arazzo.yaml")
	order := vs[1]
	login := order.DependsOn[0].Target
	if login == nil || login.ID != "login" || len(login.Steps) != 1 {
		t.Fatalf("dependsOn login does not lead to the view of login: %+v", order.DependsOn[0])
	}
	if got := order.Steps[0].OnFailure[0].Workflow.Target; got != login {
		t.Fatalf("goto login leads to %p, dependsOn login to %p: one workflow, two views", got, login)
	}
	if back := login.Steps[0].OnFailure[0].Workflow.Target; back != order {
		t.Fatalf("login's goto order does not lead back to the view of order: %+v", back)
	}
}

func TestNothingToDraw(t *testing.T) {
	var b bytes.Buffer
	if err := describe.WriteMermaid(&b); err == nil {
		t.Fatal("WriteMermaid of no workflow: no error")
	}
	if err := describe.WriteDOT(&b); err == nil {
		t.Fatal("WriteDOT of no workflow: no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteErrorsReachTheCaller(t *testing.T) {
	vs, outlines := views(t, "testdata/orders.arazzo.yaml")
	for name, err := range map[string]error{
		"text":    describe.WriteText(failWriter{}, vs...),
		"list":    describe.WriteList(failWriter{}, outlines...),
		"dot":     describe.WriteDOT(failWriter{}, vs...),
		"mermaid": describe.WriteMermaid(failWriter{}, vs...),
	} {
		if err == nil {
			t.Errorf("%s: a failed write returned no error", name)
		}
	}
}

// A listing of the workflows of a document, as `arazzo list` prints it.
func ExampleWriteList() {
	plan, _, err := runtime.Inspect(context.Background(), "testdata/orders.arazzo.yaml")
	if plan == nil {
		fmt.Println(err)
		return
	}
	if err := describe.WriteList(os.Stdout, plan.Workflows()[0]); err != nil {
		fmt.Println(err)
	}
	// Output:
	//   workflow login — Open a session.
	//     inputs:
	//       password (string)
	//       user (string, required) — Who logs in: the name the account was opened with. Not an e-mail address.
	//     outputs: session
	//     steps: open
}
