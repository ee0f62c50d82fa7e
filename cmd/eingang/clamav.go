package main

import (
	"fmt"
	"time"

	"github.com/eingang/eingang/clamav"
	"github.com/eingang/eingang/ingest"
)

// clamavConfig is the malware scan (config key clamav): off where absent.
type clamavConfig struct {
	Addr    string `yaml:"addr"`    // clamd: host:port or unix:/path
	Timeout string `yaml:"timeout"` // one scan, default 30s
}

// scanner returns the pipeline's scanner, nil where the scan is off. It
// applies the default timeout to c.
func (c *clamavConfig) scanner() (ingest.Scanner, error) {
	if c == nil {
		return nil, nil
	}
	if c.Timeout == "" {
		c.Timeout = clamav.DefaultTimeout.String()
	}
	cl, err := clamav.New(c.Addr)
	if err != nil {
		return nil, fmt.Errorf("clamav.addr: %w", err)
	}
	d, err := time.ParseDuration(c.Timeout)
	if err != nil || d <= 0 {
		return nil, fmt.Errorf("clamav.timeout %q: a positive duration", c.Timeout)
	}
	cl.Timeout = d
	return cl, nil
}
