package io.taskqueue.gateway;

/**
 * Thrown by a {@link TaskReader} when its backing store cannot answer right now (interactive
 * queries during a rebalance, PostgreSQL down, ...). The gateway answers HTTP 503 / gRPC
 * UNAVAILABLE with the message, so write it for the client ("Expected ..., but ...").
 */
public class ReadUnavailableException extends RuntimeException {

  public ReadUnavailableException(String message) {
    super(message);
  }

  public ReadUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
