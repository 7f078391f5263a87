package runtime

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
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
//	GET /status/{code}       that status, body {"code": code, "tag": tag}
//	GET /flaky/{key}?fail=N&code=C&retryAfter=R
//	                         the first N calls for key answer C (503 by
//	                         default) with Retry-After R when given, then 200;
//	                         body {"call": n}
//	POST /echo               200, the request body
type flowServer struct {
	mu    sync.Mutex
	calls map[string]int
}

func newFlowServer(t *testing.T) *api {
	fs := &flowServer{calls: map[string]int{}}
	return newAPI(t, fs.handle)
}

func (fs *flowServer) handle(w http.ResponseWriter, r *http.Request, _ int) {
	q := r.URL.Query()
	switch {
	case strings.HasPrefix(r.URL.Path, "/status/"):
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 200 || code > 599 {
			code = 400
		}
		writeJSON(w, code, map[string]any{"code": code, "tag": q.Get("tag")})
	case strings.HasPrefix(r.URL.Path, "/flaky/"):
		key := strings.TrimPrefix(r.URL.Path, "/flaky/")
		fs.mu.Lock()
		fs.calls[key]++
		n := fs.calls[key]
		fs.mu.Unlock()
		fail, _ := strconv.Atoi(q.Get("fail"))
		code, _ := strconv.Atoi(q.Get("code"))
		if code == 0 {
			code = 503
		}
		if n <= fail {
			if ra := q.Get("retryAfter"); ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			writeJSON(w, code, map[string]any{"call": n})
			return
		}
		writeJSON(w, 200, map[string]any{"call": n})
	case r.URL.Path == "/echo":
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		body := make([]byte, 0)
		buf := make([]byte, 4096)
		for {
			k, err := r.Body.Read(buf)
			body = append(body, buf[:k]...)
			if err != nil {
				break
			}
		}
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
