package arazzo

import "slices"

// ruleDescriptions is a one-line description of every rule, used by the SARIF
// output; docs/rules.md has the full entry of each.
var ruleDescriptions = map[string]string{
	// Loader (rules.go).
	RuleYAMLSyntax:        "The document is valid YAML or JSON",
	RuleYAMLDuplicateKey:  "A mapping has no duplicate keys",
	RuleYAMLMergeKey:      "No YAML 1.1 merge key (<<); arazzo merges it, YAML 1.2 tools may not",
	RuleDocumentLimits:    "The document stays within the size, depth and alias-expansion limits",
	RuleRootNotObject:     "The document is an object",
	RuleNotArazzo:         "The document is an Arazzo document, not an OpenAPI or AsyncAPI description",
	RuleVersion:           "The arazzo field names a supported version",
	RuleVersionField:      "A field exists in the declared Arazzo version",
	RuleRequired:          "Required fields are present",
	RuleType:              "Fields have the type the specification gives them",
	RuleUnknownField:      "Objects have no unknown fields (extensions start with x-)",
	RuleEnum:              "Fields with a fixed set of values use one of them",
	RulePattern:           "Output and component names match ^[a-zA-Z0-9.\\-_]+$",
	RuleEmptyList:         "Lists that must not be empty have an entry",
	RuleSchemaKey:         "The root has no $schema key",
	RuleReusableExtra:     "A Reusable Object has no fields besides reference and value",
	RuleExtensionReserved: "Extensions do not use a prefix reserved for the OpenAPI Initiative",

	// Identity and uniqueness.
	RuleDuplicateWorkflowID: "workflowIds are unique in the document",
	RuleDuplicateStepID:     "stepIds are unique within a workflow",
	RuleDuplicateSource:     "Source description names are unique",
	RuleDuplicateAction:     "An action list has no two actions with the same name",
	RuleDuplicateParameter:  "A parameter list has no two parameters with the same name and in",
	RuleDuplicateCriterion:  "A criteria list has no duplicate criterion",
	RuleDuplicateDependsOn:  "A dependsOn list has no duplicate entry",
	RuleDuplicateReplace:    "A request body sets each replacement target once",
	RuleIDPattern:           "workflowIds, stepIds and source names match [A-Za-z0-9_\\-]+",
	RuleSourceURL:           "A source description url is a URI-reference",
	RuleSelfURI:             "$self is a URI-reference without a fragment",

	// Steps and targets.
	RuleStepTarget:           "A step has exactly one target (operationId, operationPath, workflowId or channelPath)",
	RuleUnqualifiedOperation: "operationId is qualified when the document has several non-arazzo sources",
	RuleOperationPath:        "operationPath and channelPath are {$sourceDescriptions.<name>.url}#<JSON pointer>",
	RuleOperationPathForm:    "operationPath uses the standard {$sourceDescriptions.<name>.url}#<pointer> form",
	RuleChannelPathForm:      "channelPath uses the standard {$sourceDescriptions.<name>.url}#<pointer> form",
	RuleUnknownSource:        "$sourceDescriptions.<name> names a declared source description",
	RuleSourceNameCase:       "Source description names are written with their exact case",
	RuleSourceType:           "A reference goes to a source of the right type",
	RuleUnknownWorkflow:      "A workflowId reference names an existing workflow",
	RuleUnknownStep:          "A stepId reference names a step of the workflow",
	RuleDependsOnForm:        "A step dependsOn entry is a stepId, $workflows.<id>.steps.<id> or $sourceDescriptions.<name>.<id>.steps.<id>",
	RuleDependsOnCycle:       "dependsOn has no cycle",
	RuleRequestBodyIgnored:   "A step that calls a workflow has no requestBody",

	// Parameters.
	RuleParameterInMissing:   "A parameter passed to an operation has in",
	RuleParameterInIgnored:   "A parameter passed to a workflow has no in",
	RuleParameterInForbidden: "An action parameter has no in",
	RuleQuerystringWithQuery: "A querystring parameter is not combined with query parameters",

	// Reusable objects and inputs.
	RuleUnknownComponent: "A reference names an existing component",
	RuleComponentKind:    "A reference names a component of the kind its list holds",
	RuleInputsRef:        "An inputs $ref names an existing components.inputs entry",
	RuleInputsSchema:     "A workflow inputs schema is a JSON Schema the inputs can be checked with",

	// Actions.
	RuleActionTarget:       "A goto action has exactly one of stepId and workflowId",
	RuleActionFieldIgnored: "An action has no field that its type ignores",
	RuleActionParameters:   "Action parameters come with a workflowId",
	RuleRetryNoCriteria:    "A retry action has criteria",

	// Criteria.
	RuleCriterionContext:    "A regex, jsonpath or xpath criterion has a context",
	RuleSimpleContext:       "type: simple is not given without a context",
	RuleConditionSyntax:     "A simple condition is well formed",
	RuleRegexSyntax:         "A regex condition compiles",
	RuleJSONPathSyntax:      "A jsonpath condition or selector is valid JSONPath",
	RuleXPathSyntax:         "An xpath condition or selector is valid XPath",
	RuleJSONPathGoessner:    "A jsonpath condition is an RFC 9535 query",
	RuleJSONPathRootFilter:  "A jsonpath filter at the root tests what it means to",
	RuleConditionBraced:     "A condition is not wrapped in braces",
	RuleConditionLength:     "A simple condition does not use JavaScript's .length",
	RuleConditionDoubleQuot: "String literals in a condition use single quotes",

	// Runtime expressions.
	RuleExpressionSyntax:    "A runtime expression is well formed",
	RuleExpressionVersion:   "A runtime expression exists in the declared Arazzo version",
	RuleExpressionCompat:    "A runtime expression uses the standard form",
	RuleExprBodyDot:         "A body is navigated with a JSON pointer, not dots",
	RuleExprComponentInputs: "Input components are reused with $ref, not $components.inputs",
	RuleExprStepsShorthand:  "A step output is read with $steps.<id>.outputs.<name>",
	RuleExprStepID:          "A step id in an expression matches [A-Za-z0-9_-]+",
	RuleExprHeaders:         "A header is read with header.<name>, not headers.<name>",
	RuleExprWorkflowSteps:   "Another workflow's step outputs are read through its workflow outputs",
	RuleExprAmbiguous:       "A non-standard expression has only one reading",
	RuleExprStepOutputs:     "$steps.<id>.outputs names one output",
	RuleStepRefUnknown:      "$steps.<id> names a step of the same workflow",
	RuleStepOutputUnknown:   "$steps.<id>.outputs.<name> names a declared output",
	RuleStepRefOrder:        "$steps.<id>.outputs refers to a step that has run",
	RuleInputUnknown:        "$inputs.<name> is declared in an inputs schema that allows no other inputs",
	RuleInputUndeclared:     "$inputs.<name> is declared in the inputs schema",
	RuleInputDot:            "A nested input is reached with a JSON pointer",
	RuleOutputsRef:          "$outputs.<name> names an output that exists where it is used",
	RuleWorkflowRef:         "$workflows.<id> names an existing workflow and output",
	RuleWorkflowStepHTTP:    "A step that calls a workflow does not read HTTP values",
	RuleResponseBeforeCall:  "Parameters and request bodies do not read the response of the call they build",
	RuleConstantOutput:      "An output is a runtime expression",
	RuleOutputValueType:     "An output is a runtime expression or a Selector Object",
	RuleSelectorObject:      "A Selector Object has context, selector and type, and nothing else",

	// AsyncAPI.
	RuleAsyncActionRequired: "A channelPath step has an action",
	RuleAsyncActionMissing:  "A step of an AsyncAPI operation states its action",
	RuleAsyncField:          "action and correlationId appear only on AsyncAPI steps",
	RuleCorrelationID:       "correlationId appears only on receive steps",

	// Control flow.
	RuleUnreachableStep: "Every step can be reached",
	RuleGotoLoop:        "A goto loop has a way out",

	// With sources.
	RuleUnknownOperation:       "The operation exists in the source description",
	RuleSourceUnreadable:       "Every source description can be read from its url",
	RuleSourceOutside:          "A source description is inside the validated document's directory tree",
	RuleSourceInvalid:          "A source description is a valid OpenAPI 3.x or Arazzo document",
	RuleAsyncSource:            "An AsyncAPI source follows the AsyncAPI 3 specification's SHOULDs",
	RuleAsyncCorrelation:       "A receive step with a correlationId receives messages that define a correlationId location",
	RuleAsyncParameter:         "An AsyncAPI step's parameters are in: header or in: channel, and fill the channel address",
	RuleOperationIDCase:        "An operationId is spelt as in its source description (case-sensitive)",
	RuleOperationParamSpelling: "A step parameter is spelt as the operation's parameter it stands for",
	RuleAmbiguousOperation:     "An unqualified operationId is found in only one source",
	RuleOperationIDDotted:      "operationId is not written <source>.<operationId>",
	RuleOperationIDPath:        "operationId holds an operationId, not an operationPath",
	RuleOperationPathMethod:    "operationPath points at an operation, not a path item",
	RuleContentTypeUndeclared:  "contentType is declared by the operation",
	RulePayloadJSON:            "A string payload sent as JSON is JSON text",
	RuleSourceDefect:           "A source description has no broken parts",
	RuleOperationParamExtra:    "A step parameter is a parameter of the operation",
	RuleOperationParamNeeded:   "Every required parameter of the operation is supplied",
	RuleOptionalInputRequired:  "A parameter the operation requires does not take its value from an optional input",
	RuleOperationNoBody:        "A requestBody goes to an operation that takes one",
}

// Rules returns every rule id, sorted.
func Rules() []string {
	ids := make([]string, 0, len(ruleDescriptions))
	for id := range ruleDescriptions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// RuleDescription returns the one-line description of a rule id, or the id itself
// when it is unknown.
func RuleDescription(rule string) string {
	if d, ok := ruleDescriptions[rule]; ok {
		return d
	}
	return rule
}
