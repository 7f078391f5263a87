package journal

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The records a run writes for every step — each request and response, its
// end — are encoded here by hand, field by field, instead of
// through encoding/json's reflection: it was most of the CPU the journal
// spent per step outside SQLite. Each encoder writes the bytes json.Marshal
// writes for the same value (TestEncodersMatchMarshal holds them to it), so
// the readers decode them with encoding/json as before.

// appendJSONString appends s as json.Marshal encodes a string. A string of
// characters that need no escape is copied; any other goes through
// json.Marshal, whose escapes (HTML characters, invalid UTF-8, U+2028) are
// the rule.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendKey appends "name": after a comma unless it is the object's first field.
func appendKey(b []byte, name string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func encodeSend(d *sendData) []byte {
	b := make([]byte, 0, 64+len(d.URL)+len(d.Fingerprint))
	b = append(b, `{"method":`...)
	b = appendJSONString(b, d.Method)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, d.URL)
	b = append(b, `,"idempotent":`...)
	b = strconv.AppendBool(b, d.Idempotent)
	b = append(b, `,"fingerprint":`...)
	b = appendJSONString(b, d.Fingerprint)
	return append(b, '}')
}

func encodeResponse(d *responseData) []byte {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	if d.StatusCode != 0 {
		b = strconv.AppendInt(appendKey(b, "status"), int64(d.StatusCode), 10)
	}
	if len(d.Header) > 0 {
		b = appendHeader(appendKey(b, "header"), d.Header)
	}
	if d.Err != "" {
		b = appendJSONString(appendKey(b, "err"), d.Err)
	}
	if d.ErrKind != "" {
		b = appendJSONString(appendKey(b, "errKind"), d.ErrKind)
	}
	if d.Started != 0 {
		b = strconv.AppendInt(appendKey(b, "startedNs"), d.Started, 10)
	}
	if d.Duration != 0 {
		b = strconv.AppendInt(appendKey(b, "durationNs"), d.Duration, 10)
	}
	if d.Omitted != "" {
		b = appendJSONString(appendKey(b, "omitted"), d.Omitted)
	}
	if d.Message != nil {
		m, _ := json.Marshal(d.Message) // strings and integers: always encodes
		b = append(appendKey(b, "message"), m...)
	}
	return append(b, '}')
}

// appendHeader appends h as json.Marshal encodes a map: keys sorted, a nil
// list of values as null.
func appendHeader(b []byte, h http.Header) []byte {
	var buf [32]string
	keys := buf[:0]
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, k), ':')
		vs := h[k]
		if vs == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// encodeStep encodes a step record; its outputs, which can hold any value,
// go through json.Marshal, and a record whose outputs do not encode is
// written as mustJSON writes it.
func encodeStep(d *stepData) []byte {
	var outputs []byte
	if len(d.Outputs) > 0 {
		var err error
		if outputs, err = json.Marshal(d.Outputs); err != nil {
			return mustJSON(d)
		}
	}
	b := make([]byte, 0, 128+len(d.URL)+len(outputs))
	b = append(b, `{"status":`...)
	b = appendJSONString(b, d.Status)
	if d.StatusCode != 0 {
		b = strconv.AppendInt(append(b, `,"statusCode":`...), int64(d.StatusCode), 10)
	}
	b = strconv.AppendInt(append(b, `,"attempts":`...), int64(d.Attempts), 10)
	if d.Operation != "" {
		b = appendJSONString(append(b, `,"operation":`...), d.Operation)
	}
	if d.Method != "" {
		b = appendJSONString(append(b, `,"method":`...), d.Method)
	}
	if d.URL != "" {
		b = appendJSONString(append(b, `,"url":`...), d.URL)
	}
	if d.Action != "" {
		b = appendJSONString(append(b, `,"action":`...), d.Action)
	}
	if outputs != nil {
		b = append(append(b, `,"outputs":`...), outputs...)
	}
	if d.Err != "" {
		b = appendJSONString(append(b, `,"err":`...), d.Err)
	}
	b = strconv.AppendInt(append(b, `,"durationNs":`...), d.Duration, 10)
	return append(b, '}')
}
