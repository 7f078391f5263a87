package openapi

// Parameter serialization (OpenAPI 3.1 §4.8.12, "Style Values" and "Style
// Examples"; 3.2 §4.12.4).
//
// The renderings are those of the Style Examples table as corrected in OpenAPI
// 3.1.1 and kept in 3.2, which follows RFC 6570 where 3.1.0's table did not:
//
//   - label with explode false joins with commas (".blue,black,brown"); 3.1.0's
//     table showed ".blue.black.brown" for both explode values.
//   - Delimiters that RFC 3986 does not allow in a query are percent-encoded:
//     pipeDelimited gives "color=blue%7Cblack%7Cbrown" and deepObject gives
//     "color%5BR%5D=100&color%5BG%5D=200" (3.1.0 showed "|", "[" and "]" raw).
//     Servers decode both spellings alike.
//   - The "undefined" column (nil, an empty array or object) renders like the
//     empty string: ";color", ".", "" and "color=".
//
// Combinations the table marks n/a are errors: spaceDelimited and pipeDelimited
// with explode true or with a primitive or undefined value, deepObject with
// anything but an object, and a style used at a location that does not allow it
// (label in a query, form in a path, ...). deepObject ignores explode, as 3.2
// says, so descriptions that omit "explode: true" work.
//
// Beyond the table:
//
//   - Null array items and null property values are skipped, as RFC 6570 skips
//     undefined values.
//   - When the schema says the parameter is an array (Type "array") and the
//     value is a single primitive, it is sent as an array of that one value.
//   - Styles other than deepObject serialize one level: an array item or
//     property value that is itself an array or object is an error. deepObject
//     nests objects as "f[a][b]=1" and repeats the key for arrays of primitive
//     values ("f[tags]=a&f[tags]=b"); OpenAPI leaves both undefined.
//   - Parameter names are always percent-encoded (unreserved characters kept);
//     allowReserved applies to values and to object keys, which come from data.
//     With allowReserved, path values still encode "/", "?", "#", "[" and "]",
//     and query values still encode "#", which would otherwise change the
//     URL's structure. Percent-encoded triples pass through unchanged.
//   - Header values are not percent-encoded (3.2 says they MUST NOT be); a
//     value with a line break or other control character is an error.
//   - Cookies: style form (3.1's default) percent-encodes values, and explode
//     separates pairs with "; " rather than "&", which would make one cookie of
//     them (3.1.1 Appendix D calls "&" incorrect for cookies); style cookie
//     (3.2) is the same without percent-encoding, so values must be valid
//     cookie text already.
//   - Content-typed parameters (ContentType set) are serialized with that
//     media type (JSON compact), then percent-encoded in a path or query and
//     sent as they are in headers and cookies. For JSON, a string value is
//     sent as a JSON string when the schema type is "string", and as the JSON
//     text it contains when it parses as JSON otherwise.

import "strings"

// EncodePath returns the value for the {name} placeholder of a path template,
// percent-encoded for a path segment, according to the style (simple, label or
// matrix) and explode of the parameter. Label and matrix values include their
// "." or ";" prefix: for the array ["blue","black","brown"] the placeholder
// becomes "blue,black,brown" (simple), ".blue,black,brown" (label) or
// ";color=blue,black,brown" (matrix). A "/" in a value is always encoded,
// and so are the dots of a value that is nothing but dots ("." or ".."), which
// would otherwise be a dot segment that moves the request to another path.
func (p *Parameter) EncodePath(v any) (string, error) {
	s := p.site("path")
	if p.ContentType != "" {
		text, err := p.contentText(s, v)
		if err != nil {
			return "", err
		}
		return escapeDotSegment(escStrict.escape(text)), nil
	}
	style, explode := p.styleAt("path")
	switch style {
	case "simple", "label", "matrix":
	default:
		return "", s.errorf("style %s cannot be used in a path (use simple, label or matrix)", style)
	}
	val, err := p.viewOf(s, v)
	if err != nil {
		return "", err
	}
	data := escStrict
	if p.AllowReserved {
		data = escPathReserved
	}
	esc := func(v string) string { return escapeDotSegment(data.escape(v)) }
	return expandTemplate(s, style, explode, escStrict.escape(p.Name), val, esc)
}

