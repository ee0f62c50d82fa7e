package peppol

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"
)

// Path is where the endpoint takes SBDs.
const Path = "/peppol/sbd"

// TLSConfig returns the endpoint's TLS configuration: the server's
// certificate, and client certificates required and verified against the
// access points' CA (expired ones and those of other CAs are refused
// during the handshake, before any request is read).
func TLSConfig(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("peppol: server certificate: %w", err)
	}
	pem, err := os.ReadFile(clientCAFile)
	if err != nil {
		return nil, fmt.Errorf("peppol: client CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("peppol: client CA %s: no PEM certificate", clientCAFile)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// Handler returns the HTTP handler of the endpoint: POST /peppol/sbd with
// the SBD as body (application/xml). Serve it only over TLS with
// TLSConfig. Answers: 201 with a receipt (JSON, or XML when Accept asks
// for application/xml), 200 with the first receipt for a message that came
// before, 422 with an MLR for a rejected invoice, and an MLR naming the
// problem for a refused message (400, 409, 413, 415) or 503 when nothing
// could be kept.
func (r *Receiver) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+Path, r.serveSBD)
	return mux
}

func (r *Receiver) serveSBD(w http.ResponseWriter, req *http.Request) {
	var peer Peer
	if req.TLS == nil || len(req.TLS.PeerCertificates) == 0 {
		// The TLS configuration does not let such a request through.
		http.Error(w, "a client certificate is required", http.StatusForbidden)
		return
	}
	peer = PeerOf(req.TLS.PeerCertificates[0])

	res := &Result{Envelope: &Envelope{}}
	mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "application/xml" && mt != "text/xml" {
		msg := "send the SBD as application/xml"
		if mt == "application/pdf" {
			// Hybrid invoices (ZUGFeRD / Factur-X) come by upload or e-mail.
			msg = "this endpoint takes XML only: send the SBD with the invoice XML as application/xml; a hybrid PDF (ZUGFeRD / Factur-X) is accepted by upload and e-mail only"
		}
		res.Err = errorf(CodeMediaType, "%s", msg)
		r.answer(w, req, r.done(res, peer))
		return
	}
	sbd, err := io.ReadAll(http.MaxBytesReader(w, req.Body, r.cfg.MaxBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		res.Err = errorf(CodeTooLarge, "the SBD is larger than %d bytes", r.cfg.MaxBytes)
		r.answer(w, req, r.done(res, peer))
		return
	case err != nil:
		// The sender went away or sent a broken body: nothing to answer.
		r.cfg.Logger.Info("peppol: reading a message", "err", err, "client", peer.Subject)
		return
	}
	r.answer(w, req, r.Receive(req.Context(), sbd, peer))
}

// status gives the HTTP status of a refusal.
var status = map[string]int{
	CodeTooLarge:    http.StatusRequestEntityTooLarge,
	CodeMediaType:   http.StatusUnsupportedMediaType,
	CodeReused:      http.StatusConflict,
	CodeUnavailable: http.StatusServiceUnavailable,
}

func (r *Receiver) answer(w http.ResponseWriter, req *http.Request, res *Result) {
	now := time.Now()
	var e *Error
	switch {
	case errors.As(res.Err, &e):
		code := status[e.Code]
		if code == 0 {
			code = http.StatusBadRequest
		}
		r.mlr(w, code, MLR(res.Envelope, "the message was refused: "+e.Code, []Line{{Rule: e.Code, Message: e.Detail}}, now))
	case res.Err != nil:
		w.Header().Set("Retry-After", "5")
		r.mlr(w, http.StatusServiceUnavailable, MLR(res.Envelope, "the message could not be kept: nothing was kept, send it again",
			[]Line{{Rule: CodeUnavailable, Message: "the archive is not available"}}, now))
	case res.Receipt.Status == "rejected":
		r.mlr(w, http.StatusUnprocessableEntity, MLR(res.Envelope, "the invoice was rejected: it is archived under "+res.Receipt.ID, res.Rejected, now))
	default:
		code := http.StatusCreated
		if res.Again || res.Receipt.Status == "duplicate" {
			code = http.StatusOK
		}
		if wantsXML(req.Header.Get("Accept")) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(code)
			w.Write(res.Receipt.XML())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(res.Receipt.JSON())
	}
}

func (r *Receiver) mlr(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(code)
	w.Write(body)
}

// wantsXML reports whether an Accept header names XML before JSON.
func wantsXML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case "application/xml", "text/xml":
			return true
		case "application/json":
			return false
		}
	}
	return false
}
