#!/usr/bin/env bash
# Make a PostgreSQL server answer on loopback for `make test-postgres`, with the roles the project uses.
#
# - A server already answering on $PGHOST:$PGPORT is used as it is (roles and database are created in it
#   when the superuser can be reached over the local socket, i.e. a Debian cluster on this machine).
# - Otherwise Debian's packages are installed if missing and the newest cluster is created / started.
#
# Roles (passwords from the environment, defaults for a throwaway local server):
#   $PGUSER (default warehouse)   owns the database, dbt builds as it
#   bi_reader                     login role for BI tools: select on marts only (granted by dbt each run)
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-warehouse}
PGPASSWORD=${PGPASSWORD:-warehouse}
PGDATABASE=${PGDATABASE:-warehouse}
BI_READER_PASSWORD=${BI_READER_PASSWORD:-bi_reader}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "postgres_up: installing PostgreSQL from Debian's packages" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null
fi

if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
    # The server outlives this script: it must not inherit any descriptor beyond stdin/out/err. A
    # parallel make's jobserver pipe held open by the daemon keeps that make waiting forever.
    for fd in /proc/$$/fd/*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    if ! pg_lsclusters -h | awk '{print $1, $3}' | grep -q "^$version $PGPORT$"; then
        pg_createcluster "$version" warehouse --port "$PGPORT" >/dev/null
    fi
    cluster=$(pg_lsclusters -h | awk -v v="$version" -v p="$PGPORT" '$1 == v && $3 == p {print $2}')
    pg_ctlcluster "$version" "$cluster" start </dev/null
    for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
fi

# as the postgres superuser over the local socket (not the PG* connection settings of the caller)
su postgres -c "env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE psql -q -p $PGPORT -v ON_ERROR_STOP=1" <<SQL
select 'create role $PGUSER' where not exists (select 1 from pg_roles where rolname = '$PGUSER') \gexec
alter role $PGUSER login createdb password '$PGPASSWORD';
select 'create role bi_reader' where not exists (select 1 from pg_roles where rolname = 'bi_reader') \gexec
alter role bi_reader login password '$BI_READER_PASSWORD';
select 'create database $PGDATABASE owner $PGUSER' where not exists (select 1 from pg_database where datname = '$PGDATABASE') \gexec
SQL
echo "postgres_up: $PGUSER@$PGHOST:$PGPORT/$PGDATABASE ready (bi_reader role present)" >&2
