#!/usr/bin/env bash
# Builds a Maven upstream repository with mvn deploy, offline (test-clients.md §5.7, adapted):
#   make-repository.sh OUT CONSUMER PLUGIN_SOURCE
# OUT: the remote repository to create; CONSUMER: where to write the consumer project;
# PLUGIN_SOURCE: a local Maven repository directory holding the pinned plugins (~/.m2/repository),
# used read-only as a file:// mirror, so nothing is fetched from the internet. The word "online"
# instead runs the same builds against the default remote repository with ~/.m2/repository as the
# local repository, only to put those plugins there, and stops; "make-repository.sh ensure-plugins"
# does that once per set of pins (the build calls it before the tests).
# Deploys hello-parent 1.0, hello-lib 1.0 / 1.1 / 1.2-SNAPSHOT (each with a sources jar; the snapshot
# timestamped), hello-app 1.0 (-> hello-lib 1.1); then builds the consumer once against OUT + the plugin
# source to learn every plugin file it needs, and copies those into OUT in the remote layout.
set -euo pipefail
if [ "${1:-}" = ensure-plugins ]; then
  # Called by the build (cache-proxy-server/pom.xml, before the tests): puts the pinned plugins into
  # ~/.m2/repository once, by running the builds below online; a marker named after this script's
  # content makes later builds skip it, until the pins change.
  marker="$HOME/.m2/repository/.cache-proxy-maven-it-$(sha256sum "$0" | cut -c1-16)"
  [ -f "$marker" ] && exit 0
  tmp=$(mktemp -d)
  bash "$0" "$tmp/up" "$tmp/consumer" online
  rm -rf "$tmp"
  touch "$marker"
  exit 0
fi
OUT=$1 CONSUMER=$2 SOURCE=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
umask 022
if [ "$SOURCE" = online ]; then
  cat >"$W/settings.xml" <<EOF
<settings><mirrors><mirror><id>up</id><mirrorOf>local-up</mirrorOf><url>file://$OUT</url></mirror></mirrors></settings>
EOF
  M="mvn -B -q -ntp -s $W/settings.xml -Dmaven.repo.local=$HOME/.m2/repository"
else
  cat >"$W/settings.xml" <<EOF
<settings><mirrors><mirror><id>plugins</id><mirrorOf>*</mirrorOf><url>file://$SOURCE</url></mirror></mirrors></settings>
EOF
  M="mvn -B -q -ntp -s $W/settings.xml -Dmaven.repo.local=$W/seed"
fi
PLUGINS='<plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
  <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
  <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.2</version></plugin>
  <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version></plugin>
  <plugin><artifactId>maven-install-plugin</artifactId><version>3.1.3</version></plugin>
  <plugin><artifactId>maven-deploy-plugin</artifactId><version>3.1.3</version></plugin>
  <plugin><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>'
S=$W/src
mkdir -p "$S/hello-lib/src/main/java/com/example/local" "$S/hello-app/src/main/java/com/example/local/app"
cat >"$S/pom.xml" <<EOF
<project><modelVersion>4.0.0</modelVersion>
  <groupId>com.example.local</groupId><artifactId>hello-parent</artifactId><version>1.0</version><packaging>pom</packaging>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <modules><module>hello-lib</module><module>hello-app</module></modules>
  <build><pluginManagement><plugins>$PLUGINS</plugins></pluginManagement></build>
</project>
EOF
cat >"$S/hello-app/pom.xml" <<EOF
<project><modelVersion>4.0.0</modelVersion>
  <parent><groupId>com.example.local</groupId><artifactId>hello-parent</artifactId><version>1.0</version></parent>
  <artifactId>hello-app</artifactId><version>1.0</version>
  <dependencies><dependency><groupId>com.example.local</groupId><artifactId>hello-lib</artifactId><version>1.1</version></dependency></dependencies>
</project>
EOF
echo 'package com.example.local.app; public class App { public static void main(String[] a) { System.out.println("app uses " + com.example.local.Hello.version()); } }' \
  >"$S/hello-app/src/main/java/com/example/local/app/App.java"
for v in 1.0 1.1 1.2-SNAPSHOT; do
  # the sources jar comes from maven-jar-plugin with a classifier (maven-source-plugin is not on this machine)
  cat >"$S/hello-lib/pom.xml" <<EOF
