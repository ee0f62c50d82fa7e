package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gopkg.in/yaml.v3"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
	"github.com/eingang/eingang/web"
)

// serveConfig is the --config file: everything that is not a flag.
type serveConfig struct {
	MaxUploadBytes int64   `yaml:"max_upload_bytes"` // default 20 MB
	RetentionYears int     `yaml:"retention_years"`  // default 10
	UploadRate     float64 `yaml:"upload_rate"`      // uploads per second per client; 0: unlimited
	UploadBurst    int     `yaml:"upload_burst"`
	ReadTimeout    string  `yaml:"read_timeout"`  // default 60s
	WriteTimeout   string  `yaml:"write_timeout"` // default 60s
	// The room the store must have left to be ready (defaults 100 MiB,
	// 10,000 files; -1: no floor).
	MinFreeBytes  int64 `yaml:"min_free_bytes"`
	MinFreeInodes int64 `yaml:"min_free_inodes"`
	// DirectoryMaxDrop is the largest share of municipalities a reload may
	// drop (default 0.25); a larger change needs a restart.
	DirectoryMaxDrop float64 `yaml:"directory_max_drop"`
	// Instance names this gateway among those sharing a store and
	// mailboxes (default: the host name, or $EINGANG_INSTANCE): unique
	// among running gateways.
	Instance string `yaml:"instance"`
	// KositAddr, where set, serves the KoSIT-compatible daemon (validate
	// --daemon, package kosit) on this address beside the gateway.
	KositAddr string `yaml:"kosit_addr"`
	// PublicURL is where people reach the gateway, https at a
	// TLS-terminating proxy: the pages' cookies are then Secure with the
	// __Host- prefix although the gateway sees plain HTTP.
	PublicURL string `yaml:"public_url"`
	// TrustedProxies are the CIDRs of the proxies in front: only from
	// them is X-Forwarded-For read for the client's address.
	TrustedProxies []string `yaml:"trusted_proxies"`

	Rules  rulesConfig  `yaml:"rules"`  // which rule release judges (rules.go)
	Peppol peppolConfig `yaml:"peppol"` // the PEPPOL-style endpoint (peppol.go)
	Email  *emailConfig `yaml:"email"`  // the e-mail channel (email.go)
	OIDC   *oidcConfig  `yaml:"oidc"`   // the pages' login through OpenID Connect (oidc.go)
	// ClamAV turns on the malware scan of every original (clamav.go).
	ClamAV *clamavConfig `yaml:"clamav"`
}

