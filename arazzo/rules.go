package arazzo

// Stable rule ids of the checks made while loading a document. Each has an entry in
// docs/rules.md. Validation adds its own ids (see validate.go).
const (
	RuleYAMLSyntax        = "yaml-syntax"
	RuleYAMLDuplicateKey  = "yaml-duplicate-key"
	RuleYAMLMergeKey      = "yaml-merge-key"
	RuleDocumentLimits    = "document-limits"
	RuleRootNotObject     = "root-not-object"
	RuleNotArazzo         = "not-arazzo"
	RuleVersion           = "arazzo-version"
	RuleVersionField      = "version-field"
	RuleRequired          = "required-field"
	RuleType              = "field-type"
	RuleUnknownField      = "unknown-field"
	RuleEnum              = "field-enum"
	RulePattern           = "field-pattern"
	RuleEmptyList         = "empty-list"
	RuleSchemaKey         = "schema-key"
	RuleReusableExtra     = "reusable-extra-field"
	RuleExtensionReserved = "extension-reserved"

	// Found loading the source descriptions (package runtime) and judged by
	// Check: an error when the document uses the source, else a warning.
	RuleSourceUnreadable = "source-unreadable"
	RuleSourceOutside    = "source-outside"
	RuleSourceInvalid    = "source-invalid"
	// AsyncAPI steps, with their sources loaded (package runtime).
	RuleAsyncSource      = "asyncapi-source"
	RuleAsyncCorrelation = "correlation-id-location"
	RuleAsyncParameter   = "async-parameter"
)
