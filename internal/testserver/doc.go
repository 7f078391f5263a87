// Package testserver provides HTTP servers that tests and benchmarks start on
// 127.0.0.1: a Workato-like MCP server API that really rotates tokens.
package testserver
