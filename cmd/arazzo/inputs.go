package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

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

// maxCredentialFile bounds a file:PATH credential (--auth, --http-token):
// a token or a key, not a stream.
const maxCredentialFile = 1 << 20

// readLimited reads the file at path, refusing one of more than limit bytes
// (/dev/zero, a log named by mistake) instead of reading it all into memory.
// Named pipes and process substitution (<(cmd)) are read like files.
func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := readAllLimited(fh, limit)
	if err != nil {
		return nil, fmt.Errorf("%s is %w", path, err)
	}
	return data, nil
}

// errTooLarge is readAllLimited's error for more than its limit.
type errTooLarge struct{ limit int64 }

func (e *errTooLarge) Error() string { return fmt.Sprintf("larger than %d bytes", e.limit) }

// readAllLimited reads r to its end, or refuses at more than limit bytes.
func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(data)) > limit {
		return nil, &errTooLarge{limit: limit}
	}
	return data, err
}

// readInputsFile reads a JSON or YAML object of input names to values ("-": stdin).
func (a *app) readInputsFile(file string) (map[string]any, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = readAllLimited(a.stdin, maxInputsFile)
	} else if fh, oerr := os.Open(file); oerr != nil {
		err = oerr
	} else {
		data, err = readAllLimited(fh, maxInputsFile)
		fh.Close()
	}
	if err != nil {
		return nil, usageErr("--inputs %s: %v", file, err)
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
		if key, obj, off, ok := duplicateKey(trimmed); ok {
			line, col := lineCol(trimmed, int(off))
			return nil, fmt.Errorf("%d:%d: %s", line, col, duplicateKeyError(key, obj))
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

// duplicateKey finds the first key that appears twice in one object of the
// JSON text data (valid JSON): its name, where the object is (a JSON pointer,
// "" for the top), and the offset of its second occurrence. JSON
// decoders keep the last value of such a key without a word; documents are
// refused for it, and so are inputs.
func duplicateKey(data []byte) (key, object string, offset int64, found bool) {
	type frame struct {
		keys    map[string]bool // nil for an array
		pointer string
		next    string // an object's key whose value comes next
		index   int    // an array's next element
		atKey   bool   // an object whose next token is a key
	}
	var stack []*frame
	d := json.NewDecoder(bytes.NewReader(data))
	for {
		before := d.InputOffset()
		t, err := d.Token()
		if err != nil {
			return "", "", 0, false
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if top != nil && top.atKey {
			if k, ok := t.(string); ok {
				if top.keys[k] {
					return k, top.pointer, before + int64(bytes.IndexByte(data[before:], '"')), true
				}
				top.keys[k], top.next, top.atKey = true, k, false
				continue
			}
		}
		// A value (or the end of the innermost container).
		here := ""
		if top != nil {
			if top.keys != nil {
				here = top.pointer + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(top.next)
			} else {
				here = top.pointer + "/" + strconv.Itoa(top.index)
			}
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, pointer: here, atKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{pointer: here})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return "", "", 0, false
			}
			top = stack[len(stack)-1]
		}
		if top == nil {
			return "", "", 0, false // a scalar at the top
		}
		if top.keys != nil {
			top.atKey = true
		} else {
			top.index++
		}
	}
}

// duplicateKeyError words a duplicate key found at line:col of a text.
func duplicateKeyError(key, object string) string {
	where := ""
	if object != "" {
		where = " in the object at " + object
	}
	return fmt.Sprintf("key %q is given twice%s: keep one", key, where)
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
