package io.taskqueue.gateway;

/** The gateway could not start; the message is one line naming the problem and the fix. */
public class GatewayStartException extends RuntimeException {

  public GatewayStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
