package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
)

// bodyProblem explains why the body of a success (2xx) response that the
// step read could not be read as data: JSON that is empty, cut short or not
// JSON at all although its Content-Type says JSON, or a body of another type
// (an HTML error page) where a JSON pointer was applied. "" when there is none.
func (s *scope) bodyProblem() string {
	if !s.bodyDecoded || s.resp == nil || s.resp.Err != nil || s.resp.StatusCode/100 != 2 {
		return ""
	}
	ct := s.resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	body := bytes.TrimSpace(s.resp.Body)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		if len(body) == 0 {
			return fmt.Sprintf("the response body is empty, though its Content-Type is %s", mt)
		}
		d := json.NewDecoder(bytes.NewReader(body))
		var v any
		err := d.Decode(&v)
		if err == nil && d.More() {
			err = errors.New("more data after the JSON value")
		}
		switch {
		case err == nil:
			return ""
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return fmt.Sprintf("the response body is truncated JSON: it ends after %d bytes in the middle of a value (Content-Type %s)", len(s.resp.Body), mt)
		}
		return fmt.Sprintf("the response body is not valid JSON, though its Content-Type is %s: %v", mt, err)
	}
	if s.bodyPointer && mt != "" && mt != "application/x-www-form-urlencoded" {
		if _, ok := s.body.(string); ok {
			return fmt.Sprintf("the response is %s, not JSON: a JSON pointer cannot read it", mt)
		}
	}
	return ""
}
