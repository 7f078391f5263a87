package arazzo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/arazzo-run/arazzo/expr"
)

// Stable rule ids of the semantic checks made by Validate. Each has an entry in
// docs/rules.md; the loader's structural rule ids are in rules.go.
const (
	// Identity and uniqueness.
	RuleDuplicateWorkflowID = "duplicate-workflow-id"
	RuleDuplicateStepID     = "duplicate-step-id"
	RuleDuplicateSource     = "duplicate-source-name"
	RuleDuplicateAction     = "duplicate-action"
	RuleDuplicateParameter  = "duplicate-parameter"
	RuleDuplicateCriterion  = "duplicate-criterion"
	RuleDuplicateDependsOn  = "duplicate-depends-on"
	RuleDuplicateReplace    = "duplicate-replacement"
	RuleIDPattern           = "id-pattern"
	RuleSourceURL           = "source-url"
	RuleSelfURI             = "self-uri"

	// Steps and their targets.
	RuleStepTarget           = "step-target"
	RuleUnqualifiedOperation = "unqualified-operation-id"
	RuleOperationPath        = "operation-path"
	RuleOperationPathForm    = "operation-path-form"
	RuleChannelPathForm      = "channel-path-form"
	RuleUnknownSource        = "unknown-source"
	RuleSourceNameCase       = "source-name-case"
	RuleSourceType           = "source-type"
	RuleUnknownWorkflow      = "unknown-workflow"
	RuleUnknownStep          = "unknown-step"
	RuleDependsOnForm        = "depends-on-form"
	RuleDependsOnCycle       = "depends-on-cycle"
	RuleRequestBodyIgnored   = "request-body-ignored"

	// Parameters.
	RuleParameterInMissing   = "parameter-in-missing"
	RuleParameterInIgnored   = "parameter-in-ignored"
	RuleParameterInForbidden = "parameter-in-forbidden"
	RuleQuerystringWithQuery = "querystring-with-query"

	// Reusable objects and inputs.
	RuleUnknownComponent = "unknown-component"
	RuleComponentKind    = "component-kind"
	RuleInputsRef        = "inputs-ref"
	RuleInputsSchema     = "inputs-schema"

	// Actions.
	RuleActionTarget       = "action-target"
	RuleActionFieldIgnored = "action-field-ignored"
	RuleActionParameters   = "action-parameters"
	RuleRetryNoCriteria    = "retry-without-criteria"

	// Criteria.
	RuleCriterionContext    = "criterion-context"
	RuleSimpleContext       = "simple-type-without-context"
	RuleConditionSyntax     = "condition-syntax"
	RuleRegexSyntax         = "regex-syntax"
	RuleJSONPathSyntax      = "jsonpath-syntax"
	RuleXPathSyntax         = "xpath-syntax"
	RuleJSONPathGoessner    = "jsonpath-goessner"
	RuleJSONPathRootFilter  = "jsonpath-root-filter"
	RuleConditionBraced     = "condition-braced"
	RuleConditionDoubleQuot = "condition-double-quoted"
	RuleConditionLength     = "condition-length"

	// Runtime expressions.
	RuleExpressionSyntax    = "expression-syntax"
	RuleExpressionVersion   = "expression-version"
	RuleExpressionCompat    = "expression-compat"
	RuleExprBodyDot         = "expr-body-dot"
	RuleExprComponentInputs = "expr-components-inputs"
	RuleExprStepOutputs     = "expr-step-outputs"
	RuleExprStepsShorthand  = "expr-steps-shorthand"
	RuleExprStepID          = "expr-step-id"
	RuleExprHeaders         = "expr-headers"
	RuleExprWorkflowSteps   = "expr-workflow-steps"
	RuleExprAmbiguous       = "expr-ambiguous"
	RuleStepRefUnknown      = "step-ref-unknown"
	RuleStepOutputUnknown   = "step-output-unknown"
	RuleStepRefOrder        = "step-ref-order"
	RuleInputUnknown        = "input-unknown"
	RuleInputUndeclared     = "input-undeclared"
	RuleInputDot            = "input-dot"
	RuleOutputsRef          = "outputs-ref"
	RuleWorkflowRef         = "workflow-ref"
	RuleWorkflowStepHTTP    = "workflow-step-http"
	RuleResponseBeforeCall  = "response-before-call"
	RuleConstantOutput      = "constant-output"
	RuleOutputValueType     = "output-value-type"
	RuleSelectorObject      = "selector-object"

	// AsyncAPI steps (1.1).
	RuleAsyncActionRequired = "async-action-required"
	RuleAsyncActionMissing  = "async-action-missing"
	RuleAsyncField          = "async-field"
	RuleCorrelationID       = "correlation-id-receive"

	// Control flow.
	RuleUnreachableStep = "unreachable-step"
	RuleGotoLoop        = "goto-loop"

	// Checks made only with the source descriptions loaded (WithSources).
	RuleUnknownOperation       = "unknown-operation"
	RuleOperationIDDotted      = "operation-id-dotted"
	RuleOperationIDPath        = "operation-id-path"
	RuleOperationPathMethod    = "operation-path-method"
	RuleContentTypeUndeclared  = "content-type-undeclared"
	RuleSourceDefect           = "source-defect"
	RulePayloadJSON            = "payload-json"
	RuleOperationIDCase        = "operation-id-case"
	RuleOperationParamSpelling = "operation-parameter-spelling"
	RuleAmbiguousOperation     = "ambiguous-operation"
	RuleOperationParamExtra    = "operation-parameter-unknown"
	RuleOperationParamNeeded   = "operation-parameter-missing"
	RuleOptionalInputRequired  = "optional-input-required"
	RuleOperationNoBody        = "operation-no-request-body"
)

