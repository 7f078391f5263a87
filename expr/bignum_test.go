package expr

import "testing"

// TestNumbersCompareExactly: JSON numbers that are no int64 compare by their
// value as written, not by their nearest float64; a reason shows every digit.
func TestNumbersCompareExactly(t *testing.T) {
	tests := []struct {
		cond string
		body string
		pass bool
	}{
		{"$response.body#/id == 12345678901234567891", `{"id": 12345678901234567890}`, false},
		{"$response.body#/id == 12345678901234567890", `{"id": 12345678901234567890}`, true},
		{"$response.body#/id < 12345678901234567891", `{"id": 12345678901234567890}`, true},
		{"$response.body#/id != 12345678901234567891", `{"id": 12345678901234567890}`, true},
		{"$response.body#/id == '12345678901234567890'", `{"id": 12345678901234567890}`, true},
		{"$response.body#/id == '12345678901234567891'", `{"id": 12345678901234567890}`, false},
		{"$response.body#/x == 0.1", `{"x": 0.10000000000000001}`, false},
		{"$response.body#/x > 0.1", `{"x": 0.10000000000000001}`, true},
		{"$response.body#/x == 0.10", `{"x": 0.1}`, true},
		{"$response.body#/x == 1e2", `{"x": 100}`, true},
		{"$response.body#/x == 100.0", `{"x": 1E2}`, true},
		{"$response.body#/x == 9223372036854775808", `{"x": 9223372036854775807}`, false},
		{"$response.body#/x > 9223372036854775807", `{"x": 9223372036854775808}`, true},
		{"$response.body#/x == 1e401", `{"x": 2e401}`, true}, // beyond the exact range: both +Inf
	}
	for _, tt := range tests {
		c, err := ParseCondition(tt.cond)
		if err != nil {
			t.Fatalf("%s: %v", tt.cond, err)
		}
		out := c.Explain(responseBody(t, tt.body))
		if out.Err != nil {
			t.Errorf("%s on %s: %v", tt.cond, tt.body, out.Err)
			continue
		}
		if out.Pass != tt.pass {
			t.Errorf("%s on %s: pass %v, want %v (%s)", tt.cond, tt.body, out.Pass, tt.pass, out.Reason)
		}
		if pass, _ := c.Eval(responseBody(t, tt.body)); pass != tt.pass {
			t.Errorf("%s on %s: Eval %v, Explain %v", tt.cond, tt.body, pass, tt.pass)
		}
	}
	c, _ := ParseCondition("$response.body#/id == 12345678901234567891")
	out := c.Explain(responseBody(t, `{"id": 12345678901234567890}`))
	if want := "$response.body#/id is 12345678901234567890, expected == 12345678901234567891"; out.Reason != want {
		t.Errorf("reason %q, want %q", out.Reason, want)
	}
}

// responseBody resolves $response.body to body, decoded as the runtime does.
func responseBody(t testing.TB, body string) mapResolver {
	return mapResolver{KindResponseBody.String(): decodeJSON(t, body)}
}
