-- Issue #13: "Who uses which model" (cursor-models.json) over a year read each of the top 100 spenders' per-model
-- days: ~110k rows of user_model_daily_rollup at 5,000 developers, 135-321 ms against the 150 ms target. These are
-- the same sums per developer, calendar month and model: the panel takes a month from here when the whole month lies
-- in the range, and the range's other days from the daily rollup (~1,200 rows a year for those 100 developers).
--
-- Kept by triggers on user_model_daily_rollup rather than refreshed as a materialized view: each statement that
-- changes daily rows adds what it changed here, in its own transaction (the collector's flush, a fixture, a repair
-- by hand alike), so the table always equals the sums of the daily rows and costs no refresh. A refresh of such a view
-- would re-read every daily row of the history at the end of every collection pass (sql/016's monthly view already
-- takes 4-7 s of it at 20,000 developers x 90 days). Statement-level triggers with transition tables (PostgreSQL docs,
-- CREATE TRIGGER): one grouped upsert per statement, never one per row. An INSERT ... ON CONFLICT DO UPDATE (the
-- flush) fires the INSERT trigger for the rows it inserted and the UPDATE trigger for those it updated.
CREATE TABLE user_model_monthly_rollup (
  user_email     text NOT NULL,
  month          date NOT NULL, -- the first day of the calendar month (UTC days, as the daily rollup's)
  model          text NOT NULL,
  events         bigint NOT NULL,
  charged_cents  numeric(20,6) NOT NULL,
  PRIMARY KEY (user_email, month, model)
);

-- Adds a change of user_model_daily_rollup to the monthly sums: the rows a statement inserted count positive, those it
-- deleted negative, an update both (its new rows less its old ones). In key order, so two writers lock shared rows in
-- one order; a month that an update or a delete left at zero (its daily rows gone) is dropped. The transition tables a trigger has
-- depend on its event, so the statement is put together per event (EXECUTE sees them as static SQL does).
CREATE FUNCTION user_model_monthly_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added   CONSTANT text := 'SELECT user_email, day, model, events, charged_cents FROM new_rows';
  removed CONSTANT text := 'SELECT user_email, day, model, -events, -charged_cents FROM old_rows';
  zeroed_emails text[];
  zeroed_months date[];
  zeroed_models text[];
BEGIN
  EXECUTE format($sql$
    WITH delta (user_email, day, model, events, charged_cents) AS (%s),
    summed AS (
      SELECT user_email, date_trunc('month', day)::date AS month, model,
             sum(events) AS events, sum(charged_cents) AS charged_cents
      FROM delta
      GROUP BY 1, 2, 3
      HAVING sum(events) <> 0 OR sum(charged_cents) <> 0
    ), moved AS (
      INSERT INTO user_model_monthly_rollup AS r (user_email, month, model, events, charged_cents)
      SELECT * FROM summed ORDER BY 1, 2, 3
      ON CONFLICT (user_email, month, model) DO UPDATE
        SET events = r.events + excluded.events, charged_cents = r.charged_cents + excluded.charged_cents
      RETURNING r.user_email, r.month, r.model, r.events, r.charged_cents
    )
    SELECT array_agg(user_email), array_agg(month), array_agg(model) FROM moved
    WHERE events = 0 AND charged_cents = 0$sql$,
    CASE TG_OP WHEN 'INSERT' THEN added WHEN 'DELETE' THEN removed ELSE added || ' UNION ALL ' || removed END)
  INTO zeroed_emails, zeroed_months, zeroed_models;
  -- A statement of its own: one WITH query does not see what its own upsert wrote.
  IF zeroed_emails IS NOT NULL THEN
    DELETE FROM user_model_monthly_rollup m
    USING unnest(zeroed_emails, zeroed_months, zeroed_models) AS z (user_email, month, model)
    WHERE m.user_email = z.user_email AND m.month = z.month AND m.model = z.model;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER user_model_monthly_rollup_insert AFTER INSERT ON user_model_daily_rollup
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_model_monthly_rollup_apply();
CREATE TRIGGER user_model_monthly_rollup_update AFTER UPDATE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION user_model_monthly_rollup_apply();
CREATE TRIGGER user_model_monthly_rollup_delete AFTER DELETE ON user_model_daily_rollup
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION user_model_monthly_rollup_apply();

CREATE FUNCTION user_model_monthly_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE user_model_monthly_rollup;
  RETURN NULL;
END
$$;

CREATE TRIGGER user_model_monthly_rollup_truncate AFTER TRUNCATE ON user_model_daily_rollup
  FOR EACH STATEMENT EXECUTE FUNCTION user_model_monthly_rollup_truncate();

-- The months of the rows stored before this migration.
INSERT INTO user_model_monthly_rollup (user_email, month, model, events, charged_cents)
SELECT user_email, date_trunc('month', day)::date, model, sum(events), sum(charged_cents)
FROM user_model_daily_rollup
GROUP BY 1, 2, 3;

GRANT SELECT ON user_model_monthly_rollup TO grafana_reader;
