package describe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/arazzo"
)

// edge styles
const (
	edgeSuccess = iota // solid
	edgeFailure        // dashed
	edgeCall           // dotted
	edgeMessage        // a message: from the step that sends it to the one that receives it
)

type graphNode struct {
	id    string
	label []string // lines
	kind  string   // start, step, send, receive, passed, failed
}

type graphEdge struct {
	from, to string
	label    string
	style    int
}

type graphCluster struct {
	id    string
	title string
	nodes []*graphNode
}

type graph struct {
	title    string
	clusters []*graphCluster
	edges    []graphEdge
	used     map[string]bool // terminal nodes some edge reaches
}

// buildGraph draws the roots and every workflow they reach, each once.
func buildGraph(roots ...*Workflow) *graph {
	g := &graph{title: roots[0].ID, used: map[string]bool{}}
	ids := map[string]string{} // file + "\x00" + workflow id → cluster id
	var views []*Workflow
	add := func(v *Workflow) string {
		key := v.File + "\x00" + v.ID
		if id, ok := ids[key]; ok {
			return id
		}
		id := "w" + strconv.Itoa(len(ids))
		ids[key] = id
		views = append(views, v)
		return id
	}
	resolve := func(l *Link) string {
		if l == nil || l.Target == nil {
			return ""
		}
		return add(l.Target)
	}
	for _, r := range roots {
		add(r)
	}
	type messageStep struct {
		node string
		m    *Message
	}
	var sends, receives []messageStep
	for i := 0; i < len(views); i++ {
		v := views[i]
		w := "w" + strconv.Itoa(i)
		c := &graphCluster{id: w, title: "workflow " + v.ID}
		g.clusters = append(g.clusters, c)
		start := w + "_start"
		c.nodes = append(c.nodes, &graphNode{id: start, label: []string{"start"}, kind: "start"})
		for j := range v.DependsOn {
			if dep := resolve(&v.DependsOn[j]); dep != "" {
				g.edge(dep+"_passed", start, "dependsOn", edgeCall)
			}
		}
		if len(v.Steps) == 0 {
			g.edge(start, w+"_passed", "", edgeSuccess)
		} else {
			g.edge(start, stepNode(w, v, v.Steps[0].ID), "", edgeSuccess)
		}
		for _, s := range v.Steps {
			n := stepNode(w, v, s.ID)
			label := []string{s.ID}
			if len(s.Errors) > 0 {
				label[0] += fmt.Sprintf(" ✗ %d error(s)", len(s.Errors))
			}
			switch {
			case s.Operation != nil:
				label = append(label, s.Operation.Method+" "+s.Operation.Path)
			case s.Workflow != nil:
				label = append(label, "workflow "+s.Workflow.Ref)
				if callee := resolve(s.Workflow); callee != "" {
					g.edge(n, callee+"_start", "runs", edgeCall)
				}
			}
			kind := "step"
			if m := s.Message; m != nil {
				kind = m.Action
				label = append(label, m.Action+" "+m.Address)
				if m.Action == "receive" {
					receives = append(receives, messageStep{n, m})
				} else {
					sends = append(sends, messageStep{n, m})
				}
			}
			c.nodes = append(c.nodes, &graphNode{id: n, label: label, kind: kind})
			for _, d := range s.DependsOn {
				dep, _ := arazzo.ParseStepDependency(d)
				if local, ok := dep.LocalTo(v.ID); ok {
					g.edge(stepNode(w, v, local), n, "dependsOn", edgeCall)
				}
			}
			for _, t := range s.Transitions {
				style := edgeSuccess
				if !t.OnSuccess {
					style = edgeFailure
				}
				switch t.Kind {
				case TransitionNext:
					g.edge(n, stepNode(w, v, t.Step), "", style)
				case TransitionEnd:
					to := w + "_passed"
					if !t.OnSuccess {
						to = w + "_failed"
					}
					label := t.Action
					if label == "" && !t.OnSuccess {
						label = "failure"
					}
					g.edge(n, to, withCriteria(label, t.Criteria), style)
				case TransitionGoto:
					to := ""
					if t.Step != "" {
						to = stepNode(w, v, t.Step)
					} else if t.Workflow != nil {
						if callee := resolve(t.Workflow); callee != "" {
							to = callee + "_start"
						}
					}
					if to != "" {
						g.edge(n, to, withCriteria("goto "+t.Action, t.Criteria), style)
					}
				case TransitionRetry:
					label := fmt.Sprintf("retry %s ≤%d", t.Action, t.RetryLimit)
					if t.RetryAfter > 0 {
						label += fmt.Sprintf(" after %gs", t.RetryAfter)
					}
					g.edge(n, n, withCriteria(label, t.Criteria), style)
					if t.Step != "" {
						g.edge(n, stepNode(w, v, t.Step), "first, then retry", style)
					} else if t.Workflow != nil {
						if callee := resolve(t.Workflow); callee != "" {
							g.edge(n, callee+"_start", "first, then retry", edgeCall)
						}
					}
				}
			}
		}
		for _, end := range []string{"passed", "failed"} {
			if id := w + "_" + end; g.used[id] {
				c.nodes = append(c.nodes, &graphNode{id: id, label: []string{end}, kind: end})
			}
		}
	}
	// A message edge goes from each step that sends to a channel to each step
	// that receives on it, or receives the reply of the operation it sends.
	for _, r := range receives {
		for _, snd := range sends {
			same := snd.m.Source == r.m.Source && snd.m.SourceURL == r.m.SourceURL
			if same && (snd.m.Channel == r.m.Channel || (r.m.Reply && !snd.m.Reply && snd.m.Operation != "" && snd.m.Operation == r.m.Operation)) {
				g.edge(snd.node, r.node, "message on "+r.m.Address, edgeMessage)
			}
		}
	}
	return g
}

