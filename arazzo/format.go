package arazzo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Formatters render diagnostics for people and for tools. Each writes the
// diagnostics in the order given (call Diagnostics.Sort first for a stable order)
// and never adds colour or terminal codes.

// TextOptions configures WriteText.
type TextOptions struct {
	// Files names every document that was checked, including those without
	// problems; it is used for the summary line. When nil, the files named by the
	// diagnostics are counted.
	Files []string
	// Snippets prints, under each diagnostic, the source line and a caret under the
	// column. It needs Source.
	Snippets bool
	// Source returns the content of a file, or nil when it is not available.
	Source func(file string) []byte
}

// WriteText writes one line per diagnostic,
//
//	file:line:col: error|warning: message (suggestion) [rule-id]
//
// optionally followed by the source line and a caret, then a summary line such as
// "3 errors, 1 warning in 2 files" or "no problems in 1 file".
func WriteText(w io.Writer, ds Diagnostics, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	lines := map[string][]string{}
	for _, d := range ds {
		bw.WriteString(d.Error())
		bw.WriteByte('\n')
		if opts.Snippets && opts.Source != nil && d.Pos.IsValid() {
			src, ok := lines[d.File]
			if !ok {
				if data := opts.Source(d.File); data != nil {
					src = strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
				}
				lines[d.File] = src
			}
			if d.Pos.Line <= len(src) {
				writeSnippet(bw, src[d.Pos.Line-1], d.Pos)
			}
		}
	}
	bw.WriteString(summary(ds, fileCount(ds, opts.Files)))
	bw.WriteByte('\n')
	return bw.Flush()
}

// writeSnippet prints a source line with its number and a caret under pos.Col.
func writeSnippet(w *bufio.Writer, line string, pos Pos) {
	line = strings.ReplaceAll(line, "\t", " ")
	num := strconv.Itoa(pos.Line)
	gutter := strings.Repeat(" ", len(num))
	fmt.Fprintf(w, " %s | %s\n", num, line)
	col := max(pos.Col-1, 0)
	if n := utf8.RuneCountInString(line); col > n {
		col = n
	}
	fmt.Fprintf(w, " %s | %s^\n", gutter, strings.Repeat(" ", col))
}

