-- Issue #13: the current cycle's chargeback kept by triggers instead of refreshed.
--
-- chargeback_cycle_developers and chargeback_cycle_group_models (sql/016) were materialized views of the current
-- billing cycle's chargeback, refreshed at the end of every collection pass: each refresh re-read every developer-day
-- of the cycle (0.7M per-model rows at 5,000 developers), 2.1-2.6 s per pass at 5,000 developers and about 10 s at
-- 20,000. They are now tables of the same names and columns (the panels read them unchanged), kept like sql/020's
-- per-group rollups by statement-level triggers, for the cycle stored in chargeback_cycle:
--   - on user_kind_daily_rollup and user_model_daily_rollup: a change of a cycle day is added in the group the
--     developer was in that day (member_group_days; no group, or a group since deleted: Unassigned, group_id NULL);
--   - on member_group_days: a developer-day filed in another group (or in none) moves its spend there;
--   - on billing_groups: a group created or deleted moves its developer-days in or out of Unassigned; a rename
--     renames.
-- A new cycle (a new cycle_start from POST /teams/spend, or a new calendar month when Cursor reports none) changes
-- nothing the triggers see: the collector calls follow_chargeback_cycle() at the end of every pass, which rebuilds
-- both tables when the current cycle is not the stored one (a panel falls back to the per-day computation meanwhile,
-- as it did before a refresh). The triggers take sql/020's advisory lock before reading another table, so writes to
-- these sources in concurrent transactions are applied one after the other (sql/020 says what that asks of other
-- writers: READ COMMITTED, one source table per statement, short transactions).

-- The cycle the two tables hold.
CREATE TABLE chargeback_cycle (
  one    boolean PRIMARY KEY DEFAULT true CHECK (one),
  start  date NOT NULL
);

