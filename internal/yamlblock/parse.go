// Package yamlblock reads the block-style YAML that most Arazzo, OpenAPI and
// AsyncAPI documents are written in into the node tree go.yaml.in/yaml/v4
// builds, several times faster than that general parser.
//
// It reads a subset of YAML: one document of block mappings and block
// sequences whose keys and scalars each fit on one line, plain, single- or
// double-quoted, with comments and blank lines anywhere. Anything else — flow
// collections, block scalars (| and >), scalars over several lines, anchors,
// aliases, tags, explicit keys, directives, several documents, tabs, CR line
// ends, characters YAML does not allow — makes Parse report false, and the
// caller parses the text with the general parser instead. Where Parse
// succeeds, its tree is the general parser's node for node: kinds, resolved
// tags, values, styles, lines and columns (comments are not kept).
package yamlblock

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// maxDepth bounds the nesting Parse reads; deeper documents go to the general
// parser, which has limits of its own.
const maxDepth = 200

// maxKey is the longest key YAML reads as a simple key (1,024 characters).
const maxKey = 1024

// Parse returns the document node of data, or false if data is not in the
// subset this package reads (including when it is not valid YAML at all).
func Parse(data []byte) (doc *yaml.Node, ok bool) {
	defer func() {
		if recover() != nil {
			doc, ok = nil, false
		}
	}()
	return parse(data)
}

// parse is Parse without the guard against a bug of this package: the tests
// and the fuzz target call it, so a panic is found rather than hidden.
func parse(data []byte) (*yaml.Node, bool) {
	if !plainText(data) {
		return nil, false
	}
	p := &parser{src: data, le: -1, intern: map[string]string{}}
	p.nextLine()
	return p.document()
}

// plainText reports whether data holds only characters this package reads:
// printable ones and line feeds, no tab, no carriage return, no byte order
// mark or Unicode line separator inside the text.
func plainText(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7F {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1, r < 0xA0, r >= 0xD800 && r < 0xE000, r == 0x2028, r == 0x2029, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
		i += n
	}
	return true
}

type parser struct {
	src    []byte
	ls, le int // the current line: its first byte, and its line feed (or the end)
	ln     int // its number, from 1
	eof    bool
	depth  int
	slab   []yaml.Node
	intern map[string]string
}

func (p *parser) nextLine() {
	if p.le >= len(p.src) {
		p.eof = true
		return
	}
	p.ls = p.le + 1
	p.ln++
	if p.ls > len(p.src) {
		p.eof = true
		return
	}
	if i := bytes.IndexByte(p.src[p.ls:], '\n'); i >= 0 {
		p.le = p.ls + i
	} else {
		p.le = len(p.src)
		if p.ls == p.le {
			p.eof = true
		}
	}
}

// content moves to the next line with content (neither blank nor only a
// comment), the current one included; false at the end of the text.
func (p *parser) content() bool {
	for !p.eof {
		i := p.ls
		for i < p.le && p.src[i] == ' ' {
			i++
		}
		if i < p.le && p.src[i] != '#' {
			return true
		}
		p.nextLine()
	}
	return false
}

// indent is the number of spaces that start the current line.
func (p *parser) indent() int {
	i := p.ls
	for i < p.le && p.src[i] == ' ' {
		i++
	}
	return i - p.ls
}

// marker reports whether the current line starts with a document marker
// (--- or ...).
func (p *parser) marker() bool {
	if p.le-p.ls < 3 {
		return false
	}
	s := p.src[p.ls : p.ls+3]
	if string(s) != "---" && string(s) != "..." {
		return false
	}
	return p.ls+3 == p.le || p.src[p.ls+3] == ' '
}

// col is the column (from 1, in characters) of byte off of the current line.
func (p *parser) col(off int) int {
	return 1 + utf8.RuneCount(p.src[p.ls:off])
}

func (p *parser) node(kind yaml.Kind, tag string, line, col int) *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = make([]yaml.Node, 256)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.Kind, n.Tag, n.Line, n.Column = kind, tag, line, col
	return n
}

