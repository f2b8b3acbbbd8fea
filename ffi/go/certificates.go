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

// approvals are the certificates or fingerprints (T) approved for one connection or
// destination: what the two have alike (list, get, approve, revoke) over the owner's kind and
// the operations' names.
type approvals[T any] struct {
	c     *Client
	owner map[string]any // connectionId or destinationId
	kind  string         // connection or destination
	what  string         // certificate or fingerprint
}

func newApprovals[T any](c *Client, kind, id, what string) approvals[T] {
	return approvals[T]{c, map[string]any{kind + "Id": id}, kind, what}
}

// List walks the approved ones; params as in Operation ("limit", "cursor").
func (s approvals[T]) List(ctx context.Context, params map[string]any) *Iter[T] {
	return List[T](ctx, s.c, "get_"+s.kind+"_"+s.what+"s_list", with(s.owner, params))
}

// Get reads one approved by its hash.
func (s approvals[T]) Get(ctx context.Context, hash string) (*T, error) {
	return call[T](ctx, s.c, "get_"+s.kind+"_"+s.what+"_details", with(s.owner, map[string]any{"hash": hash}), nil, "")
}

// Revoke revokes an approval; confirm must repeat hash, or nothing is sent
// (KindConfirmationRequired).
func (s approvals[T]) Revoke(ctx context.Context, hash, confirm string) error {
	return send(ctx, s.c, "revoke_"+s.kind+"_"+s.what, with(s.owner, map[string]any{"hash": hash}), nil, confirm)
}

func (s approvals[T]) approve(ctx context.Context, body map[string]any) (*T, error) {
	return call[T](ctx, s.c, "approve_"+s.kind+"_"+s.what, s.owner, body, "")
}

// Certificates are the certificates approved for one connection (Client.ConnectionCertificates)
// or destination (DestinationFamily.Certificates): List, Get, Approve, Revoke.
type Certificates struct{ approvals[Certificate] }

// ConnectionCertificates are the TLS certificates approved for a connection
// (get_connection_certificates_list, get_connection_certificate_details,
// approve_connection_certificate, revoke_connection_certificate).
func (c *Client) ConnectionCertificates(connectionID string) Certificates {
	return Certificates{newApprovals[Certificate](c, "connection", connectionID, "certificate")}
}

// Approve approves a certificate: its hash and encodedCert, the certificate in base64.
func (s Certificates) Approve(ctx context.Context, hash, encodedCert string) (*Certificate, error) {
	return s.approve(ctx, map[string]any{"hash": hash, "encoded_cert": encodedCert})
}

// Fingerprints are the fingerprints approved for one connection (Client.ConnectionFingerprints)
// or destination (DestinationFamily.Fingerprints): List, Get, Approve, Revoke.
type Fingerprints struct{ approvals[Fingerprint] }

// ConnectionFingerprints are the SSH host key fingerprints approved for a connection
// (get_connection_fingerprints_list, get_connection_fingerprint_details,
// approve_connection_fingerprint, revoke_connection_fingerprint).
func (c *Client) ConnectionFingerprints(connectionID string) Fingerprints {
	return Fingerprints{newApprovals[Fingerprint](c, "connection", connectionID, "fingerprint")}
}

// Approve approves a fingerprint: its hash and the host's publicKey. The spec documents the
// answer without data: the result's fields are then empty.
func (s Fingerprints) Approve(ctx context.Context, hash, publicKey string) (*Fingerprint, error) {
	return s.approve(ctx, map[string]any{"hash": hash, "public_key": publicKey})
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
