#!/usr/bin/env python3
"""Load check in the style of the original system's script (stdlib only).

Submits N tasks to POST /api/submit over keep-alive connections (one http.client.HTTPConnection
per thread, reused for every request), then polls GET /api/tasks?limit=max(500, N) until all N
are SUCCESS or the timeout passes. Prints the submit latency percentiles, the total time and the
throughput, and exits non-zero if any task is missing or did not end SUCCESS.

    python3 scripts/compat_client.py --url http://localhost:8080 --count 500 --threads 4
"""

import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list (p in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil without floats
    return sorted_values[min(len(sorted_values), int(rank)) - 1]


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects if the server closed it between requests."""

    def __init__(self, url, timeout):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http":
            raise SystemExit("only http:// URLs are supported, got " + url)
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.base = parsed.path.rstrip("/")
        self.timeout = timeout
        self.conn = None
        self.connects = 0

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Connection": "keep-alive"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        # Only an idle connection that the server closed is retried (nothing was processed then);
        # a failure after the request went out is reported, never resent.
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.connects += 1
            try:
                self.conn.request(method, self.base + path, body=data, headers=headers)
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
                continue
            try:
                response = self.conn.getresponse()
                payload = response.read()
            except http.client.RemoteDisconnected:
                self.close()
                if attempt == 2 or method != "GET":
                    raise
                continue
            except Exception:
                self.close()
                raise
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, payload
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def submit_all(args):
    """Submits args.count tasks from args.threads threads; returns (ids, latencies_ms, errors)."""
    ids = [None] * args.count
    latencies = []
    errors = []
    lock = threading.Lock()
    next_index = [0]
    connects = [0]

    def work():
        client = Client(args.url, args.http_timeout)
        mine = []
        try:
            while True:
                with lock:
                    i = next_index[0]
                    if i >= args.count:
                        break
                    next_index[0] += 1
                body = {
                    "queue": args.queue,
                    "payload": json.dumps({"test": True, "n": i}),
                    "priority": 5,
                    "max_retries": 3,
                }
                start = time.perf_counter()
                try:
                    status, payload = client.request("POST", "/api/submit", body)
                except Exception as e:  # noqa: BLE001 - any failure is reported the same way
                    with lock:
                        errors.append("task %d: %s: %s" % (i, type(e).__name__, e))
                    continue
                mine.append((time.perf_counter() - start) * 1000.0)
                try:
                    answer = json.loads(payload)
                except ValueError:
                    answer = None
                if status != 200 or not isinstance(answer, dict) or "task_id" not in answer:
                    with lock:
                        errors.append("task %d: HTTP %d %s" % (i, status, payload[:200]))
                    continue
                if answer.get("status") not in ("QUEUED", "PENDING"):
                    with lock:
                        errors.append("task %d: unexpected submit status %r" % (i, answer))
                ids[i] = answer["task_id"]
        finally:
            client.close()
            with lock:
                latencies.extend(mine)
                connects[0] += client.connects

    threads = [threading.Thread(target=work, name="submit-%d" % t) for t in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [i for i in ids if i is not None], latencies, errors, connects[0]


def poll_until_done(args, ids, deadline):
    """Polls the task list until every id is SUCCESS or the deadline; returns (statuses, tasks)."""
    wanted = set(ids)
    limit = max(500, args.count)
    client = Client(args.url, args.http_timeout)
    statuses, tasks = {}, {}
    try:
        while True:
            status, payload = client.request("GET", "/api/tasks?limit=%d" % limit)
            if status == 200:
                listed = json.loads(payload)
                statuses, tasks = {}, {}
                for task in listed.get("tasks", []):
                    if task.get("task_id") in wanted:
                        statuses[task["task_id"]] = task.get("status")
                        tasks[task["task_id"]] = task
                if len(statuses) == len(wanted) and all(
                    s == "SUCCESS" for s in statuses.values()
                ):
                    return statuses, tasks
            else:
                print("poll: HTTP %d %s" % (status, payload[:200]), file=sys.stderr)
            if time.monotonic() >= deadline:
                return statuses, tasks
            time.sleep(args.poll_interval)
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8080", help="gateway base URL")
    parser.add_argument("--count", type=int, default=500, help="tasks to submit (500)")
    parser.add_argument("--threads", type=int, default=4, help="submitting threads (4)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait in all (60)")
    parser.add_argument("--queue", default="default", help="queue to submit to (default)")
    parser.add_argument(
        "--poll-interval", type=float, default=0.2, help="seconds between list polls (0.2)"
    )
    parser.add_argument(
        "--http-timeout", type=float, default=10.0, help="seconds per HTTP request (10)"
    )
    args = parser.parse_args()
    if args.count < 1 or args.threads < 1:
        parser.error("--count and --threads must be at least 1")

    start = time.monotonic()
    deadline = start + args.timeout
    ids, latencies, errors, connects = submit_all(args)
    submitted_s = time.monotonic() - start
    statuses, tasks = poll_until_done(args, ids, deadline) if ids else ({}, {})
    total_s = time.monotonic() - start

    latencies.sort()
    done = sum(1 for s in statuses.values() if s == "SUCCESS")
    print("submitted      %d of %d in %.2f s (%.0f submits/s) over %d connection(s), %d thread(s)"
          % (len(ids), args.count, submitted_s, len(ids) / submitted_s if submitted_s else 0,
             connects, args.threads))
    if latencies:
        print("submit latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms"
              % (percentile(latencies, 50), percentile(latencies, 95),
                 percentile(latencies, 99), latencies[-1]))
    e2e = sorted(
        t["completed_at"] - t["created_at"]
        for t in tasks.values()
        if t.get("status") == "SUCCESS" and t.get("completed_at") and t.get("created_at")
    )
    if e2e:
        print("end-to-end     p50 %d ms, p99 %d ms (completed_at - created_at, server clock)"
              % (percentile(e2e, 50), percentile(e2e, 99)))
    print("SUCCESS        %d of %d, all seen after %.2f s: %.0f tasks/s end to end"
          % (done, args.count, total_s, done / total_s if total_s else 0))

    problems = list(errors)
    missing = [i for i in ids if i not in statuses]
    if missing:
        problems.append("%d task(s) not in GET /api/tasks?limit=%d, e.g. %s"
                        % (len(missing), max(500, args.count), missing[:3]))
    others = {}
    for task_id, status in statuses.items():
        if status != "SUCCESS":
            others.setdefault(status, []).append(task_id)
    for status, which in sorted(others.items()):
        problems.append("%d task(s) %s after %.0f s, e.g. %s"
                        % (len(which), status, args.timeout, which[:3]))
    if problems:
        for p in problems[:20]:
            print("FAIL: " + p, file=sys.stderr)
        if len(problems) > 20:
            print("FAIL: ... and %d more" % (len(problems) - 20), file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