func (p *parser) document() (*yaml.Node, bool) {
	if !p.content() {
		return nil, false
	}
	if p.src[p.ls] == '%' {
		return nil, false // a directive
	}
	doc := p.node(yaml.DocumentNode, "", p.ln, 1)
	if p.marker() {
		if p.src[p.ls] == '.' || !p.restIsBlank(p.ls+3) {
			return nil, false
		}
		p.nextLine()
		if !p.content() {
			return nil, false
		}
	} else {
		doc.Column = p.indent() + 1
	}
	if p.marker() {
		return nil, false
	}
	root, ok := p.block(p.ls+p.indent(), -1)
	if !ok || p.content() {
		return nil, false
	}
	doc.Content = []*yaml.Node{root}
	return doc, true
}

// restIsBlank reports whether the current line holds nothing but spaces and a
// comment from byte off on (a comment needs a space before it).
func (p *parser) restIsBlank(off int) bool {
	i := off
	for i < p.le && p.src[i] == ' ' {
		i++
	}
	return i == p.le || (p.src[i] == '#' && i > p.ls && p.src[i-1] == ' ')
}

// dash reports whether byte off of the current line is a sequence entry's -.
func (p *parser) dash(off int) bool {
	return p.src[off] == '-' && (off+1 == p.le || p.src[off+1] == ' ')
}

// block reads the collection that starts at byte off of the current line,
// whose indentation is more than parent's.
func (p *parser) block(off, parent int) (*yaml.Node, bool) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, false
	}
	if p.marker() {
		return nil, false
	}
	if p.dash(off) {
		return p.sequence(off - p.ls)
	}
	if _, ok := p.isKey(off); ok {
		return p.mapping(off - p.ls)
	}
	return nil, false // a scalar on a line of its own: maybe one over several lines
}

// sequence reads a block sequence whose entries' - are at indentation ind; the
// current line holds the first.
func (p *parser) sequence(ind int) (*yaml.Node, bool) {
	seq := p.node(yaml.SequenceNode, "!!seq", p.ln, ind+1)
	for {
		off := p.ls + ind + 1
		for off < p.le && p.src[off] == ' ' {
			off++
		}
		var item *yaml.Node
		var ok bool
		if p.restIsBlank(p.ls + ind + 1) {
			item, ok = p.nested(ind, p.ln, ind+2, false)
		} else {
			item, ok = p.inline(off, ind, true)
		}
		if !ok {
			return nil, false
		}
		seq.Content = append(seq.Content, item)
		if !p.content() {
			return seq, true
		}
		switch i := p.indent(); {
		case i > ind:
			return nil, false
		case i < ind || !p.dash(p.ls+i) || p.marker():
			return seq, true
		}
	}
}

// mapping reads a block mapping whose keys are at indentation ind; the
// current line holds the first.
func (p *parser) mapping(ind int) (*yaml.Node, bool) {
	var m *yaml.Node
	for {
		off := p.ls + ind
		k, ok := p.key(off)
		if !ok {
			return nil, false
		}
		if m == nil {
			m = p.node(yaml.MappingNode, "!!map", k.node.Line, k.node.Column)
		}
		var v *yaml.Node
		if p.restIsBlank(k.colon + 1) {
			v, ok = p.nested(ind, p.ln, p.col(k.colon)+1, true)
		} else {
			at := k.colon + 1
			for p.src[at] == ' ' {
				at++
			}
			v, ok = p.inline(at, ind, false)
		}
		if !ok {
			return nil, false
		}
		m.Content = append(m.Content, k.node, v)
		if !p.content() {
			return m, true
		}
		switch i := p.indent(); {
		case i > ind:
			return nil, false
		case i < ind:
			return m, true
		}
		if p.marker() {
			return nil, false
		}
	}
}

// nested reads the value of an entry whose line ends after its indicator (the
// : of a key, the - of a sequence entry): the collection on the lines that
// follow, or an empty scalar at line:col when there is none. A key's value
// may be a sequence at the key's own indentation.
func (p *parser) nested(ind, line, col int, key bool) (*yaml.Node, bool) {
	p.nextLine()
	if p.content() {
		i := p.indent()
		if i > ind || (key && i == ind && p.dash(p.ls+i) && !p.marker()) {
			return p.block(p.ls+i, ind)
		}
	}
	return p.node(yaml.ScalarNode, "!!null", line, col), true
}

