package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The stdio transport of the MCP library ends the session at the first line
// that is not a JSON-RPC message. JSON-RPC 2.0 has the server answer such a
// line with an error (Parse error, Invalid Request; id null when the line
// has none) and go on, as the HTTP transport does with a 400. stdioLines
// stands between standard input and the library: it passes the lines that
// are messages on, answers the others itself, and skips blank ones.
type stdioLines struct {
	in   *bufio.Reader
	out  *lockedWriter // shared with the library's writes: one line at a time
	max  int
	next []byte // what is left of the current line for the library to read
}

// lockedWriter writes whole messages, one at a time: the library's and
// stdioLines' answers never interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error { return nil }

func newStdioTransport(stdin io.Reader, stdout io.Writer) *mcp.IOTransport {
	out := &lockedWriter{w: stdout}
	in := &stdioLines{in: bufio.NewReaderSize(stdin, 64<<10), out: out, max: mcp.DefaultMaxLineLength}
	return &mcp.IOTransport{Reader: io.NopCloser(in), Writer: out}
}

func (s *stdioLines) Read(p []byte) (int, error) {
	for len(s.next) == 0 {
		line, err := s.line()
		if err != nil {
			return 0, err
		}
		s.next = s.check(line)
	}
	n := copy(p, s.next)
	s.next = s.next[n:]
	return n, nil
}

// line reads the next line, without its line break. A line longer than max
// is answered as too long and read past.
func (s *stdioLines) line() ([]byte, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := s.in.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > s.max+2 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // the line goes on
		}
		if err != nil && (!errors.Is(err, io.EOF) || (len(buf) == 0 && !tooLong)) {
			return nil, err
		}
		if tooLong {
			s.answer(nil, jsonrpc.CodeInvalidRequest, fmt.Sprintf("Invalid Request: the message is longer than %d bytes", s.max))
			if err != nil {
				return nil, err
			}
			tooLong = false
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), nil
	}
}

// check returns the line for the library, with its line break, when it is a
// JSON-RPC message (or a batch of them, which the library judges); else it
// answers it and returns nil.
func (s *stdioLines) check(line []byte) []byte {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 {
		return nil
	}
	if !json.Valid(trimmed) {
		s.answer(nil, jsonrpc.CodeParseError, "Parse error: the line is not JSON")
		return nil
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		s.answer(nil, jsonrpc.CodeInvalidRequest, "Invalid Request: a JSON-RPC 2.0 message is a JSON object")
		return nil
	}
	if trimmed[0] == '{' {
		if _, err := jsonrpc.DecodeMessage(trimmed); err != nil {
			var probe struct {
				ID json.RawMessage `json:"id"`
			}
			_ = json.Unmarshal(trimmed, &probe)
			s.answer(probe.ID, jsonrpc.CodeInvalidRequest, "Invalid Request: "+err.Error())
			return nil
		}
	}
	return append(trimmed[:len(trimmed):len(trimmed)], '\n')
}

// answer writes a JSON-RPC error response; id is the request's when it could
// be read (a string or a number), else null.
func (s *stdioLines) answer(id json.RawMessage, code int64, msg string) {
	if len(id) == 0 || (id[0] != '"' && (id[0] < '0' || id[0] > '9') && id[0] != '-') {
		id = json.RawMessage("null")
	}
	var reply struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int64  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	reply.JSONRPC, reply.ID, reply.Error.Code, reply.Error.Message = "2.0", id, code, msg
	data, _ := json.Marshal(reply)
	_, _ = s.out.Write(append(data, '\n'))
}
