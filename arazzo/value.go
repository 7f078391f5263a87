package arazzo

import (
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// Value is a free-form value from the document (a parameter value, a payload, an
// inputs schema, an output expression) as a JSON-like tree: nil, bool, string,
// int64, float64, []any or map[string]any. It remembers where each part was written.
type Value struct {
	V   any
	Pos Pos
	// Quoted is set when V is a string written as a quoted scalar.
	Quoted bool
	// inner maps JSON pointers of nested nodes ("/a/0") to their positions.
	inner map[string]innerPos
	// block is set when V is a block scalar (| or >).
	block *blockText
	// compiled holds the runtime expressions of a field value (parameter,
	// payload, replacement and output values), parsed once by the loader.
	compiled   *expr.Value
	compileErr error
}

// Compiled returns the runtime expressions of a field value as the loader
// parsed them (templates, whole expressions and, in Arazzo 1.1, Selector
// Objects), with the compile error listing each string that does not parse
// (an *expr.ValueError). It returns nil for values that hold no runtime
// expressions by definition (inputs schemas, extensions).
func (v *Value) Compiled() (*expr.Value, error) {
	if v == nil {
		return nil, nil
	}
	return v.compiled, v.compileErr
}

type innerPos struct {
	pos    Pos
	quoted bool
	block  *blockText // set for a block scalar
}

// PosAt returns the position of the nested node at the JSON pointer ptr ("" is the value itself).
func (v *Value) PosAt(ptr string) Pos {
	if ptr == "" {
		return v.Pos
	}
	if p, ok := v.inner[ptr]; ok {
		return p.pos
	}
	return v.Pos
}

// TextPos maps a byte offset inside the string at ptr to a position in the file
// (see Node.TextPos).
func (v *Value) TextPos(ptr string, offset int) Pos {
	pos, quoted, block := v.Pos, v.Quoted, v.block
	if ptr != "" {
		if p, ok := v.inner[ptr]; ok {
			pos, quoted, block = p.pos, p.quoted, p.block
		}
	}
	if block != nil {
		return block.at(pos, offset)
	}
	if quoted {
		pos.Col++
	}
	pos.Col += offset
	return pos
}

// String returns the value when it is a string.
func (v *Value) String() (string, bool) {
	if v == nil {
		return "", false
	}
	s, ok := v.V.(string)
	return s, ok
}

// pointerJoin appends a reference token to a JSON pointer.
func pointerJoin(ptr, token string) string {
	if strings.ContainsAny(token, "~/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
	}
	return ptr + "/" + token
}

func indexToken(i int) string { return strconv.Itoa(i) }