// loadServeConfig reads the configuration file path (none where empty)
// over the defaults.
func loadServeConfig(path string) (serveConfig, error) {
	cfg := serveConfig{MaxUploadBytes: 20 << 20, RetentionYears: 10, UploadRate: 50, UploadBurst: 100, ReadTimeout: "60s", WriteTimeout: "60s", DirectoryMaxDrop: 0.25}
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err == nil {
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err = dec.Decode(&cfg); errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := newFlags("serve", `usage: eingang serve [--addr ADDR] [--store URL] [--directory FILE] [--config FILE] [--print-config]

Runs the gateway: the HTTP API for contractors, municipal accounting and
operators, until SIGINT or SIGTERM. Each flag has an environment twin.
`, stderr)
	addr := fl.String("addr", env("EINGANG_ADDR", "127.0.0.1:8080"), "listen address ($EINGANG_ADDR)")
	storeURL := fl.String("store", env("EINGANG_STORE", "./data"), "store: a directory, file:///path or s3://bucket?endpoint=host:port ($EINGANG_STORE)")
	dirFile := fl.String("directory", env("EINGANG_DIRECTORY", ""), "directory of municipalities (YAML); default: the embedded Thuringian sample ($EINGANG_DIRECTORY)")
	cfgFile := fl.String("config", env("EINGANG_CONFIG", ""), "configuration file (YAML): limits, retention, rate ($EINGANG_CONFIG)")
	printCfg := fl.Bool("print-config", false, "print the effective configuration (defaults applied, secrets masked) as YAML and exit")
	if code := parseFlags(fl, args, false); code >= 0 {
		return code
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg, err := loadServeConfig(*cfgFile)
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: %v\n", err)
		return 2
	}
	schedule, err := cfg.Rules.schedule()
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: config %s: %v\n", *cfgFile, err)
		return 2
	}
	readTimeout, err1 := time.ParseDuration(cfg.ReadTimeout)
	writeTimeout, err2 := time.ParseDuration(cfg.WriteTimeout)
	if cfg.DirectoryMaxDrop < 0 || cfg.DirectoryMaxDrop > 1 {
		err1 = fmt.Errorf("directory_max_drop %v: a share from 0 to 1", cfg.DirectoryMaxDrop)
	}
	var err3 error
	if cfg.PublicURL != "" {
		if u, err := url.Parse(cfg.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			err3 = fmt.Errorf("public_url %q: an http or https URL", cfg.PublicURL)
		}
	}
	trusted, err4 := web.ParseTrustedProxies(cfg.TrustedProxies)
	oidc, err5 := pagesOIDC(cfg.OIDC, cfg.PublicURL)
	scanner, err6 := cfg.ClamAV.scanner()
	if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
		fmt.Fprintf(stderr, "eingang serve: config: %v\n", err)
		return 2
	}
	if *printCfg {
		if err := printConfig(stdout, cfg); err != nil {
			fmt.Fprintf(stderr, "eingang serve: %v\n", err)
			return 1
		}
		return 0
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := ingest.NewMetrics(reg)

	// The directory: loaded now, reloaded on SIGHUP or when the file is
	// replaced.
	var dir func() *directory.Directory
	if *dirFile != "" {
		src, err := directory.Open(*dirFile, cfg.DirectoryMaxDrop)
		if err != nil {
			fmt.Fprintf(stderr, "eingang serve: %v\n", err)
			return 2
		}
		dir = src.Directory
		go watchDirectory(ctx, src, *dirFile, metrics, log)
	} else {
		sample := directory.Sample()
		dir = func() *directory.Directory { return sample }
	}

	// A store that cannot be reached does not stop the start: the gateway
	// answers 503 until it is open. A configuration error does.
	st, err := store.OpenRetrying(ctx, func(ctx context.Context) (store.Store, error) {
		return store.Open(ctx, *storeURL)
	}, store.RetryConfig{Min: time.Second, Max: 30 * time.Second, Timeout: 30 * time.Second, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: %v\n", err)
		return 2
	}
	backend := "fs"
	if strings.HasPrefix(*storeURL, "s3://") {
		backend = "s3"
	}
	validator, err := invoice.NewValidator().WithSchedule(schedule)
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: config %s: %v\n", *cfgFile, err)
		return 2
	}
	validator.Prepare("") // today's rules compiled before the first invoice comes
	if cfg.Instance == "" {
		cfg.Instance = env("EINGANG_INSTANCE", "")
	}
	if cfg.Email != nil {
		for i := range cfg.Email.Mailboxes {
			if cfg.Email.Mailboxes[i].Instance == "" {
				cfg.Email.Mailboxes[i].Instance = cfg.Instance
			}
		}
	}
	mail, err := newMailer(cfg.Email, log, metrics)
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: config: %v\n", err)
		return 2
	}
	pipe, err := ingest.New(ingest.Config{
		Store:          ingest.InstrumentStore(st, backend, metrics),
		Validator:      validator,
		Directory:      dir,
		RetentionYears: cfg.RetentionYears,
		MinFreeBytes:   cfg.MinFreeBytes,
		MinFreeInodes:  cfg.MinFreeInodes,
		Instance:       cfg.Instance,
		Logger:         log,
		Metrics:        metrics,
		OnFiled:        mail.filed,
		Scanner:        scanner,
	})
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: %v\n", err)
		return 2
	}
	// Finish what a crash interrupted, then keep finishing what an outage
	// left pending: before serving where the store is open, else once it
	// is.
	recoverAll := func() {
		if n, err := pipe.Recover(ctx); err != nil {
			log.Warn("recovery incomplete", "err", err)
		} else if n > 0 {
			log.Info("recovered interrupted submissions", "count", n)
		}
		if err := pipe.CountPending(ctx); err != nil {
			log.Warn("counting pending invoices", "err", err)
		}
	}
	openAtStart := false
	select {
	case <-st.Opened():
		openAtStart = true
		recoverAll()
	default:
	}
	go func() {
		if !openAtStart {
			select {
			case <-ctx.Done():
				return
			case <-st.Opened():
			}
			recoverAll()
		}
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := pipe.Recover(ctx); err != nil {
					log.Warn("recovery", "err", err)
				}
				// Other gateways file and acknowledge too: the gauges
				// follow the store, not this process alone.
				if err := pipe.CountPending(ctx); err != nil {
					log.Warn("counting pending invoices", "err", err)
				}
				// The operators' figures, counted by whichever gateway
				// finds them older than 50 s, for all to read.
				if _, err := pipe.Figures(ctx, time.Now(), 50*time.Second); err != nil {
					log.Warn("operators' figures", "err", err)
				}
			}
		}
	}()

	if err := mail.start(ctx, pipe, dir, st.Opened()); err != nil {
		fmt.Fprintf(stderr, "eingang serve: %v\n", err)
		return 2
	}

	handler := web.New(web.Config{
		Pipeline: pipe, Directory: dir, Gatherer: reg, Logger: log, Metrics: metrics,
		MaxBody: cfg.MaxUploadBytes, UploadRate: cfg.UploadRate, UploadBurst: cfg.UploadBurst,
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"), TrustedProxies: trusted, OIDC: oidc,
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "eingang serve: %v\n", err)
		return 2
	}
	if code := servePeppol(ctx, cfg.Peppol, pipe, dir, metrics, log, cfg.MaxUploadBytes, readTimeout, writeTimeout, stderr); code != 0 {
		return code
	}
	var kositDone <-chan error
	if cfg.KositAddr != "" {
		if kositDone, err = startKosit(ctx, cfg.KositAddr, validator, log, readTimeout, false); err != nil {
			fmt.Fprintf(stderr, "eingang serve: %v\n", err)
			return 2
		}
	}
	log.Info("eingang serving", "addr", ln.Addr().String(), "store", *storeURL, "municipalities", len(dir().Municipalities))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		fmt.Fprintf(stderr, "eingang serve: %v\n", err)
		return 1
	}
	shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv.Shutdown(shut)
	// The pending markers of the last uploads go after their answers:
	// wait for them, within the same bound (what is left, the next
	// recovery drops).
	removed := make(chan struct{})
	go func() { pipe.Wait(); close(removed) }()
	select {
	case <-removed:
	case <-shut.Done():
		log.Warn("pending markers of filed submissions still being removed at exit: recovery drops them")
	}
	if kositDone != nil {
		if err := <-kositDone; err != nil {
			log.Warn("KoSIT-compatible daemon", "err", err)
		}
	}
	return 0
}

