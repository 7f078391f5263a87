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
// validate: every flag its scripts pass must exist, and its inputs must be
// the ones the README documents. .ci/action-consumer runs it for real from
// simulated consumer repositories.
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
	// The steps run the scripts under action/; their flags are what arazzo gets.
	var script strings.Builder
	for _, s := range action.Runs.Steps {
		script.WriteString(s.Run)
		for _, m := range regexp.MustCompile(`\$GITHUB_ACTION_PATH/(action/[a-z-]+\.sh)`).FindAllStringSubmatch(s.Run, -1) {
			body, err := os.ReadFile("../../" + m[1])
			if err != nil {
				t.Fatalf("action.yml runs %s: %v", m[1], err)
			}
			script.Write(body)
		}
	}
	if !strings.Contains(script.String(), "GOWORK=off") || !strings.Contains(script.String(), "-mod=readonly") {
		t.Error("the action builds arazzo without GOWORK=off and -mod=readonly: a go.work in the workspace could replace its dependencies")
	}
	var offline struct {
		Inputs struct {
			Offline struct {
				Default string `yaml:"default"`
			} `yaml:"offline"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(data, &offline); err != nil || offline.Inputs.Offline.Default != "true" {
		t.Errorf("the action's offline input defaults to %q, want \"true\": a pull request must not make CI fetch URLs", offline.Inputs.Offline.Default)
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
