package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"
)

// The HTML report (--report html=FILE) is one self-contained page: styles and
// script inline, no external assets, so it can be archived by CI and opened
// from disk. It shows a timeline of the step executions; each expands to its
// requests, responses, criteria and actions. It is rendered from the trace, so
// credentials are masked the same way.

//go:embed html.tmpl
var reportHTMLTemplate string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"duration": func(msv float64) string { return FormatDuration(time.Duration(msv * float64(time.Millisecond))) },
	"json":     func(v any) string { return prettyJSON(v) },
}).Parse(reportHTMLTemplate))

// htmlBodyLimit caps each body shown in the page.
const htmlBodyLimit = 64 << 10

type htmlReport struct {
	*Record
	Passed, Failed int
	Rows           []htmlRow
	InputNames     []string
	OutputNames    []string
	Started        string
}

type htmlRow struct {
	*Step
	Index     int
	Bar       template.CSS
	Exchanges []htmlExchange
}

type htmlExchange struct {
	*Exchange
	RequestHeaders  []harNV
	ResponseHeaders []harNV
	RequestBody     string
	ResponseBody    string
	StatusText      string
}

func toHTMLReport(t *Record) *htmlReport {
	r := &htmlReport{Record: t, Started: t.StartedAt.Format(time.RFC3339)}
	total := t.DurationMS
	if total <= 0 {
		total = 1
	}
	for i, s := range t.Steps {
		if s.Status == "passed" {
			r.Passed++
		} else {
			r.Failed++
		}
		left := float64(s.StartedAt.Sub(t.StartedAt).Microseconds()) / 1000 / total * 100
		width := s.DurationMS / total * 100
		left = clamp(left, 0, 100)
		width = clamp(width, 0.5, 100-left)
		row := htmlRow{Step: s, Index: i + 1, Bar: template.CSS(fmt.Sprintf("left:%.2f%%;width:%.2f%%", left, width))}
		for _, x := range s.Exchanges {
			if x.Request == nil {
				continue // the page shows HTTP exchanges
			}
			hx := htmlExchange{Exchange: x, RequestHeaders: harHeaders(x.Request.Headers), RequestBody: htmlBody(x.Request.Body)}
			if x.Response != nil {
				hx.ResponseHeaders = harHeaders(x.Response.Headers)
				hx.StatusText = http.StatusText(x.Response.Status)
				hx.ResponseBody = htmlBody(x.Response.Body)
			}
			row.Exchanges = append(row.Exchanges, hx)
		}
		r.Rows = append(r.Rows, row)
	}
	r.InputNames = sortedKeys(t.Inputs)
	r.OutputNames = sortedKeys(t.Outputs)
	return r
}

func clamp(v, lo, hi float64) float64 {
	if hi < lo {
		hi = lo
	}
	return min(max(v, lo), hi)
}

// htmlBody shows a body: JSON indented, the rest as text, long ones cut.
func htmlBody(b *Body) string {
	if b == nil {
		return ""
	}
	if b.Encoding == "base64" {
		return fmt.Sprintf("(%d bytes of binary data)", b.Size)
	}
	text := b.Text
	var v any
	if json.Unmarshal([]byte(text), &v) == nil {
		var buf bytes.Buffer
		if json.Indent(&buf, []byte(text), "", "  ") == nil {
			text = buf.String()
		}
	}
	if len(text) > htmlBodyLimit {
		text = truncate(text, htmlBodyLimit)
	}
	return text
}

func prettyJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// WriteHTML writes the record as one self-contained HTML page.
func WriteHTML(w io.Writer, rec *Record) error {
	return reportTemplate.Execute(w, toHTMLReport(rec))
}
