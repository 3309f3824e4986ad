-- Stats by priority, full task snapshots for the read API, and latency histograms.

-- The task as the API shows it (protobuf TaskSnapshot without payload and result, which have
-- their own columns), so every read answers exactly what the engine would. NULL for rows written
-- before this migration: `./taskqueue projections --rebuild` fills them.
ALTER TABLE tasks ADD COLUMN snapshot bytea;

-- Counters per (queue, status, priority), so `by_priority` and priority-filtered totals are O(1).
-- Recomputed from the rows, which are the truth at this point.
DROP TABLE queue_counters;
CREATE TABLE queue_counters (
    queue     text    NOT NULL,
    status    text    NOT NULL,
    priority  integer NOT NULL,
    count     bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (queue, status, priority)
);
INSERT INTO queue_counters (queue, status, priority, count)
SELECT queue, status, priority, count(*) FROM tasks GROUP BY queue, status, priority;

ALTER TABLE queue_daily_outcomes ADD COLUMN cancelled bigint NOT NULL DEFAULT 0;

-- Finished tasks per queue and 10-second window (epoch seconds, a multiple of 10): throughput
-- and latency percentiles over recent minutes without scanning tasks. Histograms are counts per
-- fixed log-scale bucket (LatencyHistogram.BOUNDS_MS); rows older than a day are pruned.
CREATE TABLE queue_completion_windows (
    queue         text     NOT NULL,
    window_start  bigint   NOT NULL,
    completed     bigint   NOT NULL DEFAULT 0,
    failed        bigint   NOT NULL DEFAULT 0,
    cancelled     bigint   NOT NULL DEFAULT 0,
    queue_wait    bigint[] NOT NULL,
    run_time      bigint[] NOT NULL,
    end_to_end    bigint[] NOT NULL,
    PRIMARY KEY (queue, window_start)
);
CREATE INDEX queue_completion_windows_start_idx ON queue_completion_windows (window_start);

-- Elementwise sum of two histograms of the same length.
CREATE FUNCTION taskqueue_add_histograms(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(x + y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

-- The list filter on priority alone and with queue.
CREATE INDEX tasks_queue_priority_created_idx ON tasks (queue, priority, created_at DESC, task_id DESC);
