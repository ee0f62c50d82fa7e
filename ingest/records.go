package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/eingang/eingang/store"
)

// Records: the JSON objects the pipeline keeps beside each original.

// corrupt reports whether err says a stored JSON object is incomplete or
// garbled: a deferred write that a power loss cut short.
func corrupt(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syn) || errors.As(err, &typ)
}

func createJSON(ctx context.Context, s store.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Create(ctx, key, bytes.NewReader(b), int64(len(b)), store.CreateOptions{})
}

func putJSON(ctx context.Context, s store.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
}

func getJSON(ctx context.Context, s store.Store, key string, v any) error {
	r, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return fmt.Errorf("store: read %s: %w", key, err)
	}
	return json.Unmarshal(b, v)
}
