package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthSettingsTest {

  private final String line = ApiKeys.mint("ci", Set.of(ApiScope.SUBMIT)).key().line();

  @Test
  void theGatewayRoleRefusesToStartWithAuthOnButNoKeys() {
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of(), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Expected API keys in TASKQUEUE_API_KEYS or TASKQUEUE_API_KEYS_FILE because"
                + " TASKQUEUE_AUTH is on, but none are configured");
  }

  @Test
  void authIsOnByDefaultForTheGatewayRoleAndOffForDev() {
    assertThat(AuthSettings.fromEnvironment(Map.of("TASKQUEUE_API_KEYS", line), true).enabled())
        .isTrue();
    assertThat(AuthSettings.fromEnvironment(Map.of("TASKQUEUE_API_KEYS", line), false).enabled())
        .isFalse();
    assertThat(AuthSettings.fromEnvironment(Map.of("TASKQUEUE_AUTH", "off"), true).enabled())
        .isFalse();
    assertThat(
            AuthSettings.fromEnvironment(
                    Map.of("TASKQUEUE_AUTH", "ON", "TASKQUEUE_API_KEYS", line), false)
                .enabled())
        .isTrue();
  }

  @Test
  void readsKeysFromTheVariableAndTheFileTogether(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(
        file, "# dashboard\n" + ApiKeys.mint("ops", Set.of(ApiScope.ADMIN)).key().line() + "\n");

    AuthSettings settings =
        AuthSettings.fromEnvironment(
            Map.of("TASKQUEUE_API_KEYS", line, "TASKQUEUE_API_KEYS_FILE", file.toString()), true);

    assertThat(settings.keys().named("ci")).isPresent();
    assertThat(settings.keys().named("ops")).isPresent();
  }

  @Test
  void badValuesNameTheirVariable() {
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("TASKQUEUE_AUTH", "yes"), true))
        .hasMessage("Expected TASKQUEUE_AUTH to be on or off, but got 'yes'");
    assertThatThrownBy(
            () ->
                AuthSettings.fromEnvironment(
                    Map.of("TASKQUEUE_API_KEYS_FILE", "/nonexistent/keys"), true))
        .hasMessageStartingWith(
            "Expected TASKQUEUE_API_KEYS_FILE to name a readable file, but reading"
                + " '/nonexistent/keys' failed");
    assertThatThrownBy(
            () ->
                AuthSettings.fromEnvironment(
                    Map.of("TASKQUEUE_API_KEYS", line, "TASKQUEUE_SESSION_SECRET", "short"), true))
        .hasMessage(
            "Expected TASKQUEUE_SESSION_SECRET to have at least 32 characters, but it has 5");
    assertThatThrownBy(
            () ->
                AuthSettings.fromEnvironment(
                    Map.of("TASKQUEUE_API_KEYS", line, "TASKQUEUE_SESSION_TTL_MINUTES", "0"), true))
        .hasMessage("Expected TASKQUEUE_SESSION_TTL_MINUTES from 1 to 43200, but got 0");
  }

  @Test
  void sessionLengthIsConfigurable() {
    assertThat(
            AuthSettings.fromEnvironment(
                    Map.of("TASKQUEUE_API_KEYS", line, "TASKQUEUE_SESSION_TTL_MINUTES", "15"), true)
                .sessionTtl())
        .isEqualTo(Duration.ofMinutes(15));
  }
}
