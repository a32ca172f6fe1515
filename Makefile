# authd — the two commands a new machine needs:
#   make run    install what is missing, build, start the server on ./data (dev secrets generated)
#   make test   install what is missing, build, run every test (unit, integration, end-to-end)

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
APT_PACKAGES = libssl-dev liblz4-dev libsodium-dev pkg-config etcd-server haproxy prometheus
CONFIG ?= release
# libFuzzer targets (Fuzz/, a package of its own: `swift build` of this one never compiles them).
FUZZ_TARGETS = FuzzHTTP FuzzToken FuzzWALSegment FuzzSnapshot FuzzEngineRecord FuzzAdmin FuzzReplication
FUZZ_FLAGS = -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
# Seconds per fuzz target: `make fuzz SECONDS=600`; `make test` runs each for this default.
SECONDS ?= 20

.PHONY: run test deps build build-release e2e bench clean fuzz fuzz-build fuzz-seeds check-races check-memory

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

build-release: deps
	$(SWIFT) build -c release --product authd
	$(SWIFT) build -c release --product bench

run: build-release
	.build/release/authd serve

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --skip EtcdTests
	$(SWIFT) test --skip-build --parallel --filter EtcdTests
	$(SWIFT) build --product authd
	$(SWIFT) build --product bench
	bash Tests/EndToEnd/run.sh .build/debug
	$(MAKE) fuzz SECONDS=$(SECONDS)

# Every fuzz target for SECONDS seconds from Fuzz/Corpus; fails on a crash, leak, OOM or timeout.
fuzz: fuzz-build
	bash Fuzz/run.sh $(SECONDS) $(FUZZ_TARGETS)

fuzz-build: deps
	cd Fuzz && $(SWIFT) build -c release --scratch-path ../.build-fuzz $(FUZZ_FLAGS)

# Rewrites the seed corpora from the code under test (real segments, snapshots, records, tokens).
fuzz-seeds: fuzz-build
	for t in $(FUZZ_TARGETS); do rm -rf Fuzz/Corpus/$$t; ASAN_OPTIONS=detect_leaks=0 AUTHD_FUZZ_WRITE_SEEDS=Fuzz/Corpus/$$t .build-fuzz/release/$$t || exit 1; done

bench: build-release
	.build/release/bench ceiling --compare-me --spawn

clean:
	rm -rf .build

# ThreadSanitizer over the unit suite plus the lock-visibility probes (docs/reliability.md).
check-races: deps
	SWIFT=$(SWIFT) bash Tests/Sanitizers/check-races.sh

# AddressSanitizer + LeakSanitizer over the unit suite (docs/reliability.md).
check-memory: deps
	SWIFT=$(SWIFT) bash Tests/Sanitizers/check-memory.sh