// escapeDotSegment percent-encodes the dots of a path value made of dots only. RFC 3986 §5.2.4 removes "." and ".." segments when a URL is
// resolved, and servers and proxies normalise them the same way: a value ".."
// taken from a response would reach the parent path. "%2E%2E" is data.
func escapeDotSegment(s string) string {
	if s == "" || strings.Trim(s, ".") != "" {
		return s
	}
	return strings.Repeat("%2E", len(s))
}

// EncodeQuery returns the encoded query fragment for the parameter, without a
// leading "?" or "&": "id=3&id=4&id=5" (form, explode), "id=3,4,5" (form),
// "id=3%204%205" (spaceDelimited), "id=3%7C4%7C5" (pipeDelimited),
// "color%5BR%5D=100&color%5BG%5D=200" (deepObject). Values are percent-encoded
// per RFC 3986 (a space as %20), keeping only unreserved characters unless
// AllowReserved is set. An undefined value (nil, an empty array or object)
// renders as the table says, "id=": callers leave out optional parameters that
// have no value. An empty result means the value adds nothing to the query
// (deepObject with an empty object). For an "in: querystring" parameter
// (OpenAPI 3.2) it returns the whole query string, serialized with the
// parameter's media type (application/x-www-form-urlencoded by default).
func (p *Parameter) EncodeQuery(v any) (string, error) {
	if p.In == "querystring" {
		return p.encodeQueryString(v)
	}
	s := p.site("query")
	if p.ContentType != "" {
		text, err := p.contentText(s, v)
		if err != nil {
			return "", err
		}
		return escStrict.escape(p.Name) + "=" + escStrict.escape(text), nil
	}
	style, explode := p.styleAt("query")
	switch style {
	case "form", "spaceDelimited", "pipeDelimited", "deepObject":
	default:
		return "", s.errorf("style %s cannot be used in a query (use form, spaceDelimited, pipeDelimited or deepObject)", style)
	}
	val, err := p.viewOf(s, v)
	if err != nil {
		return "", err
	}
	t := pairTarget{names: escStrict, data: escStrict}
	if p.AllowReserved {
		t.data = escQueryReserved
	}
	pairs, err := expandPairs(s, style, explode, p.Name, val, t)
	if err != nil {
		return "", err
	}
	return joinPairs(pairs, "&"), nil
}

// encodeQueryString serializes the value of an "in: querystring" parameter.
func (p *Parameter) encodeQueryString(v any) (string, error) {
	s := p.site("querystring")
	ess := mediaEssence(p.ContentType)
	if ess == "" || ess == mtForm {
		return encodeForm(s, nil, v, false)
	}
	text, err := p.contentText(s, v)
	if err != nil {
		return "", err
	}
	return escStrict.escape(text), nil
}

// EncodeHeader returns the header value for the parameter (style simple):
// "blue,black,brown" for an array, "R,100,G,200" or with explode "R=100,G=200"
// for an object. Values are not percent-encoded; the header name is not part of
// the result.
func (p *Parameter) EncodeHeader(v any) (string, error) {
	s := p.site("header")
	var out string
	if p.ContentType != "" {
		text, err := p.contentText(s, v)
		if err != nil {
			return "", err
		}
		out = text
	} else {
		style, explode := p.styleAt("header")
		if style != "simple" {
			return "", s.errorf("style %s cannot be used for a header (use simple)", style)
		}
		val, err := p.viewOf(s, v)
		if err != nil {
			return "", err
		}
		if out, err = expandTemplate(s, style, explode, p.Name, val, escNone.escape); err != nil {
			return "", err
		}
	}
	for i := 0; i < len(out); i++ {
		if c := out[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return "", s.errorf("the value contains the control character %q, which cannot appear in an HTTP header", c)
		}
	}
	return out, nil
}

