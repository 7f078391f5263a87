package arazzo

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"

	"github.com/arazzo-run/arazzo/expr"
	"github.com/arazzo-run/arazzo/internal/suggest"
)

// decoder turns a YAML node tree into the model, collecting every structural problem.
type decoder struct {
	file    string
	limits  Limits
	diags   Diagnostics
	version string // "1.0" or "1.1"
	nodes   int    // nodes visited, aliases expanded
	over    bool   // a limit was hit; stop decoding values
	// aliasDepth is > 0 while decoding the target of an alias; aliasNodes counts
	// the nodes decoded that way, which aliasLimit bounds ("billion laughs").
	aliasDepth int
	aliasNodes int
	// src is the document, to find the indentation of block scalars; lines holds
	// the offset of each line in src, computed on first use.
	src   []byte
	lines []int
	// merged records the fields merge keys brought into each mapping
	// (resolveMerges); mergeWarned is the first merge key, warned about.
	merged      map[*yaml.Node][]mergedPair
	mergeWarned *yaml.Node
	// aliases: the tree holds an alias (resolveMerges saw it).
	aliases bool
	// paths cuts the path of every field decoded (join, index).
	paths
	// criteria and values hold what was compiled for each distinct criterion
	// and string value: a compiled criterion or value is immutable, and a
	// document repeats the same ones step after step ($statusCode == 200).
	compiledCriteria map[expr.CriterionSpec]compiledCriterion
	compiledValues   map[string]compiledValue
}

type compiledCriterion struct {
	c   *expr.Criterion
	err error
}

type compiledValue struct {
	v   *expr.Value
	err error
}

// blockOf returns the text and content column of a block scalar (| or >), or nil
// for any other node.
func (d *decoder) blockOf(n *yaml.Node) *blockText {
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return nil
	}
	b := &blockText{text: n.Value, indent: n.Column}
	if d.lines == nil {
		d.lines = []int{0}
		for i, c := range d.src {
			if c == '\n' {
				d.lines = append(d.lines, i+1)
			}
		}
	}
	// The content starts on the line after the indicator (n.Line is 1-based).
	if n.Line >= len(d.lines) {
		return b
	}
	rest := d.src[d.lines[n.Line]:]
	folded := n.Style&yaml.FoldedStyle != 0
	var lines []string
	found := false
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		content := bytes.TrimRight(rest[:i], " \r")
		spaces := len(content) - len(bytes.TrimLeft(content, " "))
		switch {
		case len(content) == 0:
			lines = append(lines, "")
		case !found:
			found = true
			b.indent = spaces + 1
			lines = append(lines, string(content[spaces:]))
		case spaces < b.indent-1:
			rest = nil // a less indented line ends the scalar
			continue
		default:
			lines = append(lines, string(content[b.indent-1:]))
		}
		if !folded && found {
			return b
		}
		if i == len(rest) {
			break
		}
		rest = rest[i+1:]
	}
	if folded {
		for len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		b.lines = lines
		if b.lines == nil {
			b.lines = []string{}
		}
	}
	return b
}

// aliasLimit bounds the nodes reached through aliases: a hundredth of MaxNodes, so
// that an alias bomb is stopped long before MaxNodes costs seconds.
func (d *decoder) aliasLimit() int { return max(d.limits.MaxNodes/100, 10_000) }

// visit counts one node decoded against the limits and reports false, once, when a
// limit is exceeded; decoding then stops.
func (d *decoder) visit(n *yaml.Node, path string) bool {
	if d.over {
		return false
	}
	d.nodes++
	if d.aliasDepth > 0 {
		d.aliasNodes++
	}
	if d.limits.MaxNodes <= 0 {
		return true
	}
	switch {
	case d.nodes > d.limits.MaxNodes:
		d.errorf(posOf(n), path, RuleDocumentLimits, "document expands to more than %d values (too many aliases?)", d.limits.MaxNodes)
	case d.aliasNodes > d.aliasLimit():
		d.errorf(posOf(n), path, RuleDocumentLimits, "YAML aliases expand to more than %d values; write the repeated parts out or use components", d.aliasLimit())
	default:
		return true
	}
	d.over = true
	return false
}

// throughAlias runs fn with the alias accounting on when raw is an alias.
func (d *decoder) throughAlias(raw *yaml.Node, fn func()) {
	if raw.Kind == yaml.AliasNode {
		d.aliasDepth++
		defer func() { d.aliasDepth-- }()
	}
	fn()
}

func (d *decoder) report(sev Severity, pos Pos, path, rule, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{Severity: sev, Rule: rule, File: d.file, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(pos Pos, path, rule, format string, args ...any) {
	d.report(SeverityError, pos, path, rule, format, args...)
}

func (d *decoder) warnf(pos Pos, path, rule, format string, args ...any) {
	d.report(SeverityWarning, pos, path, rule, format, args...)
}

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Col: n.Column} }

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return "a string"
	}
	return "a value"
}

