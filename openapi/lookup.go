package openapi

import (
	"fmt"
	"net/url"
	"strings"
)

// LookupError is the error of Document.OperationAt.
type LookupError struct {
	Pointer string // the pointer as given
	// Path is the path template looked up; "" when the pointer is not of the form
	// /paths/{path}/{method}.
	Path string
	// Method is the method looked up, when the path exists.
	Method string
	// Methods lists the methods the path has, when the method was not found.
	Methods []string
	Msg     string
}

func (e *LookupError) Error() string { return e.Msg }

// Operation returns the operation with the operationId id, or nil.
func (d *Document) Operation(id string) *Operation {
	if d == nil {
		return nil
	}
	return d.byID[id]
}

// Operations returns every operation: paths in the order the document writes them,
// and within a path the methods in the order get, put, post, delete, options, head,
// patch, trace. The slice is a copy; the operations are shared.
func (d *Document) Operations() []*Operation {
	if d == nil {
		return nil
	}
	return append([]*Operation(nil), d.operations...)
}

// OperationAt returns the operation a JSON pointer designates, as written after the
// '#' of an Arazzo operationPath: /paths/~1pets~1{petId}/get. The pointer may be
// percent-encoded (/paths/~1pets~1%7BpetId%7D/get). Reference tokens are unescaped
// per RFC 6901 (~1 is '/', ~0 is '~'); the path template must match exactly, the
// method in any case.
func (d *Document) OperationAt(pointer string) (*Operation, error) {
	if d == nil {
		return nil, &LookupError{Pointer: pointer, Msg: "no document"}
	}
	op, err := d.operationAt(pointer)
	if err == nil {
		return op, nil
	}
	if dec, derr := url.PathUnescape(pointer); derr == nil && dec != pointer {
		op, derr := d.operationAt(dec)
		if derr == nil {
			return op, nil
		}
		if err.Methods == nil { // the raw pointer did not even find the path
			derr.Pointer = pointer
			return nil, derr
		}
	}
	return nil, err
}

func (d *Document) operationAt(pointer string) (*Operation, *LookupError) {
	rest, ok := strings.CutPrefix(pointer, "/paths/")
	if !ok {
		return nil, &LookupError{Pointer: pointer, Msg: fmt.Sprintf("operation pointer %q does not start with /paths/", pointer)}
	}
	tokens := strings.Split(rest, "/")
	if len(tokens) != 2 && !(len(tokens) == 3 && tokens[1] == "additionalOperations") {
		return nil, &LookupError{Pointer: pointer, Msg: fmt.Sprintf(
			"operation pointer %q is not of the form /paths/{path}/{method} (a '/' in the path is written ~1)", pointer)}
	}
	path := unescapePointerToken(tokens[0])
	method := unescapePointerToken(tokens[len(tokens)-1])
	var methods []string
	for _, op := range d.operations {
		if op.Path != path {
			continue
		}
		if strings.EqualFold(op.Method, method) {
			return op, nil
		}
		methods = append(methods, strings.ToLower(op.Method))
	}
	if methods == nil {
		return nil, &LookupError{Pointer: pointer, Path: path, Msg: fmt.Sprintf("no path %q in %s", path, d.URL)}
	}
	return nil, &LookupError{Pointer: pointer, Path: path, Method: method, Methods: methods, Msg: fmt.Sprintf(
		"path %q in %s has no %s operation; it has %s", path, d.URL, strings.ToLower(method), strings.Join(methods, ", "))}
}

// SecurityScheme returns the security scheme declared under the name, or nil.
func (d *Document) SecurityScheme(name string) *SecurityScheme {
	if d == nil {
		return nil
	}
	return d.SecuritySchemes[name]
}

// Document returns the document the operation belongs to.
func (o *Operation) Document() *Document { return o.doc }

// Parameter returns the operation's parameter of that name and location, or nil.
// in "" matches any location (the first parameter of that name). Header names
// match in any case.
func (o *Operation) Parameter(name, in string) *Parameter {
	if o == nil {
		return nil
	}
	for _, p := range o.Parameters {
		if in != "" && p.In != in {
			continue
		}
		if p.Name == name || (p.In == "header" && strings.EqualFold(p.Name, name)) {
			return p
		}
	}
	return nil
}
