package runtime

import (
	"github.com/arazzo-run/arazzo/arazzo"
	"github.com/arazzo-run/arazzo/expr"
)

// valueExpr is a compiled field value (a parameter value, a payload, a
// replacement value, an output): the expressions the loader compiled (1.1
// Selector Objects included), read as the checker decided.
type valueExpr struct {
	*expr.Value
}

// omittable reports whether a member that failed with err may be left out of
// its object (expr.Omitter).
func (v *valueExpr) omittable(r expr.Resolver, err error) bool {
	return v.Value.Omittable(r, err)
}

// compileValue takes a value as the loader compiled it, with the readings
// the checker chose. A value that does not compile (the checker reported it)
// compiles to one whose evaluation returns that error.
func (c *compiler) compileValue(doc *arazzo.Document, v *arazzo.Value) *valueExpr {
	if v == nil {
		return nil
	}
	cv, _ := v.Compiled()
	if cv == nil {
		return nil
	}
	if chk := c.checked[doc]; chk.HasReadings() {
		cv = cv.Rewrite(chk.Reading)
	}
	return &valueExpr{Value: cv}
}
