package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func fileURL(p string) *url.URL { return &url.URL{Scheme: "file", Path: filepath.ToSlash(p)} }

func writeFile(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// Files that are not regular files — devices, standard input, a FIFO, a
// directory — and links that do not resolve are refused with an error that
// says what they are, never read (a read of /dev/zero does not end, one of a
// FIFO or a terminal blocks).
func TestOnlyRegularFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("devices and FIFOs are Unix files")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ok.yaml"), "a: 1\n")
	symlink(t, "/dev/zero", filepath.Join(dir, "zero.arazzo.yaml"))
	symlink(t, "/dev/stdin", filepath.Join(dir, "stdin.arazzo.yaml"))
	symlink(t, "/dev/tty", filepath.Join(dir, "tty.arazzo.yaml"))
	symlink(t, filepath.Join(dir, "gone.yaml"), filepath.Join(dir, "dangling.yaml"))
	symlink(t, "ok.yaml", filepath.Join(dir, "link.yaml"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(dir, "fifo"), filepath.Join(dir, "fifo.arazzo.yaml"))
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := New(Options{})
	for name, want := range map[string]string{
		"zero.arazzo.yaml":   "a character device",
		"tty.arazzo.yaml":    "",
		"stdin.arazzo.yaml":  "",
		"fifo.arazzo.yaml":   "a named pipe",
		"sub.yaml":           "a directory",
		"dangling.yaml":      "is a symbolic link to " + filepath.Join(dir, "gone.yaml") + ", which cannot be resolved",
		"missing.yaml":       "no such file",
		"/proc/self/environ": "holds more than its size",
		"link.yaml":          "ok",
		"ok.yaml":            "ok",
	} {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, name)
		}
		data, err := r.Read(context.Background(), fileURL(p))
		switch {
		case want == "ok":
			if err != nil || string(data) != "a: 1\n" {
				t.Errorf("%s: %q, %v", name, data, err)
			}
		case err == nil:
			t.Errorf("%s: read %d bytes; want an error", name, len(data))
		case want != "" && !strings.Contains(err.Error(), want):
			t.Errorf("%s: %v; want %q", name, err, want)
		}
		head, err := r.Head(fileURL(p), 16)
		if name == "/proc/self/environ" {
			if len(head) != 0 {
				t.Errorf("Head %s read %d bytes past its size", name, len(head))
			}
		} else if (err == nil) != (want == "ok") {
			t.Errorf("Head %s: %v", name, err)
		}
	}
}

// One file under many names is read once: dot segments, percent-encoded
// dots, queries (a file has none) and symbolic links all lead to one
// identity.
func TestReadOncePerIdentity(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x.arazzo.yaml"), "arazzo: 1.0.1\n")
	symlink(t, ".", filepath.Join(dir, "d"))
	symlink(t, "x.arazzo.yaml", filepath.Join(dir, "alias.yaml"))
	base, _ := url.Parse("file://" + filepath.ToSlash(dir) + "/")
	r := New(Options{Root: dir})
	names := []string{"x.arazzo.yaml", "./%2E/x.arazzo.yaml", "./%2e/x.arazzo.yaml", "./%2E%2F%2E/x.arazzo.yaml",
		"x.arazzo.yaml?1", "x.arazzo.yaml?10", "d/x.arazzo.yaml", "d/d/d/x.arazzo.yaml", "alias.yaml", "x.arazzo.yaml#frag"}
	ids := map[string]bool{}
	for _, n := range names {
		ref, err := url.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		u := base.ResolveReference(ref)
		if _, err := r.Read(context.Background(), u); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		ids[Identity(u)] = true
	}
	if r.s.reads != 1 {
		t.Errorf("%d reads of one file under %d names, want 1", r.s.reads, len(names))
	}
	if len(ids) != 1 {
		t.Errorf("%d identities: %v", len(ids), ids)
	}
}

