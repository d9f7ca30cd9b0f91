# cache-proxy: `make run` serves real registries (config-examples/quickstart.yaml), `make test` runs the
# whole suite after installing what it needs (bin/test-tools).
#
# The build needs a JDK >= 21. When the default `java` is older, a JDK >= 21 under /usr/lib/jvm is
# used; without one, the targets that build stop with one line saying what to install (`make test`
# installs one first when it runs as root with apt).

SHELL := /bin/bash
JAVA_HOME := $(shell bin/find-jdk)
export JAVA_HOME
export PATH := $(if $(JAVA_HOME),$(JAVA_HOME)/bin:)$(PATH)

COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
MVN ?= mvn -B -ntp -Dbuild.commit=$(COMMIT)
JAR := cache-proxy-server/target/cache-proxy.jar
AOT := cache-proxy-server/target/cache-proxy.aot
SOURCES := $(shell find pom.xml */pom.xml */src/main -type f 2>/dev/null)
CONFIG ?= config-examples/quickstart.yaml

need-jdk = @[ -n "$(JAVA_HOME)" ] || { echo "no JDK 21 or newer found: install one (e.g. apt-get install openjdk-21-jdk-headless, or Temurin 21+) or set JAVA_HOME" >&2; exit 1; }

.PHONY: run test verify package image deb bench bench-npm bench-maven bench-deb bench-pypi bench-go bench-cargo bench-rpm bench-s3 bench-tls bench-buildcache bench-warmup bench-index bench-upstream clean

# Upstreams the machine's own clients use (npm's registry, Maven's built-in central, the apt sources),
# unless set in the environment; then the quick start, which prints each client's setup line.
run: $(AOT)
	eval "$$(bin/machine-upstreams)" && bin/cache-proxy -config $(CONFIG)

$(JAR): $(SOURCES)
	$(need-jdk)
	$(MVN) -q package -DskipTests

package:
	$(need-jdk)
	$(MVN) package -DskipTests
	bin/aot-train "$(JAVA_HOME)/bin/java" $(JAR) $(AOT)

# The JDK AOT cache bin/cache-proxy starts with (JDK 25+; none with an older JDK): bin/aot-train.
$(AOT): $(JAR)
	bin/aot-train "$(JAVA_HOME)/bin/java" $(JAR) $(AOT)

# Installs the clients and tools the tests run (only what is missing), then the suite in a fresh make,
# so that a JDK it just installed is found.
test:
	bin/test-tools
	$(MAKE) --no-print-directory verify

verify:
	$(need-jdk)
	$(MVN) verify

# The container image (packaging/container/build-image.sh) and the Debian package (packaging/deb/build-deb.sh).
image: $(JAR)
	packaging/container/build-image.sh

deb: $(JAR)
	packaging/deb/build-deb.sh

# cache-proxy against nginx proxy_cache on this machine (needs nginx, wrk): see docs/benchmarks.md.
bench: $(JAR)
	bench/run.sh

# npm install through cache-proxy and through verdaccio 6.8.0, warm and cold (needs nginx, npm): docs/benchmarks.md.
bench-npm: $(JAR)
	bench/npm.sh

# cold mvn dependency:get straight and through cache-proxy, the repository 40 ms away (needs nginx, mvn, ~/.m2): docs/benchmarks.md.
bench-maven: $(JAR)
	bench/maven.sh

# warm apt-get update + download through cache-proxy and through apt-cacher-ng (needs nginx, apt tools): docs/benchmarks.md.
bench-deb: $(JAR)
	bench/deb.sh

# warm pip install through cache-proxy and through nginx proxy_cache (needs nginx, python3, /opt/pypi): docs/benchmarks.md.
bench-pypi: $(JAR)
	bench/pypi.sh

# warm go mod download through cache-proxy and through nginx proxy_cache (needs nginx, go): docs/benchmarks.md.
bench-go: $(JAR)
	bench/go.sh

# warm cargo fetch through cache-proxy and through nginx proxy_cache (needs nginx, cargo): docs/benchmarks.md.
bench-cargo: $(JAR)
	bench/cargo.sh

# cold and warm dnf makecache + download through cache-proxy and through nginx proxy_cache (needs nginx, dnf): docs/benchmarks.md.
bench-rpm: $(JAR)
	bench/rpm.sh

# hits with the S3 backend (S3Proxy) against the file backend, cold local tier, eviction cost: docs/benchmarks.md.
bench-s3: $(JAR)
	bench/s3.sh

# hits over HTTPS: cache-proxy with BoringSSL and with the JDK's TLS against nginx with TLS (needs nginx, wrk, openssl).
bench-tls: $(JAR)
	bench/tls.sh

# uploads and downloads (1 KiB, 64 MiB) through the buildcache mode and nginx WebDAV (needs nginx, wrk): docs/benchmarks.md.
bench-buildcache: $(JAR)
	bench/buildcache.sh

# cold misses (1 GiB, 64 MiB, sequential 4 KiB) through the Netty upstream client and java.net.http: docs/benchmarks.md.
bench-upstream: $(JAR)
	bench/upstream.sh

# 1,000,000 stored entries: start-up, RSS and hits on random keys (docs/benchmarks.md).
bench-index: $(JAR)
	bash bench/index-scale.sh

# start to readyz and seconds to full hit speed, without and with the AOT cache (needs wrk, JDK 25+): docs/benchmarks.md.
bench-warmup: $(AOT)
	bench/warmup.sh

clean:
	$(MVN) -q clean
