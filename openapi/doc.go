// Package openapi is the project's view of OpenAPI 3.0 and 3.1 descriptions: what an
// Arazzo runtime needs to find an operation and call it.
//
//	doc, err := openapi.Load(ctx, "/work/api/openapi.yml", nil)
//	if err != nil {
//		var le *openapi.LoadError
//		if errors.As(err, &le) {
//			fmt.Printf("%s:%d:%d: %s\n", le.Location, le.Line, le.Col, le.Msg)
//		}
//		return err
//	}
//	op := doc.Operation("getMcpServer") // by operationId
//	op, err = doc.OperationAt("/paths/~1api~1mcp~1mcp_servers~1{handle}/get") // by operationPath
//	base, err := op.Servers[0].Resolve(nil) // "https://www.workato.com"
//	handle := op.Parameter("handle", "path") // style "simple", explode false
//
// # Loading
//
// Load parses YAML or JSON with kin-openapi, follows $refs into other files and URLs
// relative to the document's location, and validates the result. Validation skips
// what does not stop an API from being called: examples and defaults that do not
// match their schema, unknown fields, unsupported regular expressions and formats.
// Every file is read through the ReadFunc of WithReadFunc when one is given — the
// place to sandbox untrusted descriptions — else from the local file system or over
// http(s) with a 10 s timeout and a 16 MiB limit. Errors are *LoadError values with
// the file, line and column where known.
//
// The loaded Document lists its operations in document order, each with path-level
// and operation-level parameters merged (operation-level wins), serialization
// defaults applied (style simple for path and header parameters, form for query and
// cookie ones; explode for form only), $refs resolved, and the servers and security
// that apply to it. kin-openapi's types never appear in this package's API.
//
// A server URL may be relative ("/v1", or the "/" that stands for a description
// without servers); Server.Resolve resolves it against the URL the description was
// read from when that is http(s), and reports an error for descriptions read from
// files, which have no such base.
//
// # Mock server
//
// NewMock turns descriptions into an in-process HTTP server, for tests and dry runs:
//
//	doc, _ := openapi.Load(ctx, "workato-mcp-server-openapi.yml", nil)
//	srv := httptest.NewServer(openapi.NewMock(doc))
//	defer srv.Close()
//	// GET srv.URL + "/api/mcp/mcp_servers/my-server" answers 200 with an McpServer
//	// whose handle is "my-server".
//
// It answers every operation of the descriptions:
//
//   - Routing is by method and path template, concrete paths before templated ones.
//     A request path may carry the base path of the operation's servers or not:
//     with a server https://api.example.com/v1, both /v1/pets/7 and /pets/7 reach
//     /pets/{petId}. A known path with another method gets 405 Method Not Allowed
//     with an Allow header; an unknown path 404 Not Found, both as RFC 9457
//     application/problem+json. HEAD falls back to GET.
//   - The response is the operation's success response: the lowest 2xx status, else
//     2XX or default as 200; without any, 204 No Content. Its body is in the first
//     JSON media type (else the first media type) of the response: the media type's
//     example, else its first example, else a value made from the schema.
//   - A value made from a schema uses the schema's example, examples, const, default
//     or first enum value when it has one; otherwise objects get all their
//     properties (except writeOnly ones), arrays minItems elements and at least one,
//     numbers a value within minimum and maximum, strings a value in their format
//     (date-time 2024-01-15T09:30:00Z, uri https://example.com/<property>, email,
//     uuid, ...) or else "example-<property>". allOf members are merged, the first
//     oneOf/anyOf member is used, and recursion through $ref cycles is bounded.
//     Patterns are not honoured.
//   - Path parameters are echoed: a string property of the response object (or of
//     each object of an array response) named like a path parameter takes the
//     request's value, so GET /api/mcp/mcp_servers/abc answers "handle": "abc".
//     Query parameters are not: the mock does not filter or page.
//   - The same request always gets the same response. The mock keeps no state, does
//     not check security, parameters or request bodies, and serves any number of
//     requests at once.
package openapi