-- The current cycle, as the panels and GET /api/chargeback define it (sql/016's views did the same).
CREATE FUNCTION current_chargeback_cycle() RETURNS date LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT coalesce(max((s.cycle_start AT TIME ZONE 'UTC')::date), date_trunc('month', now() AT TIME ZONE 'UTC')::date)
  FROM member_spend s
$$;

-- The statement that adds signed, group-resolved spend to the two tables: `developer_rows` selects (user_email,
-- group_id, n, charged_cents, usage_based_cents, included_cents, requests), `model_rows` (group_id, model, n,
-- charged_cents), n being +1 or -1 per per-developer row added or taken away; group_id is the group the row counts
-- in, NULL for Unassigned. Rows are summed per key and added to the stored ones in key order; the ctids of rows whose
-- count fell to 0 are returned, for the caller to delete in a statement of its own. SQL text: transition tables are
-- visible only to the trigger function that executes it.
CREATE FUNCTION chargeback_delta_sql(developer_rows text, model_rows text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public AS $$
  SELECT format($sql$
    WITH developers AS (
      SELECT s.user_email, s.group_id, sum(s.n) AS n, sum(s.charged_cents) AS charged_cents,
             sum(s.usage_based_cents) AS usage_based_cents, sum(s.included_cents) AS included_cents,
             sum(s.requests) AS requests
      FROM (%1$s) s (user_email, group_id, n, charged_cents, usage_based_cents, included_cents, requests)
      GROUP BY 1, 2
      HAVING sum(s.n) <> 0 OR sum(s.charged_cents) <> 0 OR sum(s.usage_based_cents) <> 0
          OR sum(s.included_cents) <> 0 OR sum(s.requests) <> 0
    ), models AS (
      SELECT s.group_id, s.model, sum(s.n) AS n, sum(s.charged_cents) AS charged_cents
      FROM (%2$s) s (group_id, model, n, charged_cents)
      GROUP BY 1, 2
      HAVING sum(s.n) <> 0 OR sum(s.charged_cents) <> 0
    ), developers_moved AS (
      INSERT INTO chargeback_cycle_developers AS r (cycle_start, user_email, group_id, group_name, source_rows, charged_cents,
        usage_based_cents, included_cents, requests)
      SELECT (SELECT start FROM chargeback_cycle), d.user_email, d.group_id, coalesce(g.name, 'Unassigned'), d.n,
             d.charged_cents, d.usage_based_cents, d.included_cents, d.requests
      FROM developers d LEFT JOIN billing_groups g ON g.group_id = d.group_id
      ORDER BY d.user_email, d.group_id
      ON CONFLICT (user_email, group_id) DO UPDATE SET source_rows = r.source_rows + excluded.source_rows,
        charged_cents = r.charged_cents + excluded.charged_cents,
        usage_based_cents = r.usage_based_cents + excluded.usage_based_cents,
        included_cents = r.included_cents + excluded.included_cents, requests = r.requests + excluded.requests
      RETURNING r.ctid, r.source_rows
    ), models_moved AS (
      INSERT INTO chargeback_cycle_group_models AS r (cycle_start, group_id, model, source_rows, charged_cents)
      SELECT (SELECT start FROM chargeback_cycle), * FROM models ORDER BY group_id, model
      ON CONFLICT (group_id, model) DO UPDATE SET source_rows = r.source_rows + excluded.source_rows,
        charged_cents = r.charged_cents + excluded.charged_cents
      RETURNING r.ctid, r.source_rows
    )
    SELECT (SELECT array_agg(ctid) FROM developers_moved WHERE source_rows = 0),
           (SELECT array_agg(ctid) FROM models_moved WHERE source_rows = 0)$sql$,
    developer_rows, model_rows)
$$;

-- Spend of a kind-rollup row set `k` (aliased k, signed by `sign`) in the group `gid` (an SQL expression).
CREATE FUNCTION chargeback_kind_columns(sign text, gid text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public AS $$
  SELECT format('k.user_email, %2$s, %1$s, %1$s * k.charged_cents, '
    || 'CASE WHEN lower(k.kind) LIKE ''usage%%'' THEN %1$s * k.charged_cents ELSE 0 END, '
    || 'CASE WHEN lower(k.kind) NOT LIKE ''usage%%'' THEN %1$s * k.charged_cents ELSE 0 END, %1$s * k.events',
    sign, gid)
$$;

-- Deletes the rows a statement built by chargeback_delta_sql emptied (what it returned).
CREATE FUNCTION delete_emptied_chargeback_rows(developers tid[], models tid[]) RETURNS void
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  IF developers IS NOT NULL THEN
    DELETE FROM chargeback_cycle_developers WHERE ctid = ANY (developers);
  END IF;
  IF models IS NOT NULL THEN
    DELETE FROM chargeback_cycle_group_models WHERE ctid = ANY (models);
  END IF;
END
$$;

-- The cycle bounds as SQL conditions on a day column.
CREATE FUNCTION in_chargeback_cycle(day_column text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT format('%1$s >= (SELECT start FROM chargeback_cycle) '
    || 'AND %1$s < (SELECT (start + interval ''1 month'')::date FROM chargeback_cycle)', day_column)
$$;

-- A statement's change of user_kind_daily_rollup (TG_ARGV[0] 'kind') or user_model_daily_rollup ('model'): the rows
-- of cycle days it added count positive, those it took away negative, in the group of their developer-day.
CREATE FUNCTION add_to_chargeback_cycle() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  cols   CONSTANT text := CASE TG_ARGV[0] WHEN 'kind' THEN 'user_email, day, kind, charged_cents, events'
                                          ELSE 'user_email, day, model, charged_cents' END;
  delta  text;
  filed  text;
  developers_zeroed tid[];
  models_zeroed     tid[];
  changed boolean;
BEGIN
  EXECUTE transition_rows_sql(TG_OP) INTO changed;
  IF NOT changed THEN
    RETURN NULL;
  END IF;
  PERFORM serialize_rollup_writers();
  delta := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT 1 AS sign, %s FROM new_rows', cols)
    WHEN 'DELETE' THEN format('SELECT -1 AS sign, %s FROM old_rows', cols)
    ELSE format('SELECT 1 AS sign, %1$s FROM new_rows UNION ALL SELECT -1, %1$s FROM old_rows', cols)
  END;
  filed := format('FROM (%s) k LEFT JOIN member_group_days m ON m.email = k.user_email AND m.day = k.day '
    || 'LEFT JOIN billing_groups g ON g.group_id = m.group_id WHERE %s', delta, in_chargeback_cycle('k.day'));
  -- Executed here: a trigger's transition tables are visible to the trigger function only.
  IF TG_ARGV[0] = 'kind' THEN
    EXECUTE chargeback_delta_sql(
      format('SELECT %s %s', chargeback_kind_columns('k.sign', 'g.group_id'), filed),
      'SELECT NULL::text, NULL::text, 0, 0::numeric WHERE false')
    INTO developers_zeroed, models_zeroed;
  ELSE
    EXECUTE chargeback_delta_sql(
      'SELECT NULL::text, NULL::text, 0, 0::numeric, 0::numeric, 0::numeric, 0 WHERE false',
      format('SELECT g.group_id, k.model, k.sign, k.sign * k.charged_cents %s', filed))
    INTO developers_zeroed, models_zeroed;
  END IF;
  PERFORM delete_emptied_chargeback_rows(developers_zeroed, models_zeroed);
  RETURN NULL;
END
$$;

-- The statement that moves developer-days between groups: `moves` selects (email, day, group_id, sign), group_id
-- being the group a day counts in (NULL: Unassigned) and sign -1 for where it counted, +1 for where it counts now.
CREATE FUNCTION chargeback_moves_sql(moves text) RETURNS text LANGUAGE sql IMMUTABLE SET search_path = public AS $$
  SELECT chargeback_delta_sql(
    format('SELECT %s FROM (%s) a JOIN user_kind_daily_rollup k ON k.user_email = a.email AND k.day = a.day',
      chargeback_kind_columns('a.sign', 'a.group_id'), moves),
    format('SELECT a.group_id, r.model, a.sign, a.sign * r.charged_cents FROM (%s) a '
      || 'JOIN user_model_daily_rollup r ON r.user_email = a.email AND r.day = a.day', moves))
$$;

-- A statement's change of member_group_days: each cycle day it filed differently leaves the group it counted in (its
-- old row's group, or Unassigned when it had none) for its new one (Unassigned when its row was deleted).
CREATE FUNCTION file_chargeback_days() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  old_rows_sql CONSTANT text := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN 'SELECT email, day, group_id FROM old_rows'
    ELSE 'SELECT NULL::text AS email, NULL::date AS day, NULL::text AS group_id WHERE false' END;
  new_rows_sql CONSTANT text := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN 'SELECT email, day, group_id FROM new_rows'
    ELSE 'SELECT NULL::text AS email, NULL::date AS day, NULL::text AS group_id WHERE false' END;
  developers_zeroed tid[];
  models_zeroed     tid[];
  changed boolean;
BEGIN
  EXECUTE transition_rows_sql(TG_OP) INTO changed;
  IF NOT changed THEN
    RETURN NULL;
  END IF;
  PERFORM serialize_rollup_writers();
  -- A day's group as the chargeback counts it: its row's group if that group exists, else Unassigned.
  EXECUTE chargeback_moves_sql(format($sql$
    SELECT c.email, c.day, g.group_id, c.sign
    FROM (
      SELECT o.email, o.day, o.group_id, -1 AS sign FROM (%1$s) o
      UNION ALL
      SELECT n.email, n.day, NULL, -1 FROM (%2$s) n
      WHERE NOT EXISTS (SELECT 1 FROM (%1$s) o WHERE o.email = n.email AND o.day = n.day)
      UNION ALL
      SELECT n.email, n.day, n.group_id, 1 FROM (%2$s) n
      UNION ALL
      SELECT o.email, o.day, NULL, 1 FROM (%1$s) o
      WHERE NOT EXISTS (SELECT 1 FROM (%2$s) n WHERE n.email = o.email AND n.day = o.day)
    ) c
    LEFT JOIN billing_groups g ON g.group_id = c.group_id
    WHERE %3$s$sql$, old_rows_sql, new_rows_sql, in_chargeback_cycle('c.day')))
  INTO developers_zeroed, models_zeroed;
  PERFORM delete_emptied_chargeback_rows(developers_zeroed, models_zeroed);
  RETURN NULL;
END
$$;

-- A statement's change of billing_groups: the cycle days filed in a group that now exists and did not (its days were
-- Unassigned) move into it, those of a group that no longer exists move to Unassigned; a renamed group's rows take
-- its new name.
CREATE FUNCTION follow_chargeback_groups() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  old_ids text[] := '{}';
  new_ids text[] := '{}';
  developers_zeroed tid[];
  models_zeroed     tid[];
  changed boolean;
BEGIN
  EXECUTE transition_rows_sql(TG_OP) INTO changed;
  IF NOT changed THEN
    RETURN NULL;
  END IF;
  PERFORM serialize_rollup_writers();
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE 'SELECT coalesce(array_agg(group_id), ''{}'') FROM old_rows' INTO old_ids;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    EXECUTE 'SELECT coalesce(array_agg(group_id), ''{}'') FROM new_rows' INTO new_ids;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    EXECUTE 'UPDATE chargeback_cycle_developers c SET group_name = n.name FROM new_rows n JOIN old_rows o USING (group_id)
             WHERE c.group_id = n.group_id AND n.name IS DISTINCT FROM o.name';
  END IF;
  -- Groups that came (in new_ids only) or went (in old_ids only); an update that keeps its id moves nothing, and the
  -- collector's upsert of every group each pass is such an update.
  IF new_ids <@ old_ids AND old_ids <@ new_ids THEN
    RETURN NULL;
  END IF;
  -- A group's days leave Unassigned for it when it came (dir 1), and go back when it went (dir -1).
  EXECUTE chargeback_moves_sql(format($sql$
    SELECT m.email, m.day, x.group_id, x.sign
    FROM (
      (SELECT id, 1 AS dir FROM unnest(%1$L::text[]) id EXCEPT SELECT id, 1 FROM unnest(%2$L::text[]) id)
      UNION ALL
      (SELECT id, -1 FROM unnest(%2$L::text[]) id EXCEPT SELECT id, -1 FROM unnest(%1$L::text[]) id)
    ) c
    CROSS JOIN LATERAL (VALUES (NULL::text, -c.dir), (c.id, c.dir)) x (group_id, sign)
    JOIN member_group_days m ON m.group_id = c.id
    WHERE %3$s$sql$, new_ids, old_ids, in_chargeback_cycle('m.day')))
  INTO developers_zeroed, models_zeroed;
  PERFORM delete_emptied_chargeback_rows(developers_zeroed, models_zeroed);
  RETURN NULL;
END
$$;

-- Both tables recomputed for the stored cycle, as sql/016's views computed them: after a truncate of what they sum,
-- and when the cycle changes.
CREATE FUNCTION rebuild_chargeback_cycle() RETURNS void LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  DELETE FROM chargeback_cycle_developers;
  DELETE FROM chargeback_cycle_group_models;
  INSERT INTO chargeback_cycle_developers (cycle_start, user_email, group_id, group_name, source_rows, charged_cents,
    usage_based_cents, included_cents, requests)
  SELECT (SELECT start FROM chargeback_cycle), k.user_email, g.group_id, coalesce(g.name, 'Unassigned'), count(*),
         sum(k.charged_cents),
         coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) LIKE 'usage%'), 0),
         coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) NOT LIKE 'usage%'), 0),
         sum(k.events)::bigint
  FROM user_kind_daily_rollup k
  LEFT JOIN member_group_days m ON m.email = k.user_email AND m.day = k.day
    AND m.day >= (SELECT start FROM chargeback_cycle) AND m.day < (SELECT (start + interval '1 month')::date FROM chargeback_cycle)
  LEFT JOIN billing_groups g ON g.group_id = m.group_id
  WHERE k.day >= (SELECT start FROM chargeback_cycle) AND k.day < (SELECT (start + interval '1 month')::date FROM chargeback_cycle)
  GROUP BY k.user_email, g.group_id, g.name;
  INSERT INTO chargeback_cycle_group_models (cycle_start, group_id, model, source_rows, charged_cents)
  SELECT (SELECT start FROM chargeback_cycle), g.group_id, r.model, count(*), sum(r.charged_cents)
  FROM user_model_daily_rollup r
  LEFT JOIN member_group_days m ON m.email = r.user_email AND m.day = r.day
    AND m.day >= (SELECT start FROM chargeback_cycle) AND m.day < (SELECT (start + interval '1 month')::date FROM chargeback_cycle)
  LEFT JOIN billing_groups g ON g.group_id = m.group_id
  WHERE r.day >= (SELECT start FROM chargeback_cycle) AND r.day < (SELECT (start + interval '1 month')::date FROM chargeback_cycle)
  GROUP BY g.group_id, r.model;
