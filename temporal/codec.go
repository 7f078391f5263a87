package temporal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	sdktemporal "go.temporal.io/sdk/temporal"
)

// Payloads encrypted by the codec carry this encoding and the id of their key.
const (
	encodingEncrypted = "binary/encrypted"
	metaEncoding      = "encoding"
	metaKeyID         = "encryption-key-id"
)

// Codec encrypts every payload a run puts in its Temporal history — inputs,
// documents, responses, outputs, renewed tokens — with AES-256-GCM, so that the
// cluster and whoever can read its history see ciphertext. Clients and workers
// of the same runs use the same key (DataConverter and FailureConverter give
// them what to pass to client.Options).
type Codec struct {
	aead  cipher.AEAD // of the first key: it encrypts
	keyID string
	old   map[string]cipher.AEAD // every key, by id: they decrypt
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec makes a Codec from 32-byte keys: the first encrypts, and every one
// decrypts what it encrypted, so a key is rotated by putting the new one first
// and keeping the old one until no run needs it.
func NewCodec(keys ...[]byte) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("no payload key")
	}
	c := &Codec{old: map[string]cipher.AEAD{}}
	for i, key := range keys {
		if len(key) != 32 {
			return nil, fmt.Errorf("the payload key must be 32 bytes (AES-256), got %d", len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(key)
		id := hex.EncodeToString(sum[:8])
		c.old[id] = aead
		if i == 0 {
			c.aead, c.keyID = aead, id
		}
	}
	return c, nil
}

// ParseKey reads a 32-byte key written as 64 hex digits or in base64 (what
// `openssl rand -base64 32` prints).
func ParseKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if len(text) == 64 {
		if k, err := hex.DecodeString(text); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(text); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("the payload key must be 32 bytes, got %d (make one with: openssl rand -base64 32)", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("the payload key must be 32 bytes written as 64 hex digits or in base64 (make one with: openssl rand -base64 32)")
}

// keyIDs lists the ids of the keys, the encrypting one first.
func (c *Codec) keyIDs() string {
	ids := []string{c.keyID}
	for id := range c.old {
		if id != c.keyID {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids[1:])
	return strings.Join(ids, ", ")
}

// KeyID identifies the encrypting key (the first 8 bytes of its SHA-256, in
// hex); it is stored with each payload, so a reader without it says so.
func (c *Codec) KeyID() string { return c.keyID }

// Encode encrypts each payload, metadata included.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := p.Marshal()
		if err != nil {
			return nil, err
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{metaEncoding: []byte(encodingEncrypted), metaKeyID: []byte(c.keyID)},
			Data:     c.aead.Seal(nonce, nonce, plain, []byte(c.keyID)),
		}
	}
	return out, nil
}

// Decode decrypts the payloads this codec's key encrypted and passes others
// (written before the key was used) through unchanged.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[metaEncoding]) != encodingEncrypted {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[metaKeyID])
		aead := c.old[id]
		if aead == nil {
			return nil, fmt.Errorf("a payload of this run was encrypted with another key (id %s; the keys given are %s)", id, c.keyIDs())
		}
		data := p.GetData()
		n := aead.NonceSize()
		if len(data) < n {
			return nil, errors.New("an encrypted payload is truncated")
		}
		plain, err := aead.Open(nil, data[:n], data[n:], []byte(id))
		if err != nil {
			return nil, fmt.Errorf("an encrypted payload cannot be decrypted: %v", err)
		}
		var dec commonpb.Payload
		if err := dec.Unmarshal(plain); err != nil {
			return nil, err
		}
		out[i] = &dec
	}
	return out, nil
}

// DataConverter is the SDK's default converter with payloads encrypted by c.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter encrypts the messages and stack traces of failures too:
// they may quote what a response said.
func (c *Codec) FailureConverter() converter.FailureConverter {
	return sdktemporal.NewDefaultFailureConverter(sdktemporal.DefaultFailureConverterOptions{
		DataConverter: c.DataConverter(), EncodeCommonAttributes: true})
}
