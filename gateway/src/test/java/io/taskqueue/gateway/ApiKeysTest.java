package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void aMintedKeyIsFoundByItsSecretFromTheLineAnOperatorStores() {
    ApiKeys.Minted minted = ApiKeys.mint("ci", Set.of(ApiScope.SUBMIT, ApiScope.READ));

    ApiKeys keys = ApiKeys.parse(minted.key().line(), "TASKQUEUE_API_KEYS");

    assertThat(minted.secret()).startsWith("tq_").hasSizeGreaterThanOrEqualTo(40);
    assertThat(minted.key().line()).startsWith("ci:").endsWith(":submit,read");
    assertThat(minted.key().line()).doesNotContain(minted.secret());
    assertThat(keys.find(minted.secret()).orElseThrow().name()).isEqualTo("ci");
    assertThat(keys.find(minted.secret()).orElseThrow().scopes())
        .containsExactlyInAnyOrder(ApiScope.SUBMIT, ApiScope.READ);
    assertThat(keys.find(minted.secret() + "x")).isEmpty();
    assertThat(keys.find("")).isEmpty();
  }

  @Test
  void twoMintedSecretsDiffer() {
    assertThat(ApiKeys.mint("a", Set.of(ApiScope.READ)).secret())
        .isNotEqualTo(ApiKeys.mint("a", Set.of(ApiScope.READ)).secret());
  }

  @Test
  void readsSeveralKeysSeparatedBySemicolonsOrLinesAndSkipsComments() {
    String a = ApiKeys.mint("a", Set.of(ApiScope.READ)).key().line();
    String b = ApiKeys.mint("b", Set.of(ApiScope.ADMIN)).key().line();
    String c = ApiKeys.mint("c", Set.of(ApiScope.SUBMIT)).key().line();

    ApiKeys keys = ApiKeys.parse("# rotated 2026-11\n" + a + "; " + b + "\n\n" + c + "\n", "file");

    assertThat(keys.size()).isEqualTo(3);
    assertThat(keys.named("b").orElseThrow().scopes()).containsExactly(ApiScope.ADMIN);
  }

  @Test
  void badLinesAreRefusedWithTheEntryAndWhatWasExpectedButNeverTheHash() {
    String hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    assertThatThrownBy(() -> ApiKeys.parse("ci:" + hash, "TASKQUEUE_API_KEYS"))
        .hasMessage(
            "Expected TASKQUEUE_API_KEYS entry 1 to read name:sha256-hex:scopes, but it has 2"
                + " part(s) separated by ':'");
    assertThatThrownBy(() -> ApiKeys.parse("ci:secret-in-clear:read", "TASKQUEUE_API_KEYS"))
        .hasMessageContaining("to hold a SHA-256 hash as 64 hex digits")
        .hasMessageNotContaining("secret-in-clear");
    assertThatThrownBy(() -> ApiKeys.parse("ci:" + hash + ":write", "TASKQUEUE_API_KEYS"))
        .hasMessage(
            "TASKQUEUE_API_KEYS entry 1 (ci): Expected a scope of submit, read or admin, but got"
                + " 'write'");
    assertThatThrownBy(() -> ApiKeys.parse("ci:" + hash + ": ", "TASKQUEUE_API_KEYS"))
        .hasMessageContaining("to list at least one scope");
    assertThatThrownBy(
            () -> ApiKeys.parse("ci:" + hash + ":read;ci:" + hash + ":admin", "TASKQUEUE_API_KEYS"))
        .hasMessage("TASKQUEUE_API_KEYS: Expected each API key name once, but 'ci' appears twice");
  }

  @Test
  void toStringShowsNamesAndScopesButNoHash() {
    ApiKeys.Minted minted = ApiKeys.mint("ci", Set.of(ApiScope.READ));
    ApiKeys keys = ApiKeys.parse(minted.key().line(), "env");

    assertThat(keys.toString()).isEqualTo("[ci(read)]");
    assertThat(AuthSettings.on(keys).toString())
        .isEqualTo("on, 1 key(s) [ci(read)], sessions 480 min");
  }
}
