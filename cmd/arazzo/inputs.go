package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/runtime"
)

// maxInputsFile bounds an --inputs file.
const maxInputsFile = 16 << 20

// collectInputs gathers the workflow's inputs: the --inputs files in order,
// then the --input pairs in order; a value given twice takes the last one.
func (a *app) collectInputs(plan *runtime.Plan, wfID string, f *runFlags) (map[string]any, error) {
	inputs := map[string]any{}
	stdin := 0
	for _, file := range f.inputFiles {
		if file == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return nil, usageErr("--inputs - is given %d times: standard input can be read only once", stdin)
	}
	for _, file := range f.inputFiles {
		m, err := a.readInputsFile(file)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			inputs[k] = v
		}
	}
	pairs, err := parseInputs(plan, wfID, f.inputs)
	if err != nil {
		return nil, err
	}
	for k, v := range pairs {
		inputs[k] = v
	}
	return inputs, nil
}

// readInputsFile reads a JSON or YAML object of input names to values ("-": stdin).
func (a *app) readInputsFile(file string) (map[string]any, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(io.LimitReader(a.stdin, maxInputsFile+1))
	} else {
		var fh *os.File
		fh, err = os.Open(file)
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(fh, maxInputsFile+1))
			fh.Close()
		}
	}
	if err != nil {
		return nil, usageErr("--inputs %s: %v", file, err)
	}
	if len(data) > maxInputsFile {
		return nil, usageErr("--inputs %s: larger than %d bytes", file, maxInputsFile)
	}
	m, err := decodeInputs(data)
	if err != nil {
		return nil, usageErr("--inputs %s: %v", file, err)
	}
	return m, nil
}

func decodeInputs(data []byte) (map[string]any, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("the file is empty; expected an object of input names to values")
	}
	if trimmed[0] == '{' {
		d := json.NewDecoder(bytes.NewReader(trimmed))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line, col := lineCol(trimmed, int(se.Offset))
				return nil, fmt.Errorf("%d:%d: invalid JSON: %v", line, col, err)
			}
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		if d.More() {
			return nil, errors.New("invalid JSON: more than one value")
		}
		return m, nil
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("invalid YAML: %v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object of input names to values, got %s", describeKind(v))
	}
	return m, nil
}

func describeKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case string:
		return "a string"
	case map[any]any:
		return "an object with keys that are not all strings"
	}
	return fmt.Sprintf("a %T", v)
}

func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}
