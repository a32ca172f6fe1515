# authd — the two commands a new machine needs:
#   make run    install what is missing, build, start the server on ./data (dev secrets generated)
#   make test   install what is missing, build, run every test (unit, integration, end-to-end)

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
APT_PACKAGES = libssl-dev liblz4-dev libsodium-dev pkg-config etcd-server haproxy prometheus
CONFIG ?= release

.PHONY: run test deps build build-release e2e bench clean

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

bench: build-release
	.build/release/bench ceiling --compare-me --spawn

clean:
	rm -rf .build
