-- Journeys' own role and database, beside Temporal's (its auto-setup creates `temporal` and
-- `temporal_visibility` itself, as the postgres superuser).
-- The postgres image runs this once, on the first start with an empty data volume, with psql as
-- the superuser; psql reads the password from the container's environment. Changing
-- JOURNEYS_DB_PASSWORD afterwards does not change the role's password:
--   docker compose exec postgresql psql -U postgres -c "ALTER ROLE journeys PASSWORD '...'"
\set ON_ERROR_STOP on
\getenv journeys_password JOURNEYS_DB_PASSWORD
\if :{?journeys_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'JOURNEYS_DB_PASSWORD is not set'; END $$;
\endif

CREATE ROLE journeys LOGIN PASSWORD :'journeys_password';
-- Its owner: the migrations (run by the worker and the API as journeys) create its tables.
CREATE DATABASE journeys OWNER journeys;
-- No one else connects to it (the superuser still can).
REVOKE ALL ON DATABASE journeys FROM PUBLIC;
