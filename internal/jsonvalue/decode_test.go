package jsonvalue

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/arazzo-run/arazzo/internal/benchdoc"
)

// reference is encoding/json's reading of data as one JSON text: the value
// its Decoder gives with UseNumber, and whether data is exactly one value.
func reference(data []byte) (any, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// check fails when Decode accepts what encoding/json rejects or gives
// another value; when full is set, also when Decode declines a text
// encoding/json reads.
func check(t *testing.T, data []byte, full bool) {
	t.Helper()
	got, ok := Decode(data)
	want, wantOK := reference(data)
	switch {
	case ok && !wantOK:
		t.Fatalf("Decode(%q) = %#v, but encoding/json rejects it", data, got)
	case ok && !reflect.DeepEqual(got, want):
		t.Fatalf("Decode(%q) = %#v, encoding/json gives %#v", data, got, want)
	case full && !ok && wantOK:
		t.Fatalf("Decode(%q) declined a text encoding/json reads as %#v", data, want)
	}
}

var cases = []string{
	// read by Decode
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `true`, `false`, `null`,
	` {"a" : 1 , "b":[1, 2 ,{"c":null}] } `, "\t\r\n[\n1\n]\n",
	`{"a":1,"a":2}`, `{"a":{"a":{"a":[[],[{}]]}}}`,
	`"plain ascii"`, `"é ☃ 𝄞"`, `"\u00e9\u2603"`, `"\ud834\udd1e"`, `"\"\\\/\b\f\n\r\t"`,
	`"\uD834\uDD1E"`, `"\ud834"`, `"\ud834x"`, `"\ud834\u0041"`, `"\udd1e\ud834"`, `"\ud834\ud834\udd1e"`,
	"\"\xff\"", "\"a\xc3\"", "\"\xed\xa0\x80\"", "\"\xef\xbf\xbd\"", "\"\x7f\"",
	`{"k\u00e9y":"v\nw"}`, `[1,"two",3.0,{"four":4}]`, `12345678901234567890123`,
	// declined by Decode (and by encoding/json)
	``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1 2]`, `01`, `1.`, `.5`, `+1`, `1e`, `1e+`,
	`-`, `--1`, `0x10`, `NaN`, `tru`, `truex`, `nul`, `"abc`, `"\x"`, `"\u12"`, `"\u12zz"`, "\"a\nb\"", "\"\x00\"",
	`{} {}`, `[] x`, `{"a":1}]`, "\xef\xbb\xbf{}", `'a'`, `[`, `["a",`, `{"a":`, `{"a"`,
}

func TestCases(t *testing.T) {
	for _, c := range cases {
		check(t, []byte(c), true)
	}
}

func TestDeepNesting(t *testing.T) {
	for _, n := range []int{MaxDepth, MaxDepth + 1, 10000, 10001} {
		data := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		_, ok := Decode(data)
		if ok != (n <= MaxDepth) {
			t.Errorf("depth %d: ok = %v", n, ok)
		}
		check(t, data, n <= MaxDepth)
		data = []byte(strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n))
		check(t, data, n <= MaxDepth)
	}
}

// TestProjectDocuments decodes every JSON file of the repository and the
// benchmark's response body, each compared with encoding/json.
func TestProjectDocuments(t *testing.T) {
	check(t, []byte(benchdoc.Item(42)), true)
	n := 0
	err := filepath.WalkDir(filepath.Join("..", ".."), func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "node_modules" || strings.HasPrefix(e.Name(), ".")) && path != filepath.Join("..", "..") {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		check(t, bytes.TrimSpace(data), true)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no JSON file found in the repository")
	}
}

// TestSharedCopy checks where the strings live: in a text up to SharedMax
// bytes, in one copy of it (two values are as far apart as in the text); in a
// longer one, each in its own allocation, so a value kept does not keep the
// text alive.
func TestSharedCopy(t *testing.T) {
	first, second := strings.Repeat("a", 24), strings.Repeat("b", 24)
	for _, size := range []int{1 << 10, SharedMax} {
		// "x" and "y" start 1,001 bytes apart in the text: an odd distance,
		// which two allocations of their own (8-byte aligned) cannot have.
		pad := strings.Repeat(" ", 1001-len(first)-len(`",`)-len(`"y": "`))
		text := `{"x": "` + first + `",` + pad + `"y": "` + second + `", "z": "` + strings.Repeat("c", size) + `"}`
		v, ok := Decode([]byte(text))
		if !ok {
			t.Fatalf("size %d: declined", size)
		}
		m := v.(map[string]any)
		x, y := m["x"].(string), m["y"].(string)
		if x != first || y != second {
			t.Fatalf("size %d: x %q y %q", size, x, y)
		}
		dist := uintptr(unsafe.Pointer(unsafe.StringData(y))) - uintptr(unsafe.Pointer(unsafe.StringData(x)))
		if shared := dist == 1001; shared != (len(text) <= SharedMax) {
			t.Errorf("text of %d bytes: strings %d bytes apart, shared = %v", len(text), dist, shared)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Add([]byte(benchdoc.Item(7)))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data, nesting(data) <= MaxDepth)
	})
}

// nesting returns the deepest nesting of brackets and braces in data, outside
// strings (an upper bound for texts that are not JSON).
func nesting(data []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// BenchmarkDecode reads the benchmark's response body (about 1 KiB) with
// Decode and, for comparison, with encoding/json as the runtime used to.
//
//	go test ./internal/jsonvalue -run '^$' -bench Decode -benchmem
func BenchmarkDecode(b *testing.B) {
	body := []byte(benchdoc.Item(12345))
	b.Run("jsonvalue", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, ok := Decode(body); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, ok := reference(body); !ok {
				b.Fatal("rejected")
			}
		}
	})
}