func stepNode(w string, v *Workflow, stepID string) string {
	for i, s := range v.Steps {
		if s.ID == stepID {
			return w + "_s" + strconv.Itoa(i)
		}
	}
	return w + "_unknown"
}

func withCriteria(label string, criteria []string) string {
	if len(criteria) == 0 {
		return label
	}
	c := strings.Join(criteria, " && ")
	if label == "" {
		return c
	}
	return label + ": " + c
}

func (g *graph) edge(from, to, label string, style int) {
	g.used[from], g.used[to] = true, true
	g.edges = append(g.edges, graphEdge{from: from, to: to, label: label, style: style})
}

// WriteMermaid draws the control flow of the workflows and of every workflow
// they reach as a Mermaid flowchart: one node per step, solid edges taken on
// success, dashed ones on failure, thick ones to another workflow, and a
// message edge ending in a circle from a step that sends to a step that
// receives. It pastes into GitHub Markdown inside a mermaid code block.
func WriteMermaid(w io.Writer, roots ...*Workflow) error {
	if len(roots) == 0 {
		return errNoWorkflow
	}
	var b bytes.Buffer
	buildGraph(roots...).writeMermaid(&b)
	_, err := w.Write(b.Bytes())
	return err
}

// WriteDOT draws the same graph as WriteMermaid as a Graphviz digraph
// (dot -Tsvg renders it); edges to another workflow are dotted.
func WriteDOT(w io.Writer, roots ...*Workflow) error {
	if len(roots) == 0 {
		return errNoWorkflow
	}
	var b bytes.Buffer
	buildGraph(roots...).writeDOT(&b)
	_, err := w.Write(b.Bytes())
	return err
}

var errNoWorkflow = errors.New("describe: no workflow to draw")

