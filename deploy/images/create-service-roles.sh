#!/bin/sh
# One login role per service (not a superuser), owning its schema in $POSTGRES_DB, with
# the password from <SERVICE>_DB_PASSWORD (any characters: psql quotes it). Idempotent:
# a second run resets the passwords. Connects as the superuser through libpq's variables
# (the entrypoint: the local socket; elsewhere PGHOST and PGPASSWORD); waits for it.
set -eu
export PGUSER=${PGUSER:-postgres}
db=${POSTGRES_DB:-miiwrap}
tries=0
until pg_isready --quiet --dbname="$db"; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "create-service-roles: PostgreSQL not ready" >&2; exit 1; }
  sleep 1
done
for service in ${SERVICES:-learning coaching fidelity certification}; do
  variable=$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD
  password=$(printenv "$variable") || { echo "create-service-roles: set $variable" >&2; exit 1; }
  psql --dbname="$db" --quiet --set=ON_ERROR_STOP=1 --set=role="$service" \
    --set=password="$password" --set=db="$db" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',
              :'role', :'password') \gexec
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', :'role', :'role') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', :'role') \gexec
-- CREATE SCHEMA IF NOT EXISTS at start-up checks this privilege before it sees the schema
SELECT format('GRANT CONNECT, CREATE ON DATABASE %I TO %I', :'db', :'role') \gexec
SQL
  echo "create-service-roles: role $service owns schema $service"
done