// fieldFunc decodes one field's value.
type fieldFunc func(key, val *yaml.Node, path string)

// object decodes a mapping: known fields go to their functions, x- extensions are
// collected, anything else is an unknown field. It returns false when n is not a mapping.
func (d *decoder) object(n *yaml.Node, path, what string, node *Node, fields map[string]fieldFunc, ext *map[string]any) bool {
	return decodeObject(d, n, path, what, node, fields, callField, ext)
}

func callField(f fieldFunc, k, v *yaml.Node, path string) { f(k, v, path) }

// fieldOf decodes one field's value into the object of type T: the static
// tables of the objects a document has many of (steps, parameters,
// criteria) are built once, not per object.
type fieldOf[T any] func(d *decoder, dst T, key, val *yaml.Node, path string)

// only11Of is only11 for a static table.
func only11Of[T any](field string, f fieldOf[T]) fieldOf[T] {
	return func(d *decoder, dst T, k, v *yaml.Node, path string) {
		if d.version == "1.0" {
			d.errorf(posOf(k), path, RuleVersionField, "field %q exists only in Arazzo 1.1; this document declares 1.0 (set arazzo: 1.1.0 to use it)", field)
		}
		f(d, dst, k, v, path)
	}
}

// decodeObject is object for any kind of field table; call runs one entry.
func decodeObject[F any](d *decoder, n *yaml.Node, path, what string, node *Node, fields map[string]F, call func(f F, k, v *yaml.Node, path string), ext *map[string]any) bool {
	n = resolveAlias(n)
	if !d.visit(n, path) {
		return false
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(posOf(n), path, RuleType, "%s must be an object, got %s", what, kindName(n))
		return false
	}
	node.Pos = posOf(n)
	if node.fields == nil {
		node.fields = make([]field, 0, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		key := k.Value
		fpath := d.join(path, key)
		if k.Kind != yaml.ScalarNode {
			d.errorf(posOf(k), path, RuleType, "keys of %s must be strings", what)
			continue
		}
		if node.Has(key) {
			d.errorf(posOf(k), fpath, RuleYAMLDuplicateKey, "duplicate key %q in %s", key, what)
			continue
		}
		fl := node.setField(key, posOf(k), posOf(v), v.Kind == yaml.ScalarNode && (v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle)) != 0)
		if b := d.blockOf(v); b != nil {
			fl.block = b
		}
		if strings.HasPrefix(key, "x-") {
			if ext != nil {
				if *ext == nil {
					*ext = map[string]any{}
				}
				val, _ := d.value(v, fpath)
				(*ext)[key] = val.V
			}
			if strings.HasPrefix(key, "x-oai-") || strings.HasPrefix(key, "x-oas-") || strings.HasPrefix(key, "x-arazzo") {
				d.warnf(posOf(k), fpath, RuleExtensionReserved, "extension %q uses a prefix reserved for the OpenAPI Initiative", key)
			}
			continue
		}
		f, ok := fields[key]
		if !ok {
			if s := d.unknownField(k, fpath, what, slices.Collect(maps.Keys(fields))); s != "" {
				node.misspelt(s)
			}
			continue
		}
		if n.Content[i+1].Kind == yaml.AliasNode {
			d.throughAlias(n.Content[i+1], func() { call(f, k, v, fpath) })
		} else {
			call(f, k, v, fpath)
		}
	}
	return true
}

// unknownField reports a field the object does not have; it returns the known
// field the user probably meant, if any.
func (d *decoder) unknownField(k *yaml.Node, path, what string, fields []string) string {
	msg := fmt.Sprintf("unknown field %q in %s", k.Value, what)
	s := closest(k.Value, fields)
	if s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += "; extensions must start with x-"
	}
	d.errorf(posOf(k), path, RuleUnknownField, "%s", msg)
	d.diags[len(d.diags)-1].Suggestion = s // the field meant, for tools
	return s
}

// closest suggests the known field nearest to a misspelt one.
func closest(name string, fields []string) string {
	names := slices.Clone(fields)
	slices.Sort(names)
	return suggest.Closest(name, names)
}

// require reports each missing required field.
func (d *decoder) require(node *Node, path, what string, names ...string) {
	for _, name := range names {
		if !node.Has(name) && !node.isMisspelt(name) {
			d.errorf(node.Pos, path, RuleRequired, "%s is missing required field %q", what, name)
		}
	}
}

// str decodes a string scalar.
func (d *decoder) str(v *yaml.Node, path, what string) string {
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		d.errorf(posOf(v), path, RuleType, "%s must be a string, got %s", what, kindName(v))
		return ""
	}
	if t := v.ShortTag(); t != "!!str" && t != "!!binary" && t != "!!timestamp" {
		// A number or boolean where a string is expected has exactly one reading.
		d.warnf(posOf(v), path, RuleType, "%s should be a string, got %s; quote it", what, kindName(v))
	}
	return v.Value
}

