package testserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MCPServer is one MCP server held by the Workato-like API.
type MCPServer struct {
	Handle   string `json:"handle"`
	Name     string `json:"name"`
	FolderID int    `json:"folder_id"`
	MCPURL   string `json:"mcp_url"`
	// Token is the server's current token; renewing replaces it.
	Token string `json:"-"`
}

// Workato is a Workato-like MCP Server API: it requires the API token as a bearer
// token, serves listMcpServers, getMcpServer and renewMcpServerToken at their real
// paths, and renewing a token invalidates the previous one.
type Workato struct {
	*httptest.Server
	apiToken string

	mu       sync.Mutex
	servers  []*MCPServer
	renewals map[string]int
	requests []string
	// AfterRenew, when set, runs after a renewal is committed and before the
	// response is written (tests use it to stall or kill the client at that point).
	AfterRenew func(w http.ResponseWriter, r *http.Request)
	// BeforeRenew, when set, runs before a renewal is committed. If the client
	// is gone when it returns, nothing is renewed, as by a server that notices
	// the closed connection (tests use it to kill the client while its
	// request is in flight, before the server acted on it).
	BeforeRenew func(r *http.Request)
	// OnRequest, when set, runs before each request is answered.
	OnRequest func(r *http.Request)
}

// NewWorkato starts the API on 127.0.0.1 with the given API token and servers.
func NewWorkato(apiToken string, servers ...MCPServer) *Workato {
	w := &Workato{apiToken: apiToken, renewals: map[string]int{}}
	for i := range servers {
		s := servers[i]
		if s.Token == "" {
			s.Token = newToken()
		}
		if s.MCPURL == "" {
			s.MCPURL = "https://mcp.example.com/" + s.Handle
		}
		w.servers = append(w.servers, &s)
	}
	w.Server = httptest.NewServer(http.HandlerFunc(w.serve))
	return w
}

// DefaultServers is a small realistic set.
func DefaultServers() []MCPServer {
	return []MCPServer{
		{Handle: "sales-assistant-7f3a", Name: "Sales Assistant", FolderID: 101},
		{Handle: "support-desk-91bc", Name: "Support Desk", FolderID: 102},
		{Handle: "finance-ops-22de", Name: "Finance Ops", FolderID: 103},
	}
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "mcp_" + hex.EncodeToString(b)
}

// Token returns the current token of the server with that handle.
func (w *Workato) Token(handle string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.servers {
		if s.Handle == handle {
			return s.Token
		}
	}
	return ""
}

// Accepts reports whether the MCP server with that handle accepts token: only its
// current token is valid; a renewal invalidates the previous one at once.
func (w *Workato) Accepts(handle, token string) bool {
	cur := w.Token(handle)
	return cur != "" && token == cur
}

// Renewals counts the token renewals of a server.
func (w *Workato) Renewals(handle string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.renewals[handle]
}

// RenewalCounts is how many times each server was renewed, by handle.
func (w *Workato) RenewalCounts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := make(map[string]int, len(w.renewals))
	for h, n := range w.renewals {
		m[h] = n
	}
	return m
}

// TotalRenewals counts every renewal.
func (w *Workato) TotalRenewals() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, c := range w.renewals {
		n += c
	}
	return n
}

// Requests lists "METHOD path" of every request received.
func (w *Workato) Requests() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.requests...)
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

func (w *Workato) serve(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	w.requests = append(w.requests, r.Method+" "+r.URL.Path)
	on := w.OnRequest
	w.mu.Unlock()
	if on != nil {
		on(r)
	}
	if r.Header.Get("Authorization") != "Bearer "+w.apiToken {
		writeJSON(rw, http.StatusUnauthorized, map[string]string{"message": "Unauthorized"})
		return
	}
	const base = "/api/mcp/mcp_servers"
	path := r.URL.Path
	switch {
	case path == base && r.Method == http.MethodGet:
		w.list(rw, r)
	case strings.HasPrefix(path, base+"/") && strings.HasSuffix(path, "/token_renew") && r.Method == http.MethodPost:
		w.renew(rw, r, strings.TrimSuffix(strings.TrimPrefix(path, base+"/"), "/token_renew"))
	case strings.HasPrefix(path, base+"/") && r.Method == http.MethodGet && !strings.Contains(path[len(base)+1:], "/"):
		w.get(rw, strings.TrimPrefix(path, base+"/"))
	default:
		writeJSON(rw, http.StatusNotFound, map[string]string{"message": "Not found"})
	}
}

func (w *Workato) view(s *MCPServer) map[string]any {
	return map[string]any{"handle": s.Handle, "name": s.Name, "folder_id": s.FolderID, "mcp_url": s.MCPURL,
		"authentication_method": "token", "created_at": "2026-01-05T10:00:00Z", "updated_at": time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC).Format(time.RFC3339)}
}

func (w *Workato) list(rw http.ResponseWriter, r *http.Request) {
	search := strings.ToLower(r.URL.Query().Get("search"))
	perPage := 100
	if pp, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && pp > 0 {
		perPage = pp
	}
	w.mu.Lock()
	items := []any{}
	for _, s := range w.servers {
		if search == "" || strings.Contains(strings.ToLower(s.Name), search) {
			items = append(items, w.view(s))
		}
		if len(items) == perPage {
			break
		}
	}
	w.mu.Unlock()
	writeJSON(rw, http.StatusOK, map[string]any{"items": items, "next_page": false})
}

func (w *Workato) find(handle string) *MCPServer {
	for _, s := range w.servers {
		if s.Handle == handle {
			return s
		}
	}
	return nil
}

func (w *Workato) get(rw http.ResponseWriter, handle string) {
	w.mu.Lock()
	s := w.find(handle)
	var v map[string]any
	if s != nil {
		v = w.view(s)
	}
	w.mu.Unlock()
	if s == nil {
		writeJSON(rw, http.StatusNotFound, map[string]string{"message": "MCP server not found"})
		return
	}
	writeJSON(rw, http.StatusOK, v)
}

func (w *Workato) renew(rw http.ResponseWriter, r *http.Request, handle string) {
	w.mu.Lock()
	before := w.BeforeRenew
	w.mu.Unlock()
	if before != nil {
		before(r)
		if r.Context().Err() != nil {
			return // the client is gone: nothing is renewed
		}
	}
	w.mu.Lock()
	s := w.find(handle)
	var tok string
	if s != nil {
		s.Token = newToken()
		tok = s.Token
		w.renewals[handle]++
	}
	after := w.AfterRenew
	w.mu.Unlock()
	if s == nil {
		writeJSON(rw, http.StatusNotFound, map[string]string{"message": "MCP server not found"})
		return
	}
	if after != nil {
		after(rw, r)
	}
	writeJSON(rw, http.StatusOK, map[string]string{"token": tok})
}
