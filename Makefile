# eingang: make (build), make test, make bench, make fuzz, make run.
GO      ?= go
BIN     := bin/eingang
SHARED  ?= $(abspath ../shared)
CACHE   ?= $(HOME)/.cache/eingang
# MinIO for the S3 tests: a pinned build from the Go module proxy, installed
# once into $(CACHE)/bin and reused.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO   := $(CACHE)/bin/minio

.PHONY: all build generate test conformance bench bench-million fuzz run vet clean minio services packages axe cluster

all: build

# A static binary (no cgo: Go's own DNS resolver and user look-up): it
# runs in any container, and starts about 1 ms sooner than one linked to
# libc (13.2-13.6 ms against 14.2-14.5 ms for validating one file).
build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/eingang

# generate regenerates every generated file (schemas/*_gen.go) from its
# inputs: the XML Schemas in $(SHARED)/xsd, and the CEN validation artefacts
# in CEN_ARTEFACTS, a copy of github.com/ConnectingEurope/eInvoicing-EN16931
# at tag validation-1.3.15 that the project does not keep
# (make generate CEN_ARTEFACTS=/path/to/eInvoicing-EN16931), and in
# CEN_ARTEFACTS_1316 a copy at tag validation-1.3.16, whose changed code lists
# the rule release 2026-08-31 carries (schemas/codelists_1316_gen.go).
CEN_ARTEFACTS ?=
CEN_ARTEFACTS_1316 ?=
generate:
	EINGANG_SHARED=$(abspath $(SHARED)) CEN_ARTEFACTS=$(if $(CEN_ARTEFACTS),$(abspath $(CEN_ARTEFACTS))) \
		CEN_ARTEFACTS_1316=$(if $(CEN_ARTEFACTS_1316),$(abspath $(CEN_ARTEFACTS_1316))) $(GO) generate ./...

# vet runs go vet and staticcheck (pinned; from the Go module proxy).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
vet:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# test runs every test; the tests that read $(SHARED) (the conformance
# corpus, the XML Schemas) fail where it is absent, as under CI (a plain
# go test skips them).
# The S3 tests start MinIO on a free loopback port and stop it by PID; with
# EINGANG_REQUIRE_S3 they fail rather than skip when it is missing.
# Every package runs under the race detector (it needs cgo: gcc, installed
# by packages where missing) but ingest/email: go-imap v2.0.0-beta.8's
# client races with itself when its connection is closed in the middle of
# a FETCH (its reader goroutine parses on while the aborted FETCH discards
# the rest of a literal from the same buffer), which Dovecot's restart and
# every test's shutdown can do. On a busy 2-core machine make test took 3 to
# 5 minutes; the first build for -race adds about 3.
TESTENV = EINGANG_SHARED=$(SHARED) EINGANG_MINIO=$(MINIO) EINGANG_AXE=$(AXE) EINGANG_REQUIRE_S3=1 EINGANG_REQUIRE_SERVICES=1
test: vet services
	$(TESTENV) $(GO) test -race -count=1 -timeout 30m $$($(GO) list ./... | grep -v '/ingest/email$$')
	$(TESTENV) $(GO) test -count=1 -timeout 30m ./ingest/email

# services installs what the tests run against: MinIO (S3), Prometheus,
# Chromium (the browser tests of the invoice view and the pages), axe-core
# (the pages' accessibility test), Dovecot (e-mail intake), glewlwyd (the
# OpenID Connect login) and gcc (the race detector).
services: minio packages axe

# axe-core, pinned, from the npm registry into $(CACHE)/npm (once per
# version); the accessibility test injects it into each page.
AXE_VERSION := 4.14.1
AXE     := $(CACHE)/npm/node_modules/axe-core/axe.min.js
axe: packages
	@grep -qs '"version": "$(AXE_VERSION)"' $(CACHE)/npm/node_modules/axe-core/package.json || { \
		mkdir -p $(CACHE)/npm && \
		npm install --no-save --no-audit --no-fund --prefix $(CACHE)/npm axe-core@$(AXE_VERSION); }

minio: $(MINIO)

