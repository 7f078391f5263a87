package openapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const workatoDescription = "../workflows/workato/openapi/workato-mcp-server-openapi.yml"

func mustLoad(t testing.TB, location string) *Document {
	t.Helper()
	d, err := Load(context.Background(), location, nil)
	if err != nil {
		t.Fatalf("Load(%s): %v", location, err)
	}
	return d
}

// memFS serves files from a map through WithReadFunc and records what was read.
type memFS struct {
	files map[string]string
	reads []string
}

func (m *memFS) read(_ context.Context, u *url.URL) ([]byte, error) {
	m.reads = append(m.reads, u.String())
	s, ok := m.files[u.String()]
	if !ok {
		return nil, fmt.Errorf("%s: no such file", u)
	}
	return []byte(s), nil
}

func TestLoadWorkato(t *testing.T) {
	d := mustLoad(t, workatoDescription)
	if d.Version != "3.1.0" || d.Title != "Workato MCP Server API" {
		t.Errorf("version %q, title %q", d.Version, d.Title)
	}
	abs, _ := filepath.Abs(workatoDescription)
	if want := "file://" + filepath.ToSlash(abs); d.URL != want {
		t.Errorf("URL = %q, want %q", d.URL, want)
	}
	var servers []string
	for _, s := range d.Servers {
		if s.Description == "" {
			t.Errorf("server %s has no description", s.URL)
		}
		servers = append(servers, s.URL)
	}
	wantServers := []string{"https://www.workato.com", "https://app.eu.workato.com", "https://app.jp.workato.com",
		"https://app.sg.workato.com", "https://app.au.workato.com"}
	if !slices.Equal(servers, wantServers) {
		t.Errorf("servers = %v, want %v", servers, wantServers)
	}
	if s := d.SecurityScheme("bearerAuth"); s == nil || s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearerAuth = %+v", s)
	}

	ops := []struct{ id, method, path string }{
		{"listMcpServers", "GET", "/api/mcp/mcp_servers"},
		{"createMcpServer", "POST", "/api/mcp/mcp_servers"},
		{"getMcpServer", "GET", "/api/mcp/mcp_servers/{handle}"},
		{"updateMcpServer", "PUT", "/api/mcp/mcp_servers/{handle}"},
		{"deleteMcpServer", "DELETE", "/api/mcp/mcp_servers/{handle}"},
		{"renewMcpServerToken", "POST", "/api/mcp/mcp_servers/{handle}/token_renew"},
		{"assignToolsToMcpServer", "POST", "/api/mcp/mcp_servers/{handle}/assign_tools"},
		{"assignUserGroupsToMcpServer", "POST", "/api/mcp/mcp_servers/{handle}/assign_user_groups"},
		{"removeUserGroupsFromMcpServer", "POST", "/api/mcp/mcp_servers/{handle}/remove_user_groups"},
		{"moveMcpServerToFolder", "PUT", "/api/mcp/mcp_servers/{handle}/update_folder"},
		{"getMcpServerPolicies", "GET", "/api/mcp/mcp_servers/{mcp_server_handle}/server_policies"},
		{"updateMcpServerPolicies", "PUT", "/api/mcp/mcp_servers/{mcp_server_handle}/server_policies"},
		{"listMcpServerTools", "GET", "/api/mcp/mcp_servers/{mcp_server_handle}/tools"},
		{"updateMcpServerTool", "PUT", "/api/mcp/mcp_servers/{mcp_server_handle}/tools/{id}"},
		{"removeMcpServerTool", "DELETE", "/api/mcp/mcp_servers/{mcp_server_handle}/tools/{id}"},
		{"listMcpUserGroups", "GET", "/api/mcp/user_groups"},
	}
	if got := len(d.Operations()); got != len(ops) {
		t.Errorf("%d operations, want %d", got, len(ops))
	}
	for i, want := range ops {
		op := d.Operation(want.id)
		if op == nil {
			t.Errorf("no operation %s", want.id)
			continue
		}
		if op.Method != want.method || op.Path != want.path {
			t.Errorf("%s = %s %s, want %s %s", want.id, op.Method, op.Path, want.method, want.path)
		}
		if got := d.Operations()[i]; got != op {
			t.Errorf("operation %d is %s, want %s (document order)", i, got.ID, want.id)
		}
		if len(op.Security) != 1 || len(op.Security[0]) != 1 || op.Security[0][0].Scheme != "bearerAuth" {
			t.Errorf("%s security = %v, want bearerAuth", want.id, op.Security)
		}
		if op.Servers[0].URL != "https://www.workato.com" {
			t.Errorf("%s first server = %s", want.id, op.Servers[0].URL)
		}
	}

	list := d.Operation("listMcpServers")
	for _, q := range []struct{ name, typ string }{
		{"project_id", "integer"}, {"folder_id", "integer"}, {"authentication_method", "string"},
		{"search", "string"}, {"vua_required", "boolean"}, {"page", "integer"}, {"per_page", "integer"},
	} {
		p := list.Parameter(q.name, "query")
		if p == nil || p.Type != q.typ {
			t.Errorf("listMcpServers query %s = %+v, want type %s", q.name, p, q.typ)
		}
	}
	for _, id := range []string{"getMcpServer", "renewMcpServerToken"} {
		op := d.Operation(id)
		for _, code := range []string{"200", "401", "404"} {
			if op.Responses[code] == nil {
				t.Errorf("%s has no %s response", id, code)
			}
		}
	}
	if p := d.Operation("renewMcpServerToken").Parameter("handle", "path"); p == nil || !p.Required {
		t.Errorf("renewMcpServerToken handle = %+v", p)
	}
}