func (d *decoder) strField(dst *string, what string) fieldFunc {
	return func(_, v *yaml.Node, path string) { *dst = d.str(v, path, what) }
}

// refField decodes a string field that holds a runtime expression when it
// starts with "$" (a qualified operationId or workflowId, a reference), and
// parses the expression once.
func (d *decoder) refField(dst *string, node *Node, what string) fieldFunc {
	return func(k, v *yaml.Node, path string) { d.ref(dst, node, what, k, v, path) }
}

func (d *decoder) ref(dst *string, node *Node, what string, k, v *yaml.Node, path string) {
	*dst = d.str(v, path, what)
	switch {
	case strings.HasPrefix(*dst, "$") || k.Value == "reference":
		node.setExpr(k.Value, parseExpr(*dst, 0))
	case strings.HasPrefix(*dst, "{") && k.Value == "operationId":
		// An operationPath written as the operationId: its source expression.
		if end := strings.IndexByte(*dst, '}'); end > 0 {
			node.setExpr(k.Value, parseExpr((*dst)[1:end], 1))
		}
	}
}

// sourcePath decodes an operationPath or channelPath and parses the
// runtime expression of its standard form "{$sourceDescriptions.<name>.url}#...".
func (d *decoder) sourcePath(dst *string, node *Node, what string, k, v *yaml.Node, path string) {
	*dst = d.str(v, path, what)
	if strings.HasPrefix(*dst, "{") {
		if end := strings.IndexByte(*dst, '}'); end > 0 {
			node.setExpr(k.Value, parseExpr((*dst)[1:end], 1))
		}
	}
}

// exprValue decodes a field value that may hold runtime expressions and
// compiles them once: 1.1 documents may use Selector Objects in it.
func (d *decoder) exprValue(n *yaml.Node, path string) *Value {
	v, _ := d.value(n, path)
	text, isText := v.V.(string)
	if isText {
		if c, ok := d.compiledValues[text]; ok {
			v.compiled, v.compileErr = c.v, c.err
			return v
		}
	}
	var opts []expr.ValueOption
	if d.version != "1.0" {
		opts = append(opts, expr.WithSelectors())
	}
	v.compiled, v.compileErr = expr.CompileValue(v.V, opts...)
	if isText {
		if d.compiledValues == nil {
			d.compiledValues = map[string]compiledValue{}
		}
		d.compiledValues[text] = compiledValue{v.compiled, v.compileErr}
	}
	return v
}

// enum decodes a string that must be one of values.
func (d *decoder) enum(dst *string, what string, values ...string) fieldFunc {
	return func(_, v *yaml.Node, path string) { *dst = d.enumValue(v, path, what, values) }
}

func (d *decoder) enumValue(v *yaml.Node, path, what string, values []string) string {
	s := d.str(v, path, what)
	if slices.Contains(values, s) {
		return s
	}
	if s != "" || v.Kind == yaml.ScalarNode {
		d.errorf(posOf(v), path, RuleEnum, "%s must be one of %s, got %q", what, quoteList(values), s)
	}
	return s
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// list calls item for each element of a sequence.
func (d *decoder) list(v *yaml.Node, path, what string, item func(i int, n *yaml.Node, path string)) int {
	if v.Kind != yaml.SequenceNode {
		d.errorf(posOf(v), path, RuleType, "%s must be a list, got %s", what, kindName(v))
		return -1
	}
	for i, n := range v.Content {
		if d.over {
			break
		}
		d.throughAlias(n, func() { item(i, resolveAlias(n), d.index(path, i)) })
	}
	return len(v.Content)
}

// nonEmpty reports an empty list where the specification requires at least one entry.
func (d *decoder) nonEmpty(n int, v *yaml.Node, path, what string) {
	if n == 0 {
		d.errorf(posOf(v), path, RuleEmptyList, "%s must have at least one entry", what)
	}
}

// only11 reports a field that exists only in Arazzo 1.1.
func (d *decoder) only11(field string, f fieldFunc) fieldFunc {
	return func(k, v *yaml.Node, path string) {
		if d.version == "1.0" {
			d.errorf(posOf(k), path, RuleVersionField, "field %q exists only in Arazzo 1.1; this document declares 1.0 (set arazzo: 1.1.0 to use it)", field)
		}
		f(k, v, path)
	}
}

// otherDescription reports, as one error, a root object that is an OpenAPI or
// AsyncAPI description rather than an Arazzo document (no arazzo field, and an
// openapi, swagger or asyncapi one), instead of one error per foreign field.
func (d *decoder) otherDescription(n *yaml.Node) bool {
	var kind, version string
	var at *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "arazzo":
			return false
		case "openapi", "swagger", "asyncapi":
			if at == nil {
				at = n.Content[i]
				kind = map[string]string{"openapi": "OpenAPI", "swagger": "Swagger", "asyncapi": "AsyncAPI"}[k]
				if v := resolveAlias(n.Content[i+1]); v.Kind == yaml.ScalarNode {
					version = " " + v.Value
				}
			}
		}
	}
	if at == nil {
		return false
	}
	d.errorf(posOf(at), "", RuleNotArazzo, "this is %s%s description, not an Arazzo document (it has no arazzo field); validate the Arazzo document that lists it in sourceDescriptions",
		map[bool]string{true: "an ", false: "a "}[kind == "OpenAPI" || kind == "AsyncAPI"]+kind, version)
	return true
}

