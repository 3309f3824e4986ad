package io.taskqueue.proto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void passwordsInConnectionUrlsAreMaskedAndTheRestKept() {
    assertThat(Redaction.url("redis://:s3cret@cache:6379/0"))
        .isEqualTo("redis://:***@cache:6379/0");
    assertThat(Redaction.url("rediss://app:s3cret@cache:6380"))
        .isEqualTo("rediss://app:***@cache:6380");
    assertThat(Redaction.url("jdbc:postgresql://db:5432/tq?user=app&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/tq?user=app&password=***&ssl=true");
    assertThat(Redaction.url("postgresql://app:p%40ss@db/tq"))
        .isEqualTo("postgresql://app:***@db/tq");
  }

  @Test
  void urlsWithoutASecretAreUnchanged() {
    assertThat(Redaction.url("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(Redaction.url("redis://user@cache:6379")).isEqualTo("redis://user@cache:6379");
    assertThat(Redaction.url("jdbc:postgresql://127.0.0.1:5432/test"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/test");
    assertThat(Redaction.url(null)).isNull();
  }

  @Test
  void secretsShowOnlyWhetherTheyAreSet() {
    assertThat(Redaction.secret("s3cret")).isEqualTo("***");
    assertThat(Redaction.secret("")).isEmpty();
  }
}