# packages installs Prometheus (with promtool, which tests alerts.yaml), Chromium, npm, Dovecot (IMAP),
# ClamAV's clamd (the malware scan's tests write their own EICAR signature), curl, openssl, gcc
# (for go test -race), glewlwyd (an OpenID Connect provider, for the OIDC login tests; preseeded
# to set up no database, else its postinst fails) and sqlite3 (builds glewlwyd's database)
# from Debian's packages where missing; a policy-rc.d keeps
# Debian from starting daemons (the tests start their own on free ports) while
# apt runs, and is removed again if this made it.
packages:
	@missing=""; \
	{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing="$$missing prometheus"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium fonts-liberation"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || missing="$$missing clamav-daemon"; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing gcc libc6-dev"; \
	command -v glewlwyd >/dev/null 2>&1 || missing="$$missing glewlwyd dbconfig-no-thanks"; \
	command -v sqlite3 >/dev/null 2>&1 || missing="$$missing sqlite3"; \
	[ -z "$$missing" ] || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); made=""; \
		[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null && \
			$$SUDO chmod +x /usr/sbin/policy-rc.d && made=1; }; \
		echo 'glewlwyd glewlwyd/config_type select No configuration' | $$SUDO debconf-set-selections; \
		echo "installing$$missing from Debian's packages"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		rc=$$?; [ -z "$$made" ] || $$SUDO rm -f /usr/sbin/policy-rc.d; exit $$rc; }

$(MINIO):
	mkdir -p $(CACHE)/bin
	cd / && GOBIN=$(CACHE)/bin GOFLAGS=-mod=mod $(GO) install github.com/minio/minio@$(MINIO_VERSION)

# conformance prints the agreement with the reference, file by file.
conformance:
	EINGANG_SHARED=$(SHARED) $(GO) test -count=1 -run TestConformance -v ./invoice

# bench measures the validator, the stores (the S3 half against a MinIO it
# starts, like the tests) and the gateway's uploads on both stores, and
# hybrid PDFs beside the same invoices as XML through the upload API
# (BenchmarkHybridUpload, with allocations), PDF extraction, and the
# four-node cluster: the gateways beside raw PUTs (BenchmarkCluster) and
# what two writes an upload would allow there (BenchmarkClusterBound). The
# benchmarks keep their data in BENCH_DATA until all are done (see
# testenv.BenchDir: deleting a run's files slows this disk for the next).
BENCH_DATA ?= $(CURDIR)/.bench-data
bench: minio
	rm -rf $(BENCH_DATA) && mkdir -p $(BENCH_DATA)
	EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -bench 'Testsuite|Typical|Corpus$$|Large' -benchmem -cpu 1 ./invoice
	EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -bench CorpusParallel -benchmem ./invoice
	EINGANG_BENCH_DATA=$(BENCH_DATA) EINGANG_MINIO=$(MINIO) $(GO) test -run '^$$' -bench . -benchtime 2s ./store
	EINGANG_BENCH_DATA=$(BENCH_DATA) EINGANG_SHARED=$(SHARED) EINGANG_MINIO=$(MINIO) $(GO) test -run '^$$' -bench '^BenchmarkUpload' -benchtime 3000x -timeout 30m ./web
	EINGANG_BENCH_DATA=$(BENCH_DATA) EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -bench HybridUpload -benchtime 1000x -benchmem ./web
	EINGANG_BENCH_DATA=$(BENCH_DATA) $(GO) test -run '^$$' -bench DovecotIntake -benchtime 1x ./ingest/email
	EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -bench Daemon -benchtime 3s ./kosit
	EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -bench ValidateCorpusCLI -benchtime 10x ./cmd/eingang
	EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -bench Extract -benchmem ./hybrid
	EINGANG_MINIO=$(MINIO) $(GO) test -run '^$$' -bench Cluster -benchtime 1000x ./cmd/eingang
	rm -rf $(BENCH_DATA)

# bench-million fills an archive of a million invoices (a few minutes and
# 3 GB on the filesystem store) and measures an inbox page, the operators'
# figures and recovery over it; EINGANG_BENCH_S3=1 runs it on MinIO
# (EINGANG_BENCH_INVOICES=100000 there: a million takes about twenty minutes).
bench-million: minio
	rm -rf $(BENCH_DATA) && mkdir -p $(BENCH_DATA)
	EINGANG_BENCH_DATA=$(BENCH_DATA) EINGANG_MINIO=$(MINIO) $(GO) test -run '^$$' -bench Million -benchtime 1x -timeout 60m ./ingest
	rm -rf $(BENCH_DATA)

# fuzz runs the parser and validator on mutated documents; minimising each
# new input for at most 5 s keeps the minute for fuzzing.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzValidate -fuzztime 60s -fuzzminimizetime 5s ./invoice
	EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -fuzz FuzzExtract -fuzztime 30s -fuzzminimizetime 5s ./hybrid

run: build
	./$(BIN) serve

# cluster runs the shape of a real deployment on this machine, in the
# foreground until Ctrl-C: four MinIO servers in distributed mode, three
# gateways on one bucket, Prometheus scraping them (deploy/cluster.sh).
cluster: build minio packages
	deploy/cluster.sh $(BIN) $(MINIO)

clean:
	rm -rf bin
