package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// The store's key layout:
//
//	archive/YYYY/MM/DD/<id>/original      the bytes as received (write-once, retained)
//	archive/YYYY/MM/DD/<id>/envelope      the channel's whole message, e.g. an SBD (write-once, retained; if any)
//	archive/YYYY/MM/DD/<id>/invoice.xml   a hybrid PDF's invoice XML (write-once, retained; hybrid.go)
//	archive/YYYY/MM/DD/<id>/outcome.json  the filing: envelope (channel, sender, hash, receipt token hash),
//	                                      where it was filed, validation report; present = finished
//	archive/YYYY/MM/DD/<id>/meta.json     the envelope of an abandoned submission (write-once), and of
//	                                      archives written before 2026-12-07
//	archive/YYYY/MM/DD/<id>/report.json   the validation report of archives written before 2026-12-07
//	archive/YYYY/MM/DD/<id>/receipt-<sha256>  a further receipt token, given to a duplicate's sender
//	pending/<id>                          kept but not yet filed, naming its owner, holding the envelope (write.go; Recover works these off)
//	claim/<id>/<n>                        the n-th takeover of a pending submission's lease (create-if-absent; write.go)
//	abandoned/<id>                        kept in part, never acknowledged: no invoice (the ownership rule in write.go)
//	superseded/<id>                       the copy that took an abandoned first's place in dedup (create-if-absent)
//	figures/ops.json                      the operators' figures as a gateway last counted them (figures.go)
//	figures/day/<YYYY-MM-DD>.json         a past day's count, kept until an invoice of that day is filed late
//	dedup/<sha256>                        the id that first brought these bytes (create-if-absent)
//	dedup-xml/<sha256>                    the first hybrid PDF that brought this invoice XML (create-if-absent; hybrid.go)
//	quarantine/<id>                       rejected for malware, for operators (scan.go)
//	ref/<channel>/<sha256 of key>         the id that first brought this channel key (create-if-absent)
//	inbox/<municipality>/new/<id>         routed, not yet acknowledged
//	inbox/<municipality>/acknowledged/<id>
//	clearing/<id>                         valid but unroutable: an operator routes it
//	rejected/<id>                         invalid
//	mark/<name>/<id>                      a channel's mark, e.g. delivered-email (create-if-absent; marks.go)
//	session/<sha256 of id>                a browser's session (sessions.go)
//	session-person/<sha256 of person>/<sha256 of id>  a person's sessions, for logging out everywhere
//	audit/<municipality>/<YYYY-MM-DD>/<time>-<rand>.json  the audit trail by municipality and day (write-once, retained; audit.go)
//	audit-by-invoice/<id>/<time>-<rand>.json              the same records by invoice (write-once, retained)
//	audit-day/<YYYY-MM-DD>/<time>-<rand>.json             the same records by day, for operators (write-once, retained)
//
// Ids are UUIDv7: they sort by time, so listings page in arrival order by
// cursor, and the archive date comes from the id itself.

func archivePrefix(id string) string {
	t := idTime(id)
	return fmt.Sprintf("archive/%04d/%02d/%02d/%s/", t.Year(), t.Month(), t.Day(), id)
}

// idTime reads the millisecond timestamp of a UUIDv7.
func idTime(id string) time.Time {
	if len(id) < 13 {
		return time.Unix(0, 0).UTC()
	}
	b, err := hex.DecodeString(id[0:8] + id[9:13])
	if err != nil {
		return time.Unix(0, 0).UTC()
	}
	var ms int64
	for _, c := range b {
		ms = ms<<8 | int64(c)
	}
	return time.UnixMilli(ms).UTC()
}

// idFloor is the beginning of the UUIDv7s of t's millisecond: every such
// id sorts after it, every earlier one before it.
func idFloor(t time.Time) string {
	ms := t.UnixMilli()
	return fmt.Sprintf("%08x-%04x", ms>>16, ms&0xffff)
}

func originalKey(id string) string { return archivePrefix(id) + "original" }
func metaKey(id string) string     { return archivePrefix(id) + "meta.json" }
func reportKey(id string) string   { return archivePrefix(id) + "report.json" }
func outcomeKey(id string) string  { return archivePrefix(id) + "outcome.json" }

// Prefixes of the folders the pipeline lists.
const (
	pendingPrefix   = "pending/"
	clearingPrefix  = "clearing/"
	abandonedPrefix = "abandoned/"
)

// inboxPrefix is the folder of a municipality's entries in one state
// ("new", "acknowledged").
func inboxPrefix(m, state string) string { return "inbox/" + m + "/" + state + "/" }

func pendingKey(id string) string         { return pendingPrefix + id }
func dedupKey(sum string) string          { return "dedup/" + sum }
func clearingKey(id string) string        { return clearingPrefix + id }
func rejectedKey(id string) string        { return "rejected/" + id }
func inboxKey(m, state, id string) string { return inboxPrefix(m, state) + id }
func envelopeKey(id string) string        { return archivePrefix(id) + "envelope" }
func markKey(name, id string) string      { return "mark/" + name + "/" + id }
func abandonedKey(id string) string       { return abandonedPrefix + id }
func claimPrefix(id string) string        { return "claim/" + id + "/" }
func supersededKey(id string) string      { return "superseded/" + id }
func claimKey(id string, n int) string    { return claimPrefix(id) + strconv.Itoa(n) }

func refKey(channel, key string) string {
	sum := sha256.Sum256([]byte(key))
	return "ref/" + channel + "/" + hex.EncodeToString(sum[:])
}

// receiptKey binds a further receipt token (by its SHA-256) to a
// submission: the token a duplicate's sender got.
func receiptKey(id, tokenSum string) string { return archivePrefix(id) + "receipt-" + tokenSum }
