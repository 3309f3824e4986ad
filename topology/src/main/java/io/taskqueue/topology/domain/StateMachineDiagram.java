package io.taskqueue.topology.domain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders the {@link Transition} table for {@code docs/state-machine.md}, so the document cannot
 * drift from the code: {@code StateMachineDocTest} fails when the generated blocks differ, and
 * {@link #main} rewrites them in place.
 *
 * <p>Run from the repository root, with {@code JAVA_HOME} a JDK 21+: {@code ./mvnw -B -ntp -q
 * compile -pl topology -Dquickly && "$JAVA_HOME/bin/java" -cp topology/target/classes
 * io.taskqueue.topology.domain.StateMachineDiagram [path/to/state-machine.md]}.
 */
public final class StateMachineDiagram {

  /** Markers of the generated Mermaid diagram in the document. */
  public static final String DIAGRAM_BEGIN = "<!-- BEGIN GENERATED: state machine -->";

  /** Markers of the generated table of rows in the document. */
  public static final String TABLE_BEGIN = "<!-- BEGIN GENERATED: transition table -->";

  /** Ends either generated block. */
  public static final String END = "<!-- END GENERATED -->";

  /** The document, relative to the repository root. */
  public static final String DOCUMENT = "docs/state-machine.md";

  private static final String NONE = "[*]";

  private StateMachineDiagram() {}

  /**
   * The table as a Mermaid {@code stateDiagram-v2}: one line per row in declaration order, with
   * {@code [*]} for "not yet submitted" and "left the hot store".
   */
  public static String mermaid() {
    StringBuilder out = new StringBuilder("stateDiagram-v2\n");
    for (Transition t : Transition.values()) {
      out.append("    ")
          .append(t.from() == null ? NONE : t.from().name())
          .append(" --> ")
          .append(t.to() == null ? NONE : t.to().name())
          .append(" : ")
          .append(t.label())
          .append('\n');
    }
    return out.toString();
  }

  /** The table as Markdown: one line per row in declaration order. */
  public static String markdownTable() {
    StringBuilder out =
        new StringBuilder("| row | trigger | from | to | event |\n|---|---|---|---|---|\n");
    for (Transition t : Transition.values()) {
      out.append("| `")
          .append(t.name())
          .append("` | ")
          .append(t.trigger())
          .append(" | ")
          .append(t.from() == null ? "(new)" : t.from().name())
          .append(" | ")
          .append(t.to() == null ? "(removed)" : t.to().name())
          .append(" | ")
          .append(t.eventName())
          .append(" |\n");
    }
    return out.toString();
  }

  /** What belongs between {@link #DIAGRAM_BEGIN} and {@link #END}. */
  public static String diagramBlock() {
    return "```mermaid\n" + mermaid() + "```\n";
  }

  /** What belongs between {@link #TABLE_BEGIN} and {@link #END}. */
  public static String tableBlock() {
    return markdownTable();
  }

  /**
   * The text between {@code begin} (and its line break) and the next {@link #END}.
   *
   * @throws IllegalArgumentException if the markers are missing
   */
  public static String between(String document, String begin) {
    int[] span = span(document, begin);
    return document.substring(span[0], span[1]);
  }

  /** {@code document} with both generated blocks replaced by the current table. */
  public static String regenerate(String document) {
    return replace(replace(document, DIAGRAM_BEGIN, diagramBlock()), TABLE_BEGIN, tableBlock());
  }

  private static String replace(String document, String begin, String content) {
    int[] span = span(document, begin);
    return document.substring(0, span[0]) + content + document.substring(span[1]);
  }

  private static int[] span(String document, String begin) {
    int marker = document.indexOf(begin);
    if (marker < 0) {
      throw new IllegalArgumentException("Expected the marker " + begin + ", but it is missing");
    }
    int start = document.indexOf('\n', marker) + 1;
    int end = document.indexOf(END, start);
    if (start == 0 || end < 0) {
      throw new IllegalArgumentException(
          "Expected " + END + " on a line after " + begin + ", but it is missing");
    }
    return new int[] {start, end};
  }

  /** Rewrites the generated blocks of the document (argument, or {@value #DOCUMENT}). */
  public static void main(String[] args) throws IOException {
    Path path = Path.of(args.length > 0 ? args[0] : DOCUMENT);
    String before = Files.readString(path, StandardCharsets.UTF_8);
    String after = regenerate(before);
    if (after.equals(before)) {
      System.out.println(path + " is up to date");
      return;
    }
    Files.writeString(path, after, StandardCharsets.UTF_8);
    System.out.println("Rewrote the generated blocks of " + path);
  }
}
