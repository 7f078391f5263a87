package openapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"

	"github.com/arazzo-run/arazzo/openapi"
)

func ExampleLoad() {
	doc, err := openapi.Load(context.Background(), "../workflows/workato/openapi/workato-mcp-server-openapi.yml", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	op, err := doc.OperationAt("/paths/~1api~1mcp~1mcp_servers~1{handle}~1token_renew/post")
	if err != nil {
		fmt.Println(err)
		return
	}
	base, _ := op.Servers[0].Resolve(nil)
	fmt.Println(op.ID, op.Method, base+op.Path)
	handle := op.Parameter("handle", "path")
	fmt.Println(handle.Style, handle.Explode, handle.Required)
	fmt.Println(op.Security[0][0].Scheme, doc.SecurityScheme("bearerAuth").Scheme)
	// Output:
	// renewMcpServerToken POST https://www.workato.com/api/mcp/mcp_servers/{handle}/token_renew
	// simple false true
	// bearerAuth bearer
}

func ExampleNewMock() {
	doc, err := openapi.Load(context.Background(), "../workflows/workato/openapi/workato-mcp-server-openapi.yml", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(openapi.NewMock(doc))
	defer srv.Close()

	resp, err := srv.Client().Post(srv.URL+"/api/mcp/mcp_servers/sales-bot/token_renew", "application/json", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", string(body))

	resp, err = srv.Client().Get(srv.URL + "/api/mcp/mcp_servers/sales-bot")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", string(body))
	// Output:
	// 200 OK {"token":"7f3c9a1e5b2d4f6a8c0e2b4d6f8a1c3e"}
	// 200 OK {"authentication_method":"token","created_at":"2025-03-04T10:15:30Z","folder_id":48213,"handle":"sales-bot","mcp_url":"https://mcp.workato.com/servers/sales-pipeline-assistant","name":"Sales Pipeline Assistant","updated_at":"2025-06-18T08:02:11Z"}
}
