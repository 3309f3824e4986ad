package io.taskqueue.launcher;

import io.taskqueue.gateway.Gateway;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where the gateway finds the dashboard's static export: {@code TASKQUEUE_DASHBOARD_DIR}. */
final class DashboardFiles {

  static final String VARIABLE = "TASKQUEUE_DASHBOARD_DIR";
  private static final Logger LOG = LoggerFactory.getLogger(DashboardFiles.class);

  private DashboardFiles() {}

  /**
   * Serves the export when the variable names a built one; otherwise the gateway serves the API
   * only, and says so once.
   */
  static UnaryOperator<Gateway.Builder> from(Map<String, String> env) {
    String dir = env.getOrDefault(VARIABLE, "").strip();
    if (dir.isEmpty()) {
      LOG.info("No dashboard build ({} unset): serving the API only", VARIABLE);
      return b -> b;
    }
    return b -> {
      try {
        return b.dashboardDirectory(Path.of(dir));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(VARIABLE + ": " + e.getMessage(), e);
      }
    };
  }
}
