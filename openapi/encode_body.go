package openapi

// Request body serialization (OpenAPI 3.1 §4.8.13 Request Body, §4.8.14 Media
// Type, §4.8.15 Encoding Object; 3.2 Appendix E for percent-encoding).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime"
	"mime/multipart"
	"net/textproto"
	"slices"
	"strings"
)

const (
	mtJSON          = "application/json"
	mtForm          = "application/x-www-form-urlencoded"
	mtMultipartForm = "multipart/form-data"
	mtOctetStream   = "application/octet-stream"
	mtTextPlain     = "text/plain"
)

// mediaClass groups media types that serialize alike.
type mediaClass uint8

const (
	mcOpaque    mediaClass = iota // binary and unknown types: bytes as they are
	mcJSON                        // application/json, *+json
	mcForm                        // application/x-www-form-urlencoded
	mcMultipart                   // multipart/*
	mcXML                         // application/xml, text/xml, *+xml
	mcText                        // other text/*
	mcRange                       // a media range such as */* or application/*
)

// mediaEssence is the lower-case type/subtype of a media type, without
// parameters: "Application/JSON; charset=utf-8" -> "application/json".
func mediaEssence(mt string) string {
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func classifyMedia(ess string) mediaClass {
	switch {
	case strings.Contains(ess, "*"):
		return mcRange
	case ess == mtJSON || strings.HasSuffix(ess, "+json"):
		return mcJSON
	case ess == mtForm:
		return mcForm
	case strings.HasPrefix(ess, "multipart/"):
		return mcMultipart
	case ess == "application/xml" || ess == "text/xml" || strings.HasSuffix(ess, "+xml"):
		return mcXML
	case strings.HasPrefix(ess, "text/"):
		return mcText
	}
	return mcOpaque
}

// rangeMatches reports whether the media range r (type/*, */*, or a concrete
// type) includes the concrete media type ess; both are essences.
func rangeMatches(r, ess string) bool {
	if r == "*/*" || r == ess {
		return true
	}
	if typ, ok := strings.CutSuffix(r, "/*"); ok {
		return strings.HasPrefix(ess, typ+"/")
	}
	return false
}

// SelectMediaType chooses the media type of a request. With a contentType (the
// Arazzo requestBody's), it returns the declared media type with that essence,
// else the most specific declared range that includes it (application/* before
// */*), named contentType; when contentType is itself a range, the first declared
// type it includes. Without a contentType, it returns the only declared media
// type, else application/json when declared, else the first declared.
//
// ok is false when nothing declared fits: the result is then a MediaType built
// from contentType (application/json when contentType is empty), so the caller
// can still send the request and warn.
func (rb *RequestBody) SelectMediaType(contentType string) (MediaType, bool) {
	var content []MediaType
	if rb != nil {
		content = rb.Content
	}
	contentType = strings.TrimSpace(contentType)
	want := mediaEssence(contentType)
	if want == "" {
		switch len(content) {
		case 0:
			return MediaType{Name: mtJSON}, false
		case 1:
			return content[0], true
		}
		for _, mt := range content {
			if mediaEssence(mt.Name) == mtJSON {
				return mt, true
			}
		}
		return content[0], true
	}
	for _, mt := range content {
		if mediaEssence(mt.Name) == want {
			mt.Name = contentType
			return mt, true
		}
	}
	if classifyMedia(want) == mcRange {
		for _, mt := range content {
			if ess := mediaEssence(mt.Name); classifyMedia(ess) != mcRange && rangeMatches(want, ess) {
				return mt, true
			}
		}
	}
	best, bestScore := -1, 0
	for i, mt := range content {
		r := mediaEssence(mt.Name)
		score := 0
		switch {
		case r == "*/*":
			score = 1
		case strings.HasSuffix(r, "/*") && rangeMatches(r, want):
			score = 2
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best >= 0 {
		mt := content[best]
		mt.Name = contentType
		return mt, true
	}
	return MediaType{Name: contentType}, false
}

// EncodeBody serializes a request body value for the media type mt.Name (which
// may carry parameters such as charset; it is matched case-insensitively on its
// essence) and returns the body with the Content-Type to send:
//
//   - application/json and +json types: the value as compact JSON, object keys
//     sorted (OrderedObject values keep their order). A string that is already
//     JSON text, as Arazzo payload templates such as '{"petId": 1}' are, is sent
//     verbatim; any other string is sent as a JSON string. nil is "null".
//   - application/x-www-form-urlencoded: an object, one name=value pair per
//     property, following the Encoding Object of each property (see
//     encodeForm); a string is sent verbatim, as already encoded form data.
//   - multipart/*: an object, one part per property, with a deterministic
//     boundary (see encodeMultipart); the Content-Type carries the boundary.
//   - application/xml, text/xml, +xml: a string as it is; anything else is an
//     error, since XML payloads must be given as XML text.
//   - text/*: a string as it is, other primitives as text, arrays and objects
//     as JSON.
//   - application/octet-stream and any other type: []byte and strings as they
//     are, other primitives as text; arrays and objects are an error.
//
// A media range (*/*, application/*, text/*, multipart/*) is resolved from the
// value: []byte as application/octet-stream, a string that is not JSON as
// text/plain (application/octet-stream under application/*), anything else as
// application/json. Other ranges (image/*) are an error. For every type but
// JSON, nil is an empty body.
func EncodeBody(mt *MediaType, v any) (body []byte, contentType string, err error) {
	s := encSite{in: "body"}
	if mt == nil || strings.TrimSpace(mt.Name) == "" {
		return nil, "", s.errorf("no media type given")
	}
	name := strings.TrimSpace(mt.Name)
	ess := mediaEssence(name)
	if classifyMedia(ess) == mcRange {
		if ess, err = resolveRange(s, ess, v); err != nil {
			return nil, "", err
		}
		name = ess
	}
	switch classifyMedia(ess) {
	case mcForm:
		form, err := encodeForm(s, mt.Encoding, v, true)
		if err != nil {
			return nil, "", err
		}
		return []byte(form), name, nil
	case mcMultipart:
		return encodeMultipart(s, mt.Encoding, name, v)
	}
	if body, err = marshalMedia(s, ess, v); err != nil {
		return nil, "", err
	}
	return body, name, nil
}

// resolveRange picks the concrete media type to send for a media range.
func resolveRange(s encSite, r string, v any) (string, error) {
	val, _ := inspectValue(v) // an unsupported value fails later, with a better message
	bin := val.kind == valScalar && val.scalar == primBytes
	str, isStr := v.(string)
	textual := isStr && !json.Valid([]byte(str))
	switch r {
	case "*/*":
		switch {
		case bin:
			return mtOctetStream, nil
		case textual:
			return mtTextPlain, nil
		}
		return mtJSON, nil
	case "application/*":
		if bin || textual {
			return mtOctetStream, nil
		}
		return mtJSON, nil
	case "text/*":
		return mtTextPlain, nil
	case "multipart/*":
		return mtMultipartForm, nil
	}
	return "", s.errorf("media type %s is a range, not a type a request can be sent with; give the concrete media type as the requestBody contentType", r)
}

// marshalMedia serializes v as a single value of the media type ess (an
// essence): a whole body, a content-typed parameter, or one form property or
// multipart part with an Encoding contentType.
func marshalMedia(s encSite, ess string, v any) ([]byte, error) {
	switch classifyMedia(ess) {
	case mcJSON:
		return marshalJSONText(s, v)
	case mcForm:
		form, err := encodeForm(s, nil, v, true)
		return []byte(form), err
	case mcMultipart:
		return nil, s.errorf("a multipart value cannot be nested here")
	case mcRange:
		r, err := resolveRange(s, ess, v)
		if err != nil {
			return nil, err
		}
		return marshalMedia(s, r, v)
	}
	val, err := inspectValue(v)
	if err != nil {
		return nil, s.errorf("%v", err)
	}
	switch val.kind {
	case valNull:
		return []byte{}, nil
	case valScalar:
		if classifyMedia(ess) == mcXML && val.scalar != primString && val.scalar != primBytes {
			break
		}
		return []byte(val.text), nil
	}
	switch classifyMedia(ess) {
	case mcText:
		return marshalJSONText(s, v)
	case mcXML:
		return nil, s.errorf("an %s payload must be given as a string of XML text, got %s (objects are not converted to XML)", ess, withArticle(val.typeName()))
	}
	return nil, s.errorf("cannot send %s as %s; give the payload as a string or binary data", withArticle(val.typeName()), ess)
}

// marshalJSONText is the JSON text for v: strings and bytes that already are
// JSON text as they are, anything else encoded.
func marshalJSONText(s encSite, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		if json.Valid([]byte(x)) {
			return []byte(x), nil
		}
		return appendJSONString(nil, x), nil
	case []byte:
		if !json.Valid(x) {
			return nil, s.errorf("the binary payload is not JSON text")
		}
		return x, nil
	}
	b, err := appendJSON(nil, v, 0)
	if err != nil {
		return nil, s.wrap(err, "cannot serialize the value as JSON")
	}
	return b, nil
}

// styled reports whether the Encoding Object asks for RFC 6570-style
// serialization, which it does when style, explode or allowReserved is set;
// otherwise its contentType applies.
func (e Encoding) styled() bool {
	return e.Style != "" || e.Explode != nil || e.AllowReserved
}

// style returns the Encoding Object's style and explode with their defaults.
func (e Encoding) style() (string, bool) {
	style := e.Style
	if style == "" {
		style = "form"
	}
	if e.Explode != nil {
		return style, *e.Explode
	}
	return style, style == "form"
}

// partContentType is the first media type of an Encoding contentType, which
// may list several ("image/png, image/jpeg").
func partContentType(ct string) string {
	first, _, _ := strings.Cut(ct, ",")
	return strings.TrimSpace(first)
}

// encodeForm serializes v as application/x-www-form-urlencoded (WHATWG), a
// space written as "+" when plus is set and as %20 otherwise (in a URL).
//
// For each property, in key order (null properties are left out):
//
//   - If its Encoding Object sets style, explode or allowReserved, the property
//     is serialized as a query parameter of that style would be (default style
//     form, explode true), with %20 for spaces as in a query.
//   - Otherwise its value is serialized with the Encoding contentType, or by
//     default primitives as text and arrays and objects as JSON; an array
//     property gives one pair per item, each item serialized alone.
//
// A string or []byte value is sent verbatim, as already encoded form data.
func encodeForm(s encSite, encodings map[string]Encoding, v any, plus bool) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	val, err := inspectValue(v)
	if err != nil {
		return "", s.errorf("%v", err)
	}
	switch val.kind {
	case valNull:
		return "", nil
	case valObject:
	default:
		return "", s.errorf("a form payload must be an object (or an encoded form string), got %s", withArticle(val.typeName()))
	}
	esc := func(str string) string {
		out := escForm.escape(str)
		if !plus {
			out = strings.ReplaceAll(out, "+", "%20")
		}
		return out
	}
	var pairs []encPair
	for _, m := range val.members {
		sub := s.property(m.key)
		mv, err := inspectValue(m.value)
		if err != nil {
			return "", sub.errorf("%v", err)
		}
		if mv.kind == valNull {
			continue
		}
		enc := encodings[m.key]
		if enc.styled() {
			style, explode := enc.style()
			t := pairTarget{names: escStrict, data: escStrict}
			if enc.AllowReserved {
				t.data = escQueryReserved
			}
			switch style {
			case "form", "spaceDelimited", "pipeDelimited", "deepObject":
			default:
				return "", sub.errorf("style %s cannot be used in a form (use form, spaceDelimited, pipeDelimited or deepObject)", style)
			}
			more, err := expandPairs(sub, style, explode, m.key, mv, t)
			if err != nil {
				return "", err
			}
			pairs = append(pairs, more...)
			continue
		}
		ct := partContentType(enc.ContentType)
		values := []any{m.value}
		if mv.kind == valArray {
			values = mv.items
		}
		for _, item := range values {
			text, err := partBody(sub, ct, item)
			if err != nil {
				return "", err
			}
			pairs = append(pairs, encPair{esc(m.key), esc(string(text))})
		}
	}
	return joinPairs(pairs, "&"), nil
}

// partBody serializes one form property value or multipart part: with the
// media type ct when given, else primitives as text and arrays and objects as
// JSON (the Encoding Object's default contentType).
func partBody(s encSite, ct string, v any) ([]byte, error) {
	if ct != "" {
		return marshalMedia(s, mediaEssence(ct), v)
	}
	val, err := inspectValue(v)
	if err != nil {
		return nil, s.errorf("%v", err)
	}
	switch val.kind {
	case valNull:
		return []byte{}, nil
	case valScalar:
		return []byte(val.text), nil
	}
	return marshalJSONText(s, v)
}

// encPart is one part of a multipart body.
type encPart struct {
	header textproto.MIMEHeader
	body   []byte
}

// encodeMultipart serializes an object as a multipart body (RFC 7578), one part
// per property in key order, null properties left out:
//
//   - An array property gives one part per item, all with the property's name.
//   - A string or other primitive is a text part without Content-Type (text/plain
//     by RFC 7578's default, as browsers send fields).
//   - []byte is a file part: Content-Type application/octet-stream and a
//     filename equal to the property name.
//   - An array item or object is an application/json part.
//   - An Encoding contentType (its first entry when it lists several) replaces
//     these defaults; the value is serialized with that media type.
//   - An Encoding with style, explode or allowReserved gives the parts a query
//     parameter of that style would give pairs, without percent-encoding.
//   - Encoding headers are added to the part (except Content-Type, which the
//     specification says to ignore there; a Content-Disposition given there
//     replaces the generated one, e.g. to set a filename).
//
// The boundary is derived from a hash of the parts, so the same value always
// gives the same bytes, and is checked not to occur in any part.
func encodeMultipart(s encSite, encodings map[string]Encoding, name string, v any) ([]byte, string, error) {
	val, err := inspectValue(v)
	if err != nil {
		return nil, "", s.errorf("%v", err)
	}
	if val.kind != valObject && val.kind != valNull {
		return nil, "", s.errorf("a multipart payload must be an object, one property per part, got %s", withArticle(val.typeName()))
	}
	var parts []encPart
	for _, m := range val.members {
		sub := s.property(m.key)
		mv, err := inspectValue(m.value)
		if err != nil {
			return nil, "", sub.errorf("%v", err)
		}
		if mv.kind == valNull {
			continue
		}
		enc := encodings[m.key]
		if enc.styled() {
			style, explode := enc.style()
			pairs, err := expandPairs(sub, style, explode, m.key, mv, pairTarget{names: escNone, data: escNone, raw: true})
			if err != nil {
				return nil, "", err
			}
			for _, pr := range pairs {
				p, err := makePart(sub, pr.name, pr.value, Encoding{Headers: enc.Headers})
				if err != nil {
					return nil, "", err
				}
				parts = append(parts, p)
			}
			continue
		}
		values := []any{m.value}
		if mv.kind == valArray {
			values = mv.items
		}
		for _, item := range values {
			p, err := makePart(sub, m.key, item, enc)
			if err != nil {
				return nil, "", err
			}
			parts = append(parts, p)
		}
	}
	boundary, err := partsBoundary(s, parts)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return nil, "", s.wrap(err, "multipart boundary")
	}
	for _, p := range parts {
		pw, err := w.CreatePart(p.header)
		if err != nil {
			return nil, "", s.wrap(err, "multipart part")
		}
		if _, err := pw.Write(p.body); err != nil {
			return nil, "", s.wrap(err, "multipart part")
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", s.wrap(err, "multipart body")
	}
	params := map[string]string{}
	if _, ps, err := mime.ParseMediaType(name); err == nil {
		params = ps
	}
	params["boundary"] = boundary
	return buf.Bytes(), mime.FormatMediaType(mediaEssence(name), params), nil
}

// makePart builds the part for one value of the form field name.
func makePart(s encSite, name string, v any, enc Encoding) (encPart, error) {
	val, err := inspectValue(v)
	if err != nil {
		return encPart{}, s.errorf("%v", err)
	}
	header := textproto.MIMEHeader{}
	file := val.kind == valScalar && val.scalar == primBytes
	var body []byte
	ct := partContentType(enc.ContentType)
	switch {
	case ct != "":
		if classifyMedia(mediaEssence(ct)) == mcRange {
			if ct, err = resolveRange(s, mediaEssence(ct), v); err != nil {
				return encPart{}, err
			}
		}
		if classifyMedia(mediaEssence(ct)) == mcMultipart {
			return encPart{}, s.errorf("nested multipart parts are not supported")
		}
		if body, err = marshalMedia(s, mediaEssence(ct), v); err != nil {
			return encPart{}, err
		}
		header.Set("Content-Type", ct)
	case file:
		body = []byte(val.text)
		header.Set("Content-Type", mtOctetStream)
	case val.kind == valNull || val.kind == valScalar:
		body = []byte(val.text)
	default:
		if body, err = marshalJSONText(s, v); err != nil {
			return encPart{}, err
		}
		header.Set("Content-Type", mtJSON)
	}
	disposition := `form-data; name="` + escapeFormDataName(name) + `"`
	if file {
		disposition += `; filename="` + escapeFormDataName(name) + `"`
	}
	header.Set("Content-Disposition", disposition)
	keys := make([]string, 0, len(enc.Headers))
	for k := range enc.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		hv := enc.Headers[k]
		if hv == "" || strings.EqualFold(k, "Content-Type") {
			continue
		}
		if strings.ContainsAny(k, "\r\n:") || strings.ContainsAny(hv, "\r\n") {
			return encPart{}, s.errorf("the part header %q has a line break or colon in its name or a line break in its value", k)
		}
		header.Set(k, hv)
	}
	return encPart{header: header, body: body}, nil
}

