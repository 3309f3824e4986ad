package io.taskqueue.testkit;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension that injects a {@link TestKafka} into constructors, lifecycle methods and
 * test methods: {@code @ExtendWith(KafkaExtension.class)}.
 *
 * <p>The first injection in a test JVM starts one {@link EmbeddedKafka} (free port, data in a
 * temporary directory); every test class in that JVM shares it. It is kept in the root extension
 * context store, so JUnit closes it (and deletes its data) when the test run ends.
 *
 * <p>Each extension context gets its own {@link TestKafka} with a unique prefix, and a context
 * reuses the one of its enclosing context: a {@code TestKafka} injected into a {@code @BeforeAll}
 * method (a class-level context) is the same one the test methods of that class get; without one,
 * each test method gets its own, and a constructor, {@code @BeforeEach} method and test method of
 * one test share it. With {@code @TestInstance(PER_CLASS)} the constructor runs in the class
 * context, so the whole class shares one.
 */
public final class KafkaExtension implements ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(KafkaExtension.class);
  private static final AtomicLong COUNTER = new AtomicLong();

  /**
   * Constructor injection sees the test method's context (not the class's), so a test instance
   * created per method gets a {@link TestKafka} of its own, like a test method parameter would.
   */
  @Override
  public ExtensionContextScope getTestInstantiationExtensionContextScope(
      ExtensionContext rootContext) {
    return ExtensionContextScope.TEST_METHOD;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    EmbeddedKafka broker = sharedBroker(context);
    return context
        .getStore(NAMESPACE)
        .computeIfAbsent(
            TestKafka.class, key -> new TestKafka(broker, newPrefix()), TestKafka.class);
  }

  /** The JVM-wide broker, started on first use. */
  static EmbeddedKafka sharedBroker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(EmbeddedKafka.class, key -> EmbeddedKafka.start(), EmbeddedKafka.class);
  }

  static String newPrefix() {
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return "t" + COUNTER.incrementAndGet() + "-" + HexFormat.of().formatHex(random);
  }
}
