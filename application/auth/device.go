package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// deviceNonceBytes is the entropy of a device id.
const deviceNonceBytes = 16

// deviceTokenContext separates device-token MACs from any other use of the key.
const deviceTokenContext = "studytool/device/v1"

// minDeviceKeyBytes is the shortest key DeviceTokens accepts.
const minDeviceKeyBytes = 32

// DeviceTokens issues and checks device tokens, the "device cookies" OWASP recommends
// against targeted account lockout: a successful login hands the client a token bound to
// the account (an HMAC over the account's email and a random device id), and a client
// that presents a valid one for the account it logs in to is exempt from that account's
// lockout, so failures an attacker causes from elsewhere cannot lock the owner out. The
// device still has a failure limit of its own. Tokens need no storage: the key alone
// checks them.
type DeviceTokens struct {
	key []byte
}

// NewDeviceTokens returns tokens signed with key, which must hold at least 32 bytes.
func NewDeviceTokens(key []byte) (*DeviceTokens, error) {
	if len(key) < minDeviceKeyBytes {
		return nil, fmt.Errorf("auth: device token key has %d bytes, needs at least %d", len(key), minDeviceKeyBytes)
	}
	return &DeviceTokens{key: key}, nil
}

// Issue returns a new token binding a fresh device id to email (canonical form).
func (d *DeviceTokens) Issue(email string) (string, error) {
	nonce := make([]byte, deviceNonceBytes)
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("auth: device token: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(nonce)
	return id + "." + base64.RawURLEncoding.EncodeToString(d.mac(email, id)), nil
}

// Verify returns the device id of token when token was issued for email, and false for
// anything else (another account's token, a forged or malformed one, none).
func (d *DeviceTokens) Verify(token, email string) (string, bool) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || len(id) != base64.RawURLEncoding.EncodedLen(deviceNonceBytes) {
		return "", false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, d.mac(email, id)) {
		return "", false
	}
	return id, true
}

func (d *DeviceTokens) mac(email, id string) []byte {
	m := hmac.New(sha256.New, d.key)
	for _, part := range []string{deviceTokenContext, email, id} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}