// Sources gives Validate access to the loaded source descriptions. The runtime
// implements it after loading them; without it (offline) the checks that need the
// sources are skipped and report nothing.
type Sources interface {
	// Kind returns the type of a loaded source ("openapi", "arazzo", "asyncapi"),
	// ok=false if the source is not loaded.
	Kind(source string) (string, bool)
	// FindOperation finds operationID in the named source, or in every OpenAPI
	// source when source == "".
	FindOperation(source, operationID string) []OperationInfo
	// OperationAt resolves an operationPath JSON pointer in a source.
	OperationAt(source, pointer string) (OperationInfo, error)
	// Operations lists the operations of a loaded OpenAPI source.
	Operations(source string) []OperationInfo
	// Workflow returns a workflow of an arazzo-type source.
	Workflow(source, workflowID string) (*Workflow, bool)
	// Problem says why a source description could not be loaded (or which
	// parts of it are broken), nil when there is nothing to say. Check
	// judges it: an error when a step uses the source, else a warning.
	Problem(source string) *SourceProblem
}

// SourceProblem is what went wrong loading a source description.
type SourceProblem struct {
	// Rule is RuleSourceUnreadable, RuleSourceOutside or RuleSourceInvalid
	// when the source could not be loaded at all; "" when it loaded but
	// some of its parts are broken (Defects).
	Rule    string
	Message string
	// Defects are the problems found in the parts of a loaded description,
	// each with its place in it. The operations they break carry them too
	// (OperationInfo.Defects), so that a step calling one is an error.
	Defects []SourceDefect
}

// SourceDefect is one problem of a source description: where it is (a file,
// a line and column when known, and the part: "components.schemas.Pet") and
// what is wrong.
type SourceDefect struct {
	File      string
	Line, Col int
	Where     string
	Message   string
}

func (d SourceDefect) String() string {
	at := d.File
	if d.Line > 0 {
		at += ":" + strconv.Itoa(d.Line) + ":" + strconv.Itoa(d.Col)
	}
	if d.Where != "" {
		at += " (" + d.Where + ")"
	}
	return at + ": " + d.Message
}

// OperationInfo describes an operation of a source description.
type OperationInfo struct {
	// Source is the name of the source description the operation belongs to.
	Source string
	// ID is the operationId, "" when the operation has none.
	ID     string
	Method string
	Path   string
	// Params are the operation's parameters (path-level ones included).
	Params []ParamInfo
	// HasRequestBody tells whether the operation accepts a request body.
	HasRequestBody bool
	// Handle is the Sources' own value for the operation, handed back to it
	// when the document is compiled from its judgment.
	Handle any
	// MediaType picks the request body media type a step with that
	// contentType sends ("" for none given); declared is false when the
	// operation does not declare it. nil when unknown.
	MediaType func(contentType string) (name string, declared bool)
	// Defects are the problems of the description that make this operation
	// impossible to build (a $ref of its parameters that does not resolve).
	Defects []SourceDefect
}

// ParamInfo is one parameter of an operation.
type ParamInfo struct {
	Name, In string
	Required bool
}

// ValidateOption configures Validate.
type ValidateOption func(*validateConfig)

type validateConfig struct {
	sources Sources
}

