package main

import (
	"strconv"
	"unicode/utf8"

	"github.com/eingang/eingang/invoice"
)

// The JSON line of one document, as --format json writes it: the bytes
// encoding/json writes for the report's fields (file, accepted,
// reject_reason, scenario, doc_type, release, findings) and a newline,
// written without reflection (the encoder took a tenth of a corpus run).
// TestAppendReport holds them equal to encoding/json's over both test
// sets.

// appendReport appends the JSON line of r, read from file, to b.
func appendReport(b []byte, file string, r *invoice.Report) []byte {
	b = appendKey(b, '{', "file")
	b = appendString(b, file)
	b = appendKey(b, ',', "accepted")
	b = strconv.AppendBool(b, r.Accepted)
	b = appendKey(b, ',', "reject_reason")
	b = appendNullable(b, r.RejectReason)
	b = appendKey(b, ',', "scenario")
	b = appendNullable(b, r.Scenario)
	b = appendKey(b, ',', "doc_type")
	b = appendString(b, r.DocType)
	b = appendKey(b, ',', "release")
	b = appendString(b, r.Release)
	b = appendKey(b, ',', "findings")
	b = append(b, '[')
	for i := range r.Findings {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFinding(b, &r.Findings[i])
	}
	return append(b, "]}\n"...)
}

// appendFinding appends f as encoding/json writes it, its Evidence's
// fields inline.
func appendFinding(b []byte, f *invoice.Finding) []byte {
	b = appendKey(b, '{', "rule")
	b = appendString(b, f.Rule)
	b = appendKey(b, ',', "level")
	b = appendString(b, string(f.Level))
	b = appendKey(b, ',', "location")
	b = appendString(b, f.Location)
	if f.Line != 0 {
		b = appendKey(b, ',', "line")
		b = strconv.AppendInt(b, int64(f.Line), 10)
	}
	if f.Column != 0 {
		b = appendKey(b, ',', "column")
		b = strconv.AppendInt(b, int64(f.Column), 10)
	}
	b = appendKey(b, ',', "message")
	b = appendString(b, f.Message)
	if f.MessageDE != "" {
		b = appendKey(b, ',', "message_de")
		b = appendString(b, f.MessageDE)
	}
	b = appendKey(b, ',', "counted")
	b = strconv.AppendBool(b, f.Counted)
	if e := f.Evidence; e != nil {
		b = appendOmitEmpty(b, "actual", e.Actual)
		b = appendOmitEmpty(b, "expected", e.Expected)
		b = appendOmitEmpty(b, "calculation", e.Calculation)
		if len(e.Fields) > 0 {
			b = append(appendKey(b, ',', "fields"), '[')
			for i, fd := range e.Fields {
				if i > 0 {
					b = append(b, ',')
				}
				sep := byte('{')
				if fd.BT != "" {
					b = appendString(appendKey(b, sep, "bt"), fd.BT)
					sep = ','
				}
				b = appendString(appendKey(b, sep, "path"), fd.Path)
				b = appendKey(b, ',', "value")
				b = appendString(b, fd.Value)
				if fd.Line != 0 {
					b = appendKey(b, ',', "line")
					b = strconv.AppendInt(b, int64(fd.Line), 10)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
	}
	return append(b, '}')
}

// appendKey appends sep and the quoted key with its colon; keys are
// plain ASCII.
func appendKey(b []byte, sep byte, key string) []byte {
	b = append(b, sep, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendOmitEmpty(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(appendKey(b, ',', key), s)
}

func appendNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// appendString appends s quoted as encoding/json quotes a string: with
// <, > and & escaped for HTML, invalid UTF-8 as U+FFFD, and U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look of its own.
		for i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plain8 says whether none of the eight bytes of s needs escaping or
// decoding: all are ASCII, none is a control character, '"', '\\', '<',
// '>' or '&'. It tests the eight at once, each test setting a byte's high
// bit where the byte is the one sought (the usual has-zero-byte trick).
func plain8(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	zero := func(y uint64) uint64 { return (y - ones) &^ y & highs }
	bad := x&highs | // not ASCII
		(x-0x20*ones)&^x&highs | // below ' '
		zero(x^'"'*ones) | zero(x^'\\'*ones) | zero(x^'<'*ones) | zero(x^'>'*ones) | zero(x^'&'*ones)
	return bad == 0
}
