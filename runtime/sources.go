package runtime

import (
	"net/url"

	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/openapi"
)

// sourceIndex lets the document validator see the loaded source descriptions of one document.
type sourceIndex struct {
	plan *Plan
	doc  *arazzo.Document
	// found and at remember the answers of FindOperation and OperationAt, by
	// source and operationId or pointer: step after step calls the same
	// operations, and the answers are only read.
	found map[[2]string][]arazzo.OperationInfo
	at    map[[2]string]operationAt
}

type operationAt struct {
	op  arazzo.OperationInfo
	err error
}

// newSourceIndex is the view of the sources of doc, loaded into plan.
func newSourceIndex(plan *Plan, doc *arazzo.Document) sourceIndex {
	return sourceIndex{plan: plan, doc: doc, found: map[[2]string][]arazzo.OperationInfo{}, at: map[[2]string]operationAt{}}
}

var _ arazzo.Sources = sourceIndex{}

func (s sourceIndex) src(name string) *source { return s.plan.sources[s.doc][name] }

// Kind implements arazzo.Sources.
func (s sourceIndex) Kind(name string) (string, bool) {
	src := s.src(name)
	if src == nil || (src.openapi == nil && src.arazzo == nil && src.asyncapi == nil) {
		return "", false
	}
	return src.kind, true
}

// FindOperation implements arazzo.Sources.
func (s sourceIndex) FindOperation(name, id string) []arazzo.OperationInfo {
	if out, ok := s.found[[2]string{name, id}]; ok {
		return out
	}
	out := s.findOperation(name, id)
	if s.found != nil {
		s.found[[2]string{name, id}] = out
	}
	return out
}

func (s sourceIndex) findOperation(name, id string) []arazzo.OperationInfo {
	var out []arazzo.OperationInfo
	for _, sd := range s.doc.SourceDescriptions {
		if name != "" && sd.Name != name {
			continue
		}
		src := s.src(sd.Name)
		if src == nil || src.openapi == nil {
			continue
		}
		if op := findOperation(src.openapi, id); op != nil {
			out = append(out, operationInfo(sd.Name, op))
		}
	}
	return out
}

// OperationAt implements arazzo.Sources.
func (s sourceIndex) OperationAt(name, pointer string) (arazzo.OperationInfo, error) {
	if r, ok := s.at[[2]string{name, pointer}]; ok {
		return r.op, r.err
	}
	op, err := s.operationAt(name, pointer)
	if s.at != nil {
		s.at[[2]string{name, pointer}] = operationAt{op, err}
	}
	return op, err
}

func (s sourceIndex) operationAt(name, pointer string) (arazzo.OperationInfo, error) {
	src := s.src(name)
	if src == nil || src.openapi == nil {
		return arazzo.OperationInfo{}, errNotLoaded
	}
	op, err := src.openapi.OperationAt(pointer)
	if err != nil {
		return arazzo.OperationInfo{}, err
	}
	return operationInfo(name, op), nil
}

// Operations implements arazzo.Sources.
func (s sourceIndex) Operations(name string) []arazzo.OperationInfo {
	src := s.src(name)
	if src == nil || src.openapi == nil {
		return nil
	}
	var out []arazzo.OperationInfo
	for _, op := range src.openapi.Operations() {
		out = append(out, operationInfo(name, op))
	}
	return out
}

// Problem implements arazzo.Sources.
func (s sourceIndex) Problem(name string) *arazzo.SourceProblem {
	if src := s.src(name); src != nil {
		return src.problem
	}
	return nil
}

// Workflow implements arazzo.Sources.
func (s sourceIndex) Workflow(name, id string) (*arazzo.Workflow, bool) {
	src := s.src(name)
	if src == nil || src.arazzo == nil {
		return nil, false
	}
	w := src.arazzo.Workflow(id)
	return w, w != nil
}

type notLoaded struct{}

func (notLoaded) Error() string { return "source not loaded" }

var errNotLoaded error = notLoaded{}

func operationInfo(source string, op *openapi.Operation) arazzo.OperationInfo {
	info := arazzo.OperationInfo{Source: source, ID: op.ID, Method: op.Method, Path: op.Path, HasRequestBody: op.RequestBody != nil, Handle: op}
	if rb := op.RequestBody; rb != nil {
		info.MediaType = func(contentType string) (string, bool) {
			mt, ok := rb.SelectMediaType(contentType)
			return mt.Name, ok
		}
	}
	for _, p := range op.Parameters {
		info.Params = append(info.Params, arazzo.ParamInfo{Name: p.Name, In: p.In, Required: p.Required})
	}
	info.Defects = sourceDefects(op.Defects)
	return info
}

// sourceDefects shows the defects of a description for the checker, each
// file named by its path when it is a local one.
func sourceDefects(ds []openapi.Defect) []arazzo.SourceDefect {
	out := make([]arazzo.SourceDefect, len(ds))
	for i, d := range ds {
		file := d.Location
		if u, err := url.Parse(d.Location); err == nil && u.Scheme == "file" {
			file = u.Path
		}
		out[i] = arazzo.SourceDefect{File: file, Line: d.Line, Col: d.Col, Where: d.Where, Message: d.Msg}
	}
	return out
}
