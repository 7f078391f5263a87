package openapi

import (
	"errors"
	"testing"
)

func TestOperationAt(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	tests := []struct {
		pointer string
		want    string // operationId, or the error
	}{
		{"/paths/~1pets/get", "listPets"},
		{"/paths/~1pets/GET", "listPets"},
		{"/paths/~1pets~1{petId}/get", "showPetById"},
		{"/paths/~1pets~1%7BpetId%7D/delete", "deletePet"},
		{"/paths/%7E1pets%7E1%7BpetId%7D/post", "touchPet"},
		{"/paths/~1a~0b~1c/put", "tilde"},
		{"/paths/~1pets/patch", `path "/pets" in ` + d.URL + " has no patch operation; it has get, post"},
		{"/paths/~1pets~1%7BpetId%7D/put", `path "/pets/{petId}" in ` + d.URL + " has no put operation; it has get, post, delete"},
		{"/paths/~1cats/get", `no path "/cats" in ` + d.URL},
		{"/paths/~1pets~1{id}/get", `no path "/pets/{id}" in ` + d.URL},
		{"/paths/~1a~1b~1c/put", `no path "/a/b/c" in ` + d.URL}, // ~0 is not ~1
		{"/paths/pets/get", `no path "pets" in ` + d.URL},
		{"/components/schemas/Pet", `operation pointer "/components/schemas/Pet" does not start with /paths/`},
		{"/paths/~1pets", `operation pointer "/paths/~1pets" is not of the form /paths/{path}/{method} (a '/' in the path is written ~1)`},
		{"/paths//pets/get", `operation pointer "/paths//pets/get" is not of the form /paths/{path}/{method} (a '/' in the path is written ~1)`},
		{"", `operation pointer "" does not start with /paths/`},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			op, err := d.OperationAt(tt.pointer)
			var got string
			if err != nil {
				var le *LookupError
				if !errors.As(err, &le) {
					t.Fatalf("err is a %T, want *LookupError", err)
				}
				got = err.Error()
			} else {
				got = op.ID
			}
			if got != tt.want {
				t.Errorf("OperationAt(%q) = %s\nwant %s", tt.pointer, got, tt.want)
			}
		})
	}
}

func TestLookupErrorFields(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	_, err := d.OperationAt("/paths/~1pets/patch")
	var le *LookupError
	if !errors.As(err, &le) || le.Path != "/pets" || le.Method != "patch" || len(le.Methods) != 2 {
		t.Errorf("err = %#v", err)
	}
}

func TestOperationByID(t *testing.T) {
	d := mustLoad(t, "testdata/petstore.yaml")
	if op := d.Operation("showPetById"); op == nil || op.Path != "/pets/{petId}" || op.Document() != d {
		t.Errorf("Operation(showPetById) = %+v", op)
	}
	if d.Operation("nope") != nil {
		t.Error("Operation(nope) != nil")
	}
	var nilDoc *Document
	if nilDoc.Operation("x") != nil || nilDoc.Operations() != nil || nilDoc.SecurityScheme("x") != nil {
		t.Error("a nil Document finds something")
	}
	if _, err := nilDoc.OperationAt("/paths/~1a/get"); err == nil {
		t.Error("a nil Document finds an operation")
	}
	// Operations returns a copy.
	ops := d.Operations()
	ops[0] = nil
	if d.Operations()[0] == nil {
		t.Error("Operations exposes the document's slice")
	}
}
