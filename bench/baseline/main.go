// Command baseline makes the requests a benchmark workflow makes, with nothing
// else: one reused http.Client, each JSON body read and decoded. It is the
// physical limit the runtime is compared with.
//
//	baseline -url http://127.0.0.1:PORT -chain 1000      # the chain-1000 workflow
//	baseline -url http://127.0.0.1:PORT -rotate sales    # the rotate workflow
//	baseline -url http://127.0.0.1:PORT -rotate-file runs.jsonl -parallel 32
//
// It exits 1 when a response is not what the workflow's criteria expect, so a
// broken mock cannot pass for a fast one.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "", "base URL of the mock")
	chainN := flag.Int("chain", 0, "follow a chain of N items")
	rotate := flag.String("rotate", "", "rotate the token of the server found by this search")
	rotateFile := flag.String("rotate-file", "", "rotate once per line of this JSON-lines file ({\"search\":...})")
	parallel := flag.Int("parallel", 1, "concurrent rotations with -rotate-file")
	flag.Parse()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	c := &client{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: *base}
	var err error
	start := time.Now()
	switch {
	case *base == "":
		err = errors.New("-url is required")
	case *chainN > 0:
		var last int64
		last, err = c.chain(*chainN)
		if err == nil {
			fmt.Printf("last: %d\n", last)
		}
	case *rotate != "":
		var tok string
		tok, err = c.rotate(*rotate)
		if err == nil {
			fmt.Printf("token: %s\n", tok)
		}
	case *rotateFile != "":
		err = c.rotateFile(*rotateFile, *parallel)
	default:
		err = errors.New("one of -chain, -rotate or -rotate-file is required")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
	if *rotateFile == "" {
		// The requests alone, timed in process like arazzo's durationMs.
		fmt.Printf("durationMs: %.3f\n", float64(time.Since(start).Microseconds())/1000)
	}
}

type client struct {
	http *http.Client
	base string
}

// do sends one request and decodes its JSON body, as the runtime does with
// every response it evaluates.
func (c *client) do(method, path string) (map[string]any, error) {
	req, err := http.NewRequest(method, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer bench-token")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s %s: %v", method, path, err)
	}
	return v, nil
}

func (c *client) chain(n int) (int64, error) {
	next := int64(0)
	for range n {
		v, err := c.do(http.MethodGet, "/items/"+strconv.FormatInt(next, 10))
		if err != nil {
			return 0, err
		}
		items, _ := v["items"].([]any)
		if len(items) == 0 {
			return 0, errors.New("no items")
		}
		num, _ := v["next"].(json.Number)
		if next, err = num.Int64(); err != nil {
			return 0, fmt.Errorf("next: %v", err)
		}
	}
	return next, nil
}

func (c *client) rotate(search string) (string, error) {
	list, err := c.do(http.MethodGet, "/api/mcp/mcp_servers?search="+url.QueryEscape(search)+"&per_page=100")
	if err != nil {
		return "", err
	}
	items, _ := list["items"].([]any)
	if len(items) == 0 {
		return "", errors.New("no server found")
	}
	first, _ := items[0].(map[string]any)
	handle, _ := first["handle"].(string)
	if handle == "" {
		return "", errors.New("no handle")
	}
	if _, err := c.do(http.MethodGet, "/api/mcp/mcp_servers/"+url.PathEscape(handle)); err != nil {
		return "", err
	}
	tok, err := c.do(http.MethodPost, "/api/mcp/mcp_servers/"+url.PathEscape(handle)+"/token_renew")
	if err != nil {
		return "", err
	}
	s, _ := tok["token"].(string)
	return s, nil
}

// rotateFile rotates once per input line with parallel workers, printing one
// JSON line per run as the batch mode does.
func (c *client) rotateFile(path string, parallel int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lines := make(chan string, parallel)
	var mu sync.Mutex
	var failed int
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for range max(parallel, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for line := range lines {
				var in struct{ Search string }
				tok := ""
				err := json.Unmarshal([]byte(line), &in)
				if err == nil {
					tok, err = c.rotate(in.Search)
				}
				b, _ := json.Marshal(map[string]any{"token": tok, "ok": err == nil})
				mu.Lock()
				if err != nil {
					failed++
				}
				out.Write(b)
				out.WriteByte('\n')
				mu.Unlock()
			}
		}()
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines <- sc.Text()
	}
	close(lines)
	wg.Wait()
	if err := out.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d rotation(s) failed", failed)
	}
	return sc.Err()
}
