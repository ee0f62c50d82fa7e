package store

import (
	"context"
	"fmt"

	"github.com/minio/minio-go/v7"
)

// A LockReader is a store whose retention is an object lock with a mode
// (S3): COMPLIANCE, which nobody can lift, or GOVERNANCE, which a user
// with the right to bypass it can.
type LockReader interface {
	// LockMode returns the lock mode of the object's current version
	// ("COMPLIANCE", "GOVERNANCE", or "" when it has none) and the mode
	// the store puts retained objects under.
	LockMode(ctx context.Context, key string) (mode, want string, err error)
}

// LockMode returns what s.LockMode does where s is a LockReader, and
// "", "" where it is not (the filesystem store has no lock modes).
func LockMode(ctx context.Context, s Store, key string) (mode, want string, err error) {
	if l, ok := s.(LockReader); ok {
		return l.LockMode(ctx, key)
	}
	return "", "", nil
}

// LockMode implements LockReader.
func (s *S3) LockMode(ctx context.Context, key string) (mode, want string, err error) {
	if err := CheckKey(key); err != nil {
		return "", "", fmt.Errorf("store: lock mode: %w", err)
	}
	oi, err := s.c.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return "", "", fmt.Errorf("store: lock mode %s: %w", key, s3err(err))
	}
	return oi.Metadata.Get("X-Amz-Object-Lock-Mode"), string(s.mode), nil
}

// LockMode implements LockReader for the store once it is open; a store
// that is none answers "", "".
func (r *Retrying) LockMode(ctx context.Context, key string) (mode, want string, err error) {
	s, err := r.store()
	if err != nil {
		return "", "", err
	}
	return LockMode(ctx, s, key)
}
