#!/usr/bin/env bash
# make restore BACKUP=backups/wahaj-<stamp>.wbk: verify the checksum and the authenticity with
# BACKUP_ENCRYPTION_KEY first (a backup that fails either is refused, nothing touched), then
# replace the database's objects and put the private documents back.
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:?usage: make restore BACKUP=backups/wahaj-<stamp>.wbk}"
: "${BACKUP_ENCRYPTION_KEY:?restore needs BACKUP_ENCRYPTION_KEY, the key the backup was made with}"
.venv/bin/python manage.py backup_restore "$src"
