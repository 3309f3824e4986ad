package io.taskqueue.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the HTTP edge turns failures into responses: {@code {"error": "<text>",
 * "field": "<name>"}} (field only when one is to blame) with the fitting status. Never a stack
 * trace; unexpected exceptions are logged with a reference that the client sees instead.
 *
 * <p>Log levels follow how expected an error is: client mistakes at DEBUG, an unreachable
 * dependency at WARN, bugs at ERROR.
 */
final class HttpErrorMapper {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrorMapper.class);

  private final ApiMetrics metrics;

  HttpErrorMapper(ApiMetrics metrics) {
    this.metrics = metrics;
  }

  void register(RoutesConfig routes) {
    routes.exception(ApiException.class, this::apiException);
    routes.exception(HttpResponseException.class, this::javalinResponse);
    routes.exception(Exception.class, this::unexpected);
  }

  static int status(ApiException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> 400;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case TOO_LARGE -> 413;
      case UNAVAILABLE -> 503;
    };
  }

  private void apiException(ApiException e, Context ctx) {
    metrics.rejected("http", e.reason(), e.field());
    if (e.reason() == ApiException.Reason.UNAVAILABLE) {
      LOG.warn("{} {} answered 503: {}", ctx.method(), ctx.path(), e.getMessage());
    } else {
      LOG.debug("{} {} refused: {}", ctx.method(), ctx.path(), e.getMessage());
    }
    write(ctx, status(e.reason()), e.getMessage(), e.field());
  }

  /** Javalin's own answers: no route (404), wrong method (405), body over its cap (413). */
  private void javalinResponse(HttpResponseException e, Context ctx) {
    String message =
        switch (e.getStatus()) {
          case 404 -> "Expected a known route, but there is no " + ctx.method() + " " + ctx.path();
          case 405 ->
              "Expected a method this route supports, but "
                  + ctx.path()
                  + " does not support "
                  + ctx.method();
          case 413 -> "Expected a smaller request body, but it is over the configured cap";
          default -> e.getMessage();
        };
    write(ctx, e.getStatus(), message, "");
  }

  private void unexpected(Exception e, Context ctx) {
    if (e instanceof JsonProcessingException json) {
      // Only reached if a handler parses JSON without going through HttpEdge.readJson.
      write(
          ctx,
          400,
          "Expected a JSON body, but it is not valid JSON: " + json.getOriginalMessage(),
          "");
      return;
    }
    String reference = UUID.randomUUID().toString();
    LOG.error("{} {} failed unexpectedly (reference {})", ctx.method(), ctx.path(), reference, e);
    write(
        ctx,
        500,
        "Internal error; the server log has the details under reference " + reference,
        "");
  }

  static void write(Context ctx, int status, String message, String field) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("error", message);
    if (field != null && !field.isEmpty()) {
      body.put("field", field);
    }
    ctx.status(status).contentType("application/json").result(body.toString());
  }
}
