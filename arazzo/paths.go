package arazzo

import (
	"strconv"
	"unsafe"
)

// joinPath appends a field to a document path: workflows[0] + "steps".
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// indexPath appends an index to a document path: steps + 2.
func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// pathChunk is the size of the blocks paths are cut from.
const pathChunk = 16 << 10

// paths makes document paths for the decoder and the checker: every node
// they visit has a path, needed only if a problem is found there, so the
// paths are cut from shared blocks instead of being allocated one by one. A
// block's bytes are never written again once a path covers them, so a path
// stays valid for as long as a diagnostic holds it.
type paths struct {
	// block is the current block; its free end follows len(block).
	block []byte
}

// join is joinPath, cut from a block.
func (ps *paths) join(path, key string) string {
	if path == "" {
		return key
	}
	b := ps.free(len(path) + 1 + len(key))
	if b == nil {
		return joinPath(path, key)
	}
	b = append(append(append(b, path...), '.'), key...)
	return ps.cut(b)
}

// index is indexPath, cut from a block.
func (ps *paths) index(path string, i int) string {
	b := ps.free(len(path) + 2 + 20)
	if b == nil {
		return indexPath(path, i)
	}
	b = append(strconv.AppendInt(append(append(b, path...), '['), int64(i), 10), ']')
	return ps.cut(b)
}

// free returns the free end of the current block, with room for n bytes,
// or nil when n is too long for a block.
func (ps *paths) free(n int) []byte {
	if n > pathChunk/8 {
		return nil
	}
	if cap(ps.block)-len(ps.block) < n {
		ps.block = make([]byte, 0, pathChunk)
	}
	return ps.block[len(ps.block):]
}

// cut turns what was appended to the block's free end into a string and
// moves the block's end past it.
func (ps *paths) cut(b []byte) string {
	ps.block = ps.block[:len(ps.block)+len(b)]
	return unsafe.String(unsafe.SliceData(b), len(b))
}
