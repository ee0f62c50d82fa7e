package hybrid

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// prescan refuses a PDF bomb before the library sees it: arrays and
// dictionaries nested deeper than lim.MaxDepth in the file or in an object
// stream (the library parses them recursively, and a stack overflow is
// fatal), and streams that decode to more than lim.MaxDecompressed in sum
// (see streamSize). It decodes into counters, so its memory is constant
// but for ASCIIHex and ASCII85 data, which shrinks.
func prescan(ctx context.Context, b []byte, lim Limits) error {
	n := &nesting{max: lim.MaxDepth}
	var total int64
	dict := -1 // where the last top-level dictionary started
	for i := 0; i < len(b); i++ {
		if !n.idle() || b[i] != 's' || !bytes.HasPrefix(b[i:], []byte("stream")) || i > 0 && isRegular(b[i-1]) {
			d := n.depth
			if !n.feed(b[i]) {
				return newError(CodePDFBomb, errTooDeep)
			}
			if d == 0 && n.depth == 1 && b[i] == '<' {
				dict = i - 1
			}
			continue
		}
		j := i + len("stream")
		if j < len(b) && b[j] == '\r' {
			j++
		}
		if j < len(b) && b[j] == '\n' {
			j++
		}
		end := bytes.Index(b[j:], []byte("endstream"))
		if end < 0 {
			end = len(b) - j
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("hybrid: prescan: %w", err)
		}
		var d []byte
		if dict >= 0 {
			d = b[dict:i]
		}
		size, err := streamSize(d, b[j:j+end], lim.MaxDecompressed-total, lim.MaxDepth)
		if err != nil {
			return err
		}
		total += size
		if total > lim.MaxDecompressed {
			return newError(CodePDFBomb, fmt.Errorf("streams decode to more than %d bytes", lim.MaxDecompressed))
		}
		i = j + end + len("endstream") - 1
		dict = -1
	}
	return nil
}

// streamSize returns how many bytes the stream data with the dictionary
// text dict decodes to, reading at most budget+1 of them: Flate, alone or
// nested, and RunLength are counted, ASCIIHex and ASCII85 undone first.
// An object stream's objects are parsed like the file's, so their
// nesting is checked too. It refuses what it cannot bound: LZWDecode
// (forbidden by PDF/A, it expands thousands of times) and a /Filter given
// by an indirect reference (it hides the filters from this scan).
func streamSize(dict, data []byte, budget int64, maxDepth int) (int64, error) {
	if bytes.Contains(dict, []byte("/LZW")) {
		return 0, newError(CodePDFBomb, errors.New("LZWDecode stream (forbidden by PDF/A)"))
	}
	if indirectFilter(dict) {
		return 0, newError(CodePDFBomb, errors.New("stream /Filter given by an indirect reference"))
	}
	switch {
	case hasName(dict, "ASCIIHexDecode", "AHx"):
		data = unhex(data)
	case hasName(dict, "ASCII85Decode", "A85"):
		data = unascii85(data)
	}
	deep := &nesting{max: maxDepth}
	rle := &runLength{}
	var sinks []io.Writer
	objStm := bytes.Contains(dict, []byte("/ObjStm"))
	if objStm {
		sinks = append(sinks, deep)
	}
	if hasName(dict, "RunLengthDecode", "RL") {
		sinks = append(sinks, rle)
	}
	sink := io.MultiWriter(sinks...)
	size := inflated(bytes.NewReader(data), budget+1, 0, sink)
	if size == 0 {
		sink.Write(data) //nolint:errcheck // deep.deep tells
	}
	if deep.deep {
		return 0, newError(CodePDFBomb, fmt.Errorf("%w in an object stream: deeper than %d", errTooDeep, maxDepth))
	}
	return size + rle.n, nil
}

// hasName reports whether dict text names one of the names.
func hasName(dict []byte, names ...string) bool {
	for _, n := range names {
		for rest := dict; ; {
			k := bytes.Index(rest, []byte("/"+n))
			if k < 0 {
				break
			}
			rest = rest[k+1+len(n):]
			if len(rest) == 0 || !isRegular(rest[0]) {
				return true
			}
		}
	}
	return false
}

// indirectFilter reports whether dict text gives /Filter as an indirect
// reference ("/Filter 12 0 R").
func indirectFilter(dict []byte) bool {
	for rest := dict; ; {
		k := bytes.Index(rest, []byte("/Filter"))
		if k < 0 {
			return false
		}
		rest = rest[k+len("/Filter"):]
		if len(rest) > 0 && isRegular(rest[0]) {
			continue // another name, such as /FilterX
		}
		rest = bytes.TrimLeft(rest, " \t\r\n\f\x00")
		if len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
			return true
		}
	}
}

