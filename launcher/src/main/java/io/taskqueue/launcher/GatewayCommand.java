package io.taskqueue.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * The gateway role on its own. Its reads need a read model reachable from another process (the
 * engine's interactive-query endpoints or the PostgreSQL/Redis projections), which arrive with the
 * projections issue; until then this role refuses to start rather than serve half an API.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description =
        "Run the HTTP/gRPC gateway. Env: KAFKA_BOOTSTRAP_SERVERS, HTTP_PORT, GRPC_HOST, GRPC_PORT,"
            + " PROMETHEUS_PORT.")
final class GatewayCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    throw new StartupException(
        "The standalone gateway needs a remote read model (interactive queries or projections),"
            + " which is not built yet; use ./taskqueue dev for now");
  }
}
