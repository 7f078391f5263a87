package openapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type mockResponse struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, srv *httptest.Server, method, path string) mockResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return mockResponse{resp.StatusCode, resp.Header, string(body)}
}

func decodeJSON(t *testing.T, r mockResponse) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return v
}

func TestMockWorkato(t *testing.T) {
	srv := httptest.NewServer(NewMock(mustLoad(t, workatoDescription)))
	defer srv.Close()

	t.Run("listMcpServers", func(t *testing.T) {
		r := call(t, srv, "GET", "/api/mcp/mcp_servers?search=Sales&per_page=100")
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		items, _ := decodeJSON(t, r)["items"].([]any)
		if len(items) == 0 {
			t.Fatalf("no items in %s", r.body)
		}
		first := items[0].(map[string]any)
		if h, _ := first["handle"].(string); h == "" {
			t.Errorf("items[0].handle is empty: %s", r.body)
		}
		if name, _ := first["name"].(string); !strings.Contains(name, "Sales") {
			t.Errorf("items[0].name = %q, want the example's Sales server", name)
		}
	})
	t.Run("getMcpServer echoes the handle", func(t *testing.T) {
		r := call(t, srv, "GET", "/api/mcp/mcp_servers/h")
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		v := decodeJSON(t, r)
		if v["handle"] != "h" {
			t.Errorf("handle = %v, want h", v["handle"])
		}
		if v["name"] == nil || v["mcp_url"] == nil {
			t.Errorf("body lacks the example's fields: %s", r.body)
		}
	})
	t.Run("percent-encoded handle", func(t *testing.T) {
		if v := decodeJSON(t, call(t, srv, "GET", "/api/mcp/mcp_servers/a%20b")); v["handle"] != "a b" {
			t.Errorf("handle = %v, want \"a b\"", v["handle"])
		}
	})
	t.Run("renewMcpServerToken", func(t *testing.T) {
		r := call(t, srv, "POST", "/api/mcp/mcp_servers/h/token_renew")
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		if tok, _ := decodeJSON(t, r)["token"].(string); tok == "" {
			t.Errorf("no token in %s", r.body)
		}
	})
	t.Run("deleteMcpServer", func(t *testing.T) {
		if v := decodeJSON(t, call(t, srv, "DELETE", "/api/mcp/mcp_servers/h")); v["success"] != true {
			t.Errorf("body = %v", v)
		}
	})
	t.Run("unknown path", func(t *testing.T) {
		r := call(t, srv, "GET", "/api/mcp/nothing")
		if r.status != 404 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
		}
		var p map[string]any
		if err := json.Unmarshal([]byte(r.body), &p); err != nil || p["status"] != 404.0 || p["title"] != "Not Found" {
			t.Errorf("problem = %s (%v)", r.body, err)
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		r := call(t, srv, "PATCH", "/api/mcp/mcp_servers/h")
		if r.status != 405 {
			t.Fatalf("status %d", r.status)
		}
		if got := r.header.Get("Allow"); got != "DELETE, GET, PUT" {
			t.Errorf("Allow = %q", got)
		}
	})
}

