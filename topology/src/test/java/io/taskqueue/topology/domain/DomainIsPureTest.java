package io.taskqueue.topology.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The state machine and the scheduler indexes are plain Java: no Kafka, protobuf, logging or
 * metrics, and no clock of their own (time comes in as an argument), so they can be tested with
 * hand-driven time and replayed deterministically.
 */
class DomainIsPureTest {

  private static final String[] CORE = {
    "io.taskqueue.topology.domain..", "io.taskqueue.topology.scheduler.."
  };

  private static final JavaClasses CORE_CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.taskqueue.topology.domain", "io.taskqueue.topology.scheduler");

  private static final ArchRule NO_INFRASTRUCTURE =
      noClasses()
          .that()
          .resideInAnyPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.apache.kafka..",
              "com.google.protobuf..",
              "io.taskqueue.proto..",
              "org.slf4j..",
              "io.micrometer..",
              "io.opentelemetry..")
          .because(
              "the domain core is pure; the engine maps it to Kafka, protobuf, metrics and traces");

  private static final ArchRule NO_CLOCK =
      noClasses()
          .that()
          .resideInAnyPackage(CORE)
          .should()
          .callMethodWhere(readsTheClock())
          .because("time is passed in, so tests drive it and replays are deterministic");

  @Test
  void coreDependsOnNoInfrastructure() {
    NO_INFRASTRUCTURE.check(CORE_CLASSES);
  }

  @Test
  void coreNeverReadsTheClock() {
    NO_CLOCK.check(CORE_CLASSES);
  }

  @Test
  void rulesSeeTheCoreClasses() {
    assertThat(CORE_CLASSES.contain(TaskStateMachine.class)).isTrue();
    assertThat(CORE_CLASSES.contain(io.taskqueue.topology.scheduler.ReadyQueue.class)).isTrue();
  }

  @Test
  void clockRuleCatchesAClassThatReadsTheClock() {
    JavaClasses offender = new ClassFileImporter().importClasses(ReadsTheClock.class);

    assertThatThrownBy(() -> NO_CLOCK.check(offender))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("currentTimeMillis")
        .hasMessageContaining("Instant.now");
  }

  /**
   * Calls that read the system clock: {@code System.currentTimeMillis/nanoTime}, any {@code
   * java.time} {@code now()}, and the system {@code Clock}/{@code InstantSource}.
   */
  private static DescribedPredicate<JavaCall<?>> readsTheClock() {
    return DescribedPredicate.describe(
        "a method that reads the system clock",
        call -> {
          String owner = call.getTargetOwner().getName();
          String name = call.getName();
          return (owner.equals("java.lang.System")
                  && (name.equals("currentTimeMillis") || name.equals("nanoTime")))
              || (owner.startsWith("java.time.") && name.equals("now"))
              || (owner.equals("java.time.Clock") && name.startsWith("system"))
              || (owner.equals("java.time.InstantSource") && name.equals("system"));
        });
  }

  /** A class that breaks the rule, to show the rule can fail. */
  static final class ReadsTheClock {
    long millis() {
      return System.currentTimeMillis();
    }

    Instant instant() {
      return Instant.now();
    }
  }
}
