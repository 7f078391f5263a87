package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/arazzo-run/arazzo/internal/golden"
	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

const (
	bearer  = "tok-SECRET-abcdef"
	note    = "pw-SECRET-42"
	session = "sess-SECRET-123456"
)

// ordersServer is the API of testdata/orders.openapi.yaml: /stock answers
// 503 once before it reserves; the order's response carries a session token.
func ordersServer(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	busy := 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header()["Date"] = nil // the same bytes on every run
		switch {
		case r.URL.Path == "/items" && r.URL.Query().Get("q") == "widget":
			io.WriteString(w, `{"items":[{"id":"w-1","name":"widget"}]}`)
		case r.URL.Path == "/items":
			io.WriteString(w, `{"items":[]}`)
		case r.URL.Path == "/stock/w-1":
			mu.Lock()
			b := busy > 0
			busy--
			mu.Unlock()
			if b {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"error":"busy"}`)
				return
			}
			io.WriteString(w, `{"reserved":true}`)
		case r.URL.Path == "/orders" && r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"orderId":"o-1","session_token":"`+session+`"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

type stillClockT struct{ t time.Time }

func (c stillClockT) Now() time.Time                                   { return c.t }
func (c stillClockT) Sleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// record runs the orders workflow and returns its record, the progress lines
// it printed with --verbose, and the run's result.
func record(t *testing.T, query string, opts ...report.Option) (*report.Record, []string, *runtime.Result, string) {
	t.Helper()
	srv := ordersServer(t)
	ctx := context.Background()
	plan, _, err := runtime.Load(ctx, filepath.Join("testdata", "orders.arazzo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	secrets := &runtime.Secrets{}
	inputs := map[string]any{"query": query, "note": note}
	rec := report.NewRecorder(plan, append([]report.Option{report.WithSecrets(secrets), report.WithInputs(inputs),
		report.WithDocument("orders.arazzo.yaml")}, opts...)...)
	var lines []string
	progress := report.NewProgress(rec, func(l string) { lines = append(lines, l) }, report.ProgressOptions{Verbose: true})
	res, err := plan.Run(ctx, "order", inputs, runtime.WithServer("orders", srv.URL), runtime.WithCredentials(runtime.CredentialMap{"bearerAuth": bearer}),
		runtime.WithSecrets(secrets), runtime.WithObserver(progress), runtime.WithClock(stillClockT{time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)}))
	if err != nil {
		t.Fatal(err)
	}
	return rec.Finish(res), lines, res, srv.URL
}

// golden compares got with testdata/name, the server's URL written as
// http://orders.test; -update rewrites it.
func checkGolden(t *testing.T, name, url string, got []byte) {
	t.Helper()
	got = bytes.ReplaceAll(got, []byte(url), []byte("http://orders.test"))
	got = bytes.ReplaceAll(got, []byte(strings.TrimPrefix(url, "http://")), []byte("orders.test"))
	golden.Check(t, filepath.Join("testdata", name), got)
}

// Every format is rendered from the one record; golden files pin each.
func TestRenderers(t *testing.T) {
	for _, tc := range []struct{ name, query string }{{"pass", "widget"}, {"fail", "none"}} {
		t.Run(tc.name, func(t *testing.T) {
			rec, lines, res, url := record(t, tc.query)
			render := map[string]func(io.Writer, *report.Record) error{
				"trace.json": report.WriteTrace, "har.json": report.WriteHAR, "junit.xml": report.WriteJUnit,
				"report.html": report.WriteHTML, "result.json": report.WriteResult,
				"summary.txt": func(w io.Writer, r *report.Record) error {
					return report.WriteSummary(w, r.WithOutputs(res.Outputs), false)
				},
			}
			for file, fn := range render {
				var b bytes.Buffer
				if err := fn(&b, rec); err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				checkGolden(t, tc.name+"."+file, url, b.Bytes())
				if file == "trace.json" {
					validTrace(t, b.Bytes())
				}
			}
			checkGolden(t, tc.name+".progress.txt", url, []byte(strings.Join(lines, "\n")+"\n"))
		})
	}
}

// The record of a run holds the criteria of the actions tried, each naming
// its action, beside the step's success criteria.
func TestRecordActionCriteria(t *testing.T) {
	rec, _, _, _ := record(t, "widget")
	var got []string
	for _, s := range rec.Steps {
		for _, c := range s.Criteria {
			if c.Action != "" {
				b, _ := json.Marshal(c)
				got = append(got, s.StepID+" "+string(b))
			}
		}
	}
	want := `reserve {"attempt":1,"condition":"$statusCode == 503","type":"simple","pass":true,"reason":"$statusCode is 503, == 503 holds","operands":[{"expr":"$statusCode","value":503}],"action":"busy"}`
	if strings.Join(got, "\n") != want {
		t.Errorf("action criteria:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
}

// validTrace checks a trace against its public schema, docs/trace-schema.json.
func validTrace(t *testing.T, trace []byte) {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "docs", "trace-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(trace))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("the trace does not follow docs/trace-schema.json: %v", err)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "0ms",
		3 * time.Microsecond:    "<0.01ms",
		420 * time.Microsecond:  "0.42ms",
		12 * time.Millisecond:   "12ms",
		1250 * time.Millisecond: "1.25s",
	} {
		if got := report.FormatDuration(d); got != want {
			t.Errorf("report.FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// The view of a recorded run, as 'runs show' renders it in text and JSON.
func TestRunView(t *testing.T) {
	started := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	finished := started.Add(1500 * time.Millisecond)
	v := &report.RunView{ID: "20260504-030201-abcdef", WorkflowID: "order", Location: "orders.arazzo.yaml", Status: "failed",
		Started: started, Finished: &finished, Inputs: map[string]any{"query": "widget", "note": "***"},
		Steps: []report.RunStep{
			{WorkflowID: "order", StepID: "find", Status: "passed", StatusCode: 200, Attempts: 1, Operation: "GET /items", DurationMS: 12, Outputs: map[string]any{"id": "w-1"}},
			{WorkflowID: "order", StepID: "buy", Status: "failed", StatusCode: 500, Attempts: 2, Operation: "POST /orders", DurationMS: 30,
				Error: "orders.arazzo.yaml:40:9: workflow order, step buy: criterion `$statusCode == 201` not met\x1b[2J", Replayed: true},
		},
		InFlight: []report.InFlight{{Request: "POST http://orders.test/orders", MayHaveActed: true}},
		Outputs:  map[string]any{"session": "***"}, Error: "step buy failed", Masked: true,
		ResumeHint: "arazzo run --resume 20260504-030201-abcdef", RevealHint: "--reveal shows them"}
	var text, js bytes.Buffer
	if err := v.Write(&text, "text"); err != nil {
		t.Fatal(err)
	}
	if err := v.Write(&js, "json"); err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(text.String(), started.Local().Format(time.DateTime), "<started>")
	checkGolden(t, "runview.txt", "http://orders.test", []byte(got))
	checkGolden(t, "runview.json", "http://orders.test", js.Bytes())
}
