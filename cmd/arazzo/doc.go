// Command arazzo runs and validates Arazzo workflows.
//
//	arazzo run --mock workato/rotate-mcp-server-token --input search=sales
//	arazzo run workflow.arazzo.yaml --input search=sales --auth bearerAuth=env:API_TOKEN
//	arazzo validate workflows/
//	arazzo list
package main
