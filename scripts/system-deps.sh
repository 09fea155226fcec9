#!/usr/bin/env bash
# Debian packages Wahaj needs, installed when missing (the project's own install step: a fresh
# machine has none of them). `run`: what serving needs; `test`: what the test suite adds;
# `bench`: the load generator. Says what it installs and why; waits (bounded) for another
# apt/dpkg run to finish instead of failing on its lock.
set -euo pipefail

declare -A WHY=(
  [gettext]="compiles the Arabic translations (msgfmt)"
  [libpango-1.0-0]="lays out Arabic text in the PDFs (WeasyPrint)"
  [libpangoft2-1.0-0]="lays out Arabic text in the PDFs (WeasyPrint)"
  [libharfbuzz-subset0]="embeds only the glyphs used in the PDFs (WeasyPrint)"
  [fonts-hosny-amiri]="the Arabic typeface of the PDFs"
  [fonts-noto-core]="Latin and Arabic fallback fonts for the PDFs"
  [libmagic1]="checks what an uploaded document really is (python-magic)"
  [postgresql-client]="pg_dump / pg_restore for make backup and restore"
  [chromium]="the browser tests (Playwright drives Debian's Chromium)"
  [poppler-utils]="reads the PDFs back in tests (pdftotext)"
  [redis-server]="the outbox's fault tests start a private Redis"
  [default-jre-headless]="runs the Nu HTML checker (vnu.jar) over every page"
  [wrk]="make bench: the load generator, a separate process from gunicorn"
)
RUN_PACKAGES=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-hosny-amiri fonts-noto-core libmagic1 postgresql-client)
TEST_PACKAGES=(chromium poppler-utils redis-server default-jre-headless)
BENCH_PACKAGES=(wrk)
LOCK_WAIT_SECONDS=${LOCK_WAIT_SECONDS:-300}

wanted=("${RUN_PACKAGES[@]}")
[ "${1:-run}" = "test" ] && wanted+=("${TEST_PACKAGES[@]}")
[ "${1:-run}" = "bench" ] && wanted+=("${BENCH_PACKAGES[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages Wahaj needs:"
for pkg in "${missing[@]}"; do
  echo "  $pkg: ${WHY[$pkg]}"
done
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

# Another apt or dpkg (an unattended upgrade, a second terminal) holds the lock: wait for it,
# at most LOCK_WAIT_SECONDS, saying so; apt's own DPkg::Lock::Timeout covers the rest.
lock_held() {
  $SUDO fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock \
    /var/cache/apt/archives/lock >/dev/null 2>&1
}
if command -v fuser >/dev/null; then
  waited=0
  while lock_held; do
    if [ "$waited" -ge "$LOCK_WAIT_SECONDS" ]; then
      echo "Another package manager still holds the dpkg/apt lock after ${waited} s: try again later." >&2
      exit 1
    fi
    [ "$waited" -eq 0 ] && echo "Waiting for another apt/dpkg run to finish (at most ${LOCK_WAIT_SECONDS} s)..."
    sleep 5
    waited=$((waited + 5))
  done
fi
APT=(apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT_SECONDS" -qq)
$SUDO "${APT[@]}" update
$SUDO env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y --no-install-recommends "${missing[@]}"
