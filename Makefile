# eingang: make (build), make test, make bench, make fuzz, make run.
GO      ?= go
BIN     := bin/eingang
SHARED  ?= $(abspath ../shared)

.PHONY: all build test conformance bench fuzz run vet clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/eingang

vet:
	$(GO) vet ./...

# test runs every test; the conformance test reads $(SHARED)/conformance and
# skips with a message where it is absent.
test:
	EINGANG_SHARED=$(SHARED) $(GO) test -count=1 ./...

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
