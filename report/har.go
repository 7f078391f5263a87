package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the HTTP exchanges
// of a run, for browser developer tools and HAR viewers. Built from the trace,
// so it is masked the same way. A request that got no response (connection
// refused, timeout) has status 0 and its error in _error, as browsers record it.
// The messages of AsyncAPI steps are entries too: method SUBSCRIBE, PUBLISH or
// RECEIVE, the channel's URL, and _message with the server and channel.

type harDoc struct {
	Log harLog `json:"log"`
}

type harLog struct {
	Version string     `json:"version"`
	Creator harCreator `json:"creator"`
	Pages   []harPage  `json:"pages"`
	Entries []harEntry `json:"entries"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harPage struct {
	StartedDateTime time.Time      `json:"startedDateTime"`
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	PageTimings     map[string]any `json:"pageTimings"`
}

type harEntry struct {
	PageRef         string         `json:"pageref"`
	StartedDateTime time.Time      `json:"startedDateTime"`
	Time            float64        `json:"time"`
	Request         harRequest     `json:"request"`
	Response        harResponse    `json:"response"`
	Cache           map[string]any `json:"cache"`
	Timings         harTimings     `json:"timings"`
	Comment         string         `json:"comment,omitempty"`
	Error           string         `json:"_error,omitempty"`
	// Message says where a message of an AsyncAPI step went (an entry's
	// method is then SUBSCRIBE, PUBLISH or RECEIVE, its URL the channel's).
	Message *Message `json:"_message,omitempty"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Cookies     []harNV      `json:"cookies"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	PostData    *harPostData `json:"postData,omitempty"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Cookies     []harNV    `json:"cookies"`
	Headers     []harNV    `json:"headers"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// truncated says a body was cut to what the record keeps.
func truncated(b *Body) string {
	if !b.Truncated {
		return ""
	}
	return fmt.Sprintf("truncated: the text holds the first bytes of %d", b.Size)
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

func toHAR(t *Record) *harDoc {
	const page = "run"
	h := &harDoc{Log: harLog{Version: "1.2", Creator: harCreator{Name: "arazzo", Version: t.Tool},
		Pages:   []harPage{{StartedDateTime: t.StartedAt, ID: page, Title: "workflow " + t.WorkflowID, PageTimings: map[string]any{}}},
		Entries: []harEntry{}}}
	for _, s := range t.Steps {
		for _, x := range s.Exchanges {
			if (x.Kind != ExchangeHTTP && x.Kind != ExchangeMessage) || x.Request == nil {
				continue
			}
			e := harEntry{PageRef: page, StartedDateTime: x.StartedAt, Time: x.DurationMS, Cache: map[string]any{},
				Timings: harTimings{Wait: x.DurationMS}, Comment: harComment(s, x), Error: x.Error,
				Request: harRequest{Method: x.Request.Method, URL: x.Request.URL, HTTPVersion: "HTTP/1.1", Cookies: []harNV{},
					Headers: harHeaders(x.Request.Headers), QueryString: harQuery(x.Request.URL), HeadersSize: -1, BodySize: 0},
				Response: harResponse{HTTPVersion: "HTTP/1.1", Cookies: []harNV{}, Headers: []harNV{}, HeadersSize: -1, BodySize: -1,
					Content: harContent{MimeType: "x-unknown"}}}
			if m := x.Message; m != nil {
				// A message: the protocol is the server's scheme, and the
				// entry carries its channel.
				e.Message = m
				proto, _, _ := strings.Cut(m.Server, ":")
				e.Request.HTTPVersion, e.Response.HTTPVersion = proto, proto
			}
			if b := x.Request.Body; b != nil {
				e.Request.BodySize = b.Size
				e.Request.PostData = &harPostData{MimeType: b.MimeType, Text: b.Text}
			}
			if r := x.Response; r != nil {
				e.Response.Status, e.Response.StatusText = r.Status, http.StatusText(r.Status)
				e.Response.Headers = harHeaders(r.Headers)
				e.Response.BodySize = 0
				if b := r.Body; b != nil {
					e.Response.BodySize = b.Size
					e.Response.Content = harContent{Size: b.Size, MimeType: b.MimeType, Text: b.Text, Encoding: b.Encoding, Comment: truncated(b)}
				}
				if e.Response.Content.MimeType == "" {
					e.Response.Content.MimeType = "x-unknown"
				}
			}
			h.Log.Entries = append(h.Log.Entries, e)
		}
	}
	return h
}

func harComment(s *Step, x *Exchange) string {
	c := "workflow " + s.WorkflowID + ", step " + s.StepID
	if x.Attempt > 1 {
		c += ", attempt " + strconv.Itoa(x.Attempt)
	}
	return c
}

func harHeaders(h http.Header) []harNV {
	out := []harNV{}
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			out = append(out, harNV{Name: k, Value: v})
		}
	}
	return out
}

func harQuery(u string) []harNV {
	out := []harNV{}
	pu, err := url.Parse(u)
	if err != nil {
		return out
	}
	for _, part := range strings.Split(pu.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNV{Name: k, Value: v})
	}
	return out
}

// WriteHAR writes the HTTP exchanges and messages of the record as HAR 1.2.
func WriteHAR(w io.Writer, rec *Record) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(toHAR(rec))
}
