package arazzo

import (
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// Pos is a 1-based line and column in a document. The zero Pos means unknown.
type Pos struct {
	Line, Col int
}

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Node carries the positions of a spec object and of each of its fields, so that
// any problem found later can point at what the user wrote.
type Node struct {
	// Pos is where the object starts.
	Pos Pos
	// fields are the fields present, in document order; an object has few,
	// so a search beats a map and costs one allocation per object.
	fields []field
	// typos are known fields that an unknown field was taken to be a misspelling of;
	// their absence is not reported again.
	typos []string
}

func (n *Node) misspelt(name string) { n.typos = append(n.typos, name) }

func (n *Node) isMisspelt(name string) bool {
	for _, t := range n.typos {
		if t == name {
			return true
		}
	}
	return false
}

// blockText is the text of a block scalar (| or >) and the column its content
// lines start at, so that an offset inside it maps to a line and column.
type blockText struct {
	text   string
	indent int // 1-based column of the content
	// lines are the content lines of a folded scalar as written (indentation
	// removed, "" for a blank line); nil for a literal one.
	lines []string
}

// at maps a byte offset inside a block scalar whose indicator is at pos.
func (b *blockText) at(pos Pos, offset int) Pos {
	offset = min(max(offset, 0), len(b.text))
	if b.lines == nil {
		// Literal: every line break of the value is a line break in the file.
		before := b.text[:offset]
		line := strings.Count(before, "\n")
		start := strings.LastIndexByte(before, '\n') + 1
		return Pos{Line: pos.Line + 1 + line, Col: b.indent + offset - start}
	}
	// Folded: a break between two written lines became a space; a blank line
	// became a line break and took the break before it.
	consumed := 0
	for i, ln := range b.lines {
		if ln != "" && offset <= consumed+len(ln) {
			return Pos{Line: pos.Line + 1 + i, Col: b.indent + offset - consumed}
		}
		consumed += len(ln)
		if ln == "" || i+1 < len(b.lines) && b.lines[i+1] != "" {
			consumed++
		}
	}
	return Pos{Line: pos.Line + len(b.lines), Col: b.indent}
}

type field struct {
	name       string
	key, value Pos
	quoted     bool       // the value is a single- or double-quoted scalar
	block      *blockText // set for a block scalar
	// parsed is the runtime expression the loader read from the field, when
	// the field holds one.
	parsed *Parsed
}

// Parsed is a runtime expression that the loader parsed from a string field
// (a qualified operationId or workflowId, a Reusable Object's reference, the
// source of an operationPath), once: checking and compiling use it as it is.
type Parsed struct {
	// Expr is the expression; nil when Err is set.
	Expr *expr.Expression
	// Err is the syntax error; its offsets count from Offset in the field.
	Err error
	// Offset is where the expression starts in the field's text (1 inside
	// "{$sourceDescriptions.x.url}#...").
	Offset int
}

// Expr returns the runtime expression the loader parsed from the field, or
// nil when the field holds none.
func (n *Node) Expr(name string) *Parsed {
	if f := n.field(name); f != nil {
		return f.parsed
	}
	return nil
}

func (n *Node) setExpr(name string, p *Parsed) {
	if f := n.field(name); f != nil {
		f.parsed = p
	}
}

// field returns the named field, or nil when it is absent.
func (n *Node) field(name string) *field {
	for i := range n.fields {
		if n.fields[i].name == name {
			return &n.fields[i]
		}
	}
	return nil
}

// parseExpr parses src (found at off in its field) once.
func parseExpr(src string, off int) *Parsed {
	e, err := expr.Parse(src)
	return &Parsed{Expr: e, Err: err, Offset: off}
}

// setField records a field (a second one of the same name replaces the
// first) and returns it.
func (n *Node) setField(name string, key, value Pos, quoted bool) *field {
	if f := n.field(name); f != nil {
		*f = field{name: name, key: key, value: value, quoted: quoted}
		return f
	}
	n.fields = append(n.fields, field{name: name, key: key, value: value, quoted: quoted})
	return &n.fields[len(n.fields)-1]
}

// Has reports whether the field was present in the document.
func (n *Node) Has(name string) bool { return n.field(name) != nil }

// KeyPos is the position of the field's key, or of the object when the field is absent.
func (n *Node) KeyPos(name string) Pos {
	if f := n.field(name); f != nil {
		return f.key
	}
	return n.Pos
}

// ValuePos is the position of the field's value, or of the object when the field is absent.
func (n *Node) ValuePos(name string) Pos {
	if f := n.field(name); f != nil {
		return f.value
	}
	return n.Pos
}

// TextPos maps a byte offset inside a string field to its position in the file,
// allowing for the opening quote of a quoted scalar and for the lines and
// indentation of a block scalar (| or >; exact for |, by line breaks kept for >).
func (n *Node) TextPos(name string, offset int) Pos {
	f := n.field(name)
	if f == nil {
		return n.Pos
	}
	if f.block != nil {
		return f.block.at(f.value, offset)
	}
	p := f.value
	if f.quoted {
		p.Col++
	}
	p.Col += offset
	return p
}
