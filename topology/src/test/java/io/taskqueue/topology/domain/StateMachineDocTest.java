package io.taskqueue.topology.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Keeps {@code docs/state-machine.md} in step with the {@link Transition} table. */
class StateMachineDocTest {

  private static final String HOW_TO_FIX =
      "docs/state-machine.md is out of date with the Transition table. Regenerate it from the"
          + " repository root (JAVA_HOME a JDK 21+) with:\n"
          + "  ./mvnw -B -ntp -q compile -pl topology -Dquickly"
          + " && \"$JAVA_HOME/bin/java\" -cp topology/target/classes"
          + " io.taskqueue.topology.domain.StateMachineDiagram\n"
          + "and commit the result.";

  @Test
  void generatedDiagramInTheDocumentMatchesTheTable() throws IOException {
    // given
    String document = Files.readString(document(), StandardCharsets.UTF_8);

    // then
    assertThat(StateMachineDiagram.between(document, StateMachineDiagram.DIAGRAM_BEGIN))
        .as(HOW_TO_FIX)
        .isEqualTo(StateMachineDiagram.diagramBlock());
    assertThat(StateMachineDiagram.between(document, StateMachineDiagram.TABLE_BEGIN))
        .as(HOW_TO_FIX)
        .isEqualTo(StateMachineDiagram.tableBlock());
  }

  @Test
  void diagramHasTheEntryExitsAndOneLinePerRowInTableOrder() {
    // when
    String[] lines = StateMachineDiagram.mermaid().split("\n");

    // then
    assertThat(lines[0]).isEqualTo("stateDiagram-v2");
    assertThat(lines).hasSize(1 + Transition.values().length);
    assertThat(lines[1].strip()).isEqualTo("[*] --> QUEUED : submit");
    assertThat(Arrays.stream(lines).filter(l -> l.contains("--> [*]")))
        .containsExactly(
            "    SUCCESS --> [*] : retention passed",
            "    FAILED --> [*] : retention passed",
            "    CANCELLED --> [*] : retention passed");
    for (Transition t : Transition.values()) {
      assertThat(lines[1 + t.ordinal()]).as("line of %s", t).endsWith(" : " + t.label());
    }
    assertThat(StateMachineDiagram.mermaid()).isEqualTo(StateMachineDiagram.mermaid());
  }

  @Test
  void regenerateReplacesOnlyTheGeneratedBlocks() {
    // given
    String stale =
        "# Title\nintro\n"
            + StateMachineDiagram.DIAGRAM_BEGIN
            + "\nold diagram\n"
            + StateMachineDiagram.END
            + "\nmiddle\n"
            + StateMachineDiagram.TABLE_BEGIN
            + "\nold table\n"
            + StateMachineDiagram.END
            + "\noutro\n";

    // when
    String fresh = StateMachineDiagram.regenerate(stale);

    // then
    assertThat(fresh)
        .startsWith("# Title\nintro\n" + StateMachineDiagram.DIAGRAM_BEGIN + "\n```mermaid\n")
        .contains("\n```\n" + StateMachineDiagram.END + "\nmiddle\n")
        .endsWith("| EXPIRED |\n" + StateMachineDiagram.END + "\noutro\n")
        .doesNotContain("old diagram", "old table");
    assertThat(StateMachineDiagram.regenerate(fresh)).isEqualTo(fresh);
  }

  @Test
  void missingMarkersAreReportedByName() {
    assertThatThrownBy(() -> StateMachineDiagram.regenerate("# no markers\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(StateMachineDiagram.DIAGRAM_BEGIN);
  }

  /**
   * The document, found from the working directory upwards: surefire runs in the module directory
   * ({@code topology/}), an IDE may run in the repository root.
   */
  private static Path document() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(StateMachineDiagram.DOCUMENT);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        "Expected "
            + StateMachineDiagram.DOCUMENT
            + " in "
            + start
            + " or a parent, but found none");
  }
}
