#!/usr/bin/env bash
# make backup: the database (pg_dump's custom format on PostgreSQL, SQLite's backup API on
# SQLite) and the private documents, in one file encrypted with BACKUP_ENCRYPTION_KEY, with its
# SHA-256 checksum beside it, under backups/ (or $BACKUP_DIR). See privacy/backup.py.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BACKUP_ENCRYPTION_KEY:?backup needs BACKUP_ENCRYPTION_KEY (manage.py backup_create --generate-key makes one; keep it apart from the backups)}"
.venv/bin/python manage.py backup_create --output-dir "${BACKUP_DIR:-backups}"
