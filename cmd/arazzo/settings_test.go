package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// credentialTrap serves one source of a document and records the
// Authorization headers it receives.
type credentialTrap struct {
	*httptest.Server
	mu    sync.Mutex
	auths []string
}

func newCredentialTrap(t *testing.T) *credentialTrap {
	c := &credentialTrap{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.auths = append(c.auths, r.Header.Get("Authorization"))
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *credentialTrap) received() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.auths...)
}

// A document from a pull request adds a second source, on its own server,
// that declares a security scheme with the name of the first's. An
// unqualified --auth is refused in every mode before anything is sent (even
// with --server pinning the intended source); SOURCE.NAME reaches that
// source only. A --server, --server-var or --auth that names nothing is
// refused the same way.
func TestSettingsRefusedBeforeAnythingIsSent(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	good, evil := newCredentialTrap(t), newCredentialTrap(t)
	spec := func(id, server string) string {
		return `openapi: 3.1.0
info: {title: api, version: '1'}
servers: [{url: '` + server + `'}]
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
security: [{bearerAuth: []}]
paths:
  /items:
    get: {operationId: ` + id + `, responses: {'200': {description: ok}}}
`
	}
	dir := t.TempDir()
	files := map[string]string{
		"good.yaml": spec("list", good.URL),
		"evil.yaml": spec("collect", evil.URL),
		"wf.arazzo.yaml": `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: good, url: good.yaml, type: openapi}
  - {name: evil, url: evil.yaml, type: openapi}
workflows:
  - workflowId: w
    inputs: {type: object, properties: {n: {type: integer}}}
    steps:
      - {stepId: list, operationId: $sourceDescriptions.good.list}
      - {stepId: collect, operationId: $sourceDescriptions.evil.collect}
`,
		"lines.jsonl": "{\"n\": 1}\n{\"n\": 2}\n",
		"empty.token": "\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc := filepath.Join(dir, "wf.arazzo.yaml")
	modes := map[string][]string{
		"run":     nil,
		"dry-run": {"--dry-run"},
		"batch":   {"--inputs-file", filepath.Join(dir, "lines.jsonl")},
		"json":    {"--output", "json"},
	}
	refused := []struct {
		name string
		args []string
		msg  string
	}{
		{"unqualified --auth of two sources", []string{"--auth", "bearerAuth=s3cret-token", "--server", "good=" + good.URL},
			`--auth bearerAuth: security scheme "bearerAuth" is declared by sources "evil" and "good", which may be different servers: name the source the credential is for (evil.bearerAuth or good.bearerAuth)`},
		{"misspelt --server", []string{"--auth", "good.bearerAuth=s3cret-token", "--server", "god=" + good.URL},
			`--server god: no source description is named "god"; did you mean "good"?`},
		{"misspelt --server-var", []string{"--auth", "good.bearerAuth=s3cret-token", "--server-var", "good.port=1"},
			`--server-var good.port: no server of source "good" has a variable {port}`},
		{"misspelt --auth", []string{"--auth", "good.baererAuth=s3cret-token"},
			`--auth good.baererAuth: source "good" declares no security scheme "baererAuth"; did you mean "bearerAuth"?`},
		{"--server without http://", []string{"--auth", "good.bearerAuth=s3cret-token", "--server", "good=127.0.0.1:9"},
			`--server good: "127.0.0.1:9" has no http:// or https://; did you mean "http://127.0.0.1:9"?`},
		{"--server of another scheme", []string{"--auth", "good.bearerAuth=s3cret-token", "--server", "good=ftp://127.0.0.1:9/"},
			`--server good: "ftp://127.0.0.1:9/" uses ftp://; only http and https servers can be called`},
		{"--server with a password and no host", []string{"--auth", "good.bearerAuth=s3cret-token", "--server", "good=http://ops:s3cret-token@"},
			`--server good: the URL is not an http or https URL with a host`},
		{"negative --timeout", []string{"--auth", "good.bearerAuth=s3cret-token", "--timeout", "-1s"},
			`--timeout must not be negative, got -1s (0: no timeout)`},
		{"--max-steps 0", []string{"--auth", "good.bearerAuth=s3cret-token", "--max-steps", "0"},
			`--max-steps must be at least 1, got 0`},
		{"--max-body 0", []string{"--auth", "good.bearerAuth=s3cret-token", "--max-body", "0"},
			`--max-body must be at least 1 byte, got 0`},
		{"empty --auth (an unset shell variable)", []string{"--auth", "good.bearerAuth="},
			`--auth good.bearerAuth: no credential after '=' (an unset shell variable?)`},
		{"empty --auth file", []string{"--auth", "good.bearerAuth=file:" + filepath.Join(dir, "empty.token")},
			`--auth good.bearerAuth: ` + filepath.Join(dir, "empty.token") + ` is empty`},
	}
	for mode, extra := range modes {
		for _, tc := range refused {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				args := append(append([]string{"run", doc}, tc.args...), extra...)
				var out, errb bytes.Buffer
				code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
				if code != ExitUsage || !strings.Contains(errb.String(), tc.msg) {
					t.Errorf("exit %d, want %d with %q\nstderr: %s", code, ExitUsage, tc.msg, errb.String())
				}
				if n := len(good.received()) + len(evil.received()); n != 0 {
					t.Errorf("%d requests were sent", n)
				}
				if strings.Contains(out.String()+errb.String(), "s3cret-token") {
					t.Error("the credential was printed")
				}
			})
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"run", doc, "--auth", "good.bearerAuth=s3cret-token"}, strings.NewReader(""), &out, &errb); code != ExitOK {
		t.Fatalf("qualified: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if got := good.received(); len(got) != 1 || got[0] != "Bearer s3cret-token" {
		t.Errorf("good received %q", got)
	}
	if got := evil.received(); len(got) != 1 || got[0] != "" {
		t.Errorf("evil received %q: the credential reached the other source", got)
	}
}
