package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/theory/jsonpath"
)

// applyReplacement sets val at the replacement's target inside the payload
// (Payload Replacement Object). Targets are JSON Pointers (RFC 6901), or JSONPath
// queries with targetSelectorType jsonpath (1.1), every selected node replaced. A
// payload written as JSON text is parsed first so that its members can be targeted.
func applyReplacement(payload any, rp *replacementPlan, val any) (any, error) {
	if s, ok := payload.(string); ok {
		d := json.NewDecoder(bytes.NewReader([]byte(s)))
		d.UseNumber()
		var parsed any
		if err := d.Decode(&parsed); err != nil {
			return nil, fmt.Errorf("the payload is not JSON, so target %q cannot be applied (XML payloads with XPath targets are not supported)", rp.target)
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
		return nil, fmt.Errorf("XPath replacement targets are not supported")
	}
	target := strings.TrimPrefix(rp.target, "#")
	if target != "" && !strings.HasPrefix(target, "/") {
		return nil, fmt.Errorf("target must be a JSON Pointer such as /pet/id")
	}
	return setPointer(payload, target, val)
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
