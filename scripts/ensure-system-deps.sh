#!/bin/sh
# Debian packages the tests need. Installs them when missing and we are root; otherwise says what to install.
missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
command -v git >/dev/null 2>&1 || missing="$missing git"
command -v javac >/dev/null 2>&1 || missing="$missing openjdk-17-jdk-headless"
command -v kubectl >/dev/null 2>&1 || missing="$missing kubectl"
# The resident process spawner (libs/executors/spawner) is C, compiled with the machine's cc.
command -v cc >/dev/null 2>&1 || missing="$missing gcc libc6-dev"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages:$missing" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) || echo "warning: could not install$missing" >&2
else
  echo "warning: missing Debian packages:$missing (sudo apt-get install$missing)" >&2
fi
exit 0
