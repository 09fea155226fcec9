#!/usr/bin/env bash
# make restore BACKUP=backups/<stamp>: restore the database into DATABASE_URL (its objects are
# replaced) and the private media into PRIVATE_MEDIA_ROOT, after checking the checksums.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?restore needs DATABASE_URL (PostgreSQL)}"
src="${1:?usage: restore.sh BACKUP_FOLDER}"
media="${PRIVATE_MEDIA_ROOT:-var/private-media}"
( cd "$src" && sha256sum --check --quiet SHA256SUMS )
pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$DATABASE_URL" "$src/database.dump"
mkdir -p "$media"
tar --extract --gzip --file="$src/media.tar.gz" --directory="$media"
echo "restored $src"
