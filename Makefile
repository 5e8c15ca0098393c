# Clutch — the two commands: `make run` and `make test`. Both install what is missing first.
SWIFT      ?= swift
CONFIG     ?= debug
HOST       ?= 127.0.0.1
PORT       ?= 8080
DB         ?= ./clutch.db
TEST_FLAGS ?=
PREFIX     ?= /usr/local

.PHONY: all deps build run test bench drill clean install

all: build

deps:
	@bash scripts/ensure-deps.sh build

build: deps
	$(SWIFT) build -c $(CONFIG)

## Builds and starts the server on $(HOST):$(PORT) with an embedded SQLite database ($(DB)).
run: deps
	$(SWIFT) build -c $(CONFIG) --product clutch
	.build/$(CONFIG)/clutch serve --host $(HOST) --port $(PORT) --db $(DB)

## Builds the `clutch` binary (release) and copies it to $(PREFIX)/bin (default /usr/local/bin).
install: deps
	$(SWIFT) build -c release --product clutch
	install -d $(PREFIX)/bin
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/clutch" $(PREFIX)/bin/clutch
	@echo "installed $(PREFIX)/bin/clutch"

## Builds everything (library, server, CLI, SDK, examples, tests) and runs the whole suite.
test:
	@bash scripts/ensure-deps.sh test
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) timeout 1800 bash scripts/run-tests.sh $(TEST_FLAGS)

## Release build, then every benchmark; figures are printed as `name: value unit`.
## The SDK idle CPU figures sample two client processes for 60 s (CLUTCH_BENCH_IDLE_SECONDS).
bench:
	@bash scripts/ensure-deps.sh bench
	$(SWIFT) build -c release --product clutch-bench
	$(SWIFT) build -c release --product clutch
	.build/release/clutch-bench
	@if [ -f Benchmarks/server/run.sh ]; then bash Benchmarks/server/run.sh; fi
	bash Benchmarks/server/scale.sh

## The rolling-upgrade drill: three replicas on PostgreSQL behind HAProxy, drained and restarted
## one at a time under load, twice over, then kill -9 of one; figures as `name: value unit`.
drill:
	SWIFT=$(SWIFT) bash scripts/drill.sh

clean:
	$(SWIFT) package clean