// EncodeCookie returns the cookie pair(s) for the parameter, to be joined to
// other cookies with "; " in a Cookie header. With style form (the default),
// values are percent-encoded: "color=blue,black,brown", and with explode
// "color=blue; color=black; color=brown" or for an object "R=100; G=200".
// Style cookie (OpenAPI 3.2) gives the same pairs without percent-encoding; a
// value that needs escaping must then be given escaped.
func (p *Parameter) EncodeCookie(v any) (string, error) {
	s := p.site("cookie")
	if !isCookieName(p.Name) {
		return "", s.errorf("%q is not a valid cookie name", p.Name)
	}
	if p.ContentType != "" {
		text, err := p.contentText(s, v)
		if err != nil {
			return "", err
		}
		if err := checkCookieValue(s, text); err != nil {
			return "", err
		}
		return p.Name + "=" + text, nil
	}
	style, explode := p.styleAt("cookie")
	var t pairTarget
	switch style {
	case "form":
		t = pairTarget{names: escNone, data: escStrict}
		if p.AllowReserved {
			t.data = escCookieReserved
		}
	case "cookie":
		t = pairTarget{names: escNone, data: escNone, raw: true}
	default:
		return "", s.errorf("style %s cannot be used for a cookie (use form or cookie)", style)
	}
	val, err := p.viewOf(s, v)
	if err != nil {
		return "", err
	}
	pairs, err := expandPairs(s, "form", explode, p.Name, val, t)
	if err != nil {
		return "", err
	}
	for _, pr := range pairs {
		if !isCookieName(pr.name) {
			return "", s.errorf("%q is not a valid cookie name", pr.name)
		}
		if err := checkCookieValue(s, pr.value); err != nil {
			return "", err
		}
	}
	return joinPairs(pairs, "; "), nil
}

func (p *Parameter) site(in string) encSite {
	return encSite{param: p.Name, in: in}
}

// styleAt returns the style and explode of the parameter, defaulting them for a
// Parameter built without the loader's defaults (Style "").
func (p *Parameter) styleAt(in string) (string, bool) {
	if p.Style != "" {
		return p.Style, p.Explode
	}
	if in == "query" || in == "cookie" {
		return "form", true
	}
	return "simple", p.Explode
}

// viewOf inspects v and applies the single-value-as-array rule.
func (p *Parameter) viewOf(s encSite, v any) (encView, error) {
	val, err := inspectValue(v)
	if err != nil {
		return encView{}, s.errorf("%v", err)
	}
	if p.Type == "array" && val.kind == valScalar {
		val = encView{kind: valArray, items: []any{v}}
	}
	return val, nil
}

// contentText serializes v with the parameter's media type.
func (p *Parameter) contentText(s encSite, v any) (string, error) {
	ess := mediaEssence(p.ContentType)
	class := classifyMedia(ess)
	if class == mcJSON && p.Type == "string" {
		if str, ok := v.(string); ok {
			return string(appendJSONString(nil, str)), nil
		}
	}
	if class == mcMultipart || class == mcRange {
		return "", s.errorf("content type %s cannot be used for a parameter", p.ContentType)
	}
	body, err := marshalMedia(s, ess, v)
	if err != nil {
		return "", err
	}
	if class == mcJSON {
		// JSON text given as a string may span lines; parameters must not.
		if body, err = compactJSONText(body); err != nil {
			return "", s.wrap(err, "invalid JSON")
		}
	}
	return string(body), nil
}

// flatValue is a value serialized by a one-level style, with null items and
// property values removed and primitives rendered as text (not yet encoded).
type flatValue struct {
	kind    encKind // valNull when RFC 6570 considers the value undefined
	text    string
	items   []string
	members [][2]string
}

// flattenValue prepares val for the one-level styles (all but deepObject).
func flattenValue(s encSite, style string, val encView) (flatValue, error) {
	switch val.kind {
	case valScalar:
		return flatValue{kind: valScalar, text: val.text}, nil
	case valArray:
		var items []string
		for i, item := range val.items {
			iv, err := inspectValue(item)
			if err != nil {
				return flatValue{}, s.errorf("array item %d: %v", i, err)
			}
			switch iv.kind {
			case valNull:
				continue
			case valScalar:
				items = append(items, iv.text)
			default:
				return flatValue{}, s.errorf("array item %d is %s; style %s can only serialize arrays of primitive values", i, withArticle(iv.typeName()), style)
			}
		}
		if len(items) == 0 {
			return flatValue{kind: valNull}, nil
		}
		return flatValue{kind: valArray, items: items}, nil
	case valObject:
		var members [][2]string
		for _, m := range val.members {
			mv, err := inspectValue(m.value)
			if err != nil {
				return flatValue{}, s.errorf("property %q: %v", m.key, err)
			}
			switch mv.kind {
			case valNull:
				continue
			case valScalar:
				members = append(members, [2]string{m.key, mv.text})
			default:
				return flatValue{}, s.errorf("property %q is %s; style %s can only serialize objects whose properties are primitive values", m.key, withArticle(mv.typeName()), style)
			}
		}
		if len(members) == 0 {
			return flatValue{kind: valNull}, nil
		}
		return flatValue{kind: valObject, members: members}, nil
	}
	return flatValue{kind: valNull}, nil
}

