package openapi

// Types in this file are the project's own view of an OpenAPI description.
// kin-openapi's types never leave this package.

// Document is a loaded OpenAPI 3.0 or 3.1 description.
type Document struct {
	// URL is the absolute location the document was read from (file:// or http(s)://).
	URL string
	// Version is the value of the root "openapi" field, e.g. "3.1.0".
	Version string
	Title   string
	Servers []Server
	// Security is the document-level security requirement list (alternatives).
	Security []SecurityRequirement
	// SecuritySchemes by name, as declared under components.securitySchemes.
	SecuritySchemes map[string]*SecurityScheme

	// Defects are the problems of parts of the description (a $ref that does
	// not resolve, a schema that does not validate), in document order. The
	// rest of the description is used; the operations they break carry them
	// too (Operation.Defects).
	Defects []Defect

	operations []*Operation          // in document order: paths sorted as written, methods in spec order
	byID       map[string]*Operation // operationId -> operation
	impl       any                   // the underlying parsed document, private to this package
}

// Operation is one HTTP operation (a method of a path item), with path-level
// parameters and servers merged in and every $ref resolved.
type Operation struct {
	ID     string // operationId, may be empty
	Method string // upper case: GET, POST, ...
	Path   string // the path template as written, e.g. /api/mcp/mcp_servers/{handle}
	// Pointer is the JSON pointer of the operation inside its document, e.g. /paths/~1pets~1{id}/get.
	Pointer     string
	Summary     string
	Parameters  []*Parameter // path-level and operation-level merged; operation-level wins on name+in
	RequestBody *RequestBody // nil when the operation declares none
	// Servers that apply to this operation: operation-level, else path-level, else document-level.
	Servers []Server
	// Security that applies: operation-level when declared (an empty, non-nil list means
	// "no security"), else the document-level requirements.
	Security []SecurityRequirement
	// Responses by status code key as written ("200", "4XX", "default").
	Responses map[string]*Response
	// Idempotent reports whether the method is idempotent per RFC 9110 (GET, HEAD, PUT, DELETE,
	// OPTIONS, TRACE), unless the operation overrides it with the x-idempotent extension.
	Idempotent bool
	// Defects are the problems of the description that break this operation:
	// its request cannot be built as described.
	Defects []Defect

	doc  *Document
	impl any
}

// Parameter is an OpenAPI Parameter Object, with the serialization defaults of the
// OpenAPI specification already applied (style and explode are always set).
type Parameter struct {
	Name string
	In   string // path, query, querystring, header, cookie
	// Required is true for every path parameter and for others that say so.
	Required bool
	// Style is the serialization style; defaulted per location (path/header: simple,
	// query/cookie: form) when the description omits it.
	Style string
	// Explode defaults to true for style form, false otherwise.
	Explode       bool
	AllowReserved bool
	// ContentType is set for parameters described with "content" instead of "schema";
	// the value is then serialized with that media type (e.g. application/json).
	ContentType string
	// Type is the schema's primary JSON type ("string", "integer", "number", "boolean",
	// "array", "object") or "" when unknown.
	Type string
	// ItemsType is the JSON type of array items, when Type is "array".
	ItemsType string
}

// RequestBody is an OpenAPI Request Body Object.
type RequestBody struct {
	Required bool
	// Content lists the media types in document order.
	Content []MediaType
}

// MediaType is one entry of a content map.
type MediaType struct {
	Name string // e.g. application/json
	// Encoding is the Encoding Object map for form media types, by property name.
	Encoding map[string]Encoding
	impl     any
}

// Encoding is an OpenAPI Encoding Object (form-urlencoded and multipart bodies).
type Encoding struct {
	ContentType   string
	Style         string // form, spaceDelimited, pipeDelimited, deepObject; "" when not set
	Explode       *bool  // nil when not set
	AllowReserved bool
	Headers       map[string]string
}

// Response is an OpenAPI Response Object, reduced to what the runtime needs.
type Response struct {
	Description string
	// MediaTypes lists the response content types in document order.
	MediaTypes []string
	impl       any
}

// Server is an OpenAPI Server Object.
type Server struct {
	URL         string
	Description string
	Variables   map[string]ServerVariable

	base string // URL of the document that declares the server; relative URLs resolve against it
}

// ServerVariable is an OpenAPI Server Variable Object.
type ServerVariable struct {
	Default string
	Enum    []string
}

// SecurityRequirement is one alternative of a security requirement list: every scheme in
// it must be satisfied together.
type SecurityRequirement []SchemeRef

// SchemeRef names a security scheme and the scopes required of it.
type SchemeRef struct {
	Scheme string
	Scopes []string
}

// SecurityScheme is an OpenAPI Security Scheme Object.
type SecurityScheme struct {
	Name         string // the key under components.securitySchemes
	Type         string // apiKey, http, oauth2, openIdConnect, mutualTLS
	Scheme       string // for http: basic, bearer, digest, ... (lower case)
	BearerFormat string
	In           string // for apiKey: header, query, cookie
	ParamName    string // for apiKey: the header, query or cookie name
	// TokenURL is the clientCredentials flow's token endpoint, for oauth2; "" otherwise.
	TokenURL string
	// Flows lists the oauth2 flows declared (implicit, password, clientCredentials, authorizationCode).
	Flows []string
	// OpenIDConnectURL for openIdConnect.
	OpenIDConnectURL string
}
