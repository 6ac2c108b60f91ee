-- gongzhi: two PostgreSQL roles, so the app itself cannot rewrite the ticket event log.
--
--   owner   — runs the migrations and owns every table (ALTER, triggers). Used only by `npm run -s cli -- migrate`.
--   runtime — what the app connects as (GONGZHI_MIGRATE=0): reads and writes tickets, but on ticket_events,
--             audit_chain and audit_checkpoints only SELECT and INSERT — no UPDATE, DELETE, TRUNCATE, and not the
--             owner, so no ALTER. On audit_chain_pending (the chainer's queue) SELECT, INSERT and DELETE: the
--             insert trigger runs as the writer and queues each event, the chainer deletes what it chained. No
--             UPDATE or TRUNCATE there; a queued entry deleted before it is chained leaves its event in neither
--             place, which `audit verify` names as written around the app — DELETE hides nothing.
--
-- Run as a superuser, twice: once before the first migration (creates the roles), and again after every
-- migration (grants on new tables). It is idempotent.
--
--   psql "$ADMIN_URL" -v owner=gongzhi_owner -v runtime=gongzhi_app -v schema=public -f deploy/postgres-roles.sql
--
-- Passwords are set separately (`\password gongzhi_app`), never in this file.
\set ON_ERROR_STOP on

select format('create role %I login', :'owner') where not exists (select from pg_roles where rolname = :'owner') \gexec
select format('create role %I login', :'runtime') where not exists (select from pg_roles where rolname = :'runtime') \gexec
-- Neither may create roles or bypass row security; the runtime role may not create tables either.
select format('alter role %I nosuperuser nocreaterole nocreatedb nobypassrls', r) from unnest(array[:'owner', :'runtime']) r \gexec

grant usage, create on schema :"schema" to :"owner";
grant usage on schema :"schema" to :"runtime";
revoke create on schema :"schema" from :"runtime";

-- Everything the app needs, then the event log taken back to append-only.
grant select, insert, update, delete on all tables in schema :"schema" to :"runtime";
grant usage, select on all sequences in schema :"schema" to :"runtime";
select format('revoke update, delete, truncate, references, trigger on %I.%I from %I', :'schema', t, :'runtime')
  from unnest(array['ticket_events', 'audit_chain', 'audit_checkpoints']) t
  where to_regclass(format('%I.%I', :'schema', t)) is not null \gexec
select format('revoke update, truncate, references, trigger on %I.%I from %I', :'schema', t, :'runtime')
  from unnest(array['audit_chain_pending']) t
  where to_regclass(format('%I.%I', :'schema', t)) is not null \gexec
