package runtime_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/arazzo-run/arazzo/runtime"
)

func TestSignature(t *testing.T) {
	plan, _, err := runtime.Load(context.Background(), "testdata/signature/items.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		workflow             string
		inputs, outputs      string
		secret               []string
		readOnly, idempotent bool
	}{
		{
			workflow: "readItem",
			// components.inputs $refs resolved in place; the password input is writeOnly.
			inputs: `{"properties":{"id":{"minimum":1,"type":"integer"},"key":{"format":"password","type":"string","writeOnly":true}},"required":["id"],"type":"object"}`,
			// Types from the response schema (through a $ref and a pointer into
			// a step output), $statusCode, a header, a template, an input.
			outputs: `{"properties":{"etag":{"type":"string"},"firstTag":{"type":"string"},"id":{"minimum":1,"type":"integer"},` +
				`"label":{"type":"string"},"name":{"description":"The item's name.","type":["string","null"]},"status":{"type":"integer"}},"type":"object"}`,
			secret:   []string{"key"},
			readOnly: true, idempotent: true,
		},
		{
			workflow: "archiveItem",
			inputs:   `{"properties":{"id":{"type":"integer"}},"required":["id"],"type":"object"}`,
			// Through a workflow step's $outputs, and a POST's response.
			outputs: `{"properties":{"archived":{"type":"boolean"},"name":{"description":"The item's name.","type":["string","null"]}},"type":"object"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.workflow, func(t *testing.T) {
			sig, err := plan.Signature(tt.workflow)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustJSON(t, sig.Inputs); got != tt.inputs {
				t.Errorf("inputs\n got %s\nwant %s", got, tt.inputs)
			}
			if got := mustJSON(t, sig.Outputs); got != tt.outputs {
				t.Errorf("outputs\n got %s\nwant %s", got, tt.outputs)
			}
			if got, want := mustJSON(t, sig.SecretInputs), mustJSON(t, tt.secret); got != want {
				t.Errorf("secret inputs %s, want %s", got, want)
			}
			if sig.ReadOnly != tt.readOnly || sig.Idempotent != tt.idempotent {
				t.Errorf("readOnly %v idempotent %v, want %v %v", sig.ReadOnly, sig.Idempotent, tt.readOnly, tt.idempotent)
			}
		})
	}
	if _, err := plan.Signature("nope"); err == nil {
		t.Error("an unknown workflow has a signature")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A workflow that sends an AsyncAPI message changes something, whatever the
// methods of its HTTP steps.
func TestSignatureAsyncSend(t *testing.T) {
	plan, _, err := runtime.Load(context.Background(), "testdata/async/pet/pet-purchase.arazzo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := plan.Signature("loginUserAndRetrievePet")
	if err != nil {
		t.Fatal(err)
	}
	if sig.ReadOnly || sig.Idempotent {
		t.Errorf("readOnly %v idempotent %v: a send is neither", sig.ReadOnly, sig.Idempotent)
	}
}
