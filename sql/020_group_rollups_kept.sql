-- Issue #13: the per-group rollups kept by triggers instead of refreshed.
--
-- group_daily_rollup, group_model_daily_rollup and team_daily_developers (sql/015) were materialized views over the
-- per-developer rollups, refreshed at the end of every collection pass. A refresh re-read the whole history each time,
-- so its cost grew with developers x days kept (at 5,000 developers x 365 days: 2.4 s for the per-model view, 0.8 s
-- for the daily one, every hour), and between a pass's writes and its refresh the group panels were a pass behind.
-- Same names and the columns the dashboards read, so no panel changes. They are now tables kept as
-- user_monthly_rollup is (sql/019): statement-level triggers with transition tables add what each statement changed.
--
-- A developer counts in the groups billing_group_members lists them in now, as before: a membership change re-files
-- the developer's whole history (a trigger on billing_group_members moves their per-developer rows' sums from the
-- group they left to the one they joined). Writes to the per-developer rollups and to the memberships are serialized
-- by a transaction-level advisory lock taken in their triggers, before either reads the other table: with READ
-- COMMITTED, the second one's trigger then reads the first one's committed rows, so a flush and a membership change in
-- two transactions cannot each miss the other's rows. What that asks of other writers (a repair by hand, a tool):
--   - READ COMMITTED, PostgreSQL's default: a trigger reads the other table with a fresh snapshot per statement,
--     which REPEATABLE READ and SERIALIZABLE do not take, so the triggers refuse to run in them (an error names it);
--   - one source table per statement: a data-modifying WITH that writes both a per-developer rollup and the
--     memberships (or, for sql/021, the days' groups) fires both triggers at its end, each seeing the other's rows,
--     and counts them twice;
--   - short transactions: the lock is held until the writer's transaction ends, so one left open after changing rows
--     holds up the collector's next flush (a statement that changes no rows takes no lock); two writers that lock the
--     same rows in opposite orders may deadlock, and PostgreSQL then rolls one back whole, losing nothing.
-- A TRUNCATE of a source table truncates these tables too, waiting for (and then holding up) the dashboards' reads.

-- Taken by a trigger before it reads another table: see above.
CREATE FUNCTION serialize_rollup_writers() RETURNS void LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'the rollups kept by triggers (sql/020, sql/021) are written only in READ COMMITTED transactions, '
      'and this one is %: they read other tables with each statement''s snapshot', current_setting('transaction_isolation')
      USING HINT = 'Run the statement in a READ COMMITTED transaction (PostgreSQL''s default).';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('cursor-cost-watch:group-rollups'));
END
$$;

-- Whether a statement changed any row: the transition table its trigger has. A statement that changed none does
-- nothing more (and takes no lock).
CREATE FUNCTION transition_rows_sql(op text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('SELECT EXISTS (SELECT 1 FROM %s)', CASE op WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END)
$$;

-- The upsert that adds a change to a group rollup: `source` selects the target's key columns, then `n` (+1 for each
-- per-developer row added, -1 for each removed) and the measures (signed); rows are summed per key, added to the
-- stored ones in key order (two writers lock shared rows in one order), and the ctids of rows whose count fell to 0
-- are returned, for the caller to delete in a statement of its own. SQL text, since transition tables are visible only
-- to the trigger function itself, which executes it.
CREATE FUNCTION group_rollup_delta_sql(target text, keys text[], measures text[], source text)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = public AS $$
  SELECT format($sql$
    WITH summed AS (
      SELECT %1$s, sum(n) AS n%2$s FROM (%3$s) s (%1$s, n%4$s)
      GROUP BY %1$s
      HAVING sum(n) <> 0%5$s
    ), moved AS (
      INSERT INTO %6$I AS r (%1$s, developers%4$s)
      SELECT * FROM summed ORDER BY %1$s
      ON CONFLICT (%1$s) DO UPDATE SET developers = r.developers + excluded.developers%7$s
      RETURNING r.ctid, r.developers
    )
    SELECT array_agg(ctid) FROM moved WHERE developers = 0$sql$,
    array_to_string(keys, ', '),
    (SELECT coalesce(string_agg(format(', sum(%1$s) AS %1$s', m), ''), '') FROM unnest(measures) m),
    source,
    (SELECT coalesce(string_agg(', ' || m, ''), '') FROM unnest(measures) m),
    (SELECT coalesce(string_agg(format(' OR sum(%s) <> 0', m), ''), '') FROM unnest(measures) m),
    target,
    (SELECT coalesce(string_agg(format(', %1$s = r.%1$s + excluded.%1$s', m), ''), '') FROM unnest(measures) m))
$$;

