package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arazzo-run/arazzo/report"
	"github.com/arazzo-run/arazzo/runtime"
)

// syncBuffer is a bytes.Buffer safe for the ticker and the run to write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The live display redraws the running step from its own goroutine while the
// run reports events (go test -race checks they do not collide); what stays
// on the screen is each step's result line, with no spinner left.
func TestLiveDisplay(t *testing.T) {
	var out syncBuffer
	rec := report.NewRecorder(nil)
	p := &progressPrinter{w: &out, secrets: &runtime.Secrets{}, d: display{live: true, color: true, width: func() int { return 60 }}}
	p.live = newLiveLine(p.d, &out, &p.mu)
	p.progress = report.NewProgress(rec, p.println, report.ProgressOptions{Color: true})
	now := time.Now()
	for i, id := range []string{"first", "second"} {
		p.Event(&runtime.Event{Kind: runtime.EventStepStarted, Time: now, WorkflowID: "w", StepID: id, Attempt: 1})
		p.Event(&runtime.Event{Kind: runtime.EventRequest, Time: now, WorkflowID: "w", StepID: id, Attempt: 1,
			Request: &runtime.Request{Method: "GET", URL: "http://127.0.0.1/" + strings.Repeat("very/long/path/", 10)}})
		time.Sleep(250 * time.Millisecond) // a few ticks
		p.Event(&runtime.Event{Kind: runtime.EventStepFinished, Time: now.Add(time.Duration(i+1) * time.Second), WorkflowID: "w", StepID: id, Attempt: 1,
			Step: &runtime.StepResult{WorkflowID: "w", StepID: id, Status: runtime.StatusPassed, StatusCode: 200, Attempts: 1, Operation: "GET /x"}})
	}
	p.summary(rec.Finish(&runtime.Result{WorkflowID: "w", Status: runtime.StatusPassed}))
	raw := out.String()
	if !strings.Contains(raw, "⠙") || !strings.Contains(raw, clearLine) {
		t.Fatalf("no spinner was drawn:\n%q", raw)
	}
	// Replay the carriage returns and line clears as a terminal would.
	var lines []string
	cur := ""
	for _, part := range strings.SplitAfter(raw, "\n") {
		for _, seg := range strings.Split(part, clearLine) {
			cur = seg
		}
		if strings.HasSuffix(part, "\n") {
			lines = append(lines, strings.TrimSuffix(cur, "\n"))
			cur = ""
		}
	}
	screen := strings.Join(lines, "\n")
	for _, want := range []string{sgrGreen + "✓" + sgrReset + " first ", "✓" + sgrReset + " second ", "workflow w " + sgrBold + sgrGreen + "passed"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.ContainsAny(screen, strings.Join(spinnerFrames, "")) {
		t.Errorf("a spinner is left on the screen:\n%s", screen)
	}
	// The spinner line never exceeds the width, so it never wraps.
	for _, seg := range strings.Split(raw, clearLine) {
		seg = strings.Split(seg, "\n")[0]
		plain := strings.NewReplacer(sgrCyan, "", sgrDim, "", sgrReset, "", sgrGreen, "", sgrBold, "").Replace(seg)
		if n := len([]rune(plain)); n >= 60 && strings.ContainsAny(plain, strings.Join(spinnerFrames, "")) {
			t.Errorf("a spinner line of %d columns: %q", n, plain)
		}
	}
}