var versionPattern = regexp.MustCompile(`^1\.[01]\.\d+(-.+)?$`)

// document decodes the root object.
func (d *decoder) document(n *yaml.Node, doc *Document) {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		d.errorf(posOf(n), "", RuleRootNotObject, "an Arazzo document must be an object, got %s", kindName(n))
		return
	}
	if d.otherDescription(n) {
		return
	}
	// The version decides which fields exist, so read it first.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "arazzo" {
			v := resolveAlias(n.Content[i+1])
			if v.Kind == yaml.ScalarNode {
				doc.Arazzo = v.Value
				switch {
				case strings.HasPrefix(v.Value, "1.0."):
					d.version = "1.0"
				case strings.HasPrefix(v.Value, "1.1."):
					d.version = "1.1"
				}
			}
		}
	}
	fields := map[string]fieldFunc{
		"arazzo": func(_, v *yaml.Node, path string) {
			s := d.str(v, path, "arazzo")
			if !versionPattern.MatchString(s) {
				d.errorf(posOf(v), path, RuleVersion, "unsupported Arazzo version %q; supported: 1.0.0, 1.0.1, 1.1.0 (the rest of the document is checked as 1.1.0)", s)
			}
		},
		"$self": d.only11("$self", d.strField(&doc.Self, "$self")),
		"info":  func(_, v *yaml.Node, path string) { d.info(v, path, &doc.Info) },
		"sourceDescriptions": func(_, v *yaml.Node, path string) {
			c := d.list(v, path, "sourceDescriptions", func(i int, n *yaml.Node, p string) {
				doc.SourceDescriptions = append(doc.SourceDescriptions, d.source(n, p))
			})
			d.nonEmpty(c, v, path, "sourceDescriptions")
		},
		"workflows": func(_, v *yaml.Node, path string) {
			c := d.list(v, path, "workflows", func(i int, n *yaml.Node, p string) {
				doc.Workflows = append(doc.Workflows, d.workflow(n, p))
			})
			d.nonEmpty(c, v, path, "workflows")
		},
		"components": func(_, v *yaml.Node, path string) { doc.Components = d.components(v, path) },
		"$schema": func(k, _ *yaml.Node, path string) {
			d.warnf(posOf(k), path, RuleSchemaKey, "root field \"$schema\" is not part of Arazzo (editors use it); it is ignored")
		},
	}
	d.object(n, "", "the Arazzo document", &doc.Node, fields, &doc.Extensions)
	d.require(&doc.Node, "", "the Arazzo document", "arazzo", "info", "sourceDescriptions", "workflows")
}

func (d *decoder) info(n *yaml.Node, path string, info *Info) {
	ok := d.object(n, path, "info", &info.Node, map[string]fieldFunc{
		"title":       d.strField(&info.Title, "info.title"),
		"summary":     d.strField(&info.Summary, "info.summary"),
		"description": d.strField(&info.Description, "info.description"),
		"version":     d.strField(&info.Version, "info.version"),
	}, nil)
	if ok {
		d.require(&info.Node, path, "info", "title", "version")
	}
}

func (d *decoder) source(n *yaml.Node, path string) *SourceDescription {
	s := &SourceDescription{}
	types := []string{SourceOpenAPI, SourceArazzo}
	if d.version != "1.0" {
		types = append(types, SourceAsyncAPI)
	}
	if d.object(n, path, "a source description", &s.Node, map[string]fieldFunc{
		"name": d.strField(&s.Name, "source description name"),
		"url":  d.strField(&s.URL, "source description url"),
		"type": d.enum(&s.Type, "source description type", types...),
	}, nil) {
		d.require(&s.Node, path, "source description", "name", "url")
	}
	return s
}

