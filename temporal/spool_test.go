package temporal

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"

	"github.com/arazzo-run/arazzo/runtime"
)

// A worker killed after the response of a POST arrived and before its
// heartbeat reached the cluster leaves the response in its spool; the next
// attempt, on a worker sharing the spool, hands it over instead of reporting
// the request lost. With a payload key, the spooled entry is encrypted.
func TestASpooledResponseIsHandedOver(t *testing.T) {
	plan, docs := load(t)
	codec, err := NewCodec(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dc   converter.DataConverter
	}{{"default converter", converter.GetDefaultDataConverter()}, {"payload key", codec.DataConverter()}} {
		t.Run(tc.name, func(t *testing.T) {
			api := newTestAPI(t)
			e := newEnv(t)
			dir := filepath.Join(t.TempDir(), "spool")
			creds := WithCredentials(runtime.CredentialMap{"bearerAuth": testToken})
			lost := NewWorker(creds, WithSpool(dir), WithDataConverter(tc.dc))
			heartbeat := lost.record
			var spooled []byte
			lost.record = func(ctx context.Context, rec *sendRecord) error {
				if rec.Output == nil {
					return heartbeat(ctx, rec)
				}
				// The worker is killed here: its response is in the spool
				// only.
				spooled = onlyEntry(t, dir)
				return errors.New("killed before the heartbeat left")
			}
			next := NewWorker(creds, WithSpool(dir), WithDataConverter(tc.dc))
			attempts := 0
			e.OnActivity(SendActivityName, mock.Anything, mock.Anything).Return(
				func(ctx context.Context, in *SendInput) (*SendOutput, error) {
					if in.Method != http.MethodPost {
						return next.Send(ctx, in)
					}
					if attempts++; attempts == 1 {
						_, _ = lost.Send(ctx, in)
						return nil, errors.New("worker lost")
					}
					return next.Send(ctx, in)
				})
			out := e.run(t, plan, docs, "renew", map[string]any{"search": "x"}, Settings{Servers: map[string]string{"api": api.URL}})
			if got := api.renewals["item-x"]; got != 1 {
				t.Errorf("the server renewed %d times, want 1", got)
			}
			if res := out.Result(); out.Status != runtime.StatusPassed || res.Outputs["token"] != "tok-item-x-1" {
				t.Errorf("status %s (%s), token %v; want passed with tok-item-x-1", out.Status, out.Error, res.Outputs["token"])
			}
			// Read without the key, the entry gives the response only when
			// there is no key.
			plain := &spool{dir: t.TempDir(), dc: converter.GetDefaultDataConverter()}
			if err := os.WriteFile(plain.path("k"), spooled, 0o600); err != nil {
				t.Fatal(err)
			}
			rec, err := plain.read("k")
			if encrypted := tc.dc != converter.GetDefaultDataConverter(); (err == nil) == encrypted {
				t.Errorf("the spooled entry read without the key: %v, %v", rec, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the spool keeps %d entries once the heartbeat details hold the response", len(entries))
			}
		})
	}
}

// onlyEntry returns the content of the one entry of a spool directory.
func onlyEntry(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), ".rec") {
		t.Fatalf("spool %s: %v, %v; want one entry", dir, entries, err)
	}
	info, _ := entries[0].Info()
	if info.Mode().Perm() != 0o600 {
		t.Errorf("a spool entry has mode %v, want 0600", info.Mode().Perm())
	}
	b, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSpool(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	codec, err := NewCodec(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := openSpool(dir, codec.DataConverter())
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("the spool directory has mode %v, want 0700", fi.Mode().Perm())
	}
	rec := &sendRecord{Sending: true, Output: &SendOutput{StatusCode: 200, Body: []byte(`{"token":"tk-secret-1"}`)}}
	sync, err := s.write("k1", rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := sync(); err != nil {
		t.Fatal(err)
	}
	got, err := s.read("k1")
	if err != nil || got == nil || string(got.Output.Body) != string(rec.Output.Body) {
		t.Fatalf("read %+v, %v; want what was written", got, err)
	}
	if got, err := s.read("k2"); got != nil || err != nil {
		t.Errorf("an absent entry reads %+v, %v; want nil, nil", got, err)
	}

	// Another key decrypts nothing; a damaged entry is an error, not a panic.
	other, _ := NewCodec(bytes.Repeat([]byte{8}, 32))
	if _, err := (&spool{dir: dir, dc: other.DataConverter()}).read("k1"); err == nil {
		t.Error("an entry read with another payload key decoded")
	}
	for name, data := range map[string][]byte{"garbage": []byte("\xff\x00not a payload"), "empty": nil} {
		if err := os.WriteFile(s.path(name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if got, err := s.read(name); err == nil {
			t.Errorf("a %s entry read as %+v", name, got)
		}
	}

	// A sweep removes old entries and leftovers of interrupted writes only.
	old := time.Now().Add(-spoolMaxAge - time.Hour)
	tmp := filepath.Join(dir, ".tmp-123")
	if err := os.WriteFile(tmp, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{tmp, s.path("garbage")} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := openSpool(dir, codec.DataConverter()); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{tmp: false, s.path("garbage"): false, s.path("k1"): true, s.path("empty"): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("after the sweep, %s exists: %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
	s.remove("k1")
	if got, _ := s.read("k1"); got != nil {
		t.Error("a removed entry is still read")
	}
}

// A spool that cannot be made is a warning; the worker goes on without it.
func TestUnusableSpoolIsAWarning(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	w := NewWorker(WithSpool(filepath.Join(file, "spool")), WithWarnings(func(m string) { warnings = append(warnings, m) }))
	if w.spool != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "no spool") {
		t.Errorf("spool %v, warnings %q", w.spool, warnings)
	}
}
