package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
)

// removeBatch is the most keys one multi-object delete carries (the S3
// API's limit).
const removeBatch = 1000

// removeTimeout bounds one round of removals: callers that stop waiting
// earlier return their context's error, and the round goes on.
const removeTimeout = time.Minute

// A removeGroup gathers the removals of concurrent callers into rounds:
// one multi-object delete (DeleteObjects) for all keys that were asked
// for while the previous round ran, as groupSync gathers flushes. N
// callers then cost one request instead of N.
type removeGroup struct {
	mu      sync.Mutex
	queue   []*removal
	running bool
}

type removal struct {
	key  string
	done chan error // buffered: the round never waits for its caller
}

// Remove implements Remover: it deletes the object without looking at
// its retention first (Delete's extra request), together with the
// removals other callers ask for at the same time. Removing a key that
// does not exist succeeds. On a versioned bucket a retained object would
// get a delete marker: remove only what was never retained.
func (s *S3) Remove(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("store: remove: %w", err)
	}
	r := &removal{key: key, done: make(chan error, 1)}
	g := &s.removals
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if !g.running {
		g.running = true
		go s.removeRounds()
	}
	g.mu.Unlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("store: remove %s: %w", key, ctx.Err())
	}
}

// removeRounds runs rounds while removals wait.
func (s *S3) removeRounds() {
	g := &s.removals
	for {
		g.mu.Lock()
		n := min(len(g.queue), removeBatch)
		if n == 0 {
			g.queue, g.running = nil, false
			g.mu.Unlock()
			return
		}
		round := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		s.removeRound(round)
	}
}

// removeRound removes one round's keys and tells each caller its result.
func (s *S3) removeRound(round []*removal) {
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	if len(round) == 1 {
		r := round[0]
		if err := s.c.RemoveObject(ctx, s.bucket, r.key, minio.RemoveObjectOptions{}); err != nil {
			r.done <- fmt.Errorf("store: remove %s: %w", r.key, s3err(err))
			return
		}
		r.done <- nil
		return
	}
	keys := make(chan minio.ObjectInfo, len(round))
	byKey := make(map[string][]*removal, len(round))
	for _, r := range round {
		if byKey[r.key] == nil {
			keys <- minio.ObjectInfo{Key: r.key}
		}
		byKey[r.key] = append(byKey[r.key], r)
	}
	close(keys)
	answer := func(key string, err error) {
		if err != nil {
			err = fmt.Errorf("store: remove %s: %w", key, s3err(err))
		}
		for _, r := range byKey[key] {
			r.done <- err
		}
		delete(byKey, key)
	}
	var whole error // an error of the request, not of one key
	for res := range s.c.RemoveObjectsWithResult(ctx, s.bucket, keys, minio.RemoveObjectsOptions{}) {
		if res.ObjectName == "" {
			whole = errors.Join(whole, res.Err)
			continue
		}
		answer(res.ObjectName, res.Err)
	}
	if whole == nil {
		whole = errors.New("no answer for the key")
	}
	for key := range byKey {
		answer(key, whole)
	}
}