func (d *decoder) workflow(n *yaml.Node, path string) *Workflow {
	w := &Workflow{}
	if !d.object(n, path, "a workflow", &w.Node, map[string]fieldFunc{
		"workflowId":  d.strField(&w.WorkflowID, "workflowId"),
		"summary":     d.strField(&w.Summary, "workflow summary"),
		"description": d.strField(&w.Description, "workflow description"),
		"inputs": func(_, v *yaml.Node, p string) {
			if v.Kind != yaml.MappingNode {
				d.errorf(posOf(v), p, RuleType, "workflow inputs must be a JSON Schema object, got %s", kindName(v))
			}
			w.Inputs, _ = d.value(v, p)
		},
		"dependsOn": func(_, v *yaml.Node, p string) { w.DependsOn = d.refs(v, p, "dependsOn", true) },
		"steps": func(_, v *yaml.Node, p string) {
			c := d.list(v, p, "steps", func(i int, n *yaml.Node, ip string) { w.Steps = append(w.Steps, d.step(n, ip)) })
			d.nonEmpty(c, v, p, "steps")
		},
		"successActions": func(_, v *yaml.Node, p string) { w.SuccessActions = d.successActions(v, p) },
		"failureActions": func(_, v *yaml.Node, p string) { w.FailureActions = d.failureActions(v, p) },
		"outputs":        func(_, v *yaml.Node, p string) { w.Outputs = d.outputs(v, p) },
		"parameters":     func(_, v *yaml.Node, p string) { w.Parameters = d.parameters(v, p) },
	}, nil) {
		return w
	}
	d.require(&w.Node, path, "workflow", "workflowId", "steps")
	return w
}

// refs decodes a list of references; with exprs, those that start with "$"
// are runtime expressions, parsed once.
func (d *decoder) refs(v *yaml.Node, path, what string, exprs bool) []Ref {
	var out []Ref
	d.list(v, path, what, func(i int, n *yaml.Node, p string) {
		r := Ref{Value: d.str(n, p, what+" entry"), Pos: posOf(n)}
		if exprs && strings.HasPrefix(r.Value, "$") {
			r.Parsed = parseExpr(r.Value, 0)
		}
		out = append(out, r)
	})
	return out
}

var stepActions = []string{"send", "receive"}

var stepFields = map[string]fieldOf[*Step]{
	"stepId":      func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.StepID = d.str(v, p, "stepId") },
	"description": func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.Description = d.str(v, p, "step description") },
	"operationId": func(d *decoder, s *Step, k, v *yaml.Node, p string) {
		d.ref(&s.OperationID, &s.Node, "operationId", k, v, p)
	},
	"operationPath": func(d *decoder, s *Step, k, v *yaml.Node, p string) {
		d.sourcePath(&s.OperationPath, &s.Node, "operationPath", k, v, p)
	},
	"workflowId": func(d *decoder, s *Step, k, v *yaml.Node, p string) {
		d.ref(&s.WorkflowID, &s.Node, "workflowId", k, v, p)
	},
	"channelPath": only11Of("channelPath", func(d *decoder, s *Step, k, v *yaml.Node, p string) {
		d.sourcePath(&s.ChannelPath, &s.Node, "channelPath", k, v, p)
	}),
	"parameters":      func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.Parameters = d.parameters(v, p) },
	"requestBody":     func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.RequestBody = d.requestBody(v, p) },
	"successCriteria": func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.SuccessCriteria = d.criteria(v, p, true) },
	"onSuccess":       func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.OnSuccess = d.successActions(v, p) },
	"onFailure":       func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.OnFailure = d.failureActions(v, p) },
	"outputs":         func(d *decoder, s *Step, _, v *yaml.Node, p string) { s.Outputs = d.outputs(v, p) },
	"timeout": only11Of("timeout", func(d *decoder, s *Step, _, v *yaml.Node, p string) {
		s.Timeout = d.integer(v, p, "step timeout")
	}),
	"correlationId": only11Of("correlationId", func(d *decoder, s *Step, k, v *yaml.Node, p string) {
		d.ref(&s.CorrelationID, &s.Node, "correlationId", k, v, p)
	}),
	"action": only11Of("action", func(d *decoder, s *Step, _, v *yaml.Node, p string) {
		s.Action = d.enumValue(v, p, "step action", stepActions)
	}),
	"dependsOn": only11Of("dependsOn", func(d *decoder, s *Step, _, v *yaml.Node, p string) {
		s.DependsOn = d.refs(v, p, "dependsOn", false)
	}),
}

func (d *decoder) step(n *yaml.Node, path string) *Step {
	s := &Step{}
	if !decodeObject(d, n, path, "a step", &s.Node, stepFields, func(f fieldOf[*Step], k, v *yaml.Node, p string) { f(d, s, k, v, p) }, nil) {
		return s
	}
	d.require(&s.Node, path, "step", "stepId")
	return s
}

// integer decodes a non-negative integer.
func (d *decoder) integer(v *yaml.Node, path, what string) int64 {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" {
		i, err := strconv.ParseInt(v.Value, 0, 64)
		if err == nil && i >= 0 {
			return i
		}
	}
	d.errorf(posOf(v), path, RuleType, "%s must be a non-negative integer, got %s", what, describeScalar(v))
	return 0
}

