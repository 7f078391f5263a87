package arazzo

import "github.com/arazzo-run/arazzo/expr"

// Criterion types.
const (
	CriterionSimple   = "simple"
	CriterionRegex    = "regex"
	CriterionJSONPath = "jsonpath"
	CriterionXPath    = "xpath"
)

// Criterion is a Criterion Object.
type Criterion struct {
	Node
	Context   string
	Condition string
	// Type is simple, regex, jsonpath or xpath ("" when absent, meaning simple).
	Type string
	// Version comes from an Expression Type Object given as the type (nested form).
	Version string
	// TypeObject is set when type was given as an Expression Type Object.
	TypeObject *Node
	// compiled is the criterion as the loader compiled it, once.
	compiled   *expr.Criterion
	compileErr error
}

// Compiled returns the criterion as the loader compiled it (its context,
// condition and their expressions), or the compile error (an
// *expr.FieldError naming the field); nil, nil when it has no condition.
func (c *Criterion) Compiled() (*expr.Criterion, error) { return c.compiled, c.compileErr }

// EffectiveType is the criterion type with the default applied.
func (c *Criterion) EffectiveType() string {
	if c.Type == "" {
		return CriterionSimple
	}
	return c.Type
}
