package arazzo

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// yamlText turns the bytes of a document into the UTF-8 text the YAML parser
// reads, keeping every line and column where it was:
//
//   - UTF-16, with a byte order mark or without (YAML 1.2 §5.2 tells it by
//     the zero bytes of its first, ASCII, character), is decoded;
//   - a UTF-8 byte order mark is dropped;
//   - a %YAML 1.2 directive, which the parser (a YAML 1.1 one) refuses, is
//     read as the comment it has the length of: the documents are read by
//     the YAML 1.2 rules they ask for already (no yes/no booleans).
//
// Text that is not UTF-8 is reported at the first byte that is not, and
// yamlText returns false.
func (d *decoder) yamlText(data []byte) ([]byte, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = decodeUTF16(data[2:], true)
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		data = decodeUTF16(data[2:], false)
	case len(data) >= 2 && data[0] == 0 && data[1] != 0:
		data = decodeUTF16(data, true)
	case len(data) >= 2 && data[0] != 0 && data[1] == 0:
		data = decodeUTF16(data, false)
	default:
		data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	}
	if off := invalidUTF8(data); off >= 0 {
		d.errorf(textPos(data, off), "", RuleYAMLSyntax,
			"the document is not UTF-8 text: byte 0x%02X here is not part of any character; save the file as UTF-8", data[off])
		return nil, false
	}
	if loc := yaml12Directive.FindSubmatchIndex(data); loc != nil {
		data = bytes.Clone(data)
		data[loc[2]] = '#' // the % of the directive
	}
	return data, true
}

// yaml12Directive is a %YAML 1.2 directive before the document starts.
var yaml12Directive = regexp.MustCompile(`\A(?:(?:#[^\n]*)?\r?\n|[ \t]*\r?\n)*(%)YAML[ \t]+1\.2[ \t]*(?:#[^\n]*)?\r?\n`)

func decodeUTF16(b []byte, bigEndian bool) []byte {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return []byte(string(utf16.Decode(u)))
}

// invalidUTF8 returns the offset of the first byte that is not UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// textPos is the line and column (in characters, both from 1) of a byte offset.
func textPos(b []byte, off int) Pos {
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	start := bytes.LastIndexByte(b[:off], '\n') + 1
	return Pos{Line: line, Col: 1 + utf8.RuneCount(b[start:off])}
}

// charAt returns the character at a position, and whether there is one.
func charAt(b []byte, p Pos) (rune, bool) {
	i := offsetOf(b, p)
	if i >= len(b) || textPos(b, i) != p {
		return 0, false
	}
	r, _ := utf8.DecodeRune(b[i:])
	return r, true
}

// yamlError reports the YAML parser's error with what the user wrote there:
// a tab where only spaces may be, a quote or bracket that is never closed (at
// the quote or bracket, not at the end of the file).
func (d *decoder) yamlError(text []byte, le *yaml.LoadError) {
	pos := Pos{Line: le.Mark.Line, Col: le.Mark.Column}
	ctx := Pos{Line: le.ContextMark.Line, Col: le.ContextMark.Column}
	msg := strings.TrimPrefix(le.Message, "yaml: ")
	atEnd := len(bytes.TrimRight(text, " \t\r\n")) <= offsetOf(text, pos)
	if r, ok := charAt(text, pos); ok && r == '\t' {
		d.errorf(pos, "", RuleYAMLSyntax, "invalid YAML: a tab character here; YAML indents with spaces only (replace the tab with spaces)")
		return
	}
	if open, ok := charAt(text, ctx); ok && ctx.IsValid() {
		closing := map[rune]rune{'[': ']', '{': '}'}[open]
		switch {
		case atEnd && strings.Contains(le.ContextMsg, "quoted scalar"):
			d.errorf(ctx, "", RuleYAMLSyntax, "invalid YAML: the string quoted here with %c is never closed: the document ends before the closing %c", open, open)
			return
		case closing != 0 && atEnd:
			d.errorf(ctx, "", RuleYAMLSyntax, "invalid YAML: this %c is never closed: the document ends before its %c", open, closing)
			return
		case closing != 0 && strings.Contains(le.ContextMsg, "flow"):
			d.errorf(ctx, "", RuleYAMLSyntax, "invalid YAML: this %c is not closed: at %d:%d the parser expected ',' or '%c' (quote the value if the %c is text)", open, pos.Line, pos.Col, closing, open)
			return
		}
	}
	if le.ContextMsg != "" {
		msg = le.ContextMsg + ": " + msg
		if ctx.IsValid() && ctx.Line != pos.Line {
			msg += fmt.Sprintf(" (it starts at %d:%d)", ctx.Line, ctx.Col)
		}
	}
	d.errorf(pos, "", RuleYAMLSyntax, "invalid YAML: %s", msg)
}

// offsetOf is the byte offset of a position (len(b) past the end).
func offsetOf(b []byte, p Pos) int {
	line, i := 1, 0
	for line < p.Line {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return len(b)
		}
		i += j + 1
		line++
	}
	for col := 1; col < p.Col && i < len(b) && b[i] != '\n'; col++ {
		_, n := utf8.DecodeRune(b[i:])
		i += n
	}
	return i
}