// number decodes a non-negative number.
func (d *decoder) number(v *yaml.Node, path, what string) float64 {
	if v.Kind == yaml.ScalarNode && (v.ShortTag() == "!!int" || v.ShortTag() == "!!float") {
		f, err := strconv.ParseFloat(strings.ReplaceAll(v.Value, "_", ""), 64)
		if err == nil && f >= 0 && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	d.errorf(posOf(v), path, RuleType, "%s must be a non-negative number, got %s", what, describeScalar(v))
	return 0
}

func describeScalar(v *yaml.Node) string {
	if v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null" {
		return strconv.Quote(v.Value)
	}
	return kindName(v)
}

// parameters decodes a list of Parameter or Reusable Objects.
func (d *decoder) parameters(v *yaml.Node, path string) []*Parameter {
	var out []*Parameter
	d.list(v, path, "parameters", func(i int, n *yaml.Node, p string) { out = append(out, d.parameter(n, p)) })
	return out
}

func (d *decoder) parameter(n *yaml.Node, path string) *Parameter {
	prm := &Parameter{}
	if isReusable(n) {
		d.object(n, path, "a reusable parameter", &prm.Node, map[string]fieldFunc{
			"reference": d.refField(&prm.Reference, &prm.Node, "reference"),
			"value":     func(_, v *yaml.Node, p string) { prm.Value = d.exprValue(v, p) },
		}, nil)
		return prm
	}
	if !decodeObject(d, n, path, "a parameter", &prm.Node, parameterFields, func(f fieldOf[*Parameter], k, v *yaml.Node, p string) { f(d, prm, k, v, p) }, nil) {
		return prm
	}
	d.require(&prm.Node, path, "parameter", "name", "value")
	return prm
}

var (
	parameterIns10 = []string{InPath, InQuery, InHeader, InCookie}
	parameterIns11 = []string{InPath, InQuery, InHeader, InCookie, InQueryString, InChannel}

	parameterFields = map[string]fieldOf[*Parameter]{
		"name": func(d *decoder, prm *Parameter, _, v *yaml.Node, p string) { prm.Name = d.str(v, p, "parameter name") },
		"in": func(d *decoder, prm *Parameter, _, v *yaml.Node, p string) {
			ins := parameterIns11
			if d.version == "1.0" {
				ins = parameterIns10
			}
			prm.In = d.enumValue(v, p, "parameter in", ins)
		},
		"value": func(d *decoder, prm *Parameter, _, v *yaml.Node, p string) { prm.Value = d.exprValue(v, p) },
	}
)

// isReusable tells a Reusable Object from the object it stands for: it has "reference".
func isReusable(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "reference" {
			return true
		}
	}
	return false
}

func (d *decoder) requestBody(n *yaml.Node, path string) *RequestBody {
	rb := &RequestBody{}
	d.object(n, path, "a request body", &rb.Node, map[string]fieldFunc{
		"contentType": d.strField(&rb.ContentType, "contentType"),
		"payload":     func(_, v *yaml.Node, p string) { rb.Payload = d.exprValue(v, p) },
		"replacements": func(_, v *yaml.Node, p string) {
			d.list(v, p, "replacements", func(i int, n *yaml.Node, ip string) {
				r := &PayloadReplacement{}
				if d.object(n, ip, "a payload replacement", &r.Node, map[string]fieldFunc{
					"target":             d.strField(&r.Target, "replacement target"),
					"targetSelectorType": d.only11("targetSelectorType", d.enum(&r.TargetSelectorType, "targetSelectorType", "jsonpointer", "jsonpath", "xpath")),
					"value":              func(_, v *yaml.Node, vp string) { r.Value = d.exprValue(v, vp) },
				}, nil) {
					d.require(&r.Node, ip, "payload replacement", "target", "value")
				}
				rb.Replacements = append(rb.Replacements, r)
			})
		},
	}, nil)
	return rb
}

func (d *decoder) criteria(v *yaml.Node, path string, nonEmpty bool) []*Criterion {
	var out []*Criterion
	c := d.list(v, path, "criteria", func(i int, n *yaml.Node, p string) { out = append(out, d.criterion(n, p)) })
	if nonEmpty {
		d.nonEmpty(c, v, path, "successCriteria")
	}
	return out
}

var criterionTypes = []string{CriterionSimple, CriterionRegex, CriterionJSONPath, CriterionXPath}

var criterionFields = map[string]fieldOf[*Criterion]{
	"context": func(d *decoder, c *Criterion, _, v *yaml.Node, p string) {
		c.Context = d.str(v, p, "criterion context")
	},
	"condition": func(d *decoder, c *Criterion, _, v *yaml.Node, p string) {
		c.Condition = d.str(v, p, "criterion condition")
	},
	"type": func(d *decoder, c *Criterion, _, v *yaml.Node, p string) {
		if v.Kind == yaml.MappingNode {
			c.TypeObject = &Node{}
			d.expressionType(v, p, c)
			return
		}
		c.Type = d.enumValue(v, p, "criterion type", criterionTypes)
	},
}