// fileCount is the number of documents checked.
func fileCount(ds Diagnostics, files []string) int {
	if files != nil {
		return len(files)
	}
	seen := map[string]bool{}
	for _, d := range ds {
		seen[d.File] = true
	}
	return len(seen)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// summary renders "3 errors, 1 warning in 2 files" or "no problems in 1 file".
func summary(ds Diagnostics, files int) string {
	errs, warns := len(ds.Errors()), len(ds.Warnings())
	if errs == 0 && warns == 0 {
		return "no problems in " + plural(files, "file")
	}
	return plural(errs, "error") + ", " + plural(warns, "warning") + " in " + plural(files, "file")
}

// JSONReport is the document WriteJSON writes (version 1 of the format).
type JSONReport struct {
	Version     int              `json:"version"`
	Files       int              `json:"files"`
	Errors      int              `json:"errors"`
	Warnings    int              `json:"warnings"`
	Diagnostics []JSONDiagnostic `json:"diagnostics"`
}

// JSONDiagnostic is one diagnostic in a JSONReport. Line and Column are 0 when the
// position is unknown.
type JSONDiagnostic struct {
	File       string `json:"file"`
	Line       int    `json:"line"`
	Column     int    `json:"column"`
	Severity   string `json:"severity"`
	Rule       string `json:"rule"`
	Path       string `json:"path"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion"`
}

// WriteJSON writes the diagnostics as a JSONReport. files names every document
// checked (nil: count the files named by the diagnostics).
func WriteJSON(w io.Writer, ds Diagnostics, files []string) error {
	r := JSONReport{Version: 1, Files: fileCount(ds, files), Errors: len(ds.Errors()), Warnings: len(ds.Warnings()),
		Diagnostics: make([]JSONDiagnostic, 0, len(ds))}
	for _, d := range ds {
		r.Diagnostics = append(r.Diagnostics, JSONDiagnostic{File: d.File, Line: d.Pos.Line, Column: d.Pos.Col,
			Severity: d.Severity.String(), Rule: d.Rule, Path: d.Path, Message: d.Message, Suggestion: d.Suggestion})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Where the rules are documented; SARIF results link to a rule's section.
const (
	informationURI = "https://github.com/arazzo-run/arazzo"
	rulesDocURI    = informationURI + "/blob/main/docs/rules.md"
)

// RuleHelpURI returns the address of a rule's entry in docs/rules.md.
func RuleHelpURI(rule string) string { return rulesDocURI + "#" + rule }

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	HelpURI          string       `json:"helpUri"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// WriteSARIF writes the diagnostics as a SARIF 2.1.0 log with one run, for code
// scanning services. Each rule used is described, with a link to docs/rules.md;
// file names become relative URIs.
func WriteSARIF(w io.Writer, ds Diagnostics) error {
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "arazzo", InformationURI: informationURI, Rules: []sarifRule{}}},
		ColumnKind: "unicodeCodePoints",
		Results:    make([]sarifResult, 0, len(ds)),
	}
	index := map[string]int{}
	for _, d := range ds {
		i, ok := index[d.Rule]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[d.Rule] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: d.Rule,
				ShortDescription: sarifMessage{Text: RuleDescription(d.Rule)}, HelpURI: RuleHelpURI(d.Rule)})
		}
		level := "error"
		if d.Severity == SeverityWarning {
			level = "warning"
		}
		msg := d.Text()
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: relativeURI(d.File)}}}
		if d.Pos.IsValid() {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: d.Pos.Line, StartColumn: max(d.Pos.Col, 1)}
		}
		run.Results = append(run.Results, sarifResult{RuleID: d.Rule, RuleIndex: i, Level: level,
			Message: sarifMessage{Text: msg}, Locations: []sarifLocation{loc}})
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// relativeURI turns a file name into a relative URI reference (slashes, escaped).
// An absolute file name is made relative to the working directory when possible;
// a URL is kept.
func relativeURI(file string) string {
	if isURL(file) {
		return file
	}
	return (&url.URL{Path: relativePath(file)}).String()
}

func isURL(file string) bool {
	u, err := url.Parse(file)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "file")
}

// relativePath is a file name relative to the working directory (the
// repository's root in CI) when the file is under it, with forward slashes.
func relativePath(file string) string {
	if filepath.IsAbs(file) {
		if wd, err := filepath.Abs("."); err == nil {
			if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
				file = rel
			}
		}
	}
	return filepath.ToSlash(file)
}

// WriteGitHub writes the diagnostics as GitHub Actions workflow commands, which
// show as annotations on a pull request:
//
//	::error file=F,line=L,col=C,title=RULE::message
func WriteGitHub(w io.Writer, ds Diagnostics) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		cmd := "error"
		if d.Severity == SeverityWarning {
			cmd = "warning"
		}
		file := d.File
		if !isURL(file) {
			file = relativePath(file) // annotations name files of the repository
		}
		props := []string{"file=" + escapeGitHubProperty(file)}
		if d.Pos.IsValid() {
			props = append(props, "line="+strconv.Itoa(d.Pos.Line), "col="+strconv.Itoa(d.Pos.Col))
		}
		props = append(props, "title="+escapeGitHubProperty(d.Rule))
		msg := d.Text()
		fmt.Fprintf(bw, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeGitHubData(msg))
	}
	return bw.Flush()
}

// escapeGitHubData escapes a workflow command's message: %, CR and LF.
func escapeGitHubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeGitHubProperty escapes a workflow command property value: as data, plus
// ':' and ','.
func escapeGitHubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the diagnostics as a JUnit XML report: one test suite per file,
// one test case per diagnostic (an error is a failure; a warning passes and is
// printed in system-out), and one passing test case for a file without problems.
// files names every document checked, so that clean ones are listed too.
func WriteJUnit(w io.Writer, ds Diagnostics, files []string) error {
	byFile := map[string]Diagnostics{}
	order := slices.Clone(files)
	for _, d := range ds {
		if _, ok := byFile[d.File]; !ok && !slices.Contains(order, d.File) {
			order = append(order, d.File)
		}
		byFile[d.File] = append(byFile[d.File], d)
	}
	out := junitSuites{Name: "arazzo"}
	for _, f := range order {
		suite := junitSuite{Name: f}
		for _, d := range byFile[f] {
			c := junitCase{Classname: f, Name: d.Rule + " at " + d.Pos.String()}
			text := d.Error()
			if d.Severity == SeverityError {
				c.Failure = &junitFailure{Message: d.Message, Type: d.Rule, Text: text}
				suite.Failures++
			} else {
				c.SystemOut = text
			}
			suite.Cases = append(suite.Cases, c)
		}
		if len(suite.Cases) == 0 {
			suite.Cases = append(suite.Cases, junitCase{Classname: f, Name: "valid"})
		}
		suite.Tests = len(suite.Cases)
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Suites = append(out.Suites, suite)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}