END
$$;

-- Called by the collector at the end of every pass: when the current cycle is not the stored one, stores it and
-- rebuilds both tables. Returns whether it did.
CREATE FUNCTION follow_chargeback_cycle() RETURNS boolean LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  now_start CONSTANT date := current_chargeback_cycle();
BEGIN
  PERFORM serialize_rollup_writers();
  IF now_start IS NOT DISTINCT FROM (SELECT start FROM chargeback_cycle) THEN
    RETURN false;
  END IF;
  INSERT INTO chargeback_cycle (start) VALUES (now_start) ON CONFLICT (one) DO UPDATE SET start = excluded.start;
  PERFORM rebuild_chargeback_cycle();
  RETURN true;
END
$$;

CREATE FUNCTION rebuild_chargeback_on_truncate() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  PERFORM serialize_rollup_writers();
  PERFORM rebuild_chargeback_cycle();
  RETURN NULL;
END
$$;

DROP MATERIALIZED VIEW chargeback_cycle_developers;
DROP MATERIALIZED VIEW chargeback_cycle_group_models;

-- Per cycle, developer and the group they were in on those days (no group, or a deleted one: Unassigned, NULL).
-- `source_rows` counts the kind-rollup rows summed, so a row is there exactly while it has some.
CREATE TABLE chargeback_cycle_developers (
  cycle_start        date NOT NULL,
  user_email         text NOT NULL,
  group_id           text,
  group_name         text NOT NULL,
  source_rows        bigint NOT NULL,
  charged_cents      numeric NOT NULL,
  usage_based_cents  numeric NOT NULL,
  included_cents     numeric NOT NULL,
  requests           bigint NOT NULL
) WITH (fillfactor = 70); -- room on the page for the hourly flush's updates (HOT)
CREATE UNIQUE INDEX chargeback_cycle_developers_key ON chargeback_cycle_developers (user_email, group_id) NULLS NOT DISTINCT;
CREATE INDEX chargeback_cycle_developers_group_idx ON chargeback_cycle_developers (group_id);