// escapeFormDataName escapes a field or file name for a Content-Disposition
// quoted string as browsers do (WHATWG HTML, multipart/form-data encoding).
func escapeFormDataName(name string) string {
	return strings.NewReplacer("\r", "%0D", "\n", "%0A", `"`, "%22").Replace(name)
}

// partsBoundary derives a boundary from the content of the parts, and makes
// sure it occurs in none of them.
func partsBoundary(s encSite, parts []encPart) (string, error) {
	h := sha256.New()
	for _, p := range parts {
		keys := make([]string, 0, len(p.header))
		for k := range p.header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			h.Write([]byte(k + ": " + strings.Join(p.header[k], ", ") + "\r\n"))
		}
		h.Write([]byte("\r\n"))
		h.Write(p.body)
	}
	sum := h.Sum(nil)
	for range 16 {
		boundary := "arazzo-" + hex.EncodeToString(sum[:16])
		if !partsContain(parts, boundary) {
			return boundary, nil
		}
		next := sha256.Sum256(sum)
		sum = next[:]
	}
	return "", s.errorf("could not find a multipart boundary that does not occur in the content")
}

func partsContain(parts []encPart, boundary string) bool {
	for _, p := range parts {
		if bytes.Contains(p.body, []byte(boundary)) {
			return true
		}
		for _, vs := range p.header {
			for _, v := range vs {
				if strings.Contains(v, boundary) {
					return true
				}
			}
		}
	}
	return false
}
