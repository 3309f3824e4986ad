package io.taskqueue.gateway.internal;

import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.SetQueueLimitsRequest;
import io.taskqueue.proto.ListCursor;
import io.taskqueue.proto.SubmitRules;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.internal.QueueLimits;
import java.util.Locale;
import java.util.Set;

/**
 * Checks of the non-submit requests (submits go through {@link SubmitTranslator} and the shared
 * {@link SubmitRules}), each refusal an {@link ApiException} naming the field in the "Expected X,
 * but Y" style.
 */
final class RequestRules {

  static final Set<String> STATUSES =
      Set.of("PENDING", "QUEUED", "RUNNING", "SUCCESS", "FAILED", "CANCELLED");
  static final Set<String> TERMINAL = Set.of("SUCCESS", "FAILED", "CANCELLED");
  static final int DEFAULT_LIST_LIMIT = 50;
  private static final int MAX_QUEUE_LIMIT = 1_000_000;

  private RequestRules() {}

  /** Validates a task id and returns it in canonical (lower-case) form. */
  static String requireTaskId(String taskIdText) {
    if (!TaskIds.isValid(taskIdText)) {
      throw ApiException.invalid(
          "task_id",
          "Expected task_id to be a UUID such as 3f1d2c4e-9b7a-4e21-8d5c-6a0f2b9e7c13, but got '"
              + abbreviate(taskIdText)
              + "'");
    }
    return taskIdText.toLowerCase(Locale.ROOT);
  }

  static void requireQueue(String queue) {
    SubmitRules.validateQueueName(queue)
        .ifPresent(
            v -> {
              throw ApiException.invalid(v);
            });
  }

  /**
   * The query as {@link io.taskqueue.gateway.TaskReader#listTasks} expects it: limit 0 becomes the
   * default 50, status upper case; everything out of range is refused.
   */
  static ListTasksRequest listQuery(ListTasksRequest request, int limitCap) {
    ListTasksRequest.Builder query = request.toBuilder();
    if (request.getLimit() < 0 || request.getLimit() > limitCap) {
      throw ApiException.invalid(
          "limit",
          "Expected a limit from 1 to "
              + limitCap
              + " (0 or absent = "
              + DEFAULT_LIST_LIMIT
              + "), but got "
              + request.getLimit());
    }
    if (request.getLimit() == 0) {
      query.setLimit(DEFAULT_LIST_LIMIT);
    }
    if (request.getOffset() < 0) {
      throw ApiException.invalid(
          "offset", "Expected an offset >= 0, but got " + request.getOffset());
    }
    if (!request.getQueue().isEmpty()) {
      requireQueue(request.getQueue());
    }
    String status = request.getStatus().trim().toUpperCase(Locale.ROOT);
    if (!status.isEmpty() && !STATUSES.contains(status)) {
      throw ApiException.invalid(
          "status",
          "Expected a status of PENDING, QUEUED, RUNNING, SUCCESS, FAILED or CANCELLED, but got '"
              + abbreviate(request.getStatus())
              + "'");
    }
    query.setStatus(status);
    if (request.hasPriority()
        && (request.getPriority() < SubmitRules.MIN_PRIORITY
            || request.getPriority() > SubmitRules.MAX_PRIORITY)) {
      throw ApiException.invalid(
          "priority",
          "Expected a priority from "
              + SubmitRules.MIN_PRIORITY
              + " to "
              + SubmitRules.MAX_PRIORITY
              + ", but got "
              + request.getPriority());
    }
    if (request.getCreatedAfter() < 0) {
      throw ApiException.invalid(
          "created_after", "Expected epoch ms >= 0, but got " + request.getCreatedAfter());
    }
    if (request.getCreatedBefore() < 0) {
      throw ApiException.invalid(
          "created_before", "Expected epoch ms >= 0, but got " + request.getCreatedBefore());
    }
    if (!request.getCursor().isBlank()) {
      if (ListCursor.decode(request.getCursor()).isEmpty()) {
        throw ApiException.invalid(
            "cursor",
            "Expected cursor to be the next_cursor of an earlier page, but got '"
                + abbreviate(request.getCursor())
                + "'");
      }
      if (request.getOffset() > 0) {
        throw ApiException.invalid(
            "offset", "Expected either cursor or offset, but got both (a cursor replaces offset)");
      }
    }
    return query.build();
  }

  /** The limits to send; only the fields the client gave, and at least one of them. */
  static QueueLimits queueLimits(SetQueueLimitsRequest request) {
    requireQueue(request.getQueue());
    if (!request.hasMaxConcurrency() && !request.hasRatePerSecond() && !request.hasBurst()) {
      throw ApiException.invalid(
          "max_concurrency",
          "Expected at least one of max_concurrency, rate_per_second, burst, but got none");
    }
    QueueLimits.Builder limits = QueueLimits.newBuilder();
    if (request.hasMaxConcurrency()) {
      requireLimit("max_concurrency", request.getMaxConcurrency());
      limits.setMaxConcurrency(request.getMaxConcurrency());
    }
    if (request.hasRatePerSecond()) {
      double rate = request.getRatePerSecond();
      if (!Double.isFinite(rate) || rate < 0 || rate > MAX_QUEUE_LIMIT) {
        throw ApiException.invalid(
            "rate_per_second",
            "Expected rate_per_second from 0 (unlimited) to "
                + MAX_QUEUE_LIMIT
                + ", but got "
                + rate);
      }
      limits.setRatePerSecond(rate);
    }
    if (request.hasBurst()) {
      requireLimit("burst", request.getBurst());
      limits.setBurst(request.getBurst());
    }
    return limits.build();
  }

  private static void requireLimit(String field, int value) {
    if (value < 0 || value > MAX_QUEUE_LIMIT) {
      throw ApiException.invalid(
          field,
          "Expected " + field + " from 0 (unlimited) to " + MAX_QUEUE_LIMIT + ", but got " + value);
    }
  }

  static String abbreviate(String text) {
    if (text == null) {
      return "null";
    }
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
