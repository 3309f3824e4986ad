package io.taskqueue.gateway.internal;

import io.taskqueue.gateway.ApiKeys;
import io.taskqueue.gateway.ApiScope;
import io.taskqueue.gateway.AuthSettings;
import java.util.List;
import java.util.Set;

/**
 * Three keys minted at test time, one per kind of client: a producer that may only submit, a viewer
 * that may only read and an operator with every scope.
 */
final class TestKeys {

  final ApiKeys.Minted producer = ApiKeys.mint("producer", Set.of(ApiScope.SUBMIT));
  final ApiKeys.Minted viewer = ApiKeys.mint("viewer", Set.of(ApiScope.READ));
  final ApiKeys.Minted operator =
      ApiKeys.mint("operator", Set.of(ApiScope.SUBMIT, ApiScope.READ, ApiScope.ADMIN));

  AuthSettings settings() {
    return AuthSettings.on(ApiKeys.of(List.of(producer.key(), viewer.key(), operator.key())));
  }

  static String bearer(ApiKeys.Minted key) {
    return "Bearer " + key.secret();
  }
}
