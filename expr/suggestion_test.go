package expr

import (
	"errors"
	"testing"
)

// TestSyntaxErrorSuggestion: an error that says "did you mean" carries the
// input with that fix applied, for editors and validate --format json.
func TestSyntaxErrorSuggestion(t *testing.T) {
	tests := []struct{ cond, want string }{
		{"$statusCode = 200", "$statusCode == 200"},
		{"$statusCode == 200 & $response.body#/ok == true", "$statusCode == 200 && $response.body#/ok == true"},
		{"$statusCode == 200 | $statusCode == 201", "$statusCode == 200 || $statusCode == 201"},
		{"$statusCode == 200 and $response.body#/ok", "$statusCode == 200 && $response.body#/ok"},
		{"$response.body#/ok == True", "$response.body#/ok == true"},
		{"$Steps.a.outputs.b == 1", "$steps.a.outputs.b == 1"},
		{"$respnse.body#/ok == true", "$response.body#/ok == true"},
	}
	for _, tt := range tests {
		_, err := ParseCondition(tt.cond)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a *SyntaxError", tt.cond, err)
			continue
		}
		if se.Suggestion != tt.want {
			t.Errorf("%q: suggestion %q, want %q (%s)", tt.cond, se.Suggestion, tt.want, se.Msg)
		}
	}
}
