package main

import (
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/arazzo-run/arazzo/report"
)

// display says how progress is drawn: live (a spinner on the running step,
// redrawn in place) and in colour only on a terminal; colour also not when
// NO_COLOR is set (https://no-color.org) or TERM is dumb. Anything else gets
// plain lines without control characters.
type display struct {
	live  bool
	color bool
	width func() int
}

func detectDisplay(w io.Writer) display {
	f, ok := w.(*os.File)
	if !ok || !fileIsTerminal(f) || os.Getenv("TERM") == "dumb" {
		return display{}
	}
	return display{live: true, color: os.Getenv("NO_COLOR") == "", width: func() int { return terminalWidth(f) }}
}

// ANSI SGR sequences.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrCyan   = "\x1b[36m"
	clearLine = "\r\x1b[2K"
)

func (d display) paint(sgr, s string) string {
	if !d.color || s == "" {
		return s
	}
	return sgr + s + sgrReset
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// liveLine is the line at the bottom of a terminal that shows the running
// step; finished lines are printed above it. Its methods are called with the
// progress printer's lock held; the ticker takes the same lock to redraw.
type liveLine struct {
	d      display
	w      io.Writer
	mu     *sync.Mutex
	active bool
	label  string
	detail string
	start  time.Time
	frame  int
	shown  bool
	stop   chan struct{}
	done   chan struct{}
}

func newLiveLine(d display, w io.Writer, mu *sync.Mutex) *liveLine {
	return &liveLine{d: d, w: w, mu: mu}
}

// begin shows a step as running.
func (l *liveLine) begin(label string) {
	l.active, l.label, l.detail, l.start = true, label, "", time.Now()
	if l.stop == nil {
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.tick(l.stop, l.done)
	}
	l.draw()
}

func (l *liveLine) setDetail(s string) {
	l.detail = s
	l.draw()
}

// end removes the running line.
func (l *liveLine) end() {
	l.active = false
	l.clear()
}

// println prints a finished line above the running one.
func (l *liveLine) println(s string) {
	l.clear()
	io.WriteString(l.w, s+"\n")
	l.draw()
}

func (l *liveLine) clear() {
	if l.shown {
		io.WriteString(l.w, clearLine)
		l.shown = false
	}
}

func (l *liveLine) draw() {
	if !l.active {
		return
	}
	frame := spinnerFrames[l.frame%len(spinnerFrames)]
	text := l.label
	if l.detail != "" {
		text += " " + l.detail
	}
	elapsed := report.FormatDuration(time.Since(l.start).Truncate(100 * time.Millisecond))
	width := 0
	if l.d.width != nil {
		width = l.d.width()
	}
	// Never wrap: a wrapped line cannot be redrawn in place.
	if width > 0 {
		room := width - 1 - 2 - 1 - len(elapsed)
		text = cutRunes(text, room)
	}
	io.WriteString(l.w, clearLine+l.d.paint(sgrCyan, frame)+" "+text+" "+l.d.paint(sgrDim, elapsed))
	l.shown = true
}

func (l *liveLine) tick(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			l.mu.Lock()
			l.frame++
			l.draw()
			l.mu.Unlock()
		}
	}
}

// close stops the ticker; call it without the lock held.
func (l *liveLine) close() {
	l.mu.Lock()
	stop, done := l.stop, l.done
	l.stop = nil
	l.active = false
	l.clear()
	l.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

func cutRunes(s string, n int) string {
	if n <= 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == n-1 {
			break
		}
		b.WriteRune(r)
		i++
	}
	return b.String() + "…"
}