// inline reads the value that follows an indicator on its line: a scalar or
// a flow collection that ends the line, a block scalar, or (mapping: after a
// -) a mapping that starts there. The lines after a scalar may not be
// indented more than its entry: YAML would read them as more of the scalar.
func (p *parser) inline(off, ind int, mapping bool) (*yaml.Node, bool) {
	var s *yaml.Node
	var end int
	var ok bool
	switch p.src[off] {
	case '[', '{':
		s, end, ok = p.flow(off)
	case '|', '>':
		return p.blockScalar(off, ind)
	default:
		if p.dash(off) {
			return nil, false // "- - x", or "a: - x"
		}
		s, end, ok = p.scalar(off)
		if ok && p.colon(end) {
			if !mapping {
				return nil, false // "a: b: c"
			}
			return p.block(off, ind)
		}
	}
	if !ok || !p.restIsBlank(end) {
		return nil, false
	}
	p.nextLine()
	if p.content() && p.indent() > ind {
		return nil, false
	}
	return s, true
}

type key struct {
	node  *yaml.Node
	colon int // the offset of the : after it
}

// key reads the key at byte off of the current line: a scalar followed by a
// colon and a space or the line's end.
func (p *parser) key(off int) (key, bool) {
	s, end, ok := p.scalar(off)
	if !ok || !p.colon(end) || utf8.RuneCount(p.src[off:end]) > maxKey {
		return key{}, false
	}
	return key{node: s, colon: end}, true
}

// colon reports whether byte off of the current line is a key's colon.
func (p *parser) colon(off int) bool {
	return off < p.le && p.src[off] == ':' && (off+1 == p.le || p.src[off+1] == ' ')
}

// isKey reports whether a key starts at byte off of the current line, and
// the offset of its colon, without reading it.
func (p *parser) isKey(off int) (int, bool) {
	var end int
	switch q := p.src[off]; q {
	case '\'', '"':
		end = -1
		for i := off + 1; i < p.le; i++ {
			if q == '"' && p.src[i] == '\\' {
				i++
				continue
			}
			if p.src[i] == q {
				if q == '\'' && i+1 < p.le && p.src[i+1] == '\'' {
					i++
					continue
				}
				end = i + 1
				break
			}
		}
		if end < 0 {
			return 0, false
		}
	default:
		var ok bool
		if end, ok = p.plainEnd(off); !ok {
			return 0, false
		}
	}
	if utf8.RuneCount(p.src[off:end]) > maxKey {
		return 0, false
	}
	end = p.spaces(end)
	return end, p.colon(end)
}

// scalar reads the scalar at byte off of the current line and returns the
// offset after it and the spaces that follow it. A plain scalar ends at a
// ": ", so a key's scalar ends at its colon.
func (p *parser) scalar(off int) (*yaml.Node, int, bool) {
	switch p.src[off] {
	case '\'', '"':
		// What may follow a quoted scalar: spaces, then the line's end, a
		// comment or a key's colon.
		n, end, ok := p.quoted(off)
		i := p.spaces(end)
		if !ok || (i < p.le && p.src[i] != ':' && (p.src[i] != '#' || i == end)) {
			return nil, 0, false
		}
		return n, i, true
	}
	end, ok := p.plainEnd(off)
	if !ok {
		return nil, 0, false
	}
	text := p.str(p.src[off:end])
	n := p.node(yaml.ScalarNode, plainTag(text), p.ln, p.col(off))
	n.Value = text
	// The plain scalar's end: trailing spaces are not part of it.
	i := end
	for i < p.le && p.src[i] == ' ' {
		i++
	}
	return n, i, true
}

// plainEnd returns the end of the plain scalar at byte off (trailing spaces
// left out): at a ": " or a final ":", at a " #", or at the line's end.
func (p *parser) plainEnd(off int) (int, bool) {
	c := p.src[off]
	switch c {
	case '-', '?', ':':
		if off+1 == p.le || p.src[off+1] == ' ' {
			return 0, false
		}
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return 0, false
	}
	last := off // the last byte that is not a space
	for i := off; i < p.le; i++ {
		switch p.src[i] {
		case ':':
			if i+1 == p.le || p.src[i+1] == ' ' {
				return last + 1, true
			}
		case '#':
			if p.src[i-1] == ' ' {
				return last + 1, true
			}
		case ' ':
			continue
		}
		last = i
	}
	return last + 1, true
}

func (p *parser) singleQuoted(off int) (string, int, bool) {
	var b []byte
	start := off + 1
	for i := start; i < p.le; i++ {
		if p.src[i] != '\'' {
			continue
		}
		if i+1 < p.le && p.src[i+1] == '\'' {
			b = append(b, p.src[start:i+1]...)
			start = i + 2
			i++
			continue
		}
		return p.quotedText(b, start, i), i + 1, true
	}
	return "", 0, false // continued on the next line
}

