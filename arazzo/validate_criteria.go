package arazzo

import (
	"errors"

	"github.com/arazzo-run/arazzo/expr"
)

// checkCriteria checks a criteria list: duplicates, then each criterion.
func (v *validator) checkCriteria(list []*Criterion, path string, sc *scope) {
	seen := map[[4]string]int{}
	for i, c := range list {
		p := v.paths.index(path, i)
		key := [4]string{c.Context, c.Condition, c.EffectiveType(), c.Version}
		if first, dup := seen[key]; dup {
			v.errorf(c.Pos, p, RuleDuplicateCriterion, "this criterion repeats criterion %d of the same list; remove one", first)
			continue
		}
		seen[key] = i
		v.checkCriterion(c, p, sc)
	}
}

// conditionRules maps a criterion type to the rule for its syntax errors.
var conditionRules = map[string]string{
	CriterionSimple:   RuleConditionSyntax,
	CriterionRegex:    RuleRegexSyntax,
	CriterionJSONPath: RuleJSONPathSyntax,
	CriterionXPath:    RuleXPathSyntax,
}

// checkCriterion checks one criterion: context rules, the condition's syntax in its
// language, compatibility readings, and what its expressions refer to.
func (v *validator) checkCriterion(c *Criterion, path string, sc *scope) {
	typ := c.EffectiveType()
	typed := c.TypeObject != nil || (c.Has("type") && typ != CriterionSimple)
	hasContext := c.Has("context")
	switch {
	case typed && !hasContext:
		v.suggest(SeverityError, c.KeyPos("type"), v.paths.join(path, "type"), RuleCriterionContext, "context: $response.body",
			"a %s criterion must have a context: the runtime expression whose value the condition is applied to", typ)
	case c.Has("type") && !typed && !hasContext:
		v.suggest(SeverityWarning, c.KeyPos("type"), v.paths.join(path, "type"), RuleSimpleContext, "remove type: simple",
			"`type: simple` without a context: the specification requires a context whenever type is given; a simple condition reads its values from its own expressions, and simple is the default")
	}
	if !c.Has("condition") {
		return
	}
	crit, err := c.Compiled()
	if err != nil {
		field := "condition"
		var fe *expr.FieldError
		if errors.As(err, &fe) && fe.Field != "" {
			field = fe.Field
		}
		switch field {
		case "context":
			v.exprError(err, nodeLoc(&c.Node, "context", v.paths.join(path, "context")), RuleExpressionSyntax, "invalid runtime expression in criterion context")
		case "type":
			if c.TypeObject != nil {
				v.errorf(c.TypeObject.ValuePos("type"), v.paths.join(path, "type.type"), RuleEnum,
					"a criterion's type must be simple, regex, jsonpath or xpath, got %q", c.Type)
			}
		case "version":
			// The loader reports version values.
		default:
			rule := conditionRules[typ]
			if rule == "" {
				rule = RuleConditionSyntax
			}
			v.exprError(err, nodeLoc(&c.Node, "condition", v.paths.join(path, "condition")), rule, "invalid "+typ+" condition")
		}
		return
	}
	for _, w := range crit.Warnings() {
		if w.Rule == "criterion-context-missing" {
			continue // reported above as an error
		}
		field := w.Field
		if field == "" {
			field = "condition"
		}
		v.exprWarnings([]expr.Warning{w}, nodeLoc(&c.Node, field, v.paths.join(path, field)), "")
	}
	for i, e := range crit.AllRefs() {
		if i == 0 && c.Context != "" {
			v.checkExpr(e, sc, nodeLoc(&c.Node, "context", v.paths.join(path, "context")))
			continue
		}
		loc := nodeLoc(&c.Node, "condition", v.paths.join(path, "condition"))
		v.checkExpr(e, sc, loc.shifted(e.Offset))
	}
}
