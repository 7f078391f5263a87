package openapi

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestOperationsOrder(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	var got []string
	for _, op := range d.Operations() {
		got = append(got, op.Method+" "+op.Path+" "+op.Pointer)
	}
	want := []string{
		"GET /pets /paths/~1pets/get",
		"POST /pets /paths/~1pets/post",
		"GET /pets/{petId} /paths/~1pets~1{petId}/get",
		"POST /pets/{petId} /paths/~1pets~1{petId}/post",
		"DELETE /pets/{petId} /paths/~1pets~1{petId}/delete",
		"PUT /a~b/c /paths/~1a~0b~1c/put",
	}
	if !slices.Equal(got, want) {
		t.Errorf("operations:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Paths keep the order the document writes them in, which is not sorted order.
func TestOperationsDocumentOrder(t *testing.T) {
	src := "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n"
	for _, p := range []string{"/zeta", "/alpha", "/mid"} {
		src += fmt.Sprintf("  %s:\n    post: {operationId: post%s}\n    get: {operationId: get%s}\n", p, p[1:], p[1:])
	}
	d, err := Load(context.Background(), "/order.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range d.Operations() {
		got = append(got, op.ID)
	}
	want := []string{"getzeta", "postzeta", "getalpha", "postalpha", "getmid", "postmid"}
	if !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestParameters(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	tests := []struct {
		op   string
		want []Parameter
	}{
		{"listPets", []Parameter{
			{Name: "limit", In: "query", Style: "form", Explode: true, Type: "integer"},
			{Name: "tags", In: "query", Style: "form", Explode: true, Type: "array", ItemsType: "string"},
			{Name: "X-Request-ID", In: "header", Style: "simple", Type: "string"},
		}},
		// path-level petId and verbose; the operation's verbose replaces the path's.
		{"showPetById", []Parameter{
			{Name: "petId", In: "path", Required: true, Style: "simple", Type: "integer"},
			{Name: "verbose", In: "query", Required: true, Style: "form", Explode: false, Type: "string"},
			{Name: "fields", In: "query", Style: "form", Explode: true, ContentType: "application/json", Type: "object"},
		}},
		{"deletePet", []Parameter{
			{Name: "petId", In: "path", Required: true, Style: "simple", Type: "integer"},
			{Name: "verbose", In: "query", Style: "form", Explode: true, Type: "boolean"},
		}},
		{"createPet", nil},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			var got []Parameter
			for _, p := range d.Operation(tt.op).Parameters {
				got = append(got, *p)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parameters:\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParameters31TypeArrays(t *testing.T) {
	d := mustLoad(t, "testdata/openapi31.yaml")
	op := d.Operation("getThing")
	if p := op.Parameter("id", "path"); p.Type != "string" {
		t.Errorf("id type = %q, want string", p.Type)
	}
	if p := op.Parameter("ids", ""); p.Type != "array" || p.ItemsType != "integer" {
		t.Errorf("ids type = %q of %q, want array of integer", p.Type, p.ItemsType)
	}
}

func TestParameterLookup(t *testing.T) {
	op := mustLoad(t, "testdata/petstore.yaml").Operation("listPets")
	tests := []struct {
		name, in string
		found    bool
	}{
		{"limit", "query", true},
		{"limit", "", true},
		{"limit", "header", false},
		{"x-request-id", "header", true}, // header names match in any case
		{"x-request-id", "", true},
		{"Limit", "query", false},
		{"nope", "", false},
	}
	for _, tt := range tests {
		if got := op.Parameter(tt.name, tt.in); (got != nil) != tt.found {
			t.Errorf("Parameter(%q, %q) = %+v, want found %v", tt.name, tt.in, got, tt.found)
		}
	}
}

func TestRequestBody(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	body := d.Operation("createPet").RequestBody
	if body == nil || !body.Required {
		t.Fatalf("body = %+v", body)
	}
	var names []string
	for _, mt := range body.Content {
		names = append(names, mt.Name)
	}
	// document order, not sorted
	if want := []string{"multipart/form-data", "application/json"}; !slices.Equal(names, want) {
		t.Errorf("media types = %v, want %v", names, want)
	}
	no := false
	want := map[string]Encoding{
		"photo": {ContentType: "image/png", Headers: map[string]string{"X-Rate-Limit": "10"}},
		"tags":  {Style: "pipeDelimited", Explode: &no},
	}
	if got := body.Content[0].Encoding; !reflect.DeepEqual(got, want) {
		t.Errorf("encoding = %+v, want %+v", got, want)
	}
	if d.Operation("listPets").RequestBody != nil {
		t.Error("listPets has a request body")
	}
}

func TestResponses(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	rs := d.Operation("listPets").Responses
	if r := rs["200"]; r == nil || r.Description != "A list of pets." || !slices.Equal(r.MediaTypes, []string{"application/json"}) {
		t.Errorf("200 = %+v", r)
	}
	if r := rs["default"]; r == nil || r.Description != "unexpected error" {
		t.Errorf("default = %+v", r)
	}
}

func TestServersPrecedence(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	tests := []struct{ op, want string }{
		{"listPets", "https://{region}.pets.example.com/api/v1"}, // document
		{"showPetById", "https://pets-item.example.com"},         // path item
		{"deletePet", "https://pets-delete.example.com"},         // operation
	}
	for _, tt := range tests {
		if got := d.Operation(tt.op).Servers; len(got) != 1 || got[0].URL != tt.want {
			t.Errorf("%s servers = %+v, want %s", tt.op, got, tt.want)
		}
	}
	// Without servers, there is one: "/".
	d31 := mustLoad(t, "testdata/openapi31.yaml")
	if got := d31.Operation("getThing").Servers; len(got) != 1 || got[0].URL != "/" {
		t.Errorf("default servers = %+v", got)
	}
}

func TestSecurityPrecedence(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	docLevel := []SecurityRequirement{
		{{Scheme: "apiKey", Scopes: []string{}}},
		{{Scheme: "oauth", Scopes: []string{"pets:read"}}},
	}
	if !reflect.DeepEqual(d.Security, docLevel) {
		t.Errorf("document security = %+v", d.Security)
	}
	if got := d.Operation("listPets").Security; !reflect.DeepEqual(got, docLevel) {
		t.Errorf("listPets security = %+v, want the document's", got)
	}
	// security: [] declares that the operation needs none.
	if got := d.Operation("createPet").Security; got == nil || len(got) != 0 {
		t.Errorf("createPet security = %#v, want empty and non-nil", got)
	}
	if got := mustLoad(t, "testdata/openapi31.yaml").Operation("getThing").Security; got != nil {
		t.Errorf("security without any declared = %#v, want nil", got)
	}
}

func TestSecuritySchemes(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	tests := []SecurityScheme{
		{Name: "apiKey", Type: "apiKey", In: "header", ParamName: "X-API-Key"},
		{Name: "oauth", Type: "oauth2", TokenURL: "https://auth.example.com/cc-token", Flows: []string{"clientCredentials", "authorizationCode"}},
		{Name: "basic", Type: "http", Scheme: "basic"},
		{Name: "oidc", Type: "openIdConnect", OpenIDConnectURL: "https://auth.example.com/.well-known/openid-configuration"},
	}
	for _, want := range tests {
		if got := d.SecurityScheme(want.Name); got == nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("SecurityScheme(%q) = %+v, want %+v", want.Name, got, want)
		}
	}
	if d.SecurityScheme("nope") != nil {
		t.Error("SecurityScheme(nope) != nil")
	}
}

func TestIdempotent(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	tests := []struct {
		op   string
		want bool
	}{
		{"listPets", true},
		{"createPet", false},
		{"deletePet", true},
		{"touchPet", true}, // POST with x-idempotent: true
		{"tilde", false},   // PUT with x-idempotent: false
	}
	for _, tt := range tests {
		if got := d.Operation(tt.op).Idempotent; got != tt.want {
			t.Errorf("%s idempotent = %v, want %v", tt.op, got, tt.want)
		}
	}
}
