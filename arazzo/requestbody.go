package arazzo

// RequestBody is the Request Body Object.
type RequestBody struct {
	Node
	ContentType  string
	Payload      *Value // nil when absent
	Replacements []*PayloadReplacement
}

// PayloadReplacement is the Payload Replacement Object.
type PayloadReplacement struct {
	Node
	Target string
	// TargetSelectorType (1.1): jsonpointer, jsonpath or xpath; "" when absent.
	TargetSelectorType string
	Value              *Value
}
