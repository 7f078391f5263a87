package openapi

import (
	"errors"
	"testing"
)

func TestServerResolve(t *testing.T) {
	regional := Server{URL: "https://{region}.example.com:{port}/{base}", Variables: map[string]ServerVariable{
		"region": {Default: "eu", Enum: []string{"eu", "us"}},
		"port":   {Default: "443"},
		"base":   {Default: "v1"},
	}}
	fromHTTP := func(u string) Server { return Server{URL: u, base: "https://specs.example.com/apis/pets/openapi.yaml"} }
	fromFile := func(u string) Server { return Server{URL: u, base: "file:///work/openapi.yaml"} }
	tests := []struct {
		name   string
		server Server
		vars   map[string]string
		want   string // URL, or the error
	}{
		{"absolute", Server{URL: "https://api.example.com/v1"}, nil, "https://api.example.com/v1"},
		{"defaults", regional, nil, "https://eu.example.com:443/v1"},
		{"given", regional, map[string]string{"region": "us", "port": "8443", "base": "v2"}, "https://us.example.com:8443/v2"},
		{"extra variables are ignored", regional, map[string]string{"other": "x"}, "https://eu.example.com:443/v1"},
		{"not in enum", regional, map[string]string{"region": "ap"},
			`server "https://{region}.example.com:{port}/{base}": variable "region": value "ap" is not one of "eu", "us"`},
		{"undeclared variable", Server{URL: "https://{host}/v1"}, nil,
			`server "https://{host}/v1": variable "host": not declared in the server's variables and no value given`},
		{"undeclared variable given", Server{URL: "https://{host}/v1"}, map[string]string{"host": "h.example.com"}, "https://h.example.com/v1"},
		{"unclosed brace", Server{URL: "https://{host/v1"}, nil, `server "https://{host/v1": unclosed '{' in the URL template`},
		{"stray brace", Server{URL: "https://host}/v1"}, nil, `server "https://host}/v1": unbalanced '}' in the URL template`},
		{"relative to an http document", fromHTTP("/v1"), nil, "https://specs.example.com/v1"},
		{"path-relative to an http document", fromHTTP("v1"), nil, "https://specs.example.com/apis/pets/v1"},
		{"default server of an http document", fromHTTP("/"), nil, "https://specs.example.com/"},
		{"relative to a file", fromFile("/v1"), nil,
			`server "/v1": relative server URL "/v1" has no base: file:///work/openapi.yaml was not served over http(s); give the server URL explicitly`},
		{"absolute in a file", fromFile("https://api.example.com"), nil, "https://api.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.server.Resolve(tt.vars)
			if err != nil {
				var se *ServerError
				if !errors.As(err, &se) {
					t.Fatalf("err is a %T, want *ServerError", err)
				}
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Resolve = %s\nwant %s", got, tt.want)
			}
		})
	}
}

// ResolveWithBase gives relative servers of a description read from a file a
// base; an http(s) document keeps its own.
func TestServerResolveWithBase(t *testing.T) {
	for _, tt := range []struct{ server, base, want string }{
		{"file:///work/openapi.yaml", "http://mock.invalid/", "http://mock.invalid/v1"},
		{"https://specs.example.com/openapi.yaml", "http://mock.invalid/", "https://specs.example.com/v1"},
	} {
		got, err := Server{URL: "/v1", base: tt.server}.ResolveWithBase(nil, tt.base)
		if err != nil || got != tt.want {
			t.Errorf("from %s: %s, %v; want %s", tt.server, got, err, tt.want)
		}
	}
}

func TestDocumentServers(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	got, err := d.Operation("listPets").Servers[0].Resolve(map[string]string{"region": "us"})
	if err != nil || got != "https://us.pets.example.com/api/v1" {
		t.Errorf("Resolve = %q, %v", got, err)
	}
	// A file has no base for the default server "/".
	if _, err := mustLoad(t, "testdata/openapi31.yaml").Servers[0].Resolve(nil); err == nil {
		t.Error("the default server of a file resolved")
	}
}
