package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMCPConfigSnippets: the client configurations that the README and
// docs/mcp.md give work as written. Each mcpServers entry that starts a
// command is started (the built binary for "arazzo", its env with a test
// token) and lists the bundled tool over stdio; each entry that names a URL
// is the endpoint of the streamable HTTP command docs/mcp.md gives (on a free
// port instead of its own), reached with the entry's headers.
func TestMCPConfigSnippets(t *testing.T) {
	e := newMCPEnv(t)
	stdio, byURL := 0, 0
	for _, doc := range []string{"README.md", "docs/mcp.md"} {
		data, err := os.ReadFile(filepath.Join("..", "..", doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range fenced(string(data), "json") {
			if !strings.Contains(block, "mcpServers") {
				continue
			}
			var cfg struct {
				MCPServers map[string]struct {
					Command string            `json:"command"`
					Args    []string          `json:"args"`
					Env     map[string]string `json:"env"`
					Type    string            `json:"type"`
					URL     string            `json:"url"`
					Headers map[string]string `json:"headers"`
				} `json:"mcpServers"`
			}
			if err := json.Unmarshal([]byte(block), &cfg); err != nil {
				t.Errorf("%s: a configuration is not JSON: %v\n%s", doc, err, block)
				continue
			}
			for name, s := range cfg.MCPServers {
				t.Run(doc+"/"+name+"/"+s.Type, func(t *testing.T) {
					if s.URL != "" {
						byURL++
						e.checkHTTPSnippet(t, string(data), s.URL, s.Headers)
						return
					}
					stdio++
					if s.Command != "arazzo" || len(s.Args) == 0 || s.Args[0] != "mcp" {
						t.Fatalf("command %q %q: want arazzo mcp ...", s.Command, s.Args)
					}
					cmd := exec.Command(e.bin, s.Args...)
					cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
					for k := range s.Env {
						cmd.Env = append(cmd.Env, k+"="+apiToken)
					}
					var stderr syncBuffer
					cmd.Stderr = &stderr
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
					if err != nil {
						t.Fatalf("%q: %v\n%s", s.Args, err, stderr.String())
					}
					defer cs.Close()
					findTool(t, cs, rotateTool)
				})
			}
		}
	}
	if stdio < 2 || byURL < 1 {
		t.Errorf("found %d command and %d URL configurations in the README and docs/mcp.md, want at least 2 and 1", stdio, byURL)
	}
}

// checkHTTPSnippet starts the 'arazzo mcp --http' command of doc's sh blocks
// and connects to url, as configured, with headers.
func (e *mcpEnv) checkHTTPSnippet(t *testing.T, doc, url string, headers map[string]string) {
	var line string
	for _, block := range fenced(doc, "sh") {
		joined := strings.ReplaceAll(block, "\\\n", " ")
		for _, l := range strings.Split(joined, "\n") {
			if strings.HasPrefix(l, "arazzo mcp ") && strings.Contains(l, "--http ") {
				line = l
			}
		}
	}
	if line == "" {
		t.Fatal("no 'arazzo mcp --http' command beside the configuration")
	}
	m := regexp.MustCompile(`--http (\S+):(\d+)`).FindStringSubmatch(line)
	if m == nil || !strings.Contains(url, m[1]+":"+m[2]) {
		t.Fatalf("the configuration's URL %s is not the address of %q", url, line)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	args := strings.Fields(strings.Replace(line, m[0], "--http "+m[1]+":"+port, 1))[1:]
	cmd := exec.Command(e.bin, append(args, "--state", e.state)...)
	cmd.Env = append(e.env, "WORKATO_API_TOKEN="+apiToken)
	endpoint := startHTTPServer(t, cmd, nil)
	if want := strings.Replace(url, m[1]+":"+m[2], m[1]+":"+port, 1); endpoint != want {
		t.Fatalf("the server serves %s, the configuration names %s", endpoint, want)
	}
	auth := os.Expand(headers["Authorization"], func(k string) string {
		if k == "MCP_TOKEN" {
			return mcpToken
		}
		return ""
	})
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token != mcpToken {
		t.Fatalf("headers %v: want the bearer token of --http-token env:MCP_TOKEN", headers)
	}
	cs, err := connectHTTP(t, endpoint, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	findTool(t, cs, rotateTool)
}

// fenced returns the bodies of the doc's fenced code blocks of a language.
func fenced(doc, lang string) []string {
	var out []string
	for _, part := range strings.Split(doc, "\n```"+lang+"\n")[1:] {
		if body, _, ok := strings.Cut(part, "\n```"); ok {
			out = append(out, body)
		}
	}
	return out
}
