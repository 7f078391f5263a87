package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/runtime"
)

// verboseBodyLimit caps each body --verbose prints.
const verboseBodyLimit = 4 << 10

// exchangeLines renders an HTTP exchange for --verbose: the request as sent
// (with the credentials the driver added, masked), then the response.
func exchangeLines(e *runtime.Event, m masker) []string {
	req, resp := e.Request, e.Response
	if req == nil || resp == nil {
		return nil
	}
	pad := indent(e.Depth) + "    "
	url, header := m.url(req.URL, req.Security), m.header(req.Header, req.Security)
	if resp.Sent != nil {
		url, header = m.url(resp.Sent.URL.String(), req.Security), m.header(resp.Sent.Header, req.Security)
	}
	lines := []string{fmt.Sprintf("%s→ %s %s", pad, req.Method, url)}
	lines = append(lines, headerLines(pad+"  ", header)...)
	lines = append(lines, bodyLines(pad+"  ", req.Body, header.Get("Content-Type"), m)...)
	if resp.Err != nil {
		kind := ""
		if resp.ErrKind != "" {
			kind = " (" + resp.ErrKind + ")"
		}
		return append(lines, fmt.Sprintf("%s← no response after %s: %s%s", pad, formatDuration(resp.Duration), m.text(resp.Err.Error()), kind))
	}
	lines = append(lines, fmt.Sprintf("%s← %d %s (%s)", pad, resp.StatusCode, http.StatusText(resp.StatusCode), formatDuration(resp.Duration)))
	rh := m.header(resp.Header, req.Security)
	lines = append(lines, headerLines(pad+"  ", rh)...)
	return append(lines, bodyLines(pad+"  ", resp.Body, rh.Get("Content-Type"), m)...)
}

func headerLines(pad string, h http.Header) []string {
	var out []string
	for _, k := range sortedHeaderNames(h) {
		for _, v := range h[k] {
			out = append(out, fmt.Sprintf("%s%s: %s", pad, k, v))
		}
	}
	return out
}

// bodyLines shows a body up to verboseBodyLimit: JSON indented, text as is,
// anything else as its size.
func bodyLines(pad string, body []byte, contentType string, m masker) []string {
	if len(body) == 0 {
		return nil
	}
	if !utf8.Valid(body) {
		return []string{fmt.Sprintf("%s(%d bytes of %s)", pad, len(body), orUnknown(contentType))}
	}
	text := string(body)
	if json.Valid(body) {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			text = buf.String()
		}
	}
	text = m.text(text)
	cut := ""
	if len(text) > verboseBodyLimit {
		cut = fmt.Sprintf("… (%d bytes in all)", len(body))
		text = truncateBytes(text, verboseBodyLimit)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		out = append(out, pad+stripControl(l))
	}
	if cut != "" {
		out = append(out, pad+cut)
	}
	return out
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// stripControl keeps response bodies from moving the cursor or changing colours.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func orUnknown(s string) string {
	if s == "" {
		return "data"
	}
	return s
}

// operandLines show the values a criterion saw, for --verbose.
func operandLines(depth int, c runtime.CriterionResult, m masker) []string {
	var out []string
	for _, o := range c.Operands {
		v := "(no value)"
		if !o.Missing {
			v = truncate(compact(m.value(o.Value)), 300)
		}
		out = append(out, fmt.Sprintf("%s        %s = %s", indent(depth), o.Expr, stripControl(v)))
	}
	return out
}

// verbosePrinter prints the exchanges and criteria of a run to stderr when
// stdout carries JSON.
type verbosePrinter struct {
	mu sync.Mutex
	w  io.Writer
	m  masker
}

func (p *verbosePrinter) Event(e *runtime.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case runtime.EventResponse:
		for _, l := range exchangeLines(e, p.m) {
			fmt.Fprintln(p.w, l)
		}
	case runtime.EventStepFinished:
		fmt.Fprintln(p.w, p.m.text(stepLine(e.Step)))
		for _, c := range e.Step.Criteria {
			fmt.Fprintln(p.w, p.m.text(criterionLine(e.Step.Depth, c)))
			for _, l := range operandLines(e.Step.Depth, c, p.m) {
				fmt.Fprintln(p.w, l)
			}
		}
	}
}