-- A statement's change of a per-developer rollup (user_daily_rollup, user_model_daily_rollup) added to a group
-- rollup. Arguments: the group rollup; the per-developer rollup's columns it is keyed on besides the group (day, or
-- day and model); the measures it sums; and 'by_group' (each row counts in every group its developer is listed in
-- now) or 'team' (one row per key, the whole team's). `developers` counts the per-developer rows, so a key is there
-- exactly while it has some, whatever they sum to.
CREATE FUNCTION add_to_group_rollup() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  target   CONSTANT text := TG_ARGV[0];
  keys     CONSTANT text[] := string_to_array(TG_ARGV[1], ',');
  measures CONSTANT text[] := coalesce(string_to_array(nullif(TG_ARGV[2], ''), ','), '{}');
  by_group CONSTANT boolean := TG_ARGV[3] = 'by_group';
  d_keys   CONSTANT text := (SELECT string_agg('d.' || k, ', ') FROM unnest(keys) k);
  d_sums   CONSTANT text := (SELECT coalesce(string_agg(', d.' || m, ''), '') FROM unnest(measures) m);
  delta    text;
  zeroed   tid[];
  changed  boolean;
BEGIN
  EXECUTE transition_rows_sql(TG_OP) INTO changed;
  IF NOT changed THEN
    RETURN NULL;
  END IF;
  IF by_group THEN
    PERFORM serialize_rollup_writers();
  END IF;
  delta := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT user_email, %s, 1 AS n%s FROM new_rows', array_to_string(keys, ', '),
      (SELECT coalesce(string_agg(', ' || m, ''), '') FROM unnest(measures) m))
    WHEN 'DELETE' THEN format('SELECT user_email, %s, -1 AS n%s FROM old_rows', array_to_string(keys, ', '),
      (SELECT coalesce(string_agg(format(', -%1$s AS %1$s', m), ''), '') FROM unnest(measures) m))
    ELSE format('SELECT user_email, %1$s, 1 AS n%2$s FROM new_rows UNION ALL SELECT user_email, %1$s, -1%3$s FROM old_rows',
      array_to_string(keys, ', '),
      (SELECT coalesce(string_agg(', ' || m, ''), '') FROM unnest(measures) m),
      (SELECT coalesce(string_agg(', -' || m, ''), '') FROM unnest(measures) m))
  END;
  EXECUTE group_rollup_delta_sql(
    target,
    CASE WHEN by_group THEN 'group_id'::text || keys ELSE keys END,
    measures,
    CASE WHEN by_group
      THEN format('SELECT bm.group_id, %s, d.n%s FROM (%s) d JOIN billing_group_members bm ON bm.email = d.user_email',
        d_keys, d_sums, delta)
      ELSE format('SELECT %s, d.n%s FROM (%s) d', d_keys, d_sums, delta)
    END)
  INTO zeroed;
  IF zeroed IS NOT NULL THEN
    EXECUTE format('DELETE FROM %I WHERE ctid = ANY ($1)', target) USING zeroed;
  END IF;
  RETURN NULL;
END
$$;

-- A statement's change of billing_group_members: each developer it added to a group brings their whole history of
-- per-developer rows into that group's rollups, each one it removed takes it out.
CREATE FUNCTION file_group_history() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  delta   text;
  zeroed  tid[];
  rollup  record;
  changed boolean;
BEGIN
  EXECUTE transition_rows_sql(TG_OP) INTO changed;
  IF NOT changed THEN
    RETURN NULL;
  END IF;
  PERFORM serialize_rollup_writers();
  delta := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT group_id, email, 1 AS n FROM new_rows'
    WHEN 'DELETE' THEN 'SELECT group_id, email, -1 AS n FROM old_rows'
    ELSE 'SELECT group_id, email, 1 AS n FROM new_rows UNION ALL SELECT group_id, email, -1 FROM old_rows'
  END;
  FOR rollup IN
    SELECT * FROM (VALUES
      ('group_daily_rollup', 'user_daily_rollup', '{day}'::text[],
       '{events,charged_cents,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens}'::text[]),
      ('group_model_daily_rollup', 'user_model_daily_rollup', '{day,model}'::text[], '{events,charged_cents}'::text[])
    ) v (target, daily, keys, measures)
  LOOP
    EXECUTE group_rollup_delta_sql(
      rollup.target,
      'group_id'::text || rollup.keys,
      rollup.measures,
      format('SELECT m.group_id, %s, m.n%s FROM (%s) m JOIN %I r ON r.user_email = m.email',
        (SELECT string_agg('r.' || k, ', ') FROM unnest(rollup.keys) k),
        (SELECT string_agg(format(', m.n * r.%s', x), '') FROM unnest(rollup.measures) x),
        delta, rollup.daily))
    INTO zeroed;
    IF zeroed IS NOT NULL THEN
      EXECUTE format('DELETE FROM %I WHERE ctid = ANY ($1)', rollup.target) USING zeroed;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION empty_group_rollups() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  target text;
BEGIN
  FOREACH target IN ARRAY TG_ARGV LOOP
    EXECUTE format('TRUNCATE %I', target);
  END LOOP;
  RETURN NULL;
