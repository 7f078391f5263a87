package runtime

import (
	"context"
	"strings"
	"testing"
)

const dryOpenAPI = `openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: $URL}]
security: [{key: []}]
paths:
  /login:
    post:
      operationId: login
      security: []
      requestBody:
        content:
          application/json:
            schema: {type: object}
      responses: {"200": {description: ok}}
  /users/{id}:
    get:
      operationId: getUser
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: fields, in: query, schema: {type: string}}
      responses: {"200": {description: ok}}
  /notes:
    post:
      operationId: addNote
      requestBody:
        content:
          application/json:
            schema: {type: object}
      responses: {"201": {description: ok}}
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: api_key}
`

const dryArazzo = `arazzo: 1.0.1
info: {title: t, version: "1"}
sourceDescriptions: [{name: api, url: openapi.yaml, type: openapi}]
workflows:
  - workflowId: w
    inputs:
      type: object
      properties:
        user: {type: string}
        password: {type: string, format: password}
    steps:
      - stepId: login
        operationId: login
        requestBody:
          payload: {user: $inputs.user, password: $inputs.password}
        successCriteria: [{condition: $statusCode == 200}]
        outputs: {session: $response.body}
      - stepId: profile
        operationId: getUser
        parameters:
          - {name: id, in: path, value: $steps.login.outputs.session#/user/id}
          - {name: fields, in: query, value: "name,{$inputs.user}"}
          - {name: X-Session, in: header, value: "Session {$steps.login.outputs.session#/token}"}
        onSuccess:
          - {name: again, type: goto, stepId: login, criteria: [{condition: $statusCode == 401}]}
      - stepId: note
        operationId: addNote
        requestBody:
          payload:
            text: "said \"hi\""
            owner: $steps.login.outputs.session#/user/id
        onFailure:
          - {name: busy, type: retry, retryAfter: 2, retryLimit: 3, criteria: [{condition: $statusCode == 503}]}
`

// A dry run builds each request with the inputs, shows the values that come
// from responses as {$expression} (JSON pointers into them included), shows
// where credentials go as ***, and sends nothing.
func TestDryRun(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{"arazzo.yaml": dryArazzo, "openapi.yaml": dryOpenAPI})
	secrets := &Secrets{}
	dr, err := plan.DryRun(context.Background(), "w", map[string]any{"user": "ada", "password": "pa55word-xyz"},
		WithCredentials(CredentialMap{"key": "k-123456"}), WithSecrets(secrets))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("a dry run sent %d request(s)", n)
	}
	if len(dr.Steps) != 3 {
		t.Fatalf("%d steps, want 3", len(dr.Steps))
	}
	login, profile, note := dr.Steps[0], dr.Steps[1], dr.Steps[2]
	for _, s := range dr.Steps {
		if s.Err != nil {
			t.Fatalf("step %s: %v", s.StepID, s.Err)
		}
	}
	if got, want := string(login.Request.Body), `{"password":"pa55word-xyz","user":"ada"}`; got != want {
		t.Errorf("login body %s, want %s", got, want)
	}
	if len(login.Unresolved) != 0 || !strings.HasSuffix(login.Request.URL, "/login") {
		t.Errorf("login: %s, unresolved %v", login.Request.URL, login.Unresolved)
	}
	if !secrets.Has("pa55word-xyz") {
		t.Error("a password input is not registered as a secret")
	}
	wantURL := srv.URL + "/users/{$steps.login.outputs.session#/user/id}?fields=name%2Cada&api_key=***"
	if profile.Request.URL != wantURL {
		t.Errorf("profile URL\n  %s\nwant\n  %s", profile.Request.URL, wantURL)
	}
	if got := profile.Request.Header.Get("X-Session"); got != "Session {$steps.login.outputs.session#/token}" {
		t.Errorf("X-Session: %q", got)
	}
	if got, want := strings.Join(profile.Unresolved, " "), "$steps.login.outputs.session#/token $steps.login.outputs.session#/user/id"; got != want {
		t.Errorf("unresolved %q, want %q", got, want)
	}
	if got, want := string(note.Request.Body), `{"owner":"{$steps.login.outputs.session#/user/id}","text":"said \"hi\""}`; got != want {
		t.Errorf("note body\n  %s\nwant\n  %s", got, want)
	}
}

// Without the credentials a dry run says which are missing.
func TestDryRunMissingCredentials(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{"arazzo.yaml": dryArazzo, "openapi.yaml": dryOpenAPI})
	dr, err := plan.DryRun(context.Background(), "w", map[string]any{"user": "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if got := dr.Steps[1].Notes; len(got) != 0 {
		t.Errorf("notes %v: the missing credentials are not a note", got)
	}
	if got := dr.Steps[1].MissingCredentials; len(got) != 1 || got[0] != "key" {
		t.Errorf("missing credentials %v", got)
	}
	if len(dr.Steps[0].Notes) != 0 {
		t.Errorf("an operation without security has notes: %v", dr.Steps[0].Notes)
	}
}

// Describe lists each step's operation and where control goes: actions in
// order, then the default unless an action without criteria hides it.
func TestDescribe(t *testing.T) {
	srv := newAPI(t, nil)
	plan := loadFiles(t, srv.URL, map[string]string{"arazzo.yaml": dryArazzo, "openapi.yaml": dryOpenAPI})
	v, err := plan.Describe("")
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != "w" || len(v.Steps) != 3 || len(v.Inputs) != 2 {
		t.Fatalf("view %+v", v)
	}
	op := v.Steps[1].Operation
	if op == nil || op.Method != "GET" || op.Path != "/users/{id}" || op.ID != "getUser" || op.Source != "api" {
		t.Fatalf("operation %+v", op)
	}
	if p := v.Steps[1].Parameters[0]; p.Name != "id" || p.In != "path" || p.Value != "$steps.login.outputs.session#/user/id" {
		t.Errorf("parameter %+v", p)
	}
	var got []string
	for _, s := range v.Steps {
		for _, tr := range s.Transitions {
			e := s.ID + " " + string(tr.Kind)
			if !tr.OnSuccess {
				e += "(failure)"
			}
			if tr.Action != "" {
				e += " " + tr.Action
			}
			if tr.Step != "" {
				e += " → " + tr.Step
			}
			if len(tr.Criteria) > 0 {
				e += " when " + strings.Join(tr.Criteria, " && ")
			}
			got = append(got, e)
		}
	}
	want := []string{
		"login next → profile",
		"login end(failure)",
		"profile goto again → login when $statusCode == 401",
		"profile next → note",
		"profile end(failure)",
		"note end",
		"note retry(failure) busy when $statusCode == 503",
		"note end(failure)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("transitions\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if _, err := plan.Describe("nope"); err == nil {
		t.Error("an unknown workflow is described")
	}
}
