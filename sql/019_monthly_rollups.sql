-- Issue #13: monthly rollups kept by triggers instead of refreshed.
--
-- 1. user_model_monthly_rollup (new): "Who uses which model" (cursor-models.json) over a year read each of the top 100
--    spenders' per-model days, ~110k rows of user_model_daily_rollup at 5,000 developers, 135-321 ms against the
--    150 ms target. These are the same sums per developer, calendar month and model.
-- 2. user_monthly_rollup and rollup_months (sql/016, materialized views until now): the rankings' monthly spend per
--    developer and each month's first and last stored day. Their refresh re-read every daily row of the history at
--    the end of every collection pass (2-3 s at 5,000 developers x 365 days, 4-7 s at 20,000 x 90), and between a
--    pass's writes and that refresh they were a pass behind the daily rollup. Same names and the columns the
--    dashboards read, so no panel changes: user_monthly_rollup is a table kept like the first; rollup_months a plain
--    view over the daily rollup's day index, a couple of index probes per month.
--
-- Kept by triggers: each statement that changes daily rows adds what it changed to the monthly sums, in its own
-- transaction (the collector's flush, a fixture, a bench loader, a repair by hand alike), so a monthly table always
-- equals its daily rows summed per month, as current as they are, and nothing is refreshed. Statement-level triggers
-- with transition tables (PostgreSQL docs, CREATE TRIGGER): one grouped upsert per statement, never one per row. An
-- INSERT ... ON CONFLICT DO UPDATE (the flush) fires the INSERT trigger for the rows it inserted and the UPDATE trigger
-- for those it updated. What it costs is paid on writes: the 20,000-developer hourly flush updates 20,000 monthly rows
-- along with the daily ones (docs/benchmarks.md).

-- Adds a change of a daily rollup to its monthly table: the rows a statement inserted count positive, those it
-- deleted negative, an update both (its new rows less its old ones). Arguments: the monthly table, its key columns
-- besides month (as in the daily rollup), and its summed columns; `days` counts the month's daily rows, so a month
-- is there exactly when it has daily rows, whatever they sum to (a developer on free models spends $0), and goes
-- with its last one. In key order, so two writers lock shared rows in one order. The statement is put together per event,
-- since the transition tables a trigger has depend on it (EXECUTE sees them as static SQL does).
CREATE FUNCTION add_to_monthly_rollup() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  monthly  CONSTANT text := TG_ARGV[0];
  keys     CONSTANT text[] := string_to_array(TG_ARGV[1], ',');
  measures CONSTANT text[] := string_to_array(TG_ARGV[2], ',');
  key_list CONSTANT text := array_to_string(keys, ', ');
  added    text;
  removed  text;
  zeroed   tid[];
BEGIN
  added := format('SELECT %s, day, 1, %s FROM new_rows', key_list, array_to_string(measures, ', '));
  removed := format('SELECT %s, day, -1, %s FROM old_rows', key_list,
    (SELECT string_agg('-' || m, ', ') FROM unnest(measures) m));
  EXECUTE format($sql$
    WITH delta (%1$s, day, days, %2$s) AS (%3$s),
    summed AS (
      SELECT %1$s, date_trunc('month', day)::date AS month, sum(days) AS days, %4$s
      FROM delta
      GROUP BY %1$s, month
      HAVING sum(days) <> 0 OR %5$s
    ), moved AS (
      INSERT INTO %6$I AS r (%1$s, month, days, %2$s)
      SELECT * FROM summed ORDER BY %1$s, month
      ON CONFLICT (%1$s, month) DO UPDATE SET days = r.days + excluded.days, %7$s
      RETURNING r.ctid, r.days
    )
    SELECT array_agg(ctid) FROM moved WHERE days = 0$sql$,
    key_list,
    array_to_string(measures, ', '),
    CASE TG_OP WHEN 'INSERT' THEN added WHEN 'DELETE' THEN removed ELSE added || ' UNION ALL ' || removed END,
    (SELECT string_agg(format('sum(%1$s) AS %1$s', m), ', ') FROM unnest(measures) m),
    (SELECT string_agg(format('sum(%s) <> 0', m), ' OR ') FROM unnest(measures) m),
    monthly,
    (SELECT string_agg(format('%1$s = r.%1$s + excluded.%1$s', m), ', ') FROM unnest(measures) m))
  INTO zeroed;
  -- A statement of its own: one WITH query does not see what its own upsert wrote.
  IF zeroed IS NOT NULL THEN
    EXECUTE format('DELETE FROM %I WHERE ctid = ANY ($1)', monthly) USING zeroed;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION empty_monthly_rollup() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  EXECUTE format('TRUNCATE %I', TG_ARGV[0]);
  RETURN NULL;
END
$$;

-- 1. Per developer, month and model.
CREATE TABLE user_model_monthly_rollup (
  user_email     text NOT NULL,
  month          date NOT NULL, -- the first day of the calendar month (UTC days, as the daily rollup's)
  model          text NOT NULL,
  days           integer NOT NULL, -- the month's daily rows
  events         bigint NOT NULL,
  charged_cents  numeric(20,6) NOT NULL,
  PRIMARY KEY (user_email, month, model)
) WITH (fillfactor = 70); -- room on the page for the hourly flush's updates of the current month (HOT)

CREATE TRIGGER monthly_on_insert AFTER INSERT ON user_model_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_monthly_rollup('user_model_monthly_rollup', 'user_email,model', 'events,charged_cents');
CREATE TRIGGER monthly_on_update AFTER UPDATE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_monthly_rollup('user_model_monthly_rollup', 'user_email,model', 'events,charged_cents');
CREATE TRIGGER monthly_on_delete AFTER DELETE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_monthly_rollup('user_model_monthly_rollup', 'user_email,model', 'events,charged_cents');
CREATE TRIGGER monthly_on_truncate AFTER TRUNCATE ON user_model_daily_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION empty_monthly_rollup('user_model_monthly_rollup');

INSERT INTO user_model_monthly_rollup (user_email, month, model, days, events, charged_cents)
SELECT user_email, date_trunc('month', day)::date, model, count(*), sum(events), sum(charged_cents)
FROM user_model_daily_rollup
GROUP BY 1, 2, 3;

-- 2. Per developer and month (sql/016's view of that name, with the columns the rankings read).
DROP MATERIALIZED VIEW rollup_months;
DROP MATERIALIZED VIEW user_monthly_rollup;

CREATE TABLE user_monthly_rollup (
  month          date NOT NULL,
  user_email     text NOT NULL,
  days           integer NOT NULL, -- the month's daily rows
  charged_cents  numeric(20,6) NOT NULL,
  PRIMARY KEY (month, user_email)
) WITH (fillfactor = 70);

CREATE TRIGGER monthly_on_insert AFTER INSERT ON user_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_monthly_rollup('user_monthly_rollup', 'user_email', 'charged_cents');
CREATE TRIGGER monthly_on_update AFTER UPDATE ON user_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_monthly_rollup('user_monthly_rollup', 'user_email', 'charged_cents');
CREATE TRIGGER monthly_on_delete AFTER DELETE ON user_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION add_to_monthly_rollup('user_monthly_rollup', 'user_email', 'charged_cents');
CREATE TRIGGER monthly_on_truncate AFTER TRUNCATE ON user_daily_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION empty_monthly_rollup('user_monthly_rollup');

INSERT INTO user_monthly_rollup (month, user_email, days, charged_cents)
SELECT date_trunc('month', day)::date, user_email, count(*), sum(charged_cents)
FROM user_daily_rollup
GROUP BY 1, 2;

-- Each month with stored days, and its first and last one: min and max of the day index (user_daily_rollup_day_idx)
-- within the month, so as current as the daily rollup.
CREATE VIEW rollup_months AS
SELECT m.month, b.first_day, b.last_day
FROM (
  SELECT generate_series(date_trunc('month', d.first), d.last, interval '1 month')::date AS month
  FROM (SELECT min(day) AS first, max(day) AS last FROM user_daily_rollup) d
) m
CROSS JOIN LATERAL (
  SELECT (SELECT min(day) FROM user_daily_rollup WHERE day >= m.month AND day < (m.month + interval '1 month')::date) AS first_day,
         (SELECT max(day) FROM user_daily_rollup WHERE day >= m.month AND day < (m.month + interval '1 month')::date) AS last_day
) b
WHERE b.first_day IS NOT NULL;

GRANT SELECT ON user_model_monthly_rollup, user_monthly_rollup, rollup_months TO grafana_reader;