// WithSources enables the checks that need the source descriptions: that
// operations exist, that step parameters match them, and that workflows of
// arazzo-type sources exist.
func WithSources(s Sources) ValidateOption { return func(c *validateConfig) { c.sources = s } }

// Validate makes every semantic check of the Arazzo specification that the loader
// does not: uniqueness, references, runtime expressions, criteria, control flow and,
// with WithSources, the operations of the source descriptions. It collects every
// problem and returns them sorted; it never stops at the first. A nil document
// yields no diagnostics. It is Check's diagnostics.
func Validate(doc *Document, opts ...ValidateOption) Diagnostics {
	return Check(doc, opts...).Diagnostics
}

// Checked is the judgment of a document: its diagnostics, and the decisions
// made while checking that running it must follow — which operation each
// step calls, and the reading chosen for each expression written in a
// non-standard form. The runtime compiles a document from it, so that a
// document runs exactly as it was checked.
type Checked struct {
	Document    *Document
	Diagnostics Diagnostics
	operations  map[*Step]OperationInfo
	readings    map[*expr.Expression]*expr.Expression
	payloads    map[*RequestBody]jsonPayload
}

type jsonPayload struct {
	v   *expr.Value
	err error
}

// Payload returns the payload of a request body read as JSON text with
// embedded expressions (a string payload sent as JSON), or the error saying
// why that text is not JSON (the step fails then); nil, nil when the payload
// is used as written.
func (c *Checked) Payload(rb *RequestBody) (*expr.Value, error) {
	p := c.payloads[rb]
	return p.v, p.err
}

// Check makes the checks of Validate and returns them with the decisions
// they took. A nil document yields an empty judgment.
func Check(doc *Document, opts ...ValidateOption) *Checked {
	if doc == nil {
		return &Checked{}
	}
	var cfg validateConfig
	for _, o := range opts {
		o(&cfg)
	}
	steps := 0 // with the sources loaded, each may have its operation resolved
	if cfg.sources != nil {
		for _, w := range doc.Workflows {
			steps += len(w.Steps)
		}
	}
	v := &validator{doc: doc, src: cfg.sources, version: doc.Version(),
		checked: &Checked{Document: doc, operations: make(map[*Step]OperationInfo, steps), readings: map[*expr.Expression]*expr.Expression{}, payloads: map[*RequestBody]jsonPayload{}}}
	v.run()
	v.checked.Diagnostics = placeReused(v.diags, doc.reuses).Sort()
	return v.checked
}

// Operation returns the operation a step calls, as resolved while checking
// with the sources loaded (its readings applied: an unqualified or
// misspelt operationId, a non-standard operationPath).
func (c *Checked) Operation(s *Step) (OperationInfo, bool) {
	op, ok := c.operations[s]
	return op, ok
}

// Reading returns the expression to evaluate for e: the reading chosen for
// a non-standard form that needs the document to be read ($inputs.a.b as
// $inputs.a#/b when only input a is declared), or e itself.
func (c *Checked) Reading(e *expr.Expression) *expr.Expression {
	if r, ok := c.readings[e]; ok {
		return r
	}
	return e
}

// HasReadings reports whether any expression is read in another form.
func (c *Checked) HasReadings() bool { return len(c.readings) > 0 }

// validator holds the state of one Validate call.
type validator struct {
	doc     *Document
	src     Sources
	version string
	diags   Diagnostics
	checked *Checked
	// paths cuts the document path of every node checked (join, index).
	paths paths

	sources   map[string]*SourceDescription
	workflows map[string]*Workflow
	// stepOrder indexes, per workflow, its steps by id (first occurrence).
	stepIndex map[*Workflow]map[string]int
	// flowCache holds the control-flow graph of each workflow, built once.
	flowCache map[*Workflow]*flowGraph
	// used names, for each source a step, action or dependency calls into,
	// the first that does; userStep is the step being checked, of workflow
	// userWorkflow (nil: the document itself), named only when it is the first.
	used         map[string]string
	userStep     *Step
	userWorkflow *Workflow
	// defectUsed lists the source defects reported at a step whose operation
	// they break.
	defectUsed map[SourceDefect]bool
	// stepOutputReads records, per workflow, what each step output reads of
	// other steps' outputs (see checkStepRef).
	stepOutputReads map[*Workflow]map[stepOutput]*outputReads
}

func (v *validator) add(d Diagnostic) {
	d.File = v.doc.File
	v.diags = append(v.diags, d)
}

