package dev.baton.spring;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Decides, per transport, whether Baton or another tracer instruments it, so that nothing is
 * traced twice and no message carries two {@code traceparent} headers:
 *
 * <ul>
 *   <li>the OpenTelemetry Java agent, when it runs and its instrumentation of that transport is not
 *       switched off ({@code otel.instrumentation.<name>.enabled=false}): it instruments the
 *       client libraries themselves, so Baton backs off the whole transport;
 *   <li>Spring's Micrometer observation of a template or listener container
 *       ({@code observation-enabled}), when the application has a Micrometer {@code Tracer}: Spring
 *       then makes the spans and writes the headers for that template or container, and Baton
 *       backs off it (observation without a tracer only records metrics: Baton traces).
 * </ul>
 *
 * Each decision is logged once at INFO, naming the side that traces. Thread-safe.
 */
final class Coexistence {

  static final Log LOG = LogFactory.getLog("dev.baton.spring");

  /** The Java agent's premain class; the JVM puts the agent jar on the system class path. */
  static final String AGENT_CLASS = "io.opentelemetry.javaagent.OpenTelemetryAgent";

  private static final String MICROMETER_TRACER = "io.micrometer.tracing.Tracer";

  private final boolean agent;
  private final Environment environment;
  private final ListableBeanFactory beans;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  Coexistence(boolean agent, Environment environment, ListableBeanFactory beans) {
    this.agent = agent;
    this.environment = environment;
    this.beans = beans;
  }

  static boolean agentRunning() {
    try {
      Class.forName(AGENT_CLASS, false, ClassLoader.getSystemClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Whether the Java agent instruments the transport whose agent instrumentation names are
   * {@code names} (any one of them enabled is enough).
   */
  boolean agentTraces(String... names) {
    if (!agent) {
      return false;
    }
    boolean byDefault =
        environment.getProperty("otel.instrumentation.common.default-enabled", Boolean.class, true);
    for (String name : names) {
      if (environment.getProperty(
          "otel.instrumentation." + name.toLowerCase(Locale.ROOT) + ".enabled", Boolean.class,
          byDefault)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the application has a Micrometer {@code Tracer}, which turns observations into spans. */
  boolean micrometerTracing() {
    ClassLoader loader = ClassUtils.getDefaultClassLoader();
    if (!ClassUtils.isPresent(MICROMETER_TRACER, loader)) {
      return false;
    }
    try {
      Class<?> tracer = ClassUtils.forName(MICROMETER_TRACER, loader);
      return beans.getBeanNamesForType(tracer, true, false).length > 0;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether a property holding an {@code observation-enabled} flag is true. */
  boolean observationEnabled(String property) {
    return environment.getProperty(property, Boolean.class, false);
  }

  /**
   * Whether Baton backs off one template, container or factory because another tracer traces it:
   * the Java agent (which instruments the whole transport) or Spring's observation with a
   * Micrometer tracer. The reason is logged once at INFO, under {@code agentKey} or
   * {@code observedKey}.
   */
  boolean backsOff(
      String[] agentNames,
      String agentKey,
      String agentMessage,
      boolean observationEnabled,
      String observedKey,
      String observedMessage) {
    if (agentTraces(agentNames)) {
      info(agentKey, agentMessage);
      return true;
    }
    if (observationEnabled && micrometerTracing()) {
      info(observedKey, observedMessage);
      return true;
    }
    return false;
  }

  /** What {@link #backsOff} says about a listener container factory that Spring observes. */
  static String listenersObserved(String beanName) {
    return "Spring's Micrometer observation traces the listeners of '" + beanName
        + "' (observation-enabled, with a Micrometer tracer); Baton does not add its"
        + " process spans there.";
  }

  /** Logs {@code message} at INFO the first time {@code key} is reported. */
  void info(String key, String message) {
    if (logged.add(key) && LOG.isInfoEnabled()) {
      LOG.info("Baton: " + message);
    }
  }
}