// unhex undoes ASCIIHexDecode as far as the data is hex digits.
func unhex(data []byte) []byte {
	if k := bytes.IndexByte(data, '>'); k >= 0 {
		data = data[:k]
	}
	digits := make([]byte, 0, len(data))
	for _, c := range data {
		if strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 {
			digits = append(digits, c)
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	n, _ := hex.Decode(out, digits)
	return out[:n]
}

// unascii85 undoes ASCII85Decode as far as the data is valid.
func unascii85(data []byte) []byte {
	if k := bytes.Index(data, []byte("~>")); k >= 0 {
		data = data[:k]
	}
	out, _ := io.ReadAll(ascii85.NewDecoder(bytes.NewReader(data)))
	return out
}

// runLength counts the bytes RunLengthDecode makes of what is written to
// it, without making them.
type runLength struct {
	n    int64
	copy int  // literal bytes still to skip
	eod  bool // the end-of-data byte 128 was seen
}

func (r *runLength) Write(p []byte) (int, error) {
	for _, c := range p {
		switch {
		case r.eod:
		case r.copy > 0:
			r.copy--
		case c < 128:
			r.copy = int(c) + 1
			r.n += int64(c) + 1
		case c == 128:
			r.eod = true
		default:
			r.n += 257 - int64(c)
			r.copy = 1
		}
	}
	return len(p), nil
}

var errTooDeep = errors.New("objects nested too deep")

// nesting follows the nesting of arrays and dictionaries in PDF syntax,
// byte by byte, skipping comments, literal and hex strings.
type nesting struct {
	max, depth int
	str        int  // depth of parentheses inside a literal string
	esc        bool // after a backslash in a literal string
	hex        bool // in a hex string
	comment    bool
	prev       byte // a '<' or '>' waiting for the next byte
	deep       bool // went deeper than max once
}

// idle reports whether n is between tokens, outside strings and comments.
func (n *nesting) idle() bool {
	return !n.comment && n.str == 0 && !n.hex && n.prev == 0
}

// feed takes the next byte and reports whether the nesting is within
// n.max.
func (n *nesting) feed(c byte) bool {
	switch {
	case n.comment:
		n.comment = c != '\n' && c != '\r'
		return true
	case n.str > 0:
		switch {
		case n.esc:
			n.esc = false
		case c == '\\':
			n.esc = true
		case c == '(':
			n.str++
		case c == ')':
			n.str--
		}
		return true
	case n.hex:
		n.hex = c != '>'
		return true
	case n.prev == '<':
		n.prev = 0
		if c == '<' {
			n.depth++
			return n.depth <= n.max
		}
		n.hex = c != '>'
		return true
	case n.prev == '>':
		n.prev = 0
		if c == '>' {
			n.depth = max(n.depth-1, 0)
			return true
		}
	}
	switch c {
	case '%':
		n.comment = true
	case '(':
		n.str = 1
	case '[':
		n.depth++
	case ']':
		n.depth = max(n.depth-1, 0)
	case '<', '>':
		n.prev = c
	}
	return n.depth <= n.max
}

// Write feeds p to n; it fails with errTooDeep beyond n.max, and from then
// on; n.deep records it (a reader may drop the error).
func (n *nesting) Write(p []byte) (int, error) {
	for i, c := range p {
		if n.deep || !n.feed(c) {
			n.deep = true
			return i, fmt.Errorf("%w: deeper than %d", errTooDeep, n.max)
		}
	}
	return len(p), nil
}

// isRegular reports whether c is a regular character of PDF syntax (not
// white space, not a delimiter).
func isRegular(c byte) bool {
	return !strings.ContainsRune(" \t\r\n\f\x00()<>[]{}/%", rune(c))
}

// inflated returns how many bytes r inflates to as zlib data, reading at
// most budget bytes of output per layer; data that inflates to zlib data
// again is counted down to three layers. The output of every layer is
// written to sink; an error of sink ends the inflating. Not zlib data
// counts 0.
func inflated(r io.Reader, budget int64, layer int, sink io.Writer) int64 {
	zr, err := zlib.NewReader(r)
	if err != nil {
		return 0
	}
	defer zr.Close()
	cr := &countReader{r: io.TeeReader(io.LimitReader(zr, budget), sink)}
	br := bufio.NewReader(cr)
	var inner int64
	if hdr, _ := br.Peek(2); layer < 2 && len(hdr) == 2 && isZlibHeader(hdr) {
		inner = inflated(br, budget, layer+1, sink)
	}
	io.Copy(io.Discard, br) //nolint:errcheck // a broken stream counts what it gave
	return cr.n + inner
}

func isZlibHeader(h []byte) bool {
	return h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint(h[0])<<8|uint(h[1]))%31 == 0
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
