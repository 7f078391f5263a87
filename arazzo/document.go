package arazzo

// Document is an Arazzo Description (the Arazzo Specification Object) and where it came from.
type Document struct {
	Node
	// Location is the absolute URL (file:// or http(s)://) the document was read from;
	// relative source description URLs are resolved against it.
	Location string
	// File is the name the user gave for the document, used in diagnostics.
	File string

	Arazzo             string
	Self               string // 1.1 $self
	Info               Info
	SourceDescriptions []*SourceDescription
	Workflows          []*Workflow
	Components         *Components
	Extensions         map[string]any

	reuses []reuse // the aliases and merge keys of the YAML (yamlalias.go)
}

// Version is the feature set the document declares: "1.0" or "1.1" (empty if unknown).
func (d *Document) Version() string {
	switch {
	case len(d.Arazzo) >= 4 && d.Arazzo[:4] == "1.0.":
		return "1.0"
	case len(d.Arazzo) >= 4 && d.Arazzo[:4] == "1.1.":
		return "1.1"
	}
	return ""
}

// Workflow returns the workflow with the given id, or nil.
func (d *Document) Workflow(id string) *Workflow {
	for _, w := range d.Workflows {
		if w.WorkflowID == id {
			return w
		}
	}
	return nil
}

// SourceDescription returns the source with the given name, or nil.
func (d *Document) SourceDescription(name string) *SourceDescription {
	for _, s := range d.SourceDescriptions {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Info is the Info Object.
type Info struct {
	Node
	Title       string
	Summary     string
	Description string
	Version     string
}

// Source description types.
const (
	SourceOpenAPI  = "openapi"
	SourceArazzo   = "arazzo"
	SourceAsyncAPI = "asyncapi"
)

// SourceDescription is the Source Description Object.
type SourceDescription struct {
	Node
	Name string
	URL  string
	Type string // openapi, arazzo, asyncapi, or "" when not given
}

// Components is the Components Object. Keys keep their document order.
type Components struct {
	Node
	Inputs         map[string]*Value
	Parameters     map[string]*Parameter
	SuccessActions map[string]*SuccessAction
	FailureActions map[string]*FailureAction
	// Order lists the keys of each map in document order, by map name ("inputs", ...).
	Order map[string][]string
}
