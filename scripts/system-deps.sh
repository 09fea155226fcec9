#!/usr/bin/env bash
# Debian packages Wahaj needs, installed when missing (the project's own install step: a fresh
# machine has none of them). `run`: what serving needs; `test`: what the test suite adds.
set -euo pipefail

RUN_PACKAGES=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-hosny-amiri fonts-noto-core libmagic1 postgresql-client)
TEST_PACKAGES=(chromium poppler-utils redis-server)  # redis-server: the outbox's fault tests start a private one
BENCH_PACKAGES=(wrk)  # `make bench`: the load generator, a separate process from gunicorn

wanted=("${RUN_PACKAGES[@]}")
[ "${1:-run}" = "test" ] && wanted+=("${TEST_PACKAGES[@]}")
[ "${1:-run}" = "bench" ] && wanted+=("${BENCH_PACKAGES[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