// Schema-generated bodies: every property, non-empty arrays, values in their format.
func TestMockGenerated(t *testing.T) {
	src := `openapi: 3.1.0
info: {title: Gen, version: "1"}
servers: [{url: "https://api.example.com/api/v1"}]
paths:
  /servers:
    get:
      operationId: list
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/List"}
  /servers/{handle}:
    get:
      operationId: get
      parameters: [{name: handle, in: path, required: true, schema: {type: string}}]
      responses:
        "404": {description: no}
        "201":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Server"}
        "200":
          description: ok
          content:
            text/plain: {schema: {type: string}}
            application/json:
              schema: {$ref: "#/components/schemas/Server"}
    delete:
      operationId: del
      parameters: [{name: handle, in: path, required: true, schema: {type: string}}]
      responses:
        "204": {description: gone}
  /servers/{handle}/tags:
    get:
      operationId: tags
      parameters: [{name: handle, in: path, required: true, schema: {type: string}}]
      responses:
        default:
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Server"}}
components:
  schemas:
    List:
      type: object
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Server"}}
        next_page: {type: boolean}
    Server:
      type: object
      properties:
        handle: {type: string}
        folder_id: {type: integer}
        mcp_url: {type: string, format: uri}
        created_at: {type: string, format: date-time}
        kind: {type: string, enum: [token, oauth]}
`
	d, err := Load(context.Background(), "/gen.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewMock(d))
	defer srv.Close()

	for _, path := range []string{"/api/v1/servers", "/servers"} { // with and without the server's base path
		r := call(t, srv, "GET", path)
		if r.status != 200 {
			t.Fatalf("GET %s: status %d", path, r.status)
		}
		items, _ := decodeJSON(t, r)["items"].([]any)
		if len(items) == 0 {
			t.Fatalf("GET %s: no items: %s", path, r.body)
		}
		item := items[0].(map[string]any)
		if h, _ := item["handle"].(string); h == "" {
			t.Errorf("handle empty: %s", r.body)
		}
		if u, _ := item["mcp_url"].(string); !strings.HasPrefix(u, "https://example.com/") {
			t.Errorf("mcp_url = %q, want a URL", u)
		}
		if ts, _ := item["created_at"].(string); ts == "" {
			t.Errorf("no created_at: %s", r.body)
		} else if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("created_at = %q: %v", ts, err)
		}
		if item["kind"] != "token" {
			t.Errorf("kind = %v, want the first enum value", item["kind"])
		}
		if _, ok := item["folder_id"].(float64); !ok {
			t.Errorf("folder_id = %#v, want a number", item["folder_id"])
		}
	}

	// The lowest 2xx wins, in its JSON media type; the handle is echoed.
	r := call(t, srv, "GET", "/api/v1/servers/abc")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if v := decodeJSON(t, r); v["handle"] != "abc" {
		t.Errorf("handle = %v, want abc", v["handle"])
	}
	// The same request gets the same body.
	if again := call(t, srv, "GET", "/api/v1/servers/abc"); again.body != r.body {
		t.Errorf("bodies differ:\n%s\n%s", r.body, again.body)
	}

	// Array response: each item's handle is echoed; default is a 200.
	r = call(t, srv, "GET", "/servers/xyz/tags")
	var arr []map[string]any
	if err := json.Unmarshal([]byte(r.body), &arr); err != nil || r.status != 200 || len(arr) == 0 || arr[0]["handle"] != "xyz" {
		t.Errorf("status %d body %s (%v)", r.status, r.body, err)
	}

	r = call(t, srv, "DELETE", "/servers/xyz")
	if r.status != 204 || r.body != "" {
		t.Errorf("DELETE: status %d body %q", r.status, r.body)
	}
	if r := call(t, srv, "POST", "/servers"); r.status != 405 || r.header.Get("Allow") != "GET" {
		t.Errorf("POST: status %d Allow %q", r.status, r.header.Get("Allow"))
	}
	if r := call(t, srv, "HEAD", "/servers"); r.status != 200 {
		t.Errorf("HEAD: status %d", r.status)
	}
	if r := call(t, srv, "GET", "/api/v2/servers"); r.status != 404 {
		t.Errorf("GET /api/v2/servers: status %d", r.status)
	}
}

// Concrete paths win over templated ones, whatever the document order.
func TestMockRouting(t *testing.T) {
	src := `openapi: 3.1.0
info: {title: Routes, version: "1"}
paths:
  /users/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {example: {route: by-id}}}}
  /users/me:
    get:
      responses:
        "200": {description: ok, content: {application/json: {example: {route: me}}}}
  /files/{name}.{ext}:
    get:
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
        - {name: ext, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}, ext: {type: string}}}
`
	d, err := Load(context.Background(), "/routes.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewMock(d))
	defer srv.Close()
	tests := []struct{ path, key, want string }{
		{"/users/me", "route", "me"},
		{"/users/42", "route", "by-id"},
		{"/users/42/", "route", "by-id"},
		{"/files/report.tar.gz", "name", "report"},
		{"/files/report.tar.gz", "ext", "tar.gz"},
	}
	for _, tt := range tests {
		if v := decodeJSON(t, call(t, srv, "GET", tt.path)); v[tt.key] != tt.want {
			t.Errorf("GET %s: %s = %v, want %s", tt.path, tt.key, v[tt.key], tt.want)
		}
	}
}

func TestMockNoDocuments(t *testing.T) {
	srv := httptest.NewServer(NewMock(nil))
	defer srv.Close()
	if r := call(t, srv, "GET", "/"); r.status != 404 {
		t.Errorf("status %d", r.status)
	}
}

// TestMockResponseHeaders: the headers a response declares are sent, from
// their example or their schema, so that a step's outputs that read them
// have a value.
func TestMockResponseHeaders(t *testing.T) {
	src := `openapi: 3.1.0
info: {title: H, version: "1"}
paths:
  /login:
    get:
      responses:
        "200":
          description: ok
          headers:
            X-Rate-Limit: {schema: {type: integer, minimum: 10}}
            X-Expires-After: {schema: {type: string, format: date-time}}
            X-Request-Id: {example: req-1, schema: {type: string}}
          content:
            application/json:
              schema: {type: string}
`
	doc, err := Load(context.Background(), "/h.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewMock(doc))
	defer srv.Close()
	r := call(t, srv, "GET", "/login")
	for name, want := range map[string]string{"X-Rate-Limit": "10", "X-Expires-After": "2024-01-15T09:30:00Z", "X-Request-Id": "req-1"} {
		if got := r.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
