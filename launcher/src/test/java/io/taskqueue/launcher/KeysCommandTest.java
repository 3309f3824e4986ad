package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.gateway.ApiKeys;
import io.taskqueue.gateway.ApiScope;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KeysCommandTest {

  @Test
  void createPrintsASecretOnceAndALineThatAcceptsExactlyThatSecret() {
    String out = run("keys", "create", "--name", "ci", "--scopes", "submit,read");

    List<String> lines = out.lines().map(String::strip).toList();
    String secret = lines.get(1);
    String keyLine = lines.get(3);
    assertThat(secret).startsWith(ApiKeys.SECRET_PREFIX);
    assertThat(keyLine).startsWith("ci:").endsWith(":submit,read").doesNotContain(secret);
    ApiKeys keys = ApiKeys.parse(keyLine, "TASKQUEUE_API_KEYS");
    assertThat(keys.find(secret).orElseThrow().scopes())
        .containsExactlyInAnyOrder(ApiScope.SUBMIT, ApiScope.READ);
  }

  @Test
  void anUnknownScopeIsRefusedWithTheScopesThereAre() {
    CommandLine cli = new CommandLine(new Main());
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println(e.getMessage());
          return 2;
        });

    int code = cli.execute("keys", "create", "--name", "ci", "--scopes", "write");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("Expected a scope of submit, read or admin, but got 'write'");
  }

  private static String run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(new CommandLine(new Main()).execute(args)).isZero();
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