func (v *validator) errorf(pos Pos, path, rule, format string, args ...any) {
	v.add(Diagnostic{Severity: SeverityError, Rule: rule, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) warnf(pos Pos, path, rule, format string, args ...any) {
	v.add(Diagnostic{Severity: SeverityWarning, Rule: rule, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

// suggest adds a diagnostic with a suggestion.
func (v *validator) suggest(sev Severity, pos Pos, path, rule, suggestion, format string, args ...any) {
	v.add(Diagnostic{Severity: sev, Rule: rule, Pos: pos, Path: path, Message: fmt.Sprintf(format, args...), Suggestion: suggestion})
}

func (v *validator) run() {
	v.index()
	v.checkRoot()
	v.checkSources()
	v.checkWorkflowIDs()
	v.checkComponents()
	for i, w := range v.doc.Workflows {
		v.checkWorkflow(i, w)
	}
	v.checkWorkflowDependsOn()
	v.checkSourceProblems()
}

// use records that the document calls into a source.
func (v *validator) use(source string) {
	if v.used == nil {
		v.used = map[string]string{}
	}
	if _, ok := v.used[source]; !ok {
		v.used[source] = v.userName()
	}
}

// userName names what is being checked, for messages about the sources it uses.
func (v *validator) userName() string {
	if v.userStep == nil {
		return "the document"
	}
	return fmt.Sprintf("step %q of workflow %q", v.userStep.StepID, v.userWorkflow.WorkflowID)
}

// checkSourceProblems judges what went wrong loading the sources: a source
// that could not be loaded, or has broken parts, is an error when the
// document uses it and a warning when nothing calls into it (the run never
// needs it). A broken part that a step's operation needs is reported at the
// step (checkOperation), not here.
func (v *validator) checkSourceProblems() {
	if v.src == nil {
		return
	}
	for i, sd := range v.doc.SourceDescriptions {
		pr := v.src.Problem(sd.Name)
		if pr == nil || v.sources[sd.Name] != sd {
			continue
		}
		path := v.paths.index("sourceDescriptions", i) + ".url"
		pos := sd.ValuePos("url")
		if pr.Rule != "" {
			if user, ok := v.used[sd.Name]; ok {
				v.errorf(pos, path, pr.Rule, "%s; %s uses it", pr.Message, user)
			} else {
				v.warnf(pos, path, pr.Rule, "%s; no step uses it, so the document runs without it", pr.Message)
			}
			continue
		}
		for _, d := range pr.Defects {
			if v.defectUsed[d] {
				continue
			}
			v.warnf(pos, path, RuleSourceDefect, "source %q: %s; no operation a step calls needs it", sd.Name, d)
		}
	}
}

// index builds the lookup tables used by every check (first occurrence wins).
func (v *validator) index() {
	v.sources = map[string]*SourceDescription{}
	for _, s := range v.doc.SourceDescriptions {
		if _, dup := v.sources[s.Name]; !dup && s.Name != "" {
			v.sources[s.Name] = s
		}
	}
	v.workflows = map[string]*Workflow{}
	v.stepIndex = map[*Workflow]map[string]int{}
	v.flowCache = map[*Workflow]*flowGraph{}
	for _, w := range v.doc.Workflows {
		if _, dup := v.workflows[w.WorkflowID]; !dup && w.WorkflowID != "" {
			v.workflows[w.WorkflowID] = w
		}
		idx := make(map[string]int, len(w.Steps))
		for i, s := range w.Steps {
			if _, dup := idx[s.StepID]; !dup && s.StepID != "" {
				idx[s.StepID] = i
			}
		}
		v.stepIndex[w] = idx
	}
}

// isID reports whether s matches the SHOULD pattern of workflowId, stepId and
// source names, [A-Za-z0-9_\-]+ (tested by hand: every step's id is).
func isID(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

func (v *validator) checkIDPattern(node *Node, field, value, path, what string) {
	if !node.Has(field) || isID(value) {
		return
	}
	v.suggest(SeverityWarning, node.ValuePos(field), v.paths.join(path, field), RuleIDPattern, sanitizeID(value),
		"%s %q should match [A-Za-z0-9_\\-]+; other characters cannot be used in runtime expressions such as $steps.<id>", what, value)
}

// sanitizeID turns a name into one isID accepts.
func sanitizeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String()
}

// quoteNames renders a list of names for a message: "a", "b" and "c".
func quoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	switch len(q) {
	case 0:
		return "none"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func (v *validator) wfPath(i int) string { return v.paths.index("workflows", i) }

func (v *validator) stepPath(wi, si int) string {
	return v.paths.index(v.paths.join(v.wfPath(wi), "steps"), si)
}
