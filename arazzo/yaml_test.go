package arazzo

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func encodeUTF16(s string, bom, bigEndian bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
		if bigEndian {
			out = []byte{0xFE, 0xFF}
		}
	}
	for _, r := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(r>>8), byte(r))
		} else {
			out = append(out, byte(r), byte(r>>8))
		}
	}
	return out
}

const yamlHead = "arazzo: 1.0.1\ninfo: {title: t, version: 1.0.0}\nsourceDescriptions: [{name: api, url: a.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n"

// TestYAMLPositions pins what a newcomer's YAML mistakes are reported as:
// the exact diagnostics, each where the fix goes.
func TestYAMLPositions(t *testing.T) {
	misspelt := yamlHead + "      - stepId: a\n        operationid: x\n"
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"a tab indents a line", []byte("arazzo: 1.0.1\ninfo:\n\ttitle: x\n"), []string{
			`x.yaml:3:1: error: invalid YAML: a tab character here; YAML indents with spaces only (replace the tab with spaces) [yaml-syntax]`}},
		{"a tab among the spaces of a list", []byte("arazzo: 1.0.1\nworkflows:\n  - a\n\t- b\n"), []string{
			`x.yaml:4:1: error: invalid YAML: a tab character here; YAML indents with spaces only (replace the tab with spaces) [yaml-syntax]`}},
		{"an unclosed double quote, at the quote", []byte("arazzo: 1.0.1\ninfo:\n  title: \"x\n  version: 1\nworkflows: []\n"), []string{
			`x.yaml:3:10: error: invalid YAML: the string quoted here with " is never closed: the document ends before the closing " [yaml-syntax]`}},
		{"an unclosed single quote", []byte("arazzo: 1.0.1\ninfo: {title: 'x, version: 1}\n"), []string{
			`x.yaml:2:15: error: invalid YAML: the string quoted here with ' is never closed: the document ends before the closing ' [yaml-syntax]`}},
		{"an unclosed flow mapping at the end", []byte("arazzo: 1.0.1\ninfo: {title: x\n"), []string{
			`x.yaml:2:7: error: invalid YAML: this { is never closed: the document ends before its } [yaml-syntax]`}},
		{"invalid UTF-8, at the byte", []byte("arazzo: 1.0.1\ninfo: {title: \"é \xff\", version: 1}\n"), []string{
			`x.yaml:2:18: error: the document is not UTF-8 text: byte 0xFF here is not part of any character; save the file as UTF-8 [yaml-syntax]`}},
		{"UTF-16 LE with a byte order mark", encodeUTF16(misspelt, true, false), []string{
			`x.yaml:8:9: error: unknown field "operationid" in a step; did you mean "operationId"? [unknown-field]`}},
		{"UTF-16 BE with a byte order mark", encodeUTF16(misspelt, true, true), []string{
			`x.yaml:8:9: error: unknown field "operationid" in a step; did you mean "operationId"? [unknown-field]`}},
		{"UTF-16 LE without a byte order mark", encodeUTF16(misspelt, false, false), []string{
			`x.yaml:8:9: error: unknown field "operationid" in a step; did you mean "operationId"? [unknown-field]`}},
		{"UTF-16 BE without a byte order mark, a syntax error", encodeUTF16("arazzo: 1.0.1\ninfo:\n\ttitle: x\n", false, true), []string{
			`x.yaml:3:1: error: invalid YAML: a tab character here; YAML indents with spaces only (replace the tab with spaces) [yaml-syntax]`}},
		{"a %YAML 1.2 directive", []byte("# flows\n%YAML 1.2\n---\n" + misspelt), []string{
			`x.yaml:11:9: error: unknown field "operationid" in a step; did you mean "operationId"? [unknown-field]`}},
		{"an alias repeats a step: the duplicate is the alias", []byte(yamlHead + "      - &step\n        stepId: a\n        operationId: x\n      - *step\n"), []string{
			`x.yaml:10:9: error: stepId "a" is already used by steps[0] of workflow "w"; stepIds must be unique within a workflow (in the content written at 8:17, brought here by the alias *step) [duplicate-step-id]`}},
		{"an error inside an alias: at the anchor and at the alias", []byte(yamlHead + "      - stepId: a\n        operationId: x\n        successCriteria: &ok [{condition: $statusCode = 200}]\n      - stepId: b\n        operationId: y\n        successCriteria: *ok\n"), []string{
			`x.yaml:9:55: error: invalid simple condition: unexpected '=' (did you mean '=='?) ($statusCode == 200) [condition-syntax]`,
			`x.yaml:12:26: error: invalid simple condition: unexpected '=' (did you mean '=='?) (in the content written at 9:55, brought here by the alias *ok) ($statusCode == 200) [condition-syntax]`}},
		{"merge keys are merged, with one warning", []byte(yamlHead + "      - &get\n        stepId: a\n        operationId: x\n      - <<: *get\n        stepId: b\n      - <<: [*get]\n        stepId: c\n"), []string{
			`x.yaml:10:9: warning: merge keys (<<) are YAML 1.1, not YAML 1.2: arazzo merges the fields as YAML 1.1 did, other tools may read a field named "<<"; write the fields out to be read the same everywhere [yaml-merge-key]`}},
		{"an error in merged fields, at the merge key (the anchor is nowhere else)", []byte(yamlHead + "      - <<: &get {operationId: x, successCriteria: [{condition: $statusCode = 1}]}\n        stepId: a\n"), []string{
			`x.yaml:7:9: error: invalid simple condition: unexpected '=' (did you mean '=='?) (in the content written at 7:77, brought here by the merge key <<) ($statusCode == 1) [condition-syntax]`,
			`x.yaml:7:9: warning: merge keys (<<) are YAML 1.1, not YAML 1.2: arazzo merges the fields as YAML 1.1 did, other tools may read a field named "<<"; write the fields out to be read the same everywhere [yaml-merge-key]`}},
		{"a key written \"<<\" is a field", []byte(yamlHead + "      - \"<<\": {operationId: x}\n        stepId: a\n        operationId: x\n"), []string{
			`x.yaml:7:9: error: unknown field "<<" in a step; extensions must start with x- [unknown-field]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ds := Parse("x.yaml", tt.data)
			if doc != nil {
				ds = append(ds, Validate(doc)...).Sort()
			}
			var got []string
			for _, d := range ds {
				got = append(got, d.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
