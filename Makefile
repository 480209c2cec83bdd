# StandardStream build. Every target installs what it needs: the pinned Node 22,
# the pinned CDK CLI, kinesis-local and cfn-guard with AWS Control Tower's rules
# (@cdklabs/cdk-validator-cfnguard) come from package-lock.json via npm ci.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# No built-in implicit rules: none is used, and searching them for each of the
# app binary's prerequisites would cost a tenth of a second per make run.
MAKEFLAGS += --no-builtin-rules

export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# jsii prints a banner per process when Node is not one it tested; the pinned
# Node 22 is supported, so the only remaining noise is silenced here.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
# jsii starts the app's Node.js with V8 flags that halve synth's CPU time.
export JSII_NODE := $(CURDIR)/build/jsii-node

ENV ?= dev
STACK = StandardStream-$(ENV)
NPM_STAMP := node_modules/.installed
# The CDK CLI is one 16 MB JavaScript file that Node.js compiles on every
# run; with a compile cache it starts in 0.6 s instead of 0.75 s.
# build/jsii-node takes the variable away from the app's Node.js, which it
# does not speed up.
CDK := NODE_COMPILE_CACHE=$(CURDIR)/.cache/node-compile-cache cdk --no-notices --no-version-reporting

# The CDK app as a binary that make rebuilds when a file changed. cdk.json's
# app, `go run .` (for running cdk by hand), re-checks the whole build on every
# run: half a second of CPU, most of it hashing the 38 MB of CDK JavaScript
# that aws-cdk-go embeds. Every file of the module is a prerequisite, so the
# binary is never older than anything it could compile or embed.
APP := .cache/cdk-app
APP_SOURCES := go.mod go.sum $(shell find . \( -name node_modules -o -name cdk.out -o -name .cache -o -name .git \) -prune -o -type f -print)
CDK_APP := $(CDK) --app $(APP)

.PHONY: help deps synth test audit bench docs e2e teams demo deploy diff clean

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

# npm ci runs when node_modules is missing or older than the lock. The empty
# go.mod keeps `go test ./...` out of the Go templates the CDK CLI ships.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	: > node_modules/go.mod
	touch $@

deps: $(NPM_STAMP) ## Install the pinned Node toolchain and Go modules.
	go mod download

$(APP): $(APP_SOURCES)
	go build -o $@ .

synth: deps $(APP) ## Synthesize every environment's stack into cdk.out/.
	$(CDK_APP) synth --quiet

# Three test binaries at a time on any machine: a CDK test binary waits on its
# jsii Node.js process (and the e2e test on kinesis-local) about half the
# time, but the suite is bound by CPU on two cores, and a fourth at a time
# only made the others slower (measured side by side: 70-71 s against
# 72-75 s). go test starts packages in the order they are named, so the slowest
# come first and the many quick ones fill the gaps instead of delaying them
# (./... then adds the rest once each).
#
# go vet runs every analyzer once; go test's own vet pass would repeat a
# subset of them over the same packages, so it is off. Test binaries are
# linked without DWARF and the symbol table (-s -w, as go run links): six
# of them link all of aws-cdk-go, and the debug information, which no test
# reads and go test deletes with the binary, is a third of each link's CPU
# (about 0.7 s). Failures and panics still print file and line.
#
# go test links every test binary again on every run, results cached or
# not, unless -o names where to keep it: then a binary whose build inputs
# did not change is used as it is, which saves the linker's 14 s of CPU
# (of about 140) when the code did not change. -o dir/ names each binary
# after the last element of its package's import path, so the two packages
# whose names another package already has keep theirs in a directory of
# their own, in a second go test beside the first. .cache/test holds about
# 750 MB; make clean removes it.
MODULE := github.com/standardstream/standardstream
SLOW_TESTS := ./scaffold ./constructs/streaming ./test ./test/e2e ./cdkvalidate ./constructs/golambda ./ops
SAME_NAME := $(MODULE) $(MODULE)/lambda/schemagen
GO_TEST := go test -vet=off -ldflags='-s -w'
test: deps ## Run every test.
	go vet ./...
	pkgs=$$(go list ./... | grep -vxF $(foreach p,$(SAME_NAME),-e $(p))) && \
	{ $(GO_TEST) -p 3 -o .cache/test/ $(SLOW_TESTS) $$pkgs & } && bg=$$! && \
	rc=0 && { $(GO_TEST) -o .cache/test/same-name/ $(SAME_NAME) || rc=$$?; } && \
	{ wait $$bg || rc=$$?; } && exit $$rc

audit: deps ## Run only the outside audits (cdk-nag, Control Tower with cfn-guard, cfn-lint) over every template.
	go test ./test/ -run '^(TestAudits|TestCfnLint)$$' -count=1 -v

docs: deps ## Regenerate the documents derived from code (docs/streams/, docs/runbooks/, ...).
	go run ./cmd/standardstream docs

e2e: deps ## Run the end-to-end test under faults against kinesis-local and print its summary (about 15 s).
	go test ./test/e2e -run '^TestEndToEnd$$' -count=1 -v

teams: deps ## Run the README's For teams commands in an empty module: new, synth, test, local (minutes).
	go test ./scaffold -run '^TestForTeams$$' -count=1 -v

# The reference consumer runs as its Lambda binary, behind localesm's local
# Lambda Runtime API.
demo: deps ## Run producer, local event-source mapping and reference consumer for a few seconds.
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	go build -o "$$tmp/bootstrap" ./lambda && \
	go run ./cmd/demo -consumer "$$tmp/bootstrap"

bench: deps ## Run the consumer library's and the reference consumer's benchmarks and print the ratios (a few minutes).
	lambda/kinesisbatch/bench.sh

deploy: deps $(APP) ## Deploy one environment: make deploy ENV=dev
	$(CDK_APP) deploy --require-approval broadening $(STACK)

diff: deps $(APP) ## Diff one environment against what is deployed: make diff ENV=prod
	$(CDK_APP) diff $(STACK)

clean: ## Remove build output (cdk.out, the app and test binaries).
	rm -rf cdk.out .cache
