#!/usr/bin/env bash
# Wahaj's PostgreSQL roles (issue 19): the application does not connect as a superuser, and the
# role it connects as owns nothing, so a bug or an injection in the application can neither
# rewrite the audit trail nor drop or alter a table.
#
#   wahaj_owner  owns the database, its schema and every table; runs `manage.py migrate`
#                (and createcachetable). NOSUPERUSER NOCREATEDB NOCREATEROLE.
#   wahaj_app    what gunicorn, Celery and beat connect as: SELECT/INSERT/UPDATE/DELETE on the
#                tables, except the trail: INSERT and SELECT only on audit_event, and on the
#                file-access log no DELETE and UPDATE of the two columns retention may change
#                (ip_address, document_id); USAGE/SELECT on sequences. Owns nothing.
#
# Idempotent: run it once before the first `migrate`, and again after every `migrate` (new
# tables get the application's privileges by default privileges; the run re-applies the
# trail's restrictions and hands any table created by another role to the owner).
#
# Environment:
#   PGADMIN_URL     a superuser connection (default postgres://postgres@127.0.0.1:5432/postgres)
#   WAHAJ_DB        the database (default wahaj); created, owned by the owner, if missing
#   OWNER_ROLE      default wahaj_owner;  OWNER_PASSWORD sets or changes its password
#   APP_ROLE        default wahaj_app;    APP_PASSWORD sets or changes its password
set -euo pipefail

PGADMIN_URL=${PGADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WAHAJ_DB=${WAHAJ_DB:-wahaj}
OWNER_ROLE=${OWNER_ROLE:-wahaj_owner}
APP_ROLE=${APP_ROLE:-wahaj_app}

for name in "$WAHAJ_DB" "$OWNER_ROLE" "$APP_ROLE"; do
  # Names go into SQL as identifiers: letters, digits and underscores only.
  [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "db-role.sh: bad name: $name" >&2; exit 2; }
done

[[ $PGADMIN_URL == postgres*://*/* ]] || { echo "db-role.sh: PGADMIN_URL is not a URL" >&2; exit 2; }
admin() { psql "$PGADMIN_URL" -v ON_ERROR_STOP=1 -qAt "$@"; }
# The same server and credentials, connected to Wahaj's database instead of the admin one.
base=${PGADMIN_URL%%\?*}
query=${PGADMIN_URL#"$base"}
in_db() { psql "${base%/*}/$WAHAJ_DB$query" -v ON_ERROR_STOP=1 -qAt "$@"; }

role_sql() {  # role, password (may be empty)
  cat <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$1') THEN
    CREATE ROLE $1 LOGIN;
  END IF;
END \$\$;
ALTER ROLE $1 LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SQL
  if [[ -n $2 ]]; then
    printf "ALTER ROLE %s PASSWORD %s;\n" "$1" "$(printf '%s' "$2" | sed "s/'/''/g; s/^/'/; s/$/'/")"
  fi
}

{
  echo "SET client_min_messages = error;"
  role_sql "$OWNER_ROLE" "${OWNER_PASSWORD:-}"
  role_sql "$APP_ROLE" "${APP_PASSWORD:-}"
  # The app role inherits nothing from the owner (it is no member of it).
  echo "REVOKE $OWNER_ROLE FROM $APP_ROLE;"
} | admin >/dev/null

if [[ -z $(admin -c "SELECT 1 FROM pg_database WHERE datname = '$WAHAJ_DB'") ]]; then
  admin -c "CREATE DATABASE $WAHAJ_DB OWNER $OWNER_ROLE ENCODING 'UTF8' TEMPLATE template0"
fi

in_db >/dev/null <<SQL
SET client_min_messages = error;
ALTER DATABASE $WAHAJ_DB OWNER TO $OWNER_ROLE;
REVOKE ALL ON DATABASE $WAHAJ_DB FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE $WAHAJ_DB TO $APP_ROLE;

-- Only the owner creates anything (PostgreSQL before 15 let every role create in public).
ALTER SCHEMA public OWNER TO $OWNER_ROLE;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO $APP_ROLE;
-- (pg_trgm, which a migration creates, is a trusted extension: the database owner may.)

-- A table, sequence, view or function made by another role (an install migrated as
-- postgres before this script existed) is handed to the owner.
DO \$\$
DECLARE item record;
BEGIN
  FOR item IN
    SELECT format('ALTER %s %I.%I OWNER TO $OWNER_ROLE',
                  CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                 WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                  n.nspname, c.relname) AS sql
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND pg_get_userbyid(c.relowner) <> '$OWNER_ROLE'
      -- a sequence owned by a column follows its table
      AND NOT (c.relkind = 'S' AND EXISTS (
        SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE item.sql;
  END LOOP;
  FOR item IN
    SELECT format('ALTER FUNCTION %s OWNER TO $OWNER_ROLE', p.oid::regprocedure) AS sql
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
    WHERE n.nspname = 'public' AND d.objid IS NULL  -- not part of an extension
      AND pg_get_userbyid(p.proowner) <> '$OWNER_ROLE'
  LOOP
    EXECUTE item.sql;
  END LOOP;
END \$\$;

-- What the application may do, now and on every table the owner creates later.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO $APP_ROLE;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO $APP_ROLE;
ALTER DEFAULT PRIVILEGES FOR ROLE $OWNER_ROLE IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO $APP_ROLE;
ALTER DEFAULT PRIVILEGES FOR ROLE $OWNER_ROLE IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO $APP_ROLE;

-- The trail: appended and read, never changed (the triggers refuse it too, even the owner).
DO \$\$ BEGIN
  IF to_regclass('public.audit_event') IS NOT NULL THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM $APP_ROLE;
  END IF;
  IF to_regclass('public.beneficiaries_fileaccess') IS NOT NULL THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON beneficiaries_fileaccess FROM $APP_ROLE;
    -- retention blanks the address; deleting a document sets its link to NULL
    GRANT UPDATE (ip_address, document_id) ON beneficiaries_fileaccess TO $APP_ROLE;
  END IF;
END \$\$;
SQL

echo "db-role.sh: $WAHAJ_DB owned by $OWNER_ROLE; $APP_ROLE may read and write, not rewrite the trail."
