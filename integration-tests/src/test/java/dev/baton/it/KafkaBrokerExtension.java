package dev.baton.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link KafkaBroker} parameters of test methods, constructors and lifecycle methods:
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class OrdersIT {
 *   @Test
 *   void sendsAndReceives(KafkaBroker kafka) {
 *     kafka.createTopic("orders", 1);
 *     ... kafka.bootstrapServers() ...
 *   }
 * }
 * }</pre>
 *
 * <p>Every test of a test JVM gets the same broker: {@code BATON_KAFKA_BOOTSTRAP} when set,
 * otherwise a {@link LocalKafkaBroker} (auto-create of topics off: tests create their topics)
 * started on first use and closed, data deleted, when the JUnit run ends. A test that stopped
 * the shared local broker and failed before restarting it does not break the next test: the
 * broker is started again when it is next handed out.
 */
public final class KafkaBrokerExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaBroker.class;
  }

  @Override
  public KafkaBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
    // the root store lives as long as the JUnit run and closes AutoCloseable values at its end
    KafkaBroker broker = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(KafkaBroker.class, key -> create(), KafkaBroker.class);
    if (broker instanceof LocalKafkaBroker) {
      ((LocalKafkaBroker) broker).ensureRunning();
    }
    return broker;
  }

  private static KafkaBroker create() {
    String external = System.getenv(ExternalKafkaBroker.ENV);
    if (external != null && !external.isBlank()) {
      return ExternalKafkaBroker.connect(external.trim());
    }
    return LocalKafkaBroker.start(false);
  }
}
