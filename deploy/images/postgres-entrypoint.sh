#!/bin/sh
# Initialise $PGDATA on first start (superuser password from $POSTGRES_PASSWORD,
# scram-sha-256 over the network), then, on every start and before the server listens on
# the network, create database $POSTGRES_DB and one role per service
# (create-service-roles: passwords from <SERVICE>_DB_PASSWORD); then run PostgreSQL.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
db=${POSTGRES_DB:-miiwrap}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --pgdata="$PGDATA" --username=postgres --pwfile="$pwfile" \
    --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "host all all ::/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
# local socket only while the roles are made: no service can log in half-way
pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
psql --dbname=postgres --quiet --set=ON_ERROR_STOP=1 --set=db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
POSTGRES_DB=$db create-service-roles
pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
