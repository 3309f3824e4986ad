package io.taskqueue.projections;

import io.taskqueue.proto.Redaction;
import java.util.Objects;

/**
 * Where the PostgreSQL read model lives.
 *
 * @param jdbcUrl e.g. {@code jdbc:postgresql://127.0.0.1:5432/taskqueue}
 * @param user database user
 * @param password database password, empty for trust auth
 * @param schema the schema that holds the tables; Flyway creates it if missing (default {@code
 *     public})
 * @param maxPoolSize connections in the pool (default 4)
 */
public record PostgresSinkSettings(
    String jdbcUrl, String user, String password, String schema, int maxPoolSize) {

  public PostgresSinkSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    password = password == null ? "" : password;
    schema = schema == null || schema.isBlank() ? "public" : schema;
    if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "Expected a schema name of lower-case letters, digits and '_', but got '" + schema + "'");
    }
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("Expected maxPoolSize >= 1, but got " + maxPoolSize);
    }
  }

  /** Never the password: settings end up in logs and error messages. */
  @Override
  public String toString() {
    return "PostgresSinkSettings[jdbcUrl="
        + Redaction.url(jdbcUrl)
        + ", user="
        + user
        + ", password="
        + Redaction.secret(password)
        + ", schema="
        + schema
        + ", maxPoolSize="
        + maxPoolSize
        + "]";
  }
}
