package arazzo

import "strconv"

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
	Pos    Pos
	fields map[string]*field
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

type field struct {
	key, value Pos
	quoted     bool // the value is a single- or double-quoted scalar
}

func (n *Node) setField(name string, key, value Pos, quoted bool) {
	if n.fields == nil {
		n.fields = make(map[string]*field, 8)
	}
	n.fields[name] = &field{key: key, value: value, quoted: quoted}
}

// Has reports whether the field was present in the document.
func (n *Node) Has(name string) bool {
	_, ok := n.fields[name]
	return ok
}

// KeyPos is the position of the field's key, or of the object when the field is absent.
func (n *Node) KeyPos(name string) Pos {
	if f, ok := n.fields[name]; ok {
		return f.key
	}
	return n.Pos
}

// ValuePos is the position of the field's value, or of the object when the field is absent.
func (n *Node) ValuePos(name string) Pos {
	if f, ok := n.fields[name]; ok {
		return f.value
	}
	return n.Pos
}

// TextPos maps a byte offset inside a single-line string field to its position in
// the file, allowing for the opening quote of a quoted scalar.
func (n *Node) TextPos(name string, offset int) Pos {
	f, ok := n.fields[name]
	if !ok {
		return n.Pos
	}
	p := f.value
	if f.quoted {
		p.Col++
	}
	p.Col += offset
	return p
}
