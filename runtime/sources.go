package runtime

import (
	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/openapi"
)

// sourceIndex lets the document validator see the loaded source descriptions of one document.
type sourceIndex struct {
	plan *Plan
	doc  *arazzo.Document
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
	info := arazzo.OperationInfo{Source: source, ID: op.ID, Method: op.Method, Path: op.Path, HasRequestBody: op.RequestBody != nil}
	for _, p := range op.Parameters {
		info.Params = append(info.Params, arazzo.ParamInfo{Name: p.Name, In: p.In, Required: p.Required})
	}
	return info
}
