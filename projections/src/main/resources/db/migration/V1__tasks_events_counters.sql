-- Read model of the task event log. Kafka is the truth: every table here can be rebuilt from
-- taskqueue.events. Times are epoch milliseconds (bigint), as in the original service.

-- Current state of every task: one row, replaced only by a newer version.
CREATE TABLE tasks (
    task_id          text    PRIMARY KEY,
    queue            text    NOT NULL,
    payload          text    NOT NULL DEFAULT '',
    priority         integer NOT NULL DEFAULT 0,
    status           text    NOT NULL,
    attempt          integer NOT NULL DEFAULT 0,
    max_retries      integer NOT NULL DEFAULT 0,
    result           text,
    error            text,
    metadata         jsonb   NOT NULL DEFAULT '{}'::jsonb,
    created_at       bigint  NOT NULL,
    updated_at       bigint  NOT NULL,
    started_at       bigint,
    completed_at     bigint,
    version          bigint  NOT NULL,
    idempotency_key  text,
    run_at           bigint,
    timeout_ms       bigint,
    task_type        text,
    labels           jsonb   NOT NULL DEFAULT '{}'::jsonb,
    worker_id        text,
    queued_at        bigint
);

-- List API: filters on queue, status, priority and a created_at range, newest first, keyset
-- cursor on (created_at, task_id). Each filter combination has an index ending in that order.
CREATE INDEX tasks_created_idx              ON tasks (created_at DESC, task_id DESC);
CREATE INDEX tasks_queue_created_idx        ON tasks (queue, created_at DESC, task_id DESC);
CREATE INDEX tasks_status_created_idx       ON tasks (status, created_at DESC, task_id DESC);
CREATE INDEX tasks_queue_status_created_idx ON tasks (queue, status, created_at DESC, task_id DESC);
CREATE INDEX tasks_priority_created_idx     ON tasks (priority, created_at DESC, task_id DESC);
CREATE INDEX tasks_idempotency_key_idx      ON tasks (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- History timeline: one row per transition; the primary key makes replays no-ops.
CREATE TABLE task_events (
    task_id      text    NOT NULL,
    version      bigint  NOT NULL,
    transition   text    NOT NULL,
    from_status  text    NOT NULL,
    to_status    text    NOT NULL,
    at           bigint  NOT NULL,
    reason       text,
    attempt      integer NOT NULL DEFAULT 0,
    worker_id    text,
    PRIMARY KEY (task_id, version)
);

-- O(1) stats: tasks per queue and current status. Adjusted in the transaction that changes a
-- task's status, and only when the upsert really changed it, so replays do not count twice.
CREATE TABLE queue_counters (
    queue   text   NOT NULL,
    status  text   NOT NULL,
    count   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (queue, status)
);

-- Completed and failed per queue and UTC day (of completed_at), for "today" and totals.
CREATE TABLE queue_daily_outcomes (
    queue      text   NOT NULL,
    day        date   NOT NULL,
    completed  bigint NOT NULL DEFAULT 0,
    failed     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (queue, day)
);
