package clamav_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/clamav"
	"github.com/eingang/eingang/internal/testenv"
)

func TestClamAVScan(t *testing.T) {
	d := testenv.StartClamd(t, "1M")
	c, err := clamav.New(d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("a clean line of an invoice\n"), 10_000) // 270 KB: several chunks
	tests := []struct {
		name string
		data []byte
		want clamav.Verdict
	}{
		{"clean", []byte("<Invoice/>"), clamav.Verdict{}},
		{"empty", nil, clamav.Verdict{}},
		{"clean, several chunks", big, clamav.Verdict{}},
		{"eicar", []byte(testenv.EICAR), clamav.Verdict{Infected: true, Signature: testenv.EICARSignature}},
		{"eicar after several chunks", append(append([]byte{}, big...), testenv.EICAR...), clamav.Verdict{Infected: true, Signature: testenv.EICARSignature}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Scan(ctx, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Scan = %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("over StreamMaxLength", func(t *testing.T) {
		_, err := c.Scan(ctx, bytes.Repeat([]byte("x"), 2<<20))
		if !errors.Is(err, clamav.ErrTooLong) {
			t.Fatalf("err = %v, want ErrTooLong", err)
		}
	})
	t.Run("stopped", func(t *testing.T) {
		d.Stop()
		v, err := c.Scan(ctx, []byte(testenv.EICAR))
		if err == nil {
			t.Fatalf("Scan with clamd stopped = %+v, nil error", v)
		}
		if err := c.Ping(ctx); err == nil {
			t.Fatal("Ping with clamd stopped: nil error")
		}
	})
}

func TestClamAVTimeout(t *testing.T) {
	// A listener that accepts and never answers: the scan must end with
	// ctx's deadline, as an error.
	addr := testenv.FreeAddr(t)
	l, err := (&netListen{}).listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := clamav.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Scan(ctx, []byte("x")); err == nil {
		t.Fatal("Scan of a silent clamd: nil error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Scan took %s, want about 300ms", d)
	}
}

func TestClamAVNew(t *testing.T) {
	for _, tt := range []struct {
		addr, want string
		ok         bool
	}{
		{"127.0.0.1:3310", "127.0.0.1:3310", true},
		{"unix:/run/clamav/clamd.ctl", "unix:/run/clamav/clamd.ctl", true},
		{"unix:", "", false},
		{"localhost", "", false},
	} {
		c, err := clamav.New(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("New(%q) err = %v", tt.addr, err)
			continue
		}
		if err == nil && c.Addr() != tt.want {
			t.Errorf("New(%q).Addr() = %q", tt.addr, c.Addr())
		}
		if err != nil && !strings.Contains(err.Error(), "clamav") {
			t.Errorf("New(%q) err %q without context", tt.addr, err)
		}
	}
}