// quotedText is a quoted scalar's text: what was unescaped into b, then
// p.src[start:end]; interned when nothing was.
func (p *parser) quotedText(b []byte, start, end int) string {
	if b == nil {
		return p.str(p.src[start:end])
	}
	return string(append(b, p.src[start:end]...))
}

func (p *parser) doubleQuoted(off int) (string, int, bool) {
	var b []byte
	start := off + 1
	for i := start; i < p.le; i++ {
		switch p.src[i] {
		case '"':
			return p.quotedText(b, start, i), i + 1, true
		case '\\':
			if i+1 >= p.le {
				return "", 0, false // a line continuation
			}
			b = append(b, p.src[start:i]...)
			r, n, ok := unescape(p.src[i+1 : p.le])
			if !ok {
				return "", 0, false
			}
			b = utf8.AppendRune(b, r)
			i += n
			start = i + 1
		}
	}
	return "", 0, false // continued on the next line
}

// escapes are the one-character escapes of a double-quoted scalar this
// package reads; hexEscapes, those followed by hex digits, and how many.
var (
	escapes = map[byte]rune{'0': 0, 'a': '\a', 'b': '\b', 't': '\t', 'n': '\n', 'v': '\v', 'f': '\f', 'r': '\r', 'e': 0x1B,
		'"': '"', '\\': '\\', '/': '/', ' ': ' '}
	hexEscapes = map[byte]int{'x': 2, 'u': 4, 'U': 8}
)

// unescape reads the escape after a backslash: the character, and how many
// bytes the escape took.
func unescape(s []byte) (rune, int, bool) {
	if r, ok := escapes[s[0]]; ok {
		return r, 1, true
	}
	if n, ok := hexEscapes[s[0]]; ok {
		if len(s) < 1+n {
			return 0, 0, false
		}
		v, err := strconv.ParseUint(string(s[1:1+n]), 16, 32)
		if err != nil || strings.ContainsAny(string(s[1:1+n]), "+-_") {
			return 0, 0, false
		}
		r := rune(v)
		if (r >= 0xD800 && r < 0xE000) || r > 0x10FFFF {
			return 0, 0, false
		}
		return r, 1 + n, true
	}
	return 0, 0, false
}

// quoted reads the quoted scalar at byte off, and returns the offset after
// its closing quote.
func (p *parser) quoted(off int) (*yaml.Node, int, bool) {
	var text string
	var end int
	var ok bool
	style := yaml.SingleQuotedStyle
	if p.src[off] == '"' {
		text, end, ok = p.doubleQuoted(off)
		style = yaml.DoubleQuotedStyle
	} else {
		text, end, ok = p.singleQuoted(off)
	}
	if !ok {
		return nil, 0, false
	}
	n := p.node(yaml.ScalarNode, "!!str", p.ln, p.col(off))
	n.Value, n.Style = text, style
	return n, end, true
}

// str is the text of b, one string for each text a document repeats.
func (p *parser) str(b []byte) string {
	if len(b) > 64 {
		return string(b)
	}
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	p.intern[s] = s
	return s
}

// flow reads a flow collection ([...] or {...}) that closes on its line.
func (p *parser) flow(off int) (*yaml.Node, int, bool) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, 0, false
	}
	open, close := p.src[off], byte(']')
	n := p.node(yaml.SequenceNode, "!!seq", p.ln, p.col(off))
	if open == '{' {
		n.Kind, n.Tag, close = yaml.MappingNode, "!!map", '}'
	}
	n.Style = yaml.FlowStyle
	i := p.spaces(off + 1)
	if i < p.le && p.src[i] == close {
		return n, p.spaces(i + 1), true
	}
	for {
		if open == '{' {
			k, end, ok := p.flowScalar(i)
			if !ok || end >= p.le || p.src[end] != ':' || end+1 >= p.le || p.src[end+1] != ' ' {
				return nil, 0, false
			}
			n.Content = append(n.Content, k)
			i = p.spaces(end + 1)
		}
		var v *yaml.Node
		var end int
		var ok bool
		if i < p.le && (p.src[i] == '[' || p.src[i] == '{') {
			v, end, ok = p.flow(i)
		} else {
			v, end, ok = p.flowScalar(i)
		}
		if !ok || end >= p.le {
			return nil, 0, false
		}
		n.Content = append(n.Content, v)
		switch p.src[end] {
		case close:
			return n, p.spaces(end + 1), true
		case ',':
			i = p.spaces(end + 1)
			if i >= p.le || p.src[i] == close || p.src[i] == ',' {
				return nil, 0, false // a trailing or an empty entry
			}
		default:
			return nil, 0, false
		}
	}
}

