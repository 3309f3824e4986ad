package io.taskqueue.gateway.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.gateway.ReadUnavailableException;
import io.taskqueue.gateway.TaskEventFeed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/stream}: Server-Sent Events for dashboards. Two event types:
 *
 * <ul>
 *   <li>{@code task}: one task transition (the {@code TaskEvent} JSON of {@code
 *       /api/tasks/{id}/events}, with the task snapshot), filtered by the optional {@code queue},
 *       {@code status} (the status entered) and {@code task_id} query parameters;
 *   <li>{@code stats}: every second, {@code {"at", "stats", "queues"}} with the bodies of {@code
 *       /api/stats} and {@code /api/queues}, computed once per tick for all clients.
 * </ul>
 *
 * <p>Why a buffer and a thread per client: the feed must never wait for a slow browser. Each client
 * gets a bounded buffer drained by its own virtual thread; when a client falls that far behind, its
 * oldest events are dropped and it gets an {@code overflow} event telling it to reload.
 */
public final class EventStream implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  static final int CLIENT_BUFFER = 4096;
  private static final long HEARTBEAT_SECONDS = 15;

  private final TaskQueueApi api;
  private final InstantSource clock;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final AutoCloseable subscription;
  private final ScheduledExecutorService ticker;
  private final Counter dropped;
  private final AtomicBoolean closed = new AtomicBoolean();

  public EventStream(
      TaskQueueApi api,
      TaskEventFeed feed,
      InstantSource clock,
      MeterRegistry registry,
      long statsIntervalMs) {
    this.api = api;
    this.clock = clock;
    this.dropped =
        Counter.builder("taskqueue.api.stream.dropped")
            .description("Stream events dropped because a client read too slowly")
            .register(registry);
    Gauge.builder("taskqueue.api.stream.clients", clients, Set::size)
        .description("Open /api/stream connections")
        .register(registry);
    this.subscription = feed.subscribe(this::publish);
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gateway-stream-stats").daemon().factory());
    ticker.scheduleAtFixedRate(this::tick, statsIntervalMs, statsIntervalMs, TimeUnit.MILLISECONDS);
  }

  /**
   * The route handler: validates the filters (400 before any event), then streams. Like every SSE
   * server it needs {@code Accept: text/event-stream} (browsers' EventSource sends it; with curl
   * add {@code -H 'Accept: text/event-stream'}); without it the answer is 406.
   */
  public void handle(Context ctx) throws Exception {
    Filter filter = Filter.of(ctx);
    String accept = ctx.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      ctx.status(406)
          .json(
              Map.of(
                  "error",
                  "Expected the header Accept: text/event-stream (an event stream), but got "
                      + (accept == null ? "none" : "'" + RequestRules.abbreviate(accept) + "'"),
                  "field",
                  "Accept"));
      return;
    }
    // Served on the request's own (virtual) thread until the client goes away: a blocked virtual
    // thread costs little, and the request stays valid for as long as we write to it.
    ctx.status(200)
        .contentType("text/event-stream; charset=utf-8")
        .header("Cache-Control", "no-cache")
        .header("X-Accel-Buffering", "no");
    Client client = new Client(filter);
    clients.add(client);
    try (OutputStream out = ctx.res().getOutputStream()) {
      client.offer("hello", "{\"at\":" + clock.millis() + "}");
      client.stream(out);
    } catch (IOException e) {
      LOG.debug("Stream client went away: {}", e.toString());
    } finally {
      clients.remove(client);
    }
  }

  /** Called on the feed's thread for every new transition. */
  void publish(TaskEvent event) {
    if (clients.isEmpty()) {
      return;
    }
    String data = null;
    for (Client client : clients) {
      if (client.filter.matches(event)) {
        if (data == null) {
          data = ProtoJson.toJson(event).toString();
        }
        client.offer("task", data);
      }
    }
  }

  private void tick() {
    if (clients.isEmpty()) {
      return;
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("at", clock.millis());
    try {
      out.set("stats", ProtoJson.toJson(api.queueStats("")));
      ArrayNode queues = out.putArray("queues");
      api.listQueues().getQueuesList().forEach(q -> queues.add(ProtoJson.toJson(q)));
    } catch (ReadUnavailableException | ApiException e) {
      out.put("error", e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Computing the stream's stats tick failed", e);
      out.put("error", "stats unavailable");
    }
    String data = out.toString();
    for (Client client : clients) {
      client.offer("stats", data);
    }
  }

  /** Ends every open stream (their responses complete normally) and stops the feed; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ticker.shutdownNow();
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.debug("Closing the event feed subscription failed: {}", e.toString());
    }
    for (Client client : clients) {
      client.stop();
    }
    clients.clear();
  }

  /** The optional query filters; a bad value is a 400 naming the parameter. */
  record Filter(String queue, String status, String taskId) {

    static Filter of(Context ctx) {
      String queue = text(ctx, "queue");
      if (!queue.isEmpty()) {
        RequestRules.requireQueue(queue);
      }
      String status = text(ctx, "status").toUpperCase(Locale.ROOT);
      if (!status.isEmpty() && !RequestRules.STATUSES.contains(status)) {
        throw ApiException.invalid(
            "status",
            "Expected status to be one of "
                + RequestRules.STATUSES.stream().sorted().toList()
                + ", but got '"
                + RequestRules.abbreviate(status)
                + "'");
      }
      String taskId = text(ctx, "task_id");
      if (!taskId.isEmpty()) {
        taskId = RequestRules.requireTaskId(taskId);
      }
      return new Filter(queue, status, taskId);
    }

    private static String text(Context ctx, String name) {
      String value = ctx.queryParam(name);
      return value == null ? "" : value.strip();
    }

    boolean matches(TaskEvent event) {
      return (queue.isEmpty() || queue.equals(event.getTask().getQueue()))
          && (status.isEmpty() || status.equals(event.getToStatus()))
          && (taskId.isEmpty() || taskId.equals(event.getTaskId()));
    }
  }

  private final class Client {
    private final Filter filter;
    private final BlockingQueue<String[]> buffer = new ArrayBlockingQueue<>(CLIENT_BUFFER);
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private volatile boolean open = true;
    private volatile Thread writer;

    Client(Filter filter) {
      this.filter = filter;
    }

    void offer(String event, String data) {
      if (!buffer.offer(new String[] {event, data})) {
        // Full: the client is too slow. Drop the oldest and tell it once to resynchronise.
        buffer.poll();
        buffer.offer(new String[] {event, data});
        dropped.increment();
        overflowed.set(true);
      }
    }

    /** Writes events until the client disconnects (IOException) or the stream closes. */
    void stream(OutputStream out) throws IOException {
      writer = Thread.currentThread();
      try {
        while (open) {
          String[] next = buffer.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
          if (overflowed.getAndSet(false)) {
            write(out, "overflow", "{\"reason\":\"client too slow, events were dropped\"}");
          }
          if (next == null) {
            out.write(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
          } else {
            write(out, next[0], next[1]);
          }
          if (buffer.isEmpty()) {
            out.flush();
          }
        }
      } catch (InterruptedException e) {
        // The gateway is stopping; end the response normally.
      }
    }

    private static void write(OutputStream out, String event, String data) throws IOException {
      out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    void stop() {
      open = false;
      Thread t = writer;
      if (t != null) {
        t.interrupt();
      }
    }
  }
}
