package store

import (
	"context"
	"sync"
)

// A groupSync makes writes durable in rounds: every caller of Sync waits
// for one flush of the whole filesystem (syncfs) that started after it
// called, and concurrent callers share that flush. N writers then cost
// about one flush instead of 2N fsyncs of files and directories: group
// commit, as databases do it.
type groupSync struct {
	dir string // a directory of the filesystem: the store's root

	mu      sync.Mutex
	next    *syncRound // the round that starts after the running one
	running bool
}

type syncRound struct {
	done chan struct{}
	err  error
}

// Sync returns when everything written before the call is durable.
func (g *groupSync) Sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.mu.Lock()
	if g.next == nil {
		g.next = &syncRound{done: make(chan struct{})}
	}
	r := g.next
	if !g.running {
		g.running = true
		go g.loop()
	}
	g.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loop runs rounds while callers wait for one.
func (g *groupSync) loop() {
	for {
		g.mu.Lock()
		r := g.next
		g.next = nil
		if r == nil {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		r.err = syncFS(g.dir)
		close(r.done)
	}
}