// spaces returns the offset of the first byte from off on that is not a space.
func (p *parser) spaces(off int) int {
	for off < p.le && p.src[off] == ' ' {
		off++
	}
	return off
}

// flowScalar reads a scalar inside a flow collection and returns the offset
// after it and the spaces that follow it. A plain one ends at a flow
// indicator or a ": "; one that holds any other colon is left to the general
// parser.
func (p *parser) flowScalar(off int) (*yaml.Node, int, bool) {
	if off >= p.le {
		return nil, 0, false
	}
	switch p.src[off] {
	case '\'', '"':
		n, end, ok := p.quoted(off)
		return n, p.spaces(end), ok
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', ' ':
		if p.src[off] != '-' || off+1 >= p.le || p.src[off+1] == ' ' {
			return nil, 0, false
		}
	}
	last := off
	i := off
loop:
	for ; i < p.le; i++ {
		switch p.src[i] {
		case ',', '[', ']', '{', '}':
			break loop
		case ':':
			if i+1 < p.le && p.src[i+1] == ' ' {
				break loop
			}
			return nil, 0, false
		case '#':
			if p.src[i-1] == ' ' {
				return nil, 0, false // a comment inside: the collection goes on on the next line
			}
		case ' ':
			continue
		}
		last = i
	}
	text := p.str(p.src[off : last+1])
	n := p.node(yaml.ScalarNode, plainTag(text), p.ln, p.col(off))
	n.Value = text
	return n, p.spaces(last + 1), true
}

// blockScalar reads a literal (|) or folded (>) scalar whose header is at
// byte off, the value of an entry at indentation ind: clipped or stripped,
// its indentation that of its first line, which has content. A kept (|+)
// one, an explicit indentation, leading blank lines, a folded line indented
// more than the first, a blank line with more spaces than the indentation
// and a scalar that ends the text without a line feed are left to the general
// parser.
func (p *parser) blockScalar(off, ind int) (*yaml.Node, bool) {
	style := yaml.LiteralStyle
	if p.src[off] == '>' {
		style = yaml.FoldedStyle
	}
	i := off + 1
	strip := i < p.le && p.src[i] == '-'
	if strip {
		i++
	}
	if !p.restIsBlank(i) || (i < p.le && p.src[i] != ' ') {
		return nil, false
	}
	n := p.node(yaml.ScalarNode, "!!str", p.ln, p.col(off))
	n.Style = style
	p.nextLine()
	if p.eof {
		return nil, false
	}
	width := p.indent()
	if width <= ind || p.ls+width == p.le {
		return nil, false
	}
	var lines [][]byte
	last := 0 // the end of the last line with content
	for !p.eof {
		k := p.indent()
		if p.ls+k == p.le {
			if k > width {
				return nil, false
			}
			lines = append(lines, nil)
			p.nextLine()
			continue
		}
		if k < width {
			break
		}
		if style == yaml.FoldedStyle && k > width {
			return nil, false
		}
		lines = append(lines, p.src[p.ls+width:p.le])
		last = p.le
		p.nextLine()
	}
	if last == len(p.src) {
		return nil, false
	}
	for len(lines) > 0 && lines[len(lines)-1] == nil {
		lines = lines[:len(lines)-1]
	}
	var b []byte
	empty := 0 // blank lines since the last line with content
	for j, l := range lines {
		switch {
		case l == nil:
			empty++
			continue
		case j == 0:
		case style == yaml.LiteralStyle:
			b = append(b, strings.Repeat("\n", empty+1)...)
		case empty == 0:
			b = append(b, ' ')
		default:
			b = append(b, strings.Repeat("\n", empty)...)
		}
		empty = 0
		b = append(b, l...)
	}
	if !strip {
		b = append(b, '\n')
	}
	n.Value = string(b)
	return n, true
}

// Unmarshal is yaml.Unmarshal into a node: by Parse when data is in its
// subset, by the general parser otherwise (and for every error).
func Unmarshal(data []byte, n *yaml.Node) error {
	if doc, ok := Parse(data); ok {
		*n = *doc
		return nil
	}
	return yaml.Unmarshal(data, n)
}
