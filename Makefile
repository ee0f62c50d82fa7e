# eingang: make (build), make test, make bench, make fuzz, make run.
GO      ?= go
BIN     := bin/eingang
SHARED  ?= $(abspath ../shared)
CACHE   ?= $(HOME)/.cache/eingang
# MinIO for the S3 tests: a pinned build from the Go module proxy, installed
# once into $(CACHE)/bin and reused.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO   := $(CACHE)/bin/minio

.PHONY: all build test conformance bench fuzz run vet clean minio

all: build

build:
	$(GO) build -o $(BIN) ./cmd/eingang

vet:
	$(GO) vet ./...

# test runs every test; the conformance test reads $(SHARED)/conformance and
# skips with a message where it is absent.
# The S3 tests start MinIO on a free loopback port and stop it by PID; with
# EINGANG_REQUIRE_S3 they fail rather than skip when it is missing.
test: minio
	EINGANG_SHARED=$(SHARED) EINGANG_MINIO=$(MINIO) EINGANG_REQUIRE_S3=1 $(GO) test -count=1 -timeout 30m ./...

minio: $(MINIO)

$(MINIO):
	mkdir -p $(CACHE)/bin
	cd / && GOBIN=$(CACHE)/bin GOFLAGS=-mod=mod $(GO) install github.com/minio/minio@$(MINIO_VERSION)

# conformance prints the agreement with the reference, file by file.
conformance:
	EINGANG_SHARED=$(SHARED) $(GO) test -count=1 -run TestConformance -v ./invoice

bench:
	EINGANG_SHARED=$(SHARED) $(GO) test -run '^$$' -bench . -benchmem ./invoice

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzValidate -fuzztime 60s ./invoice

run: build
	./$(BIN) serve

clean:
	rm -rf bin