END
$$;

DROP MATERIALIZED VIEW group_daily_rollup;
DROP MATERIALIZED VIEW group_model_daily_rollup;
DROP MATERIALIZED VIEW team_daily_developers;

-- Per group and day: the daily panels (spend, requests, tokens, active developers) and the cycle forecast. The
-- column types are the views' (sums of integer are bigint, of bigint numeric).
CREATE TABLE group_daily_rollup (
  group_id            text NOT NULL,
  day                 date NOT NULL,
  developers          bigint NOT NULL, -- a developer has a row for a day only when they had usage that day
  events              bigint NOT NULL,
  charged_cents       numeric NOT NULL,
  input_tokens        numeric NOT NULL,
  output_tokens       numeric NOT NULL,
  cache_write_tokens  numeric NOT NULL,
  cache_read_tokens   numeric NOT NULL,
  PRIMARY KEY (group_id, day)
) WITH (fillfactor = 70); -- room on the page for the hourly flush's updates of today's rows (HOT)

-- Per group, day and model: "Spend by model". `developers` counts the per-developer rows (the view had no count).
CREATE TABLE group_model_daily_rollup (
  group_id       text NOT NULL,
  day            date NOT NULL,
  model          text NOT NULL,
  developers     bigint NOT NULL,
  events         bigint NOT NULL,
  charged_cents  numeric NOT NULL,
  PRIMARY KEY (group_id, day, model)
) WITH (fillfactor = 70);

-- Developers with usage per day, whole team: the "All" side of the active-developers series.
CREATE TABLE team_daily_developers (
  day         date PRIMARY KEY,
  developers  bigint NOT NULL
);

CREATE TRIGGER group_on_insert AFTER INSERT ON user_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('group_daily_rollup', 'day',
    'events,charged_cents,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens', 'by_group');
CREATE TRIGGER group_on_update AFTER UPDATE ON user_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('group_daily_rollup', 'day',
    'events,charged_cents,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens', 'by_group');
CREATE TRIGGER group_on_delete AFTER DELETE ON user_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('group_daily_rollup', 'day',
    'events,charged_cents,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens', 'by_group');

CREATE TRIGGER team_on_insert AFTER INSERT ON user_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('team_daily_developers', 'day', '', 'team');
CREATE TRIGGER team_on_update AFTER UPDATE ON user_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('team_daily_developers', 'day', '', 'team');
CREATE TRIGGER team_on_delete AFTER DELETE ON user_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('team_daily_developers', 'day', '', 'team');
CREATE TRIGGER group_on_truncate AFTER TRUNCATE ON user_daily_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION empty_group_rollups('group_daily_rollup', 'team_daily_developers');

CREATE TRIGGER group_on_insert AFTER INSERT ON user_model_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('group_model_daily_rollup', 'day,model', 'events,charged_cents', 'by_group');
CREATE TRIGGER group_on_update AFTER UPDATE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('group_model_daily_rollup', 'day,model', 'events,charged_cents', 'by_group');
CREATE TRIGGER group_on_delete AFTER DELETE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_group_rollup('group_model_daily_rollup', 'day,model', 'events,charged_cents', 'by_group');
CREATE TRIGGER group_on_truncate AFTER TRUNCATE ON user_model_daily_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION empty_group_rollups('group_model_daily_rollup');

CREATE TRIGGER history_on_insert AFTER INSERT ON billing_group_members
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION file_group_history();
CREATE TRIGGER history_on_update AFTER UPDATE ON billing_group_members
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION file_group_history();
CREATE TRIGGER history_on_delete AFTER DELETE ON billing_group_members
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION file_group_history();
CREATE TRIGGER history_on_truncate AFTER TRUNCATE ON billing_group_members
  FOR EACH STATEMENT EXECUTE FUNCTION empty_group_rollups('group_daily_rollup', 'group_model_daily_rollup');

INSERT INTO group_daily_rollup
SELECT bm.group_id, r.day, count(*), sum(r.events), sum(r.charged_cents), sum(r.input_tokens), sum(r.output_tokens),
       sum(r.cache_write_tokens), sum(r.cache_read_tokens)
FROM user_daily_rollup r
JOIN billing_group_members bm ON bm.email = r.user_email
GROUP BY bm.group_id, r.day;

INSERT INTO group_model_daily_rollup
SELECT bm.group_id, r.day, r.model, count(*), sum(r.events), sum(r.charged_cents)
FROM user_model_daily_rollup r
JOIN billing_group_members bm ON bm.email = r.user_email
GROUP BY bm.group_id, r.day, r.model;

INSERT INTO team_daily_developers
SELECT day, count(*) FROM user_daily_rollup GROUP BY day;

GRANT SELECT ON group_daily_rollup, group_model_daily_rollup, team_daily_developers TO grafana_reader;
