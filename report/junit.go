package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// JUnit XML (--report junit=FILE), the format CI systems read test results in:
// one <testsuite> per Arazzo document, one <testcase> per workflow execution
// (the run's workflow and each workflow it ran). A workflow that failed on its
// criteria is a <failure> naming each failed criterion and the value it saw; one
// that could not complete (transport error, timeout) is an <error>.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string          `xml:"name,attr"`
	Tests     int             `xml:"tests,attr"`
	Failures  int             `xml:"failures,attr"`
	Errors    int             `xml:"errors,attr"`
	Skipped   int             `xml:"skipped,attr"`
	Time      string          `xml:"time,attr"`
	Timestamp string          `xml:"timestamp,attr"`
	Props     *junitProps     `xml:"properties,omitempty"`
	Cases     []junitTestCase `xml:"testcase"`
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

func toJUnit(t *Record) *junitSuites {
	out := &junitSuites{Name: "arazzo", Time: seconds(t.DurationMS)}
	suites := map[string]*junitSuite{}
	var order []string
	for _, w := range t.Workflows {
		doc := w.Document
		if doc == "" {
			doc = t.Document
		}
		s := suites[doc]
		if s == nil {
			s = &junitSuite{Name: doc, Timestamp: w.StartedAt.UTC().Format("2006-01-02T15:04:05")}
			if doc == t.Document {
				s.Props = &junitProps{Props: []junitProp{{Name: "workflowId", Value: t.WorkflowID}}}
				if t.Title != "" {
					s.Props.Props = append(s.Props.Props, junitProp{Name: "title", Value: t.Title})
				}
			}
			suites[doc] = s
			order = append(order, doc)
		}
		tc := junitTestCase{Name: w.WorkflowID, ClassName: doc, Time: seconds(w.DurationMS)}
		var lines []string
		var failed []string
		errKind := ""
		for _, i := range w.Steps {
			st := t.Steps[i]
			lines = append(lines, plainStepLine(st))
			for _, c := range lastAttemptCriteria(st) {
				if !c.Pass {
					failed = append(failed, criterionDetail(st, c))
				}
			}
			for _, x := range st.Exchanges {
				if x.ErrorKind != "" {
					errKind = x.ErrorKind
				}
			}
		}
		if len(lines) > 0 {
			tc.SystemOut = &junitText{Text: strings.Join(lines, "\n")}
		}
		msg := w.Error
		switch w.Status {
		case "passed":
		case "failed":
			if msg == "" {
				msg = "workflow failed"
			}
			tc.Failure = &junitProblem{Message: msg, Type: "criteria", Text: strings.Join(failed, "\n")}
			if len(failed) == 0 {
				tc.Failure.Text = msg
			}
			s.Failures++
		default:
			if msg == "" {
				msg = "the workflow could not complete"
			}
			if errKind == "" {
				errKind = "error"
			}
			tc.Error = &junitProblem{Message: msg, Type: errKind, Text: msg}
			s.Errors++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	for _, doc := range order {
		s := suites[doc]
		// Workflows of other documents run inside the run's workflow: their
		// time is part of it, so each suite counts its own workflows only.
		total := t.DurationMS
		if doc != t.Document {
			total = 0
			for _, w := range t.Workflows {
				if w.Document == doc {
					total += w.DurationMS
				}
			}
		}
		s.Time = seconds(total)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Suites = append(out.Suites, *s)
	}
	return out
}

// lastAttemptCriteria are the criteria of a step's last attempt: earlier
// attempts were retried, so they did not decide the outcome.
func lastAttemptCriteria(s *Step) []Criterion {
	var out []Criterion
	for _, c := range s.Criteria {
		if c.Action != "" {
			continue // an action's criterion chooses the action; it does not fail the step
		}
		if c.Attempt == s.Attempts || s.Attempts == 0 {
			out = append(out, c)
		}
	}
	if len(out) == 0 && len(s.Criteria) > 0 {
		last := s.Criteria[len(s.Criteria)-1].Attempt
		for _, c := range s.Criteria {
			if c.Attempt == last && c.Action == "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// criterionDetail says which criterion failed and what it saw.
func criterionDetail(s *Step, c Criterion) string {
	line := fmt.Sprintf("step %s: criterion `%s` not met", s.StepID, c.Condition)
	if c.Type != "" && c.Type != "simple" {
		line += fmt.Sprintf(" (%s on %s)", c.Type, c.Context)
	}
	if c.Reason != "" {
		line += ": " + c.Reason
	}
	for _, o := range c.Operands {
		if o.Missing {
			line += fmt.Sprintf("\n  %s: (no value)", o.Expr)
			continue
		}
		line += fmt.Sprintf("\n  %s = %s", o.Expr, truncate(compact(o.Value), 500))
	}
	return line
}

// plainStepLine is a step as the progress display prints it.
func plainStepLine(s *Step) string {
	mark := "✓"
	if s.Status != "passed" {
		mark = "✗"
	}
	code := "-"
	if s.StatusCode != 0 {
		code = strconv.Itoa(s.StatusCode)
	}
	line := fmt.Sprintf("%s%s %s %s %s %.0fms", indent(s.Depth), mark, s.StepID, s.Operation, code, s.DurationMS)
	if s.Attempts > 1 {
		line += fmt.Sprintf(" (%d attempts)", s.Attempts)
	}
	if s.Action != "" {
		line += " → " + s.Action
	}
	if s.Error != "" && s.Status != "passed" {
		line += ": " + s.Error
	}
	return line
}

// WriteJUnit writes the record as JUnit XML, the format CI systems read
// test results in.
func WriteJUnit(w io.Writer, rec *Record) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(wellFormed(toJUnit(rec))); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// wellFormed makes every text of the report one XML can hold, whatever the
// document and the responses hold: a character XML 1.0 does not allow (ESC,
// other control characters, U+FFFE) is written as an escape (\x1b), as the
// text output shows it.
func wellFormed(out *junitSuites) *junitSuites {
	x := xmlText
	out.Name = x(out.Name)
	for i := range out.Suites {
		s := &out.Suites[i]
		s.Name = x(s.Name)
		if s.Props != nil {
			for j := range s.Props.Props {
				p := &s.Props.Props[j]
				p.Name, p.Value = x(p.Name), x(p.Value)
			}
		}
		for j := range s.Cases {
			c := &s.Cases[j]
			c.Name, c.ClassName = x(c.Name), x(c.ClassName)
			for _, p := range []*junitProblem{c.Failure, c.Error} {
				if p != nil {
					p.Message, p.Type, p.Text = x(p.Message), x(p.Type), x(p.Text)
				}
			}
			if c.SystemOut != nil {
				c.SystemOut.Text = x(c.SystemOut.Text)
			}
		}
	}
	return out
}

// xmlText escapes the characters XML 1.0 does not allow (its Char production).
func xmlText(s string) string {
	return escape(s, func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000
	})
}
