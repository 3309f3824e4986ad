package io.taskqueue.gateway.internal;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the gRPC edge turns failures into statuses. Invalid arguments also carry a
 * standard {@code google.rpc.BadRequest} detail naming the field, for clients that read details;
 * the description names it too, for those that do not. Never a stack trace; unexpected exceptions
 * are logged with a reference that the client sees instead.
 */
final class GrpcErrorMapper {

  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrorMapper.class);

  private final ApiMetrics metrics;

  GrpcErrorMapper(ApiMetrics metrics) {
    this.metrics = metrics;
  }

  static Status.Code code(ApiException.Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case CONFLICT -> Status.Code.FAILED_PRECONDITION;
      case TOO_LARGE -> Status.Code.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
    };
  }

  StatusRuntimeException toStatus(String rpc, Throwable failure) {
    if (failure instanceof ApiException e) {
      metrics.rejected("grpc", e.reason(), e.field());
      if (e.reason() == ApiException.Reason.UNAVAILABLE) {
        LOG.warn("{} answered UNAVAILABLE: {}", rpc, e.getMessage());
      } else {
        LOG.debug("{} refused: {}", rpc, e.getMessage());
      }
      Status.Code code = code(e.reason());
      if (code == Status.Code.INVALID_ARGUMENT && !e.field().isEmpty()) {
        BadRequest detail =
            BadRequest.newBuilder()
                .addFieldViolations(
                    BadRequest.FieldViolation.newBuilder()
                        .setField(e.field())
                        .setDescription(e.getMessage()))
                .build();
        return StatusProto.toStatusRuntimeException(
            com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(e.getMessage())
                .addDetails(Any.pack(detail))
                .build());
      }
      return Status.fromCode(code).withDescription(e.getMessage()).asRuntimeException();
    }
    if (failure instanceof StatusRuntimeException status) {
      return status;
    }
    String reference = UUID.randomUUID().toString();
    LOG.error("{} failed unexpectedly (reference {})", rpc, reference, failure);
    return Status.INTERNAL
        .withDescription(
            "Internal error; the server log has the details under reference " + reference)
        .asRuntimeException();
  }
}
