package arazzo

// Parameter locations.
const (
	InPath        = "path"
	InQuery       = "query"
	InQueryString = "querystring" // 1.1
	InHeader      = "header"
	InCookie      = "cookie"
	// InChannel fills a {parameter} of an AsyncAPI channel address (1.1 schema).
	InChannel = "channel"
)

// Parameter is a Parameter Object, or a Reusable Object in a parameter list
// (then Reference is set and Value, when present, overrides the component's value).
type Parameter struct {
	Node
	Name      string
	In        string
	Value     *Value
	Reference string
}

// IsReference reports whether the entry is a Reusable Object.
func (p *Parameter) IsReference() bool { return p.Reference != "" || p.Has("reference") }