func withArticle(typeName string) string {
	switch typeName {
	case "array", "object":
		return "an " + typeName
	case "null", "binary data":
		return typeName
	}
	return "a " + typeName
}

// expandTemplate renders the RFC 6570 path-like styles: simple ({name}), label
// ({.name}) and matrix ({;name}), with the "*" modifier when explode is set.
// name is already encoded; esc encodes values and object keys.
func expandTemplate(s encSite, style string, explode bool, name string, val encView, esc func(string) string) (string, error) {
	fv, err := flattenValue(s, style, val)
	if err != nil {
		return "", err
	}
	// matrix is the one "named" operator here: name=value, or just name when
	// the value is empty (RFC 6570 ifemp "").
	named := func(n, v string) string {
		if v == "" {
			return ";" + n
		}
		return ";" + n + "=" + v
	}
	prefix, explodeSep := "", ","
	switch style {
	case "label":
		prefix, explodeSep = ".", "."
	case "matrix":
		prefix, explodeSep = ";", ";"
	}
	var b strings.Builder
	switch fv.kind {
	case valNull:
		if style == "matrix" {
			return ";" + name, nil
		}
		return prefix, nil
	case valScalar:
		if style == "matrix" {
			return named(name, esc(fv.text)), nil
		}
		return prefix + esc(fv.text), nil
	case valArray:
		if !explode {
			parts := make([]string, len(fv.items))
			for i, it := range fv.items {
				parts[i] = esc(it)
			}
			if style == "matrix" {
				return named(name, strings.Join(parts, ",")), nil
			}
			return prefix + strings.Join(parts, ","), nil
		}
		for i, it := range fv.items {
			switch {
			case style == "matrix":
				b.WriteString(named(name, esc(it)))
				continue
			case i == 0:
				b.WriteString(prefix)
			default:
				b.WriteString(explodeSep)
			}
			b.WriteString(esc(it))
		}
		return b.String(), nil
	}
	// object
	if !explode {
		parts := make([]string, 0, 2*len(fv.members))
		for _, m := range fv.members {
			parts = append(parts, esc(m[0]), esc(m[1]))
		}
		if style == "matrix" {
			return named(name, strings.Join(parts, ",")), nil
		}
		return prefix + strings.Join(parts, ","), nil
	}
	for i, m := range fv.members {
		k, v := esc(m[0]), esc(m[1])
		switch {
		case style == "matrix":
			b.WriteString(named(k, v))
			continue
		case i == 0:
			b.WriteString(prefix)
		default:
			b.WriteString(explodeSep)
		}
		b.WriteString(k + "=" + v)
	}
	return b.String(), nil
}

// encPair is one name=value pair of a query, form body, cookie or multipart
// body, encoded for its target.
type encPair struct {
	name, value string
}

// pairTarget says how a pair-producing style encodes what it writes.
type pairTarget struct {
	names escMode // the parameter (or property) name
	data  escMode // values and object keys
	raw   bool    // write the " ", "|", "[" and "]" delimiters unencoded
}

func (t pairTarget) delim(d string) string {
	if t.raw {
		return d
	}
	return escStrict.escape(d)
}

func joinPairs(pairs []encPair, sep string) string {
	var b strings.Builder
	for i, pr := range pairs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(pr.name)
		b.WriteByte('=')
		b.WriteString(pr.value)
	}
	return b.String()
}