func (d *decoder) criterion(n *yaml.Node, path string) *Criterion {
	c := &Criterion{}
	if !decodeObject(d, n, path, "a criterion", &c.Node, criterionFields, func(f fieldOf[*Criterion], k, v *yaml.Node, p string) { f(d, c, k, v, p) }, nil) {
		return c
	}
	d.require(&c.Node, path, "criterion", "condition")
	if c.Has("condition") {
		spec := expr.CriterionSpec{Condition: c.Condition, Context: c.Context, Type: c.Type, Version: c.Version}
		if spec.Type == "" {
			spec.Type = CriterionSimple
		}
		cc, ok := d.compiledCriteria[spec]
		if !ok {
			cc.c, cc.err = expr.CompileCriterion(spec)
			if d.compiledCriteria == nil {
				d.compiledCriteria = map[expr.CriterionSpec]compiledCriterion{}
			}
			d.compiledCriteria[spec] = cc
		}
		c.compiled, c.compileErr = cc.c, cc.err
	}
	return c
}

// expressionType decodes a Criterion Expression Type Object (1.0) / Expression Type Object (1.1).
func (d *decoder) expressionType(n *yaml.Node, path string, c *Criterion) {
	types := []string{CriterionJSONPath, CriterionXPath}
	if d.version != "1.0" {
		types = append(types, "jsonpointer")
	}
	if !d.object(n, path, "an expression type", c.TypeObject, map[string]fieldFunc{
		"type":    d.enum(&c.Type, "expression type", types...),
		"version": d.strField(&c.Version, "expression type version"),
	}, nil) {
		return
	}
	d.require(c.TypeObject, path, "expression type", "type", "version")
	if c.Version == "" {
		return
	}
	var allowed []string
	switch c.Type {
	case CriterionJSONPath:
		allowed = []string{"draft-goessner-dispatch-jsonpath-00"}
		if d.version != "1.0" {
			allowed = append(allowed, "rfc9535")
		}
	case CriterionXPath:
		allowed = []string{"xpath-30", "xpath-20", "xpath-10"}
		if d.version != "1.0" {
			allowed = append(allowed, "xpath-31")
		}
	case "jsonpointer":
		allowed = []string{"rfc6901"}
	default:
		return
	}
	for _, a := range allowed {
		if a == c.Version {
			return
		}
	}
	d.errorf(c.TypeObject.ValuePos("version"), joinPath(path, "version"), RuleEnum, "%s version must be one of %s, got %q", c.Type, quoteList(allowed), c.Version)
}

func (d *decoder) successActions(v *yaml.Node, path string) []*SuccessAction {
	var out []*SuccessAction
	d.list(v, path, "success actions", func(i int, n *yaml.Node, p string) { out = append(out, d.successAction(n, p)) })
	return out
}

func (d *decoder) successAction(n *yaml.Node, path string) *SuccessAction {
	a := &SuccessAction{}
	if isReusable(n) {
		d.reusable(n, path, &a.Node, &a.Reference)
		return a
	}
	if d.object(n, path, "a success action", &a.Node, map[string]fieldFunc{
		"name":       d.strField(&a.Name, "action name"),
		"type":       d.enum(&a.Type, "success action type", ActionEnd, ActionGoto),
		"workflowId": d.refField(&a.WorkflowID, &a.Node, "workflowId"),
		"stepId":     d.strField(&a.StepID, "stepId"),
		"parameters": d.only11("parameters", func(_, v *yaml.Node, p string) { a.Parameters = d.parameters(v, p) }),
		"criteria":   func(_, v *yaml.Node, p string) { a.Criteria = d.criteria(v, p, true) },
	}, nil) {
		d.require(&a.Node, path, "success action", "name", "type")
	}
	return a
}

func (d *decoder) failureActions(v *yaml.Node, path string) []*FailureAction {
	var out []*FailureAction
	d.list(v, path, "failure actions", func(i int, n *yaml.Node, p string) { out = append(out, d.failureAction(n, p)) })
	return out
}

