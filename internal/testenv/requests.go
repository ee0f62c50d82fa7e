package testenv

import (
	"net/http"
	"sync/atomic"
)

// Requests is an http.RoundTripper that counts the requests it carries to
// Next: a store client's, to check or report how many requests an
// operation costs.
type Requests struct {
	Next http.RoundTripper
	n    atomic.Int64
}

// RoundTrip counts r and sends it on.
func (c *Requests) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.Next.RoundTrip(r)
}

// Count returns how many requests were sent.
func (c *Requests) Count() int64 { return c.n.Load() }

// Reset sets the count to zero.
func (c *Requests) Reset() { c.n.Store(0) }
