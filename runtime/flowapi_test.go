package runtime

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/arazzo-run/arazzo/internal/testserver"
)

// flowAPI is the OpenAPI description of flowServer.
const flowAPI = `openapi: 3.1.0
info: {title: flow, version: '1'}
servers: [{url: $URL}]
paths:
  /status/{code}:
    get:
      operationId: status
      parameters:
        - {name: code, in: path, required: true, schema: {type: integer}}
        - {name: tag, in: query, schema: {type: string}}
      responses: {default: {description: any}}
  /flaky/{key}:
    get:
      operationId: flaky
      parameters:
        - {name: key, in: path, required: true, schema: {type: string}}
        - {name: fail, in: query, schema: {type: integer}}
        - {name: code, in: query, schema: {type: integer}}
        - {name: retryAfter, in: query, schema: {type: string}}
      responses: {default: {description: any}}
  /search:
    get:
      operationId: search
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
      responses: {default: {description: any}}
  /echo:
    post:
      operationId: echo
      requestBody: {content: {application/json: {schema: {}}}}
      responses: {'200': {description: echo}}
`

// flowServer answers flowAPI:
//
//	GET /status/{code}       that status, body {"code": code, "tag": tag} (testserver.Status)
//	GET /flaky/{key}?fail=N&code=C&retryAfter=R
//	                         the first N calls for key answer C (503 by
//	                         default) with Retry-After R when given, then 200;
//	                         body {"call": n} (testserver.Flaky)
//	POST /echo               200, the request body
type flowServer struct {
	flaky testserver.Flaky
}

func newFlowServer(t *testing.T) *api {
	fs := &flowServer{}
	return newAPI(t, fs.handle)
}

func (fs *flowServer) handle(w http.ResponseWriter, r *http.Request, _ int) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/status/"):
		testserver.Status(w, r)
	case strings.HasPrefix(r.URL.Path, "/flaky/"):
		fs.flaky.Serve(w, r)
	case r.URL.Path == "/echo":
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(200)
		_, _ = w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

// flowDoc wraps workflows (YAML, indented as list items under "workflows:")
// in an Arazzo 1.0.1 document whose source "api" is flowAPI.
func flowDoc(version, body string) map[string]string {
	return map[string]string{
		"api.yaml": flowAPI,
		"arazzo.yaml": "arazzo: " + version + "\ninfo: {title: flow, version: '1'}\n" +
			"sourceDescriptions: [{name: api, url: api.yaml, type: openapi}]\n" + body,
	}
}