// expandPairs renders the query styles form ({?name}, {?name*}),
// spaceDelimited, pipeDelimited and deepObject as name=value pairs.
func expandPairs(s encSite, style string, explode bool, name string, val encView, t pairTarget) ([]encPair, error) {
	n := t.names.escape(name)
	switch style {
	case "deepObject":
		if val.kind != valObject {
			return nil, s.errorf("style deepObject requires an object, got %s", val.typeName())
		}
		return deepPairs(s, n, name, val.members, t, 0, nil)
	case "spaceDelimited", "pipeDelimited":
		if explode {
			return nil, s.errorf("style %s is not defined with explode true; the description should set explode: false", style)
		}
		if val.kind != valArray && val.kind != valObject {
			return nil, s.errorf("style %s requires an array or object, got %s", style, val.typeName())
		}
	case "form":
	default:
		return nil, s.errorf("unknown style %q", style)
	}
	fv, err := flattenValue(s, style, val)
	if err != nil {
		return nil, err
	}
	sep := ","
	switch style {
	case "spaceDelimited":
		sep = t.delim(" ")
	case "pipeDelimited":
		sep = t.delim("|")
	}
	switch fv.kind {
	case valNull:
		return []encPair{{n, ""}}, nil
	case valScalar:
		return []encPair{{n, t.data.escape(fv.text)}}, nil
	case valArray:
		if explode {
			pairs := make([]encPair, len(fv.items))
			for i, it := range fv.items {
				pairs[i] = encPair{n, t.data.escape(it)}
			}
			return pairs, nil
		}
		parts := make([]string, len(fv.items))
		for i, it := range fv.items {
			parts[i] = t.data.escape(it)
		}
		return []encPair{{n, strings.Join(parts, sep)}}, nil
	}
	if explode {
		pairs := make([]encPair, len(fv.members))
		for i, m := range fv.members {
			pairs[i] = encPair{t.data.escape(m[0]), t.data.escape(m[1])}
		}
		return pairs, nil
	}
	parts := make([]string, 0, 2*len(fv.members))
	for _, m := range fv.members {
		parts = append(parts, t.data.escape(m[0]), t.data.escape(m[1]))
	}
	return []encPair{{n, strings.Join(parts, sep)}}, nil
}

// deepPairs renders deepObject members under prefix (encoded) / path (as
// written, for messages), nesting objects and repeating the key for arrays.
func deepPairs(s encSite, prefix, path string, members []encMember, t pairTarget, depth int, out []encPair) ([]encPair, error) {
	if depth > encMaxDepth {
		return nil, s.errorf("the value is nested more than %d levels deep (or contains a cycle)", encMaxDepth)
	}
	for _, m := range members {
		key := prefix + t.delim("[") + t.data.escape(m.key) + t.delim("]")
		keyPath := path + "[" + m.key + "]"
		mv, err := inspectValue(m.value)
		if err != nil {
			return nil, s.errorf("%s: %v", keyPath, err)
		}
		switch mv.kind {
		case valNull:
			continue
		case valScalar:
			out = append(out, encPair{key, t.data.escape(mv.text)})
		case valObject:
			if out, err = deepPairs(s, key, keyPath, mv.members, t, depth+1, out); err != nil {
				return nil, err
			}
		case valArray:
			for i, item := range mv.items {
				iv, err := inspectValue(item)
				if err != nil {
					return nil, s.errorf("%s item %d: %v", keyPath, i, err)
				}
				switch iv.kind {
				case valNull:
					continue
				case valScalar:
					out = append(out, encPair{key, t.data.escape(iv.text)})
				default:
					return nil, s.errorf("%s item %d is %s; style deepObject can only serialize arrays of primitive values", keyPath, i, withArticle(iv.typeName()))
				}
			}
		}
	}
	return out, nil
}

// isCookieName reports whether name is an RFC 6265 cookie-name (an RFC 9110
// token).
func isCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// checkCookieValue rejects what would break a Cookie header: control characters
// and ";", which starts the next cookie.
func checkCookieValue(s encSite, v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == 0x7f || c == ';' {
			return s.errorf("the value contains %q, which cannot appear in a cookie; escape it before sending (this style applies no percent-encoding)", c)
		}
	}
	return nil
}
