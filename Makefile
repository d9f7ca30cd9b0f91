# cache-proxy: `make run` serves config-examples/quickstart.yaml, `make test` runs the whole suite.
#
# The build needs a JDK >= 21. When the default `java` is older, a JDK >= 21 under /usr/lib/jvm is
# used; without one, the build stops with one line saying what to install.

SHELL := /bin/bash
JAVA_HOME := $(shell bin/find-jdk)
ifeq ($(JAVA_HOME),)
$(error no JDK 21 or newer found: install one (e.g. apt-get install openjdk-21-jdk or Temurin 21+) or set JAVA_HOME)
endif
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)

MVN ?= mvn -B -ntp
JAR := cache-proxy-server/target/cache-proxy.jar
SOURCES := $(shell find pom.xml */pom.xml */src/main -type f 2>/dev/null)
CONFIG ?= config-examples/quickstart.yaml

.PHONY: run test package bench bench-npm bench-deb clean

run: $(JAR)
	bin/cache-proxy -config $(CONFIG)

$(JAR): $(SOURCES)
	$(MVN) -q package -DskipTests

package:
	$(MVN) package -DskipTests

test:
	$(MVN) verify

# cache-proxy against nginx proxy_cache on this machine (needs nginx, wrk): see docs/benchmarks.md.
bench: $(JAR)
	bench/run.sh

# warm npm install through cache-proxy and through verdaccio 6.8.0 (needs nginx, npm): docs/benchmarks.md.
bench-npm: $(JAR)
	bench/npm.sh

# warm apt-get update + download through cache-proxy and through apt-cacher-ng (needs nginx, apt tools): docs/benchmarks.md.
bench-deb: $(JAR)
	bench/deb.sh

clean:
	$(MVN) -q clean
