#!/usr/bin/env bash
# make backup: the PostgreSQL database (pg_dump, custom format) and the private media, in one
# timestamped folder under backups/ (or $BACKUP_DIR). make restore BACKUP=<folder> puts both back.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?backup needs DATABASE_URL (PostgreSQL)}"
media="${PRIVATE_MEDIA_ROOT:-var/private-media}"
dest="${BACKUP_DIR:-backups}/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"
chmod 700 "$dest"
pg_dump --format=custom --no-owner --file="$dest/database.dump" "$DATABASE_URL"
mkdir -p "$media"
tar --create --gzip --file="$dest/media.tar.gz" --directory="$media" .
( cd "$dest" && sha256sum database.dump media.tar.gz > SHA256SUMS )
echo "$dest"