// The bundled workflow refers to the description by a relative URL and to three of
// its operations.
func TestWorkatoWorkflowReferences(t *testing.T) {
	wf, err := os.ReadFile("../workflows/workato/arazzo/workato-rotate-mcp-server-token-workflow.yml")
	if err != nil {
		t.Skipf("workflow not present: %v", err)
	}
	if !strings.Contains(string(wf), "url: ../openapi/workato-mcp-server-openapi.yml") {
		t.Fatal("workflow does not refer to ../openapi/workato-mcp-server-openapi.yml")
	}
	d := mustLoad(t, filepath.Join("../workflows/workato/arazzo", "../openapi/workato-mcp-server-openapi.yml"))
	for _, id := range []string{"listMcpServers", "getMcpServer", "renewMcpServerToken"} {
		if !strings.Contains(string(wf), "operationId: "+id) {
			t.Errorf("workflow does not use %s", id)
		}
		if d.Operation(id) == nil {
			t.Errorf("description has no %s", id)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	const head = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"
	fs := &memFS{files: map[string]string{
		"file:///api/bad.yaml": "R:\n  description: [unclosed\n",
		"file:///api/typ.yaml": "components:\n  responses:\n    R:\n      description: ok\n      content: 7\n",
	}}
	tests := []struct {
		name, src string
		want      string // the rendered error
	}{
		{"yaml syntax", "openapi: 3.1.0\ninfo: {title: T\npaths: {}\n",
			"file:///api/main.yaml:3:6: invalid YAML: did not find expected ',' or '}'"},
		{"empty", "", "file:///api/main.yaml: the document is empty"},
		{"not a mapping", "[1, 2]", "file:///api/main.yaml:1:1: an OpenAPI description must be a mapping (object)"},
		{"swagger", "swagger: '2.0'\ninfo: {title: T, version: '1'}\n",
			"file:///api/main.yaml:1:1: Swagger 2.0 is not supported: convert the description to OpenAPI 3"},
		{"version", "openapi: 2.0.0\n",
			`file:///api/main.yaml:1:10: unsupported OpenAPI version "2.0.0" (want 3.0 or 3.1)`},
		{"wrong type", "openapi: 3.0.3\ninfo: {title: T, version: 1}\npaths: {}\n",
			`file:///api/main.yaml:2:7: invalid value: cannot unmarshal !!int into string field "version" in /info`},
		{"syntax error in a referenced file", head + "paths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: 'bad.yaml#/R'}\n",
			"file:///api/bad.yaml:3:1: invalid YAML: did not find expected ',' or ']'"},
		{"wrong type in a referenced file", head + "paths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: 'typ.yaml#/components/responses/R'}\n",
			"file:///api/typ.yaml:5:16: invalid value: cannot construct !!int `7` into openapi3.Content in /components/responses/R/content"},
		{"missing referenced file", head + "paths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: 'missing.yaml#/R'}\n",
			"file:///api/missing.yaml: file:///api/missing.yaml: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), "/api/main.yaml", []byte(tt.src), WithReadFunc(fs.read))
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v (%T), want a *LoadError", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("err =\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

// Load loads what can be loaded: a defect of one part of a description (a
// $ref that points at nothing, a path parameter an operation does not
// declare, a schema that does not validate) is recorded with its place, and
// given to the operations whose requests it breaks; the rest is used.
func TestLoadDefects(t *testing.T) {
	const head = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"
	ok := "      responses:\n        '200': {description: ok}\n"
	tests := []struct {
		name, src string
		defects   []string          // Defect.Error() of the document, in order
		broken    map[string]string // operation "METHOD /path" → the Where of its first defect
	}{
		{"dangling $ref in an unused schema", head + "paths:\n  /a:\n    get:\n      operationId: a\n" + ok +
			"components:\n  schemas:\n    Unused: {$ref: '#/components/schemas/Missing'}\n",
			[]string{`file:///api/main.yaml:11:14: components.schemas.Unused: $ref "#/components/schemas/Missing" does not resolve: the description has nothing there`}, nil},
		{"dangling $ref in a parameter", head + "paths:\n  /a:\n    get:\n      parameters: [{$ref: '#/components/parameters/Missing'}]\n" + ok +
			"  /b:\n    get:\n" + ok,
			[]string{`file:///api/main.yaml:6:21: paths./a.get.parameters[0]: $ref "#/components/parameters/Missing" does not resolve: the description has nothing there`},
			map[string]string{"GET /a": "paths./a.get.parameters[0]"}},
		{"dangling $ref reached through a component", head + "paths:\n  /a:\n    post:\n      requestBody: {$ref: '#/components/requestBodies/B'}\n" + ok +
			"components:\n  requestBodies:\n    B:\n      content:\n        application/json:\n          schema: {$ref: '#/components/schemas/Gone'}\n",
			[]string{`file:///api/main.yaml:14:20: components.requestBodies.B.content.application/json.schema: $ref "#/components/schemas/Gone" does not resolve: the description has nothing there`},
			map[string]string{"POST /a": "components.requestBodies.B.content.application/json.schema"}},
		{"missing path parameter", head + "paths:\n  /a/{id}:\n    get:\n" + ok + "  /b:\n    get:\n" + ok,
			[]string{"file:///api/main.yaml:4:3: invalid paths: operation GET /a/{id} must define exactly all path parameters (missing: [id])"},
			map[string]string{"GET /a/{id}": ""}},
		{"bad schema type", head + "paths:\n  /a:\n    get:\n      parameters: [{name: x, in: query, schema: {type: strin}}]\n" + ok,
			[]string{`file:///api/main.yaml:6:21: paths./a.get: invalid paths: invalid path /a: invalid operation GET: parameter "x" schema is invalid: unsupported 'type' value "strin"`},
			map[string]string{"GET /a": "paths./a.get"}},
		{"duplicate operationId", "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: same\n  /b:\n    get:\n      operationId: same\n",
			[]string{`file:///api/main.yaml:8:5: invalid paths: operations "GET /a" and "GET /b" have the same operation id "same"`},
			map[string]string{"GET /a": "", "GET /b": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Load(context.Background(), "/api/main.yaml", []byte(tt.src), WithReadFunc((&memFS{}).read))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, def := range d.Defects {
				got = append(got, def.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.defects, "\n") {
				t.Errorf("defects\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.defects, "\n"))
			}
			for _, op := range d.Operations() {
				where, broken := tt.broken[op.Method+" "+op.Path]
				switch {
				case broken && len(op.Defects) == 0:
					t.Errorf("%s %s has no defect", op.Method, op.Path)
				case !broken && len(op.Defects) > 0:
					t.Errorf("%s %s has defects %v", op.Method, op.Path, op.Defects)
				case broken && op.Defects[0].Where != where:
					t.Errorf("%s %s: defect at %q, want %q", op.Method, op.Path, op.Defects[0].Where, where)
				}
			}
		})
	}
}

// Load does not reject what does not keep an API from being called.
func TestLoadTolerates(t *testing.T) {
	const head = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n"
	tests := []struct{ name, src string }{
		{"unknown field", head + "      foo: bar\n      responses:\n        '200': {description: ok}\n"},
		{"example not matching its schema", head + "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: integer}\n              example: not-an-integer\n"},
		{"3.1 keywords in 3.0", head + "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {type: integer, const: 5, examples: [5]}\n"},
		{"default not matching", head + "      parameters: [{name: n, in: query, schema: {type: integer, default: x}}]\n      responses:\n        '200': {description: ok}\n"},
		{"pattern Go cannot compile", head + "      parameters: [{name: n, in: query, schema: {type: string, pattern: '^(?!x)'}}]\n      responses:\n        '200': {description: ok}\n"},
		{"unknown format", head + "      parameters: [{name: n, in: query, schema: {type: string, format: sha256}}]\n      responses:\n        '200': {description: ok}\n"},
		{"json", `{"openapi": "3.0.3", "info": {"title": "J", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}`},
		{"3.1 without paths", "openapi: 3.1.0\ninfo: {title: T, version: '1'}\nwebhooks: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Load(context.Background(), "/api/main.yaml", []byte(tt.src), WithReadFunc((&memFS{}).read)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Every read goes through the ReadFunc: the document itself when no data is given,
// and each file a $ref names, once.
func TestLoadReadFunc(t *testing.T) {
	fs := &memFS{files: map[string]string{
		"file:///specs/main.yaml": `openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /a:
    get:
      parameters: [{$ref: "shared/params.yaml#/Limit"}]
      responses:
        "200": {$ref: "shared/responses.yaml#/Ok"}
  /b:
    get:
      parameters: [{$ref: "shared/params.yaml#/Limit"}]
      responses:
        "200": {$ref: "shared/responses.yaml#/Ok"}
`,
		"file:///specs/shared/params.yaml":    "Limit: {name: limit, in: query, schema: {type: integer}}\n",
		"file:///specs/shared/responses.yaml": "Ok:\n  description: ok\n  content:\n    application/json:\n      schema: {$ref: 'schemas.yaml#/Thing'}\n",
		"file:///specs/shared/schemas.yaml":   "Thing: {type: object, properties: {id: {type: string}}}\n",
	}}
	d, err := Load(context.Background(), "/specs/main.yaml", nil, WithReadFunc(fs.read))
	if err != nil {
		t.Fatal(err)
	}
	if p := d.Operation("").Parameter("limit", "query"); p != nil {
		t.Errorf("Operation(\"\") found something")
	}
	if p := d.Operations()[1].Parameter("limit", "query"); p == nil || p.Type != "integer" {
		t.Errorf("limit = %+v", p)
	}
	slices.Sort(fs.reads)
	want := []string{"file:///specs/main.yaml", "file:///specs/shared/params.yaml",
		"file:///specs/shared/responses.yaml", "file:///specs/shared/schemas.yaml"}
	if !slices.Equal(fs.reads, want) {
		t.Errorf("reads = %v, want %v", fs.reads, want)
	}
}

// The default reader follows references over HTTP, relative to the document's URL.
func TestLoadHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/specs/main.yaml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "openapi: 3.1.0\ninfo: {title: Remote, version: '1'}\nservers: [{url: /v2}]\npaths:\n  /a:\n    $ref: 'items.yaml#/A'\n")
	})
	mux.HandleFunc("/specs/items.yaml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "A:\n  get:\n    operationId: getA\n    responses:\n      '200': {description: ok}\n")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	d, err := Load(context.Background(), srv.URL+"/specs/main.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	op := d.Operation("getA")
	if op == nil {
		t.Fatal("no getA")
	}
	base, err := op.Servers[0].Resolve(nil)
	if err != nil || base != srv.URL+"/v2" {
		t.Errorf("server = %q, %v; want %s/v2", base, err, srv.URL)
	}

	_, err = Load(context.Background(), srv.URL+"/specs/missing.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("err = %v, want a 404", err)
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, "testdata/petstore.yaml", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func FuzzLoad(f *testing.F) {
	for _, name := range []string{"testdata/petstore.yaml", "testdata/openapi31.yaml", workatoDescription} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	noFiles := WithReadFunc(func(context.Context, *url.URL) ([]byte, error) { return nil, errors.New("no files") })
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Load(context.Background(), "/fuzz/openapi.yaml", data, noFiles)
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error %v is a %T, not a *LoadError", err, err)
			}
			return
		}
		mock := NewMock(d)
		for _, op := range d.Operations() {
			if got, err := d.OperationAt(op.Pointer); err != nil || got != op {
				t.Fatalf("OperationAt(%q) = %v, %v", op.Pointer, got, err)
			}
			// The mock finds every operation by its path template (sent as it is written).
			u, err := url.Parse("http://mock" + op.Path)
			if err != nil || u.RawQuery != "" || u.Fragment != "" || u.Path != op.Path || strings.Contains(op.Path, "//") {
				continue
			}
			rec := httptest.NewRecorder()
			mock.ServeHTTP(rec, &http.Request{Method: op.Method, URL: u, Header: http.Header{}})
			if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
				t.Fatalf("the mock answers %s %s with %d", op.Method, op.Path, rec.Code)
			}
		}
	})
}