// writeMermaid renders a Mermaid flowchart. Labels are quoted, with the
// characters Mermaid would read as syntax written as entity codes.
func (g *graph) writeMermaid(w io.Writer) {
	fmt.Fprintln(w, "flowchart TD")
	for _, c := range g.clusters {
		fmt.Fprintf(w, "  subgraph %s [\"%s\"]\n", c.id, mermaidText(c.title))
		for _, n := range c.nodes {
			text := make([]string, len(n.label))
			for i, l := range n.label {
				text[i] = mermaidText(l)
			}
			label := strings.Join(text, "<br/>")
			switch n.kind {
			case "start":
				fmt.Fprintf(w, "    %s([\"%s\"])\n", n.id, label)
			case "passed", "failed":
				fmt.Fprintf(w, "    %s([\"%s\"])\n", n.id, label)
			case "send":
				fmt.Fprintf(w, "    %s>\"%s\"]\n", n.id, label)
			case "receive":
				fmt.Fprintf(w, "    %s[/\"%s\"/]\n", n.id, label)
			default:
				fmt.Fprintf(w, "    %s[\"%s\"]\n", n.id, label)
			}
		}
		fmt.Fprintln(w, "  end")
	}
	for _, e := range g.edges {
		arrow := "-->"
		switch e.style {
		case edgeFailure:
			arrow = "-.->"
		case edgeCall:
			arrow = "==>"
		case edgeMessage:
			arrow = "--o"
		}
		if e.label == "" {
			fmt.Fprintf(w, "  %s %s %s\n", e.from, arrow, e.to)
		} else {
			fmt.Fprintf(w, "  %s %s|\"%s\"| %s\n", e.from, arrow, mermaidText(e.label), e.to)
		}
	}
	for _, c := range g.clusters {
		for _, n := range c.nodes {
			if n.kind == "passed" || n.kind == "failed" {
				fmt.Fprintf(w, "  class %s %s\n", n.id, n.kind)
			}
		}
	}
	fmt.Fprintln(w, "  classDef passed fill:#dafbe1,stroke:#1a7f37")
	fmt.Fprintln(w, "  classDef failed fill:#ffebe9,stroke:#cf222e")
}

// mermaidText escapes text for a quoted Mermaid label. Labels are HTML, so
// the characters HTML reads as markup are written as HTML entities, which
// every Mermaid renderer decodes (Mermaid's own #quot; codes are not decoded
// by all of them); a double quote would end the label.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("&quot;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r':
			b.WriteString(" ")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeDOT renders a Graphviz digraph.
func (g *graph) writeDOT(w io.Writer) {
	fmt.Fprintf(w, "digraph %s {\n", dotQuote(g.title))
	fmt.Fprintln(w, `  rankdir=TB;`)
	fmt.Fprintln(w, `  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];`)
	fmt.Fprintln(w, `  edge [fontname="Helvetica", fontsize=9];`)
	for _, c := range g.clusters {
		fmt.Fprintf(w, "  subgraph cluster_%s {\n", c.id)
		fmt.Fprintf(w, "    label=%s;\n", dotQuote(c.title))
		fmt.Fprintln(w, `    style="rounded,dashed"; color="#8c959f";`)
		for _, n := range c.nodes {
			attrs := "label=" + dotQuote(strings.Join(n.label, "\n"))
			switch n.kind {
			case "start":
				attrs += `, shape=oval, style=filled, fillcolor="#eaeef2"`
			case "passed":
				attrs += `, shape=oval, style=filled, fillcolor="#dafbe1", color="#1a7f37"`
			case "failed":
				attrs += `, shape=oval, style=filled, fillcolor="#ffebe9", color="#cf222e"`
			case "send":
				attrs += `, shape=cds, style=""`
			case "receive":
				attrs += `, shape=parallelogram, style=""`
			}
			fmt.Fprintf(w, "    %s [%s];\n", n.id, attrs)
		}
		fmt.Fprintln(w, "  }")
	}
	for _, e := range g.edges {
		var attrs []string
		if e.label != "" {
			attrs = append(attrs, "label="+dotQuote(e.label))
		}
		switch e.style {
		case edgeFailure:
			attrs = append(attrs, "style=dashed", `color="#cf222e"`)
		case edgeCall:
			attrs = append(attrs, "style=dotted")
		case edgeMessage:
			attrs = append(attrs, "style=dashed", `color="#0969da"`, "arrowhead=odot", "constraint=false")
		}
		if len(attrs) == 0 {
			fmt.Fprintf(w, "  %s -> %s;\n", e.from, e.to)
		} else {
			fmt.Fprintf(w, "  %s -> %s [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
		}
	}
	fmt.Fprintln(w, "}")
}

// dotQuote writes a DOT quoted string: quotes and backslashes escaped,
// newlines as \n line breaks.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
