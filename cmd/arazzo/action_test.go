package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// The composite action at the repository root installs this command and calls
// validate: every flag its script passes must exist, and its inputs must be
// the ones the README documents.
func TestActionUsesRealFlags(t *testing.T) {
	data, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]any `yaml:"inputs"`
		Runs   struct {
			Using string `yaml:"using"`
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", action.Runs.Using)
	}
	for _, in := range []string{"paths", "format", "sarif-file", "strict", "offline", "error-rules", "ignore-rules"} {
		if _, ok := action.Inputs[in]; !ok {
			t.Errorf("action.yml has no input %q", in)
		}
	}
	var help bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--help"}, strings.NewReader(""), &help, &help); code != 0 {
		t.Fatalf("validate --help exited %d", code)
	}
	var script strings.Builder
	for _, s := range action.Runs.Steps {
		script.WriteString(s.Run)
	}
	flags := regexp.MustCompile(`--[a-z][a-z-]+`).FindAllString(script.String(), -1)
	if len(flags) == 0 {
		t.Fatal("the action's script passes no flag to arazzo")
	}
	for _, f := range flags {
		if !strings.Contains(help.String(), f) {
			t.Errorf("action.yml passes %s, which arazzo validate does not have", f)
		}
	}
	for _, format := range []string{"--format sarif", "--format github"} {
		if !strings.Contains(script.String(), format) {
			t.Errorf("action.yml does not use %s", format)
		}
	}
}
