package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// shop is a small shop API the CLI scripts in testdata/cli run workflows
// against (testdata/cli/*.txtar hold its OpenAPI description). It requires
// "Authorization: Bearer <token>" everywhere except /health, and its stock
// endpoint answers 503 (Retry-After: 0) to the first request for an item, so
// that workflows retry.
type shop struct {
	*httptest.Server
	token string
	// delay slows every answer down (set it before the first request).
	delay time.Duration

	mu       sync.Mutex
	stockHit map[string]int
	orders   map[string]map[string]any
	requests []string
}

var shopItems = []map[string]any{
	{"id": "w-100", "name": "widget", "inStock": false},
	{"id": "g-200", "name": "gadget", "inStock": true},
}

func newShop(token string) *shop {
	s := &shop{token: token, stockHit: map[string]int{}, orders: map[string]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

func (s *shop) serve(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.delay)
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.URL.Path == "/health" {
		reply(200, map[string]any{"status": "ok"})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		reply(401, map[string]any{"error": "unauthorized"})
		return
	}
	path := r.URL.Path
	switch {
	case path == "/items" && r.Method == http.MethodGet:
		q := r.URL.Query().Get("q")
		items := []any{}
		for _, it := range shopItems {
			if q == "" || strings.Contains(it["name"].(string), q) {
				items = append(items, it)
			}
		}
		reply(200, map[string]any{"items": items})
	case strings.HasPrefix(path, "/stock/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(path, "/stock/")
		s.mu.Lock()
		s.stockHit[id]++
		n := s.stockHit[id]
		s.mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			reply(503, map[string]any{"error": "busy, try again"})
			return
		}
		reply(200, map[string]any{"id": id, "reserved": true})
	case path == "/orders" && r.Method == http.MethodPost:
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			reply(400, map[string]any{"error": err.Error()})
			return
		}
		s.mu.Lock()
		id := fmt.Sprintf("o-%d", len(s.orders)+1)
		order := map[string]any{"orderId": id, "item": body["item"], "qty": body["qty"], "status": "created"}
		s.orders[id] = order
		s.mu.Unlock()
		reply(201, order)
	case strings.HasPrefix(path, "/orders/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(path, "/orders/")
		s.mu.Lock()
		o := s.orders[id]
		s.mu.Unlock()
		if o == nil {
			reply(404, map[string]any{"error": "no such order"})
			return
		}
		reply(200, o)
	default:
		reply(404, map[string]any{"error": "not found"})
	}
}

// Requests lists "METHOD path" of every request received.
func (s *shop) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}
