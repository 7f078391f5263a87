package testserver

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Conformance is the API the executor conformance suite
// (runtime/testdata/conformance) runs against. Every answer is JSON.
//
//	GET  /status/{code}?tag=T     answers status code, body {"code": code, "tag": T}
//	GET  /flaky/{key}?fail=N&code=C&retryAfter=R
//	                              the first N calls for key answer C (503 by
//	                              default), with Retry-After R when given; later
//	                              calls 200; body {"call": n}
//	GET  /pets/{id}               the pet, or 404 {"error": "not found"}
//	POST /pets                    creates a pet from {"name": ...}: 201 {"id", "name"}
//	GET  /whoami                  who the credentials say the caller is: 200
//	                              {"via": "apiKey"|"basic"|"bearer"|"cookie", "who": ...}
//	                              or 401 when none is valid
//	POST /token                   oauth2 client credentials (RFC 6749 §4.4) for
//	                              ConformanceClientID/Secret: {"access_token",
//	                              "expires_in": 3600}
//	GET  /secure?revoke=N         200 {"token": n, "fetches": f} when the bearer
//	                              token is the n-th issued and still valid, else
//	                              401; the N-th token is revoked first
//	anything else                 echoes the request: {"method", "path", "rawQuery",
//	                              "query", "headers", "cookies", "contentType",
//	                              "body", "bodyLength", "bodySha256", "json"}
type Conformance struct {
	*httptest.Server

	flaky   Flaky
	mu      sync.Mutex
	pets    map[string]string
	nextPet int
	tokens  map[string]int // valid tokens → their number
	issued  int
}

// Credentials the conformance API accepts.
const (
	ConformanceAPIKey       = "key-7c1e9a"
	ConformanceUser         = "alice"
	ConformancePassword     = "wonder-land-42"
	ConformanceBearer       = "bearer-5f2d8b"
	ConformanceSession      = "sess-19ad0c"
	ConformanceClientID     = "client-1"
	ConformanceClientSecret = "client-secret-9"
)

// NewConformance starts the API on 127.0.0.1.
func NewConformance() *Conformance {
	c := &Conformance{pets: map[string]string{"1": "Rex"}, nextPet: 2, tokens: map[string]int{}}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	return c
}

func (c *Conformance) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/status/"):
		Status(w, r)
	case strings.HasPrefix(path, "/flaky/"):
		c.flaky.Serve(w, r)
	case path == "/pets" && r.Method == http.MethodPost:
		var in struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.Name == "" {
			reply(w, 400, map[string]any{"error": "name required"})
			return
		}
		c.mu.Lock()
		id := strconv.Itoa(c.nextPet)
		c.nextPet++
		c.pets[id] = in.Name
		c.mu.Unlock()
		reply(w, 201, map[string]any{"id": id, "name": in.Name})
	case strings.HasPrefix(path, "/pets/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(path, "/pets/")
		c.mu.Lock()
		name, ok := c.pets[id]
		c.mu.Unlock()
		if !ok {
			reply(w, 404, map[string]any{"error": "not found"})
			return
		}
		reply(w, 200, map[string]any{"id": id, "name": name})
	case path == "/whoami":
		c.whoami(w, r)
	case path == "/token" && r.Method == http.MethodPost:
		c.token(w, r, body)
	case path == "/secure":
		c.secure(w, r)
	default:
		c.echo(w, r, body)
	}
}

// Status answers GET /status/{code}?tag=T: that status code (400 for one
// outside 200-599), body {"code": code, "tag": T}.
func Status(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
	if err != nil || code < 200 || code > 599 {
		code = 400
	}
	reply(w, code, map[string]any{"code": code, "tag": r.URL.Query().Get("tag")})
}

// Flaky answers GET /flaky/{key}?fail=N&code=C&retryAfter=R: the first N calls
// for key answer C (503 by default), with Retry-After R when given; later
// calls 200; body {"call": n}. The zero value is ready; it is safe for
// concurrent use.
type Flaky struct {
	mu    sync.Mutex
	calls map[string]int
}

// Serve answers one request.
func (f *Flaky) Serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := strings.TrimPrefix(r.URL.Path, "/flaky/")
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[key]++
	n := f.calls[key]
	f.mu.Unlock()
	fail, _ := strconv.Atoi(q.Get("fail"))
	code, _ := strconv.Atoi(q.Get("code"))
	if code == 0 {
		code = http.StatusServiceUnavailable
	}
	if n <= fail {
		if ra := q.Get("retryAfter"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		reply(w, code, map[string]any{"call": n})
		return
	}
	reply(w, 200, map[string]any{"call": n})
}

func (c *Conformance) whoami(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-API-Key") == ConformanceAPIKey {
		reply(w, 200, map[string]any{"via": "apiKey", "who": "key holder"})
		return
	}
	if u, p, ok := r.BasicAuth(); ok && u == ConformanceUser && p == ConformancePassword {
		reply(w, 200, map[string]any{"via": "basic", "who": u})
		return
	}
	if r.Header.Get("Authorization") == "Bearer "+ConformanceBearer {
		reply(w, 200, map[string]any{"via": "bearer", "who": "bearer holder"})
		return
	}
	if ck, err := r.Cookie("session"); err == nil && ck.Value == ConformanceSession {
		reply(w, 200, map[string]any{"via": "cookie", "who": "session holder"})
		return
	}
	reply(w, 401, map[string]any{"error": "who are you?"})
}

func (c *Conformance) token(w http.ResponseWriter, r *http.Request, body []byte) {
	form, _ := url.ParseQuery(string(body))
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	if !ok || id != ConformanceClientID || secret != ConformanceClientSecret || form.Get("grant_type") != "client_credentials" {
		reply(w, 401, map[string]any{"error": "invalid_client"})
		return
	}
	c.mu.Lock()
	c.issued++
	n := c.issued
	tok := fmt.Sprintf("at-%d-%s", n, base64.RawURLEncoding.EncodeToString([]byte(form.Get("scope"))))
	c.tokens[tok] = n
	c.mu.Unlock()
	reply(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
}

func (c *Conformance) secure(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.tokens[tok]
	if ok && r.URL.Query().Get("revoke") == strconv.Itoa(n) {
		delete(c.tokens, tok)
		ok = false
	}
	if !ok {
		reply(w, 401, map[string]any{"error": "invalid_token"})
		return
	}
	reply(w, 200, map[string]any{"token": n, "fetches": c.issued})
}

func (c *Conformance) echo(w http.ResponseWriter, r *http.Request, body []byte) {
	headers := map[string]any{}
	for k, vs := range r.Header {
		if k == "Accept-Encoding" || k == "User-Agent" || k == "Content-Length" {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	cookies := map[string]any{}
	for _, ck := range r.Cookies() {
		cookies[ck.Name] = ck.Value
	}
	query := map[string]any{}
	for k, vs := range r.URL.Query() {
		items := make([]any, len(vs))
		for i, v := range vs {
			items[i] = v
		}
		query[k] = items
	}
	out := map[string]any{
		"method": r.Method, "path": r.URL.EscapedPath(), "rawQuery": r.URL.RawQuery, "query": query,
		"headers": headers, "cookies": cookies, "contentType": r.Header.Get("Content-Type"), "body": string(body),
		"bodyLength": len(body), "bodySha256": fmt.Sprintf("%x", sha256.Sum256(body)),
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var v any
		if json.Unmarshal(body, &v) == nil {
			out["json"] = v
		}
	}
	reply(w, 200, out)
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
