package io.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TaskHandlersTest {

  private final TaskHandler emails = context -> Outcome.success("email");
  private final TaskHandler reports = context -> Outcome.success("report");
  private final TaskHandler pdfs = context -> Outcome.success("pdf");

  @Test
  void withoutRegistrationsEveryTaskRunsOnTheBuiltinHandler() {
    TaskHandlers handlers = TaskHandlers.builtin();

    assertThat(handlers.resolve("default", "")).isInstanceOf(BuiltinHandler.class);
    assertThat(handlers.resolve("any-queue", "any-type")).isInstanceOf(BuiltinHandler.class);
  }

  @Test
  void picksTheTaskTypeHandlerThenTheQueueHandlerThenTheFallback() {
    TaskHandlers handlers =
        TaskHandlers.builder()
            .queue("emails", emails)
            .queue("reports", reports)
            .taskType("reports", "pdf", pdfs)
            .build();

    assertThat(handlers.resolve("reports", "pdf")).isSameAs(pdfs);
    assertThat(handlers.resolve("reports", "csv")).isSameAs(reports);
    assertThat(handlers.resolve("reports", "")).isSameAs(reports);
    assertThat(handlers.resolve("emails", "pdf")).isSameAs(emails);
    assertThat(handlers.resolve("other", "pdf")).isInstanceOf(BuiltinHandler.class);
  }

  @Test
  void aTaskTypeHandlerWithoutAQueueHandlerFallsBackToTheFallback() {
    TaskHandlers handlers =
        TaskHandlers.builder().fallback(emails).taskType("reports", "pdf", pdfs).build();

    assertThat(handlers.resolve("reports", "pdf")).isSameAs(pdfs);
    assertThat(handlers.resolve("reports", "")).isSameAs(emails);
  }

  @Test
  void rejectsASecondHandlerForTheSameQueueOrTaskType() {
    assertThatThrownBy(() -> TaskHandlers.builder().queue("emails", emails).queue("emails", pdfs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected one handler for queue 'emails', but got a second one");
    assertThatThrownBy(
            () ->
                TaskHandlers.builder()
                    .taskType("reports", "pdf", pdfs)
                    .taskType("reports", "pdf", reports))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Expected one handler for queue 'reports' and task type 'pdf', but got a second one");
  }

  @Test
  void rejectsInvalidQueueNamesAndEmptyTaskTypes() {
    assertThatThrownBy(() -> TaskHandlers.builder().queue("no spaces", emails))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Expected a queue name of 1-128 characters");
    assertThatThrownBy(() -> TaskHandlers.builder().taskType("reports", "", pdfs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Expected a non-empty task type for queue 'reports'");
  }
}
