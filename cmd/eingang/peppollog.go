package main

import (
	"bytes"
	"io"
	"log"
	"log/slog"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/ingest/peppol"
)

// handshakeKind is the kind of eingang_channel_errors_total{channel="peppol"}
// that counts failed TLS handshakes (alerts.yaml: EingangPeppolHandshakeFailures).
const handshakeKind = "tls-handshake"

// peppolErrorLog is the PEPPOL endpoint's http.Server error log: it logs
// at Info (a refused handshake is the sender's affair) and counts the TLS
// handshakes that failed, such as those of clients without a certificate
// the CA signed, which reach no handler.
func peppolErrorLog(l *slog.Logger, m *ingest.Metrics) *log.Logger {
	return log.New(handshakeCounter{slog.NewLogLogger(l.Handler(), slog.LevelInfo).Writer(), m}, "", 0)
}

type handshakeCounter struct {
	w io.Writer
	m *ingest.Metrics
}

func (h handshakeCounter) Write(p []byte) (int, error) {
	// net/http logs "http: TLS handshake error from ADDR: ERR".
	if bytes.Contains(p, []byte("TLS handshake error")) {
		h.m.ChannelError(peppol.Channel, handshakeKind)
	}
	return h.w.Write(p)
}