-- Per cycle, group (as above) and model: each group's top model.
CREATE TABLE chargeback_cycle_group_models (
  cycle_start    date NOT NULL,
  group_id       text,
  model          text NOT NULL,
  source_rows    bigint NOT NULL,
  charged_cents  numeric NOT NULL
) WITH (fillfactor = 70);
CREATE UNIQUE INDEX chargeback_cycle_group_models_key ON chargeback_cycle_group_models (group_id, model) NULLS NOT DISTINCT;

CREATE TRIGGER chargeback_on_insert AFTER INSERT ON user_kind_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_chargeback_cycle('kind');
CREATE TRIGGER chargeback_on_update AFTER UPDATE ON user_kind_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_chargeback_cycle('kind');
CREATE TRIGGER chargeback_on_delete AFTER DELETE ON user_kind_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_chargeback_cycle('kind');
CREATE TRIGGER chargeback_on_truncate AFTER TRUNCATE ON user_kind_daily_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION rebuild_chargeback_on_truncate();

CREATE TRIGGER chargeback_on_insert AFTER INSERT ON user_model_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_chargeback_cycle('model');
CREATE TRIGGER chargeback_on_update AFTER UPDATE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_chargeback_cycle('model');
CREATE TRIGGER chargeback_on_delete AFTER DELETE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_chargeback_cycle('model');
CREATE TRIGGER chargeback_on_truncate AFTER TRUNCATE ON user_model_daily_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION rebuild_chargeback_on_truncate();

