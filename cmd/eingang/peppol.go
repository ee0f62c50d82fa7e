package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/ingest/peppol"
)

// peppolConfig is the `peppol:` part of the --config file: the PEPPOL-style
// endpoint's own listener, TLS only, with client certificates.
type peppolConfig struct {
	Addr         string `yaml:"addr"`           // e.g. 127.0.0.1:8443; empty: no endpoint
	CertFile     string `yaml:"cert_file"`      // the server's certificate (PEM)
	KeyFile      string `yaml:"key_file"`       // its key (PEM)
	ClientCAFile string `yaml:"client_ca_file"` // client certificates must chain to it (PEM)
}

// servePeppol starts the PEPPOL-style endpoint when the configuration asks
// for it and stops it when ctx ends. It returns a non-zero exit code when
// the endpoint cannot start.
func servePeppol(ctx context.Context, cfg peppolConfig, pipe *ingest.Pipeline, dir func() *directory.Directory,
	metrics *ingest.Metrics, log *slog.Logger, maxBytes int64, readTimeout, writeTimeout time.Duration, stderr io.Writer) int {
	if cfg == (peppolConfig{}) {
		return 0
	}
	tlsCfg, err := peppolTLS(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: config peppol: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: peppol: %v\n", err)
		return 2
	}
	recv := peppol.New(peppol.Config{
		Pipeline: pipe,
		Known:    func(id string) bool { return dir().Route(id) != nil },
		Metrics:  metrics, Logger: log, MaxBytes: maxBytes,
	})
	srv := &http.Server{
		Handler:           recv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          peppolErrorLog(log, metrics), // refused handshakes, counted
	}
	log.Info("eingang peppol endpoint", "addr", ln.Addr().String(), "path", peppol.Path)
	go func() {
		if err := srv.Serve(tls.NewListener(ln, tlsCfg)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("peppol endpoint stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	return 0
}

func peppolTLS(cfg peppolConfig) (*tls.Config, error) {
	if cfg.Addr == "" || cfg.CertFile == "" || cfg.KeyFile == "" || cfg.ClientCAFile == "" {
		return nil, errors.New("addr, cert_file, key_file and client_ca_file are all required")
	}
	return peppol.TLSConfig(cfg.CertFile, cfg.KeyFile, cfg.ClientCAFile)
}