<project><modelVersion>4.0.0</modelVersion>
  <parent><groupId>com.example.local</groupId><artifactId>hello-parent</artifactId><version>1.0</version></parent>
  <artifactId>hello-lib</artifactId><version>$v</version>
  <build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><executions><execution><id>sources</id>
    <goals><goal>jar</goal></goals><configuration><classifier>sources</classifier>
    <classesDirectory>\${project.basedir}/src/main/java</classesDirectory></configuration></execution></executions></plugin></plugins></build>
</project>
EOF
  echo "package com.example.local; public class Hello { public static String version() { return \"hello-lib $v\"; } }" \
    >"$S/hello-lib/src/main/java/com/example/local/Hello.java"
  if [ "$v" = 1.0 ]; then (cd "$S" && $M deploy -pl .,hello-lib -DaltDeploymentRepository="up::file://$OUT")
  else (cd "$S/hello-lib" && $M deploy -DaltDeploymentRepository="up::file://$OUT"); fi
done
(cd "$S/hello-app" && $M deploy -DaltDeploymentRepository="up::file://$OUT")

mkdir -p "$CONSUMER/src/main/java/demo"
cat >"$CONSUMER/pom.xml" <<EOF
<project><modelVersion>4.0.0</modelVersion>
  <groupId>demo</groupId><artifactId>consumer</artifactId><version>0.0.1</version>
  <properties><maven.compiler.release>17</maven.compiler.release><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <repositories><repository><id>local-up</id><url>http://127.0.0.1:1/replaced-by-the-mirror</url>
    <snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots></repository></repositories>
  <dependencies>
    <dependency><groupId>com.example.local</groupId><artifactId>hello-app</artifactId><version>1.0</version></dependency>
    <dependency><groupId>com.example.local</groupId><artifactId>hello-lib</artifactId><version>1.2-SNAPSHOT</version><classifier>sources</classifier></dependency>
  </dependencies>
  <build><pluginManagement><plugins>$PLUGINS</plugins></pluginManagement></build>
</project>
EOF
echo 'package demo; public class Main { public static void main(String[] a) { com.example.local.app.App.main(a); } }' \
  >"$CONSUMER/src/main/java/demo/Main.java"
if [ "$SOURCE" = online ]; then
  (cd "$CONSUMER" && $M package dependency:tree && rm -rf target)
  rm -rf "$HOME/.m2/repository/com/example/local"   # installed by the deploys above; only the plugins stay
  exit 0
fi
# seed: the consumer's plugins come from the plugin source, its dependencies from OUT
cat >"$W/seed-settings.xml" <<EOF
<settings><mirrors>
  <mirror><id>up</id><mirrorOf>local-up</mirrorOf><url>file://$OUT</url></mirror>
  <mirror><id>plugins</id><mirrorOf>*,!local-up</mirrorOf><url>file://$SOURCE</url></mirror>
</mirrors></settings>
EOF
rm -rf "$W/seed"
(cd "$CONSUMER" && mvn -B -q -ntp -s "$W/seed-settings.xml" -Dmaven.repo.local="$W/seed" package dependency:tree && rm -rf target)
python3 - "$W/seed" "$OUT" <<'EOF'
import hashlib, os, shutil, sys
seed, out = sys.argv[1:]
for root, dirs, files in os.walk(seed):
    rel = os.path.relpath(root, seed)
    if rel == "com/example/local" or rel.startswith("com/example/local/"): continue   # already deployed
    for f in files:
        if f in ("_remote.repositories", "resolver-status.properties") or f.endswith((".lastUpdated", ".sha1", ".md5")): continue
        name = "maven-metadata.xml" if f.startswith("maven-metadata-") and f.endswith(".xml") else f
        os.makedirs(os.path.join(out, rel), exist_ok=True)
        shutil.copyfile(os.path.join(root, f), os.path.join(out, rel, name))
for root, dirs, files in os.walk(out):
    for f in files:
        if f.endswith((".sha1", ".md5", ".sha256", ".sha512")): continue
        p = os.path.join(root, f); data = open(p, "rb").read()
        for alg in ("sha1", "md5"):
            if not os.path.exists(f"{p}.{alg}"): open(f"{p}.{alg}", "w").write(hashlib.new(alg, data).hexdigest())
EOF
