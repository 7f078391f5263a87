// An independent MCP client for 'arazzo mcp': the TypeScript SDK's own
// client lists the tools and calls them over stdio. The Go test
// TestMCPNodeClient runs it (and .ci/run installs the SDK).
//
//   ARAZZO_BIN=arazzo ARAZZO_ARGS='["mcp","--mock"]' node client.mjs
//
// It prints one JSON object with what it saw, and exits non-zero on a
// protocol error.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const transport = new StdioClientTransport({
  command: process.env.ARAZZO_BIN,
  args: JSON.parse(process.env.ARAZZO_ARGS),
  env: process.env,
  stderr: "inherit",
});
const client = new Client({ name: "arazzo-node-test", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
const rotate = tools.find((t) => t.name === "rotate-mcp-server-token");
// callTool validates structuredContent against the tool's outputSchema.
const passed = await client.callTool({ name: "rotate-mcp-server-token", arguments: { search: "sales" } });
const bad = await client.callTool({ name: "rotate-mcp-server-token", arguments: { search: 5 } });
const runs = await client.callTool({ name: "list_runs", arguments: {} });

console.log(JSON.stringify({
  protocolVersion: transport._protocolVersion ?? null,
  tools: tools.map((t) => t.name).sort(),
  inputSchema: rotate?.inputSchema,
  outputTypes: Object.fromEntries(Object.entries(rotate?.outputSchema?.properties ?? {}).map(([k, v]) => [k, v.type])),
  annotations: rotate?.annotations,
  passed: { isError: passed.isError ?? false, structuredContent: passed.structuredContent },
  bad: { isError: bad.isError ?? false, text: bad.content?.[0]?.text },
  runs: runs.structuredContent?.runs?.map((r) => r.status),
}));
await client.close();
