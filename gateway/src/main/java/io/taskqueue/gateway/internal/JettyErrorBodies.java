package io.taskqueue.gateway.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals (a malformed request line or URI, a URL over the header limit: 414, headers
 * over it: 431) in the API's error shape {@code {"error": "..."}} instead of Jetty's HTML page.
 * These never reach a Javalin handler, so {@link HttpErrorMapper} cannot map them (found by {@code
 * HttpApiFuzzTest}: a path segment {@code %00} got an HTML 400).
 */
final class JettyErrorBodies extends ErrorHandler {

  private static final HttpField JSON =
      new HttpField(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON_UTF_8.asString());

  private final int maxHeaderBytes;

  JettyErrorBodies(int maxHeaderBytes) {
    this.maxHeaderBytes = maxHeaderBytes;
  }

  /**
   * Every refusal Jetty answers itself: while parsing (431, 414, a bad request line) and of a
   * parsed request that no handler took (e.g. an ambiguous or invalid URI).
   */
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int status,
      String message,
      Throwable cause,
      Callback callback) {
    response.getHeaders().put(JSON);
    response.write(true, ByteBuffer.wrap(body(status, message)), callback);
  }

  byte[] body(int status, String reason) {
    String text =
        switch (status) {
          case 414 ->
              "Expected a URL (with its query) of at most "
                  + maxHeaderBytes
                  + " bytes (MAX_HEADER_BYTES), but it is longer";
          case 431 ->
              "Expected request headers of at most "
                  + maxHeaderBytes
                  + " bytes in total (MAX_HEADER_BYTES), but they are larger";
          default ->
              "Expected a well-formed HTTP request, but it was refused with "
                  + status
                  + (reason == null || reason.isBlank() ? "" : ": " + reason);
        };
    return JsonNodeFactory.instance
        .objectNode()
        .put("error", text)
        .toString()
        .getBytes(StandardCharsets.UTF_8);
  }
}
