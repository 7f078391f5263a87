package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/theory/jsonpath"
)

// applyReplacement sets val at the replacement's target inside the payload
// (Payload Replacement Object). Targets are JSON Pointers (RFC 6901) into JSON
// payloads, XPath expressions into XML payloads (1.0.1: "A JSON Pointer or XPath
// Expression which MUST be resolved against the request body"), or with the 1.1
// targetSelectorType jsonpath, JSONPath queries; every node selected is replaced.
// A payload written as JSON text is parsed first so that its members can be
// targeted; an XML payload stays text.
func applyReplacement(payload any, rp *replacementPlan, val any) (any, error) {
	if s, ok := payload.(string); ok {
		trimmed := strings.TrimSpace(s)
		if rp.selectorType == "xpath" || (rp.selectorType == "" && strings.HasPrefix(trimmed, "<")) {
			return replaceXML(s, rp.target, val)
		}
		d := json.NewDecoder(bytes.NewReader([]byte(s)))
		d.UseNumber()
		var parsed any
		if err := d.Decode(&parsed); err != nil {
			return nil, fmt.Errorf("the payload is neither JSON nor XML text, so target %q cannot be applied", rp.target)
		}
		payload = parsed
	}
	switch rp.selectorType {
	case "jsonpath":
		p, err := jsonpath.Parse(rp.target)
		if err != nil {
			return nil, fmt.Errorf("invalid JSONPath target: %v", err)
		}
		nodes := p.SelectLocated(payload)
		if len(nodes) == 0 {
			return nil, fmt.Errorf("JSONPath target selects nothing in the payload")
		}
		for np := range nodes.Paths() {
			var err error
			if payload, err = setPointer(payload, np.Pointer(), val); err != nil {
				return nil, err
			}
		}
		return payload, nil
	case "xpath":
		return nil, fmt.Errorf("an XPath target needs an XML payload given as text, got %s", jsonType(payload))
	}
	target := strings.TrimPrefix(rp.target, "#")
	if target != "" && !strings.HasPrefix(target, "/") {
		return nil, fmt.Errorf("target must be a JSON Pointer such as /pet/id")
	}
	return setPointer(payload, target, val)
}

// replaceXML sets the text of every element, attribute or text node the XPath
// target selects in an XML payload to val, and returns the payload as XML text.
func replaceXML(payload, target string, val any) (any, error) {
	text, err := xmlText(val)
	if err != nil {
		return nil, err
	}
	doc, err := xmlquery.Parse(strings.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("the payload is not well-formed XML, so target %q cannot be applied: %v", target, err)
	}
	nodes, err := xmlquery.QueryAll(doc, target)
	if err != nil {
		return nil, fmt.Errorf("invalid XPath target: %v", err)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("XPath target selects nothing in the payload")
	}
	for _, n := range nodes {
		switch n.Type {
		case xmlquery.AttributeNode:
			n.Parent.SetAttr(n.Data, text)
		case xmlquery.ElementNode:
			for c := n.FirstChild; c != nil; {
				next := c.NextSibling
				xmlquery.RemoveFromTree(c)
				c = next
			}
			xmlquery.AddChild(n, &xmlquery.Node{Type: xmlquery.TextNode, Data: text})
		case xmlquery.TextNode, xmlquery.CharDataNode:
			n.Data = text
		default:
			return nil, fmt.Errorf("XPath target selects a node that has no text to replace")
		}
	}
	out := doc.OutputXML(false)
	if !strings.HasPrefix(strings.TrimSpace(payload), "<?xml") && strings.HasPrefix(out, "<?xml") {
		// The parser adds a declaration the payload did not have.
		if i := strings.Index(out, "?>"); i >= 0 {
			out = out[i+2:]
		}
	}
	return out, nil
}

// xmlText is the text a replacement value gives an XML node.
func xmlText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case map[string]any, []any:
		return "", fmt.Errorf("an XML target takes text, not %s", jsonType(v))
	}
	if _, ok := number(v); ok {
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("an XML target takes text, not %s", jsonType(v))
}

// setPointer sets the value at a JSON pointer, creating a missing last object
// member; "-" appends to an array.
func setPointer(doc any, ptr string, val any) (any, error) {
	if ptr == "" {
		return val, nil
	}
	toks := strings.Split(ptr[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	var set func(cur any, i int) (any, error)
	set = func(cur any, i int) (any, error) {
		t := toks[i]
		last := i == len(toks)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[t] = val
				return c, nil
			}
			child, ok := c[t]
			if !ok {
				return nil, fmt.Errorf("%s: no member %q", ptr, t)
			}
			nc, err := set(child, i+1)
			if err != nil {
				return nil, err
			}
			c[t] = nc
			return c, nil
		case []any:
			if t == "-" && last {
				return append(c, val), nil
			}
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 || n >= len(c) || (len(t) > 1 && t[0] == '0') {
				return nil, fmt.Errorf("%s: no element %q in an array of %d", ptr, t, len(c))
			}
			if last {
				c[n] = val
				return c, nil
			}
			nc, err := set(c[n], i+1)
			if err != nil {
				return nil, err
			}
			c[n] = nc
			return c, nil
		case nil:
			return nil, fmt.Errorf("%s: the payload is empty", ptr)
		}
		return nil, fmt.Errorf("%s: %q is inside a %s, not an object or array", ptr, t, jsonType(cur))
	}
	return set(doc, 0)
}
