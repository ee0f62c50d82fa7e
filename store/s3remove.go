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
// does not exist succeeds. It deletes the object's versions, as Delete
// does: the one this store created (Create) where it knows it, else those
// a look at the key finds; so remove only what was never retained, and
// what was created once and not written over since (a newer version of
// another writer would stay).
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

// errNoAnswer says a multi-object delete gave no result for a key.
var errNoAnswer = errors.New("no answer for the key")

// removeRound removes one round's keys and tells each caller its result.
func (s *S3) removeRound(round []*removal) {
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	byKey := make(map[string][]*removal, len(round))
	var vs []minio.ObjectInfo
	answer := func(key string, err error) {
		if err != nil {
			err = fmt.Errorf("store: remove %s: %w", key, s3err(err))
		}
		for _, r := range byKey[key] {
			r.done <- err
		}
		delete(byKey, key)
	}
	for _, r := range round {
		if byKey[r.key] == nil {
			kvs, err := s.doomed(ctx, r.key, "")
			if err != nil {
				byKey[r.key] = []*removal{r}
				answer(r.key, err)
				continue
			}
			vs = append(vs, kvs...)
		}
		byKey[r.key] = append(byKey[r.key], r)
	}
	failed := map[string]error{}
	switch {
	case len(vs) == 1:
		v := vs[0]
		failed[v.Key] = s.c.RemoveObject(ctx, s.bucket, v.Key, minio.RemoveObjectOptions{VersionID: v.VersionID})
	case len(vs) > 1:
		objs := make(chan minio.ObjectInfo, len(vs))
		for _, v := range vs {
			objs <- v
			failed[v.Key] = errNoAnswer // until a result says otherwise
		}
		close(objs)
		var whole error // an error of the request, not of one version
		for res := range s.c.RemoveObjectsWithResult(ctx, s.bucket, objs, minio.RemoveObjectsOptions{}) {
			switch {
			case res.ObjectName == "":
				whole = errors.Join(whole, res.Err)
			case failed[res.ObjectName] == errNoAnswer: // the key's first result
				failed[res.ObjectName] = res.Err
			default:
				failed[res.ObjectName] = errors.Join(failed[res.ObjectName], res.Err)
			}
		}
		for key, err := range failed {
			if err == errNoAnswer && whole != nil {
				failed[key] = whole
			}
		}
	}
	for key := range byKey { // a key without versions has nothing to delete
		answer(key, failed[key])
	}
}
