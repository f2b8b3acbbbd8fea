package fivetrex

import (
	"context"
	"encoding/json"
	"time"
)

// Certificate is a TLS certificate approved for a connection or destination
// (CertificateDetailsResponse in the API's spec).
type Certificate struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Hash          string     `json:"hash"`
	Type          string     `json:"type"`
	SHA1          string     `json:"sha1"`
	SHA256        string     `json:"sha256"`
	PublicKey     string     `json:"public_key"`
	ValidatedDate *time.Time `json:"validated_date"`
	ValidatedBy   string     `json:"validated_by"`
	// Raw is the certificate as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (c *Certificate) setRaw(b json.RawMessage) { c.Raw = b }

// Fingerprint is an SSH host key fingerprint approved for a connection or destination
// (FingerprintDetailsResponse in the API's spec).
type Fingerprint struct {
	ID            string     `json:"id"`
	Hash          string     `json:"hash"`
	PublicKey     string     `json:"public_key"`
	ValidatedDate *time.Time `json:"validated_date"`
	ValidatedBy   string     `json:"validated_by"`
	// Raw is the fingerprint as the API sent it, every field included.
	Raw json.RawMessage `json:"-"`
}

func (f *Fingerprint) setRaw(b json.RawMessage) { f.Raw = b }

// Certificates are the certificates approved for one connection (Client.ConnectionCertificates)
// or destination (DestinationFamily.Certificates).
type Certificates struct {
	c     *Client
	owner map[string]any // connectionId or destinationId
	kind  string         // connection or destination
}

// ConnectionCertificates are the TLS certificates approved for a connection
// (get_connection_certificates_list, get_connection_certificate_details,
// approve_connection_certificate, revoke_connection_certificate).
func (c *Client) ConnectionCertificates(connectionID string) Certificates {
	return Certificates{c, map[string]any{"connectionId": connectionID}, "connection"}
}

// List walks the approved certificates; params as in Operation ("limit", "cursor").
func (s Certificates) List(ctx context.Context, params map[string]any) *Iter[Certificate] {
	return List[Certificate](ctx, s.c, "get_"+s.kind+"_certificates_list", with(s.owner, params))
}

// Get reads one approved certificate by its hash.
func (s Certificates) Get(ctx context.Context, hash string) (*Certificate, error) {
	return call[Certificate](ctx, s.c, "get_"+s.kind+"_certificate_details", with(s.owner, map[string]any{"hash": hash}), nil, "")
}

// Approve approves a certificate: its hash and encodedCert, the certificate in base64.
func (s Certificates) Approve(ctx context.Context, hash, encodedCert string) (*Certificate, error) {
	body := map[string]any{"hash": hash, "encoded_cert": encodedCert}
	return call[Certificate](ctx, s.c, "approve_"+s.kind+"_certificate", s.owner, body, "")
}

// Revoke revokes an approved certificate; confirm must repeat hash, or nothing is sent
// (KindConfirmationRequired).
func (s Certificates) Revoke(ctx context.Context, hash, confirm string) error {
	return send(ctx, s.c, "revoke_"+s.kind+"_certificate", with(s.owner, map[string]any{"hash": hash}), nil, confirm)
}

// Fingerprints are the fingerprints approved for one connection (Client.ConnectionFingerprints)
// or destination (DestinationFamily.Fingerprints).
type Fingerprints struct {
	c     *Client
	owner map[string]any
	kind  string
}

// ConnectionFingerprints are the SSH host key fingerprints approved for a connection
// (get_connection_fingerprints_list, get_connection_fingerprint_details,
// approve_connection_fingerprint, revoke_connection_fingerprint).
func (c *Client) ConnectionFingerprints(connectionID string) Fingerprints {
	return Fingerprints{c, map[string]any{"connectionId": connectionID}, "connection"}
}

// List walks the approved fingerprints; params as in Operation ("limit", "cursor").
func (s Fingerprints) List(ctx context.Context, params map[string]any) *Iter[Fingerprint] {
	return List[Fingerprint](ctx, s.c, "get_"+s.kind+"_fingerprints_list", with(s.owner, params))
}

// Get reads one approved fingerprint by its hash.
func (s Fingerprints) Get(ctx context.Context, hash string) (*Fingerprint, error) {
	return call[Fingerprint](ctx, s.c, "get_"+s.kind+"_fingerprint_details", with(s.owner, map[string]any{"hash": hash}), nil, "")
}

// Approve approves a fingerprint: its hash and the host's publicKey. The spec documents the
// answer without data: the result's fields are then empty.
func (s Fingerprints) Approve(ctx context.Context, hash, publicKey string) (*Fingerprint, error) {
	body := map[string]any{"hash": hash, "public_key": publicKey}
	return call[Fingerprint](ctx, s.c, "approve_"+s.kind+"_fingerprint", s.owner, body, "")
}

// Revoke revokes an approved fingerprint; confirm must repeat hash, or nothing is sent
// (KindConfirmationRequired).
func (s Fingerprints) Revoke(ctx context.Context, hash, confirm string) error {
	return send(ctx, s.c, "revoke_"+s.kind+"_fingerprint", with(s.owner, map[string]any{"hash": hash}), nil, confirm)
}

// with merges params into a copy of owner.
func with(owner, params map[string]any) map[string]any {
	p := make(map[string]any, len(owner)+len(params))
	for k, v := range owner {
		p[k] = v
	}
	for k, v := range params {
		p[k] = v
	}
	return p
}