CREATE TRIGGER chargeback_on_insert AFTER INSERT ON member_group_days
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION file_chargeback_days();
CREATE TRIGGER chargeback_on_update AFTER UPDATE ON member_group_days
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION file_chargeback_days();
CREATE TRIGGER chargeback_on_delete AFTER DELETE ON member_group_days
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION file_chargeback_days();
CREATE TRIGGER chargeback_on_truncate AFTER TRUNCATE ON member_group_days
  FOR EACH STATEMENT EXECUTE FUNCTION rebuild_chargeback_on_truncate();

CREATE TRIGGER chargeback_on_insert AFTER INSERT ON billing_groups
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION follow_chargeback_groups();
CREATE TRIGGER chargeback_on_update AFTER UPDATE ON billing_groups
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION follow_chargeback_groups();
CREATE TRIGGER chargeback_on_delete AFTER DELETE ON billing_groups
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION follow_chargeback_groups();
CREATE TRIGGER chargeback_on_truncate AFTER TRUNCATE ON billing_groups
  FOR EACH STATEMENT EXECUTE FUNCTION rebuild_chargeback_on_truncate();

SELECT follow_chargeback_cycle();

GRANT SELECT ON chargeback_cycle_developers, chargeback_cycle_group_models, chargeback_cycle TO grafana_reader;