func (d *decoder) failureAction(n *yaml.Node, path string) *FailureAction {
	a := &FailureAction{}
	if isReusable(n) {
		d.reusable(n, path, &a.Node, &a.Reference)
		return a
	}
	if d.object(n, path, "a failure action", &a.Node, map[string]fieldFunc{
		"name":       d.strField(&a.Name, "action name"),
		"type":       d.enum(&a.Type, "failure action type", ActionEnd, ActionRetry, ActionGoto),
		"workflowId": d.refField(&a.WorkflowID, &a.Node, "workflowId"),
		"stepId":     d.strField(&a.StepID, "stepId"),
		"parameters": d.only11("parameters", func(_, v *yaml.Node, p string) { a.Parameters = d.parameters(v, p) }),
		"retryAfter": func(_, v *yaml.Node, p string) {
			a.RetryAfter, a.HasRetryAfter = d.number(v, p, "retryAfter"), true
		},
		"retryLimit": func(_, v *yaml.Node, p string) {
			a.RetryLimit, a.HasRetryLimit = int(min(d.integer(v, p, "retryLimit"), math.MaxInt32)), true
		},
		"criteria": func(_, v *yaml.Node, p string) { a.Criteria = d.criteria(v, p, false) },
	}, nil) {
		d.require(&a.Node, path, "failure action", "name", "type")
	}
	return a
}

// reusable decodes a Reusable Object that stands for an action. Extra fields are
// ignored as the specification says, with a warning since the schema rejects them.
func (d *decoder) reusable(n *yaml.Node, path string, node *Node, ref *string) {
	node.Pos = posOf(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		node.setField(k.Value, posOf(k), posOf(v), v.Kind == yaml.ScalarNode && v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0)
		switch k.Value {
		case "reference":
			*ref = d.str(v, joinPath(path, "reference"), "reference")
			node.setExpr("reference", parseExpr(*ref, 0))
		default:
			d.warnf(posOf(k), joinPath(path, k.Value), RuleReusableExtra, "field %q of a reusable object is ignored (only reference, and value for parameters, have meaning)", k.Value)
		}
	}
}

var outputKey = regexp.MustCompile(`^[a-zA-Z0-9.\-_]+$`)

func (d *decoder) outputs(v *yaml.Node, path string) []*Output {
	if v.Kind != yaml.MappingNode {
		d.errorf(posOf(v), path, RuleType, "outputs must be an object, got %s", kindName(v))
		return nil
	}
	var out []*Output
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], resolveAlias(v.Content[i+1])
		p := d.join(path, k.Value)
		if seen[k.Value] {
			d.errorf(posOf(k), p, RuleYAMLDuplicateKey, "duplicate output %q", k.Value)
			continue
		}
		seen[k.Value] = true
		if !outputKey.MatchString(k.Value) {
			d.warnf(posOf(k), p, RulePattern, "output name %q should match ^[a-zA-Z0-9.\\-_]+$ (the specification says MUST); it is used as written, and expressions outside a condition can name it ($steps.<id>.outputs.%s)", k.Value, k.Value)
		}
		o := &Output{Name: k.Value, KeyPos: posOf(k)}
		o.Value = d.exprValue(val, p)
		out = append(out, o)
	}
	return out
}

var componentKey = outputKey

func (d *decoder) components(n *yaml.Node, path string) *Components {
	c := &Components{Inputs: map[string]*Value{}, Parameters: map[string]*Parameter{},
		SuccessActions: map[string]*SuccessAction{}, FailureActions: map[string]*FailureAction{}, Order: map[string][]string{}}
	each := func(kind string, v *yaml.Node, p string, fn func(key string, n *yaml.Node, kp string)) {
		if v.Kind != yaml.MappingNode {
			d.errorf(posOf(v), p, RuleType, "components.%s must be an object, got %s", kind, kindName(v))
			return
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k := v.Content[i]
			kp := joinPath(p, k.Value)
			if seen[k.Value] {
				d.errorf(posOf(k), kp, RuleYAMLDuplicateKey, "duplicate key %q in components.%s", k.Value, kind)
				continue
			}
			seen[k.Value] = true
			if !componentKey.MatchString(k.Value) {
				d.warnf(posOf(k), kp, RulePattern, "component name %q should match ^[a-zA-Z0-9.\\-_]+$ (the specification says MUST); it is used as written", k.Value)
			}
			c.Order[kind] = append(c.Order[kind], k.Value)
			fn(k.Value, resolveAlias(v.Content[i+1]), kp)
		}
	}
	d.object(n, path, "components", &c.Node, map[string]fieldFunc{
		"inputs": func(_, v *yaml.Node, p string) {
			each("inputs", v, p, func(key string, n *yaml.Node, kp string) { c.Inputs[key], _ = d.value(n, kp) })
		},
		"parameters": func(_, v *yaml.Node, p string) {
			each("parameters", v, p, func(key string, n *yaml.Node, kp string) { c.Parameters[key] = d.parameter(n, kp) })
		},
		"successActions": func(_, v *yaml.Node, p string) {
			each("successActions", v, p, func(key string, n *yaml.Node, kp string) { c.SuccessActions[key] = d.successAction(n, kp) })
		},
		"failureActions": func(_, v *yaml.Node, p string) {
			each("failureActions", v, p, func(key string, n *yaml.Node, kp string) { c.FailureActions[key] = d.failureAction(n, kp) })
		},
	}, nil)
	return c
}