func TestIdentityOfURLs(t *testing.T) {
	for in, want := range map[string]string{
		"HTTPS://API.Example.com:443/a/./b/../c.yaml#x": "https://api.example.com/a/c.yaml",
		"http://h:80/%2E/x.yaml":                        "http://h/x.yaml",
		"http://h/%2e%2E/x.yaml":                        "http://h/x.yaml",
		"http://h/a%2Fb/x.yaml":                         "http://h/a%2Fb/x.yaml",
		"http://h/%7Euser/x.yaml?1":                     "http://h/~user/x.yaml?1",
		"http://h:8080/dir/":                            "http://h:8080/dir/",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := Identity(u); got != want {
			t.Errorf("Identity(%s) = %s, want %s", in, got, want)
		}
	}
}

// The total a Reader reads is capped, whatever the names: documents that are
// each within MaxBytes cannot add up past MaxTotal. A document read again
// costs nothing.
func TestTotalCap(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		writeFile(t, filepath.Join(dir, n+".yaml"), strings.Repeat("x", 400))
	}
	r := New(Options{MaxBytes: 500, MaxTotal: 1000})
	other := r.WithRoot(dir) // shares the total
	for _, n := range []string{"a", "a", "b"} {
		if _, err := r.Read(context.Background(), fileURL(filepath.Join(dir, n+".yaml"))); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	_, err := other.Read(context.Background(), fileURL(filepath.Join(dir, "c.yaml")))
	var le *LimitError
	if !errors.As(err, &le) || !le.Total || !strings.Contains(err.Error(), "larger than 1000 bytes") {
		t.Errorf("third document: %v, want the total limit", err)
	}
	writeFile(t, filepath.Join(dir, "big.yaml"), strings.Repeat("x", 501))
	if _, err := r.Read(context.Background(), fileURL(filepath.Join(dir, "big.yaml"))); !errors.As(err, &le) || le.Total {
		t.Errorf("big document: %v, want the per-document limit", err)
	}
}

func TestConfinement(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.yaml"), "secret: 1\n")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sub", "api.yaml"), "b: 2\n")
	symlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "link.yaml"))
	symlink(t, outside, filepath.Join(dir, "linkdir"))
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 2<<20)))
	}))
	defer big.Close()
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer stall.Close()
	read := New(Options{Root: dir, Timeout: 200 * time.Millisecond, MaxBytes: 1 << 20})
	offline := New(Options{Root: dir, Offline: true})
	mustURL := func(s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	tests := []struct {
		name string
		r    *Reader
		u    *url.URL
		want string // "" when the read succeeds
	}{
		{"inside the tree", read, fileURL(filepath.Join(dir, "sub", "api.yaml")), ""},
		{"outside the tree", read, fileURL(filepath.Join(outside, "secret.yaml")), "outside"},
		{"dot-dot out of the tree", read, fileURL(filepath.Join(dir, "..", filepath.Base(outside), "secret.yaml")), "outside"},
		{"symlink out of the tree", read, fileURL(filepath.Join(dir, "link.yaml")), "outside"},
		{"through a linked directory", read, fileURL(filepath.Join(dir, "linkdir", "secret.yaml")), "outside"},
		{"/etc/passwd", read, fileURL("/etc/passwd"), "outside"},
		{"URL when offline", offline, mustURL(big.URL + "/api.yaml"), "offline"},
		{"another scheme", read, mustURL("ftp://127.0.0.1/api.yaml"), "unsupported location scheme"},
		{"file on another host", read, mustURL("file://fileserver/share/api.yaml"), "another host"},
		{"oversized URL", read, mustURL(big.URL + "/api.yaml"), "larger than 1048576 bytes"},
		{"stalled URL", read, mustURL(stall.URL + "/api.yaml"), "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.r.Read(context.Background(), tt.u)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if tt.want == "offline" && !errors.Is(err, ErrOffline) {
				t.Errorf("not ErrOffline: %v", err)
			}
		})
	}
}
