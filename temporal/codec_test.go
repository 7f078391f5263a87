package temporal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"go.temporal.io/sdk/converter"
)

func TestCodec(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	c, err := NewCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	dc := c.DataConverter()
	secret := map[string]any{"token": "mcp_live_4f9a1c"}
	p, err := dc.ToPayload(secret)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := p.Marshal()
	if bytes.Contains(raw, []byte("mcp_live_4f9a1c")) || string(p.Metadata["encoding"]) != "binary/encrypted" {
		t.Fatalf("payload not encrypted: %q", raw)
	}
	var back map[string]any
	if err := dc.FromPayload(p, &back); err != nil || back["token"] != "mcp_live_4f9a1c" {
		t.Fatalf("round trip: %v %v", back, err)
	}
	// Two encodings of the same value differ (a fresh nonce each time).
	p2, _ := dc.ToPayload(secret)
	if bytes.Equal(p.Data, p2.Data) {
		t.Error("the same value encrypts to the same bytes twice")
	}
	// A payload written without the key is read as is.
	plain, _ := converter.GetDefaultDataConverter().ToPayload("clear")
	var s string
	if err := dc.FromPayload(plain, &s); err != nil || s != "clear" {
		t.Errorf("unencrypted payload: %q %v", s, err)
	}
	// Another key says so, and a tampered payload does not decrypt.
	other, _ := NewCodec(bytes.Repeat([]byte{8}, 32))
	if err := other.DataConverter().FromPayload(p, &back); err == nil || !strings.Contains(err.Error(), "encrypted with another key (id "+c.KeyID()) {
		t.Errorf("other key: %v", err)
	}
	// Rotation: a codec with a new key first and the old one after reads what
	// the old key wrote, and writes with the new one.
	rotated, err := NewCodec(bytes.Repeat([]byte{9}, 32), key)
	if err != nil {
		t.Fatal(err)
	}
	if err := rotated.DataConverter().FromPayload(p, &back); err != nil || back["token"] != "mcp_live_4f9a1c" {
		t.Errorf("rotated codec reading the old key's payload: %v %v", back, err)
	}
	p3, _ := rotated.DataConverter().ToPayload(secret)
	if id := string(p3.Metadata["encryption-key-id"]); id != rotated.KeyID() || id == c.KeyID() {
		t.Errorf("rotated codec encrypts with key %s", id)
	}
	p.Data[len(p.Data)-1] ^= 1
	if err := dc.FromPayload(p, &back); err == nil || !strings.Contains(err.Error(), "cannot be decrypted") {
		t.Errorf("tampered payload: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, 32)
	for _, text := range []string{hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key) + "\n", base64.RawURLEncoding.EncodeToString(key)} {
		got, err := ParseKey(text)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v", text, got, err)
		}
	}
	for _, text := range []string{"", "short", base64.StdEncoding.EncodeToString(key[:16])} {
		if _, err := ParseKey(text); err == nil || !strings.Contains(err.Error(), "32 bytes") {
			t.Errorf("ParseKey(%q): %v", text, err)
		}
	}
	if _, err := NewCodec(key[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}
