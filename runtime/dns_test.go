package runtime

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A host name that does not resolve ends the step with a clear reason, as a
// transport error, within the timeout. The resolver is the real one (Go's)
// with a DNS server that cannot be reached, so no query leaves the machine.
func TestDNSFailure(t *testing.T) {
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		return nil, errors.New("no DNS server in tests")
	}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Resolver: resolver, Timeout: time.Second}).DialContext
	doc := `arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
  - {name: api, url: api.yaml, type: openapi}
workflows:
  - workflowId: w
    steps:
      - stepId: list
        operationId: listItems
        successCriteria:
          - condition: $statusCode == 200
`
	dir := writeTree(t, map[string]string{"api.yaml": hostileOpenAPI, "doc.yaml": doc})
	plan, _, err := Load(context.Background(), filepath.Join(dir, "doc.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The step timeout is far above the resolver's failure: a run that waited
	// for it would end in a timeout, not in the resolution error below.
	res, err := plan.Run(context.Background(), "w", nil, WithServer("api", "http://api.example.invalid"), WithHTTPClient(&http.Client{Transport: tr}), WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusError || res.Err == nil || !strings.Contains(res.Err.Error(), "cannot resolve host api.example.invalid") {
		t.Errorf("status %s, error %v", res.Status, res.Err)
	}
}