// watchDirectory reloads the directory on SIGHUP, and when the file is
// replaced (a rename puts a complete file in its place). A file changed
// in place may be half-written: it is read on SIGHUP only, and the log
// says so. A reload is all or nothing (directory.Source.Reload): a file
// that does not load, or would drop too much, leaves the directory in
// force, with an error in the log and in eingang_directory_reloads_total.
func watchDirectory(ctx context.Context, src *directory.Source, path string, m *ingest.Metrics, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	warned := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-tick.C:
			replaced, edited := src.Changed()
			if edited && !warned {
				log.Warn("directory file changed in place: not read until SIGHUP (replace it by rename to have it read at once)", "file", path)
				warned = true
			}
			if !replaced {
				continue
			}
		}
		warned = false
		d, err := src.Reload()
		switch {
		case errors.Is(err, directory.ErrTooLarge):
			log.Error("directory reload refused, the directory in force stays (a restart applies it)", "err", err)
			m.DirectoryReload("refused")
		case err != nil:
			log.Error("directory not reloaded, the directory in force stays", "err", err)
			m.DirectoryReload("invalid")
		default:
			log.Info("directory reloaded", "file", path, "municipalities", len(d.Municipalities))
			m.DirectoryReload("applied")
		}
	}
}

func cmdToken(args []string, stdout, stderr io.Writer) int {
	fl := newFlags("token", `usage: eingang token

Prints a new bearer token and its SHA-256. Give the token to its holder
(a municipality's clerk or auditor, a machine, or an operator) and write
the SHA-256 into the directory, with the holder's name and, for an
auditor, role: auditor under tokens (or into tokens_sha256, a clerk's);
the gateway keeps only the hash. People log in better with an account
of their own (eingang user add).
`, stderr)
	if code := parseFlags(fl, args, false); code >= 0 {
		return code
	}
	token, hash, err := directory.NewToken()
	if err != nil {
		fmt.Fprintf(stderr, "eingang token: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "token:  %s\nsha256: %s\n", token, hash)
	fmt.Fprintln(stdout, "Give the token to its holder; put the sha256 into the directory: tokens: [{name: <holder>, sha256: <sha256>}] (role: auditor for an auditor's).")
	return 0
}
