// Command actionrun runs the steps of a composite GitHub Action the way a
// runner does, on this machine: each "run" step with bash in the workspace,
// its env and ${{ ... }} expressions (inputs, steps' outputs, the action's
// path) substituted, GITHUB_OUTPUT, GITHUB_ACTION_PATH, RUNNER_TEMP and
// GITHUB_WORKSPACE set. Steps that "uses" another action (setup-go) are
// skipped: the machine's own tools stand in for them. .ci/action-consumer
// uses it to run action.yml from a simulated consumer repository.
//
//	go run ./internal/actionrun -action DIR -workspace DIR [-input name=value]...
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

type step struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
}

type inputFlags map[string]string

func (f inputFlags) String() string { return "" }

func (f inputFlags) Set(v string) error {
	name, val, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want name=value, got %q", v)
	}
	f[name] = val
	return nil
}

func main() {
	dir := flag.String("action", ".", "the action's directory (holding action.yml)")
	workspace := flag.String("workspace", ".", "the consumer's workspace")
	inputs := inputFlags{}
	flag.Var(inputs, "input", "an input of the action, name=value (repeatable)")
	flag.Parse()
	if err := run(*dir, *workspace, inputs); err != nil {
		fmt.Fprintln(os.Stderr, "actionrun:", err)
		os.Exit(1)
	}
}

var exprRE = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

func run(dir, workspace string, given map[string]string) error {
	dir, _ = filepath.Abs(dir)
	workspace, _ = filepath.Abs(workspace)
	data, err := os.ReadFile(filepath.Join(dir, "action.yml"))
	if err != nil {
		return err
	}
	var a action
	if err := yaml.Unmarshal(data, &a); err != nil {
		return fmt.Errorf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		return fmt.Errorf("action.yml: runs.using is %q, not composite", a.Runs.Using)
	}
	inputs := map[string]string{}
	for name, in := range a.Inputs {
		inputs[name] = in.Default
	}
	for name, v := range given {
		if _, ok := a.Inputs[name]; !ok {
			return fmt.Errorf("the action has no input %q", name)
		}
		inputs[name] = v
	}
	temp, err := os.MkdirTemp("", "actionrun-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(temp)
	outputs := map[string]map[string]string{}
	eval := func(s string) (string, error) {
		var bad error
		out := exprRE.ReplaceAllStringFunc(s, func(m string) string {
			e := exprRE.FindStringSubmatch(m)[1]
			parts := strings.Split(e, ".")
			switch {
			case len(parts) == 2 && parts[0] == "inputs":
				return inputs[parts[1]]
			case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
				return outputs[parts[1]][parts[3]]
			case e == "github.action_path":
				return dir
			case e == "github.workspace":
				return workspace
			}
			bad = fmt.Errorf("expression %q is not supported here", e)
			return ""
		})
		return out, bad
	}
	for i, st := range a.Runs.Steps {
		name := st.Name
		if name == "" {
			name = st.Uses
		}
		if st.Uses != "" {
			fmt.Printf("actionrun: step %d (%s): skipped, this machine's tools stand in for it\n", i+1, name)
			continue
		}
		if st.Shell != "bash" {
			return fmt.Errorf("step %d (%s): shell %q, only bash is run", i+1, name, st.Shell)
		}
		script, err := eval(st.Run)
		if err != nil {
			return fmt.Errorf("step %d (%s): %v", i+1, name, err)
		}
		outFile := filepath.Join(temp, fmt.Sprintf("output-%d", i))
		if err := os.WriteFile(outFile, nil, 0o600); err != nil {
			return err
		}
		scriptFile := filepath.Join(temp, fmt.Sprintf("step-%d.sh", i))
		if err := os.WriteFile(scriptFile, []byte(script), 0o600); err != nil {
			return err
		}
		env := append(os.Environ(), "GITHUB_ACTION_PATH="+dir, "GITHUB_OUTPUT="+outFile, "GITHUB_WORKSPACE="+workspace,
			"RUNNER_TEMP="+temp, "GITHUB_ACTIONS=true")
		for k, v := range st.Env {
			val, err := eval(v)
			if err != nil {
				return fmt.Errorf("step %d (%s): env %s: %v", i+1, name, k, err)
			}
			env = append(env, k+"="+val)
		}
		fmt.Printf("actionrun: step %d (%s)\n", i+1, name)
		// The runner's bash: bash --noprofile --norc -eo pipefail {0}.
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = workspace, env, os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("step %d (%s): %v", i+1, name, err)
		}
		if st.ID != "" {
			outs, err := readOutputs(outFile)
			if err != nil {
				return err
			}
			outputs[st.ID] = outs
		}
	}
	return nil
}

// readOutputs reads the name=value lines a step wrote to GITHUB_OUTPUT.
func readOutputs(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, val, ok := strings.Cut(sc.Text(), "="); ok {
			out[name] = val
		}
	}
	return out, sc.Err()
}
