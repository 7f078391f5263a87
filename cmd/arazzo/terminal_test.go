package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTerminalProgress runs the CLI in a real terminal (a tmux pane): while a
// step runs its line shows a spinner; at the end every step has its ✓ line,
// in colour, no spinner is left on the screen, then the summary and outputs.
func TestTerminalProgress(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (apt-get install -y tmux): the terminal progress display is not checked")
	}
	bin, err := exec.LookPath("arazzo") // the test binary, put on PATH by testscript.Main
	if err != nil {
		t.Fatal(err)
	}
	s := newShop(shopToken)
	s.delay = 150 * time.Millisecond
	defer s.Close()
	dir := t.TempDir()
	for _, f := range []string{"shop.arazzo.yaml", "shop.openapi.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "shop", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(dir, "tmux.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TERM=xterm-256color", "SHOP_TOKEN=" + shopToken, "LANG=C.UTF-8", "LC_ALL=C.UTF-8"}
	tm := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, tmux, append([]string{"-S", sock, "-f", "/dev/null"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	shell := "cd " + dir + " && " + bin + " run shop.arazzo.yaml --workflow place-order --input query=widget" +
		" --auth bearerAuth=env:SHOP_TOKEN --server shop=" + s.URL + "; echo EXIT=$?; " + tmux + " -S " + sock + " wait-for -S done; sleep 60"
	tm("new-session", "-d", "-x", "120", "-y", "40", "sh", "-c", shell)
	defer exec.Command(tmux, "-S", sock, "kill-server").Run()

	// While it runs: a spinner on the running step's line.
	sawSpinner := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !sawSpinner; time.Sleep(50 * time.Millisecond) {
		screen := tm("capture-pane", "-p")
		for _, f := range spinnerFrames {
			if strings.Contains(screen, f) {
				sawSpinner = true
			}
		}
		if strings.Contains(screen, "EXIT=") {
			break
		}
	}
	if !sawSpinner {
		t.Error("no spinner was seen while the run was going")
	}
	tm("wait-for", "done")
	screen := tm("capture-pane", "-p")
	colour := tm("capture-pane", "-p", "-e")
	t.Logf("final screen:\n%s", screen)
	for _, want := range []string{"  ✓ ping ", "✓ findItem ", "  ↻ reserve: retry busy (1/3)", "✓ reserve ", "✓ order ", "  ✓ readOrder ", "✓ audit ",
		"workflow place-order passed: 6 step(s) passed, 0 failed in ", "  orderId: o-1", "  status: created", "EXIT=0"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the final screen lacks %q", want)
		}
	}
	for _, f := range spinnerFrames {
		if strings.Contains(screen, f) {
			t.Errorf("a spinner (%s) is left on the final screen", f)
		}
	}
	if !strings.Contains(colour, "\x1b[32m✓") {
		t.Errorf("the ✓ marks are not green on a terminal:\n%q", colour)
	}
	// Each step line is printed once: a redraw leaves no duplicates.
	if n := strings.Count(screen, "✓ findItem "); n != 1 {
		t.Errorf("findItem appears %d times", n)
	}
}
