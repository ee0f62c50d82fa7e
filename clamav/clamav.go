// Package clamav is a small client of clamd, the ClamAV daemon: it scans
// bytes with the INSTREAM command over TCP or a Unix socket.
//
// A scan gives a verdict (clean, or the name of the signature found) or an
// error; an error is never a pass. clamd refuses a stream longer than its
// StreamMaxLength (default 25 MB): [Client.Scan] reports that as an
// error matching [ErrTooLong], so that a caller does not file what was not
// scanned.
package clamav

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// ErrTooLong says that clamd refused a stream longer than its
// StreamMaxLength.
var ErrTooLong = errors.New("clamav: stream longer than clamd's StreamMaxLength")

// chunkSize is the largest chunk sent in one INSTREAM frame.
const chunkSize = 64 << 10

// DefaultTimeout bounds one command where Client.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// A Client scans with one clamd. It opens a connection per scan and is
// safe for concurrent use.
type Client struct {
	// Timeout bounds one command, connecting included
	// (DefaultTimeout where zero); a shorter deadline of the context wins.
	Timeout time.Duration

	network, address string
	dialer           net.Dialer
}

// New returns a client for clamd at addr: "host:port" for TCP, or
// "unix:/path/to/clamd.ctl" for a Unix socket.
func New(addr string) (*Client, error) {
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		if path == "" {
			return nil, errors.New("clamav: empty unix socket path")
		}
		return &Client{network: "unix", address: path}, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("clamav: address %q: %w", addr, err)
	}
	return &Client{network: "tcp", address: addr}, nil
}

// Addr returns the address the client dials, as given to New.
func (c *Client) Addr() string {
	if c.network == "unix" {
		return "unix:" + c.address
	}
	return c.address
}

// A Verdict is the result of one scan.
type Verdict struct {
	// Infected reports whether clamd found a signature.
	Infected bool
	// Signature is the name of the signature found, e.g.
	// "Win.Test.EICAR_HDB-1"; empty when clean.
	Signature string
}

// Ping checks that clamd answers.
func (c *Client) Ping(ctx context.Context) error {
	reply, err := c.command(ctx, func(conn net.Conn) error {
		_, err := conn.Write([]byte("zPING\x00"))
		return err
	})
	if err != nil {
		return fmt.Errorf("clamav: ping %s: %w", c.Addr(), err)
	}
	if reply != "PONG" {
		return fmt.Errorf("clamav: ping %s: unexpected answer %q", c.Addr(), reply)
	}
	return nil
}

// Scan sends data to clamd with INSTREAM and returns its verdict. An
// unreachable clamd, a timeout (Client.Timeout or ctx's deadline), a
// stream over clamd's StreamMaxLength (ErrTooLong) or an answer it cannot
// read is an error, never a clean verdict.
func (c *Client) Scan(ctx context.Context, data []byte) (Verdict, error) {
	reply, err := c.command(ctx, func(conn net.Conn) error {
		if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
			return err
		}
		r := bytes.NewReader(data)
		buf := make([]byte, 4+chunkSize)
		for {
			n, _ := io.ReadFull(r, buf[4:])
			if n == 0 {
				break
			}
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, err := conn.Write(buf[:4+n]); err != nil {
				// clamd closes the connection after refusing a
				// stream over its limit: its answer says why.
				return nil
			}
		}
		_, err := conn.Write([]byte{0, 0, 0, 0})
		_ = err // as above: the answer tells
		return nil
	})
	if err != nil {
		return Verdict{}, fmt.Errorf("clamav: scan at %s: %w", c.Addr(), err)
	}
	return parse(reply, c.Addr())
}

// parse reads clamd's answer to INSTREAM.
func parse(reply, addr string) (Verdict, error) {
	rest, ok := strings.CutPrefix(reply, "stream: ")
	switch {
	case reply == "":
		return Verdict{}, fmt.Errorf("clamav: scan at %s: no answer", addr)
	case strings.Contains(reply, "size limit exceeded"):
		return Verdict{}, fmt.Errorf("clamav: scan at %s: %s: %w", addr, reply, ErrTooLong)
	case ok && rest == "OK":
		return Verdict{}, nil
	case ok && strings.HasSuffix(rest, " FOUND"):
		return Verdict{Infected: true, Signature: strings.TrimSuffix(rest, " FOUND")}, nil
	default:
		return Verdict{}, fmt.Errorf("clamav: scan at %s: %q", addr, reply)
	}
}

// command dials clamd, runs send and reads the NUL-terminated answer.
func (c *Client) command(ctx context.Context, send func(net.Conn) error) (string, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := c.dialer.DialContext(ctx, c.network, c.address)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return "", err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := send(conn); err != nil {
		return "", err
	}
	// The answer ends with a NUL (z-commands); clamd may also just close.
	var b []byte
	one := make([]byte, 256)
	for len(b) < 4096 {
		n, err := conn.Read(one)
		b = append(b, one[:n]...)
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
			break
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(b) > 0 {
				break
			}
			return "", err
		}
	}
	return strings.TrimRight(string(b), "\n"), nil
}
