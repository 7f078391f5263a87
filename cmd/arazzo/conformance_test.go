package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/internal/testserver"
	"github.com/arazzo-run/arazzo/report"
)

// conformanceDir holds the executor conformance suite: one directory per case
// with case.arazzo.yaml, the OpenAPI description it uses and expect.yaml.
const conformanceDir = "../../runtime/testdata/conformance"

// conformanceCase is an expect.yaml file.
type conformanceCase struct {
	Description string `yaml:"description"`
	// Args follow "run case.arazzo.yaml --output json"; $URL, $HOST and $PORT
	// name the case's server, $DIR the case's directory.
	Args []string `yaml:"args"`
	Exit int      `yaml:"exit"`
	// Status, Outputs and Steps are compared with the --output json result
	// when given; Outputs exactly, Steps in order, only the fields given.
	Status  string            `yaml:"status"`
	Outputs *map[string]any   `yaml:"outputs"`
	Steps   []conformanceStep `yaml:"steps"`
	// Stderr lists regular expressions that must each match stderr.
	Stderr []string `yaml:"stderr"`
}

type conformanceStep struct {
	StepID     string `yaml:"stepId"`
	Status     string `yaml:"status"`
	StatusCode int    `yaml:"statusCode"`
	Attempts   int    `yaml:"attempts"`
	Action     string `yaml:"action"`
}

// TestConformance runs every case of the suite end to end through the
// command's entry point, against a fresh conformance API on 127.0.0.1.
func TestConformance(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // the run journal
	dirs, err := os.ReadDir(conformanceDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(conformanceDir, d.Name())
		t.Run(d.Name(), func(t *testing.T) { runConformanceCase(t, dir) })
	}
	if n < 20 {
		t.Fatalf("only %d conformance cases found in %s", n, conformanceDir)
	}
}

func runConformanceCase(t *testing.T, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "expect.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c conformanceCase
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("expect.yaml: %v", err)
	}
	srv := testserver.NewConformance()
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	repl := strings.NewReplacer("$URL", srv.URL, "$HOST", u.Hostname(), "$PORT", u.Port(), "$DIR", dir)
	args := []string{"run", filepath.Join(dir, "case.arazzo.yaml"), "--output", "json"}
	for _, a := range c.Args {
		args = append(args, repl.Replace(a))
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	streams := func() string { return "\nstdout:\n" + stdout.String() + "\nstderr:\n" + stderr.String() }
	if code != c.Exit {
		t.Fatalf("%s\nexit %d, want %d%s", c.Description, code, c.Exit, streams())
	}
	for _, re := range c.Stderr {
		if !regexp.MustCompile(re).MatchString(stderr.String()) {
			t.Errorf("stderr does not match %q%s", re, streams())
		}
	}
	if c.Status == "" && c.Outputs == nil && c.Steps == nil {
		return
	}
	var got report.Record
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not the JSON result: %v%s", err, streams())
	}
	if c.Status != "" && string(got.Status) != c.Status {
		t.Errorf("status %s, want %s%s", got.Status, c.Status, streams())
	}
	if c.Outputs != nil && !sameJSON(got.Outputs, *c.Outputs) {
		gb, _ := json.Marshal(got.Outputs)
		wb, _ := json.Marshal(*c.Outputs)
		t.Errorf("outputs\n  %s\nwant\n  %s", gb, wb)
	}
	if c.Steps != nil {
		if len(got.Steps) != len(c.Steps) {
			t.Fatalf("%d steps ran, want %d%s", len(got.Steps), len(c.Steps), streams())
		}
		for i, w := range c.Steps {
			g := got.Steps[i]
			if g.StepID != w.StepID || (w.Status != "" && string(g.Status) != w.Status) || (w.StatusCode != 0 && g.StatusCode != w.StatusCode) ||
				(w.Attempts != 0 && g.Attempts != w.Attempts) || (w.Action != "" && g.Action != w.Action) {
				t.Errorf("step %d: %s %s %d attempts=%d action=%q\nwant %+v", i, g.StepID, g.Status, g.StatusCode, g.Attempts, g.Action, w)
			}
		}
	}
}

// sameJSON compares two values as JSON documents (numbers by value).
func sameJSON(a, b any) bool {
	norm := func(v any) any {
		data, err := json.Marshal(v)
		if err != nil {
			return err.Error()
		}
		var out any
		_ = json.Unmarshal(data, &out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
