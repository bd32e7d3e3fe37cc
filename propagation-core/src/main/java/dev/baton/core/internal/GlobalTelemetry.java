package dev.baton.core.internal;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.TracerProvider;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the {@link GlobalOpenTelemetry} instance for settings built without one, when the first
 * message passes, without ever locking it.
 *
 * <p>{@code GlobalOpenTelemetry.get()} called before anything is registered registers a no-op
 * instance for good: an SDK registered a moment later ({@code buildAndRegisterGlobal()} in a
 * {@code main} that built its clients first, or a Spring context) then fails to register. So Baton
 * asks {@code GlobalOpenTelemetry.isSet()} (opentelemetry-api 1.57+) and calls {@code get()} only
 * when an instance is registered, or when {@code get()} would configure one itself (the SDK's
 * autoconfigure module on the class path and {@value #AUTOCONFIGURE_PROPERTY} true).
 *
 * <p>Older opentelemetry-api versions have no {@code isSet()}: there Baton calls {@code get()} at
 * the first message (never at configuration time), which locks the global instance when nothing
 * is registered by then. Both ways, Baton says once per JVM, at WARNING, when it finds nothing or
 * a no-op instance, with the fix.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise.
 */
public final class GlobalTelemetry {

  static final String AUTOCONFIGURE_PROPERTY = "otel.java.global-autoconfigure.enabled";
  static final String AUTOCONFIGURE_ENV = "OTEL_JAVA_GLOBAL_AUTOCONFIGURE_ENABLED";
  private static final String AUTOCONFIGURE_CLASS =
      "io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk";

  /** {@code GlobalOpenTelemetry.isSet()}, added in opentelemetry-api 1.57.0. */
  static final boolean HAS_IS_SET = hasIsSet();

  private static final Logger LOG = Logger.getLogger("dev.baton");
  private static final AtomicBoolean WARNED_NONE = new AtomicBoolean();
  private static final AtomicBoolean WARNED_NOOP = new AtomicBoolean();

  private static final String HAND_AN_INSTANCE =
      " Or hand Baton an instance: KafkaTracing.create(openTelemetry).producerProperties() /"
          + " .consumerProperties(), AmqpTracing.create(openTelemetry), GrpcTracing.create("
          + "openTelemetry), or baton.opentelemetry in a programmatic settings map.";

  private GlobalTelemetry() {}

  private static boolean hasIsSet() {
    try {
      GlobalOpenTelemetry.class.getMethod("isSet");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * Returns the registered global instance, or {@code null} while none is registered (warning
   * once). Never registers one itself, unless OpenTelemetry's own opt-in autoconfiguration is on.
   * Cheap enough to call per message while nothing is registered (one uncontended lock).
   */
  public static OpenTelemetry registered() {
    OpenTelemetry found;
    if (!HAS_IS_SET) {
      found = GlobalOpenTelemetry.get();
    } else if (GlobalOpenTelemetry.isSet() || autoconfigureEnabled()) {
      found = GlobalOpenTelemetry.get();
    } else {
      warnNone();
      return null;
    }
    if (isNoop(found)) {
      warnNoop();
    }
    return found;
  }

  /** What {@code GlobalOpenTelemetry.get()} checks before it autoconfigures the SDK. */
  public static boolean autoconfigureEnabled() {
    if (!AutoconfigureModule.PRESENT) {
      return false;
    }
    String value = System.getProperty(AUTOCONFIGURE_PROPERTY);
    if (value == null) {
      value = System.getenv(AUTOCONFIGURE_ENV);
    }
    return value != null && Boolean.parseBoolean(value.trim());
  }

  /** Whether the SDK's autoconfigure module is on the class path; looked up once. */
  private static final class AutoconfigureModule {
    static final boolean PRESENT = present();

    private static boolean present() {
      try {
        Class.forName(AUTOCONFIGURE_CLASS, false, GlobalOpenTelemetry.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
  }

  /** The API's own no-op tracer provider (plain or incubating): nothing will be recorded. */
  public static boolean isNoop(OpenTelemetry otel) {
    TracerProvider provider = otel.getTracerProvider();
    if (provider == TracerProvider.noop()) {
      return true;
    }
    Class<?> type = provider.getClass();
    return type.getName().startsWith("io.opentelemetry.api.")
        && type.getSimpleName().endsWith("DefaultTracerProvider");
  }

  private static void warnNone() {
    if (!WARNED_NONE.get() && LOG.isLoggable(Level.WARNING)
        && WARNED_NONE.compareAndSet(false, true)) {
      LOG.warning("Baton: no OpenTelemetry instance is registered with GlobalOpenTelemetry, so"
          + " messages pass without spans (context already in them still goes through) until one"
          + " is. Register your SDK with OpenTelemetrySdk.builder()...buildAndRegisterGlobal() or"
          + " GlobalOpenTelemetry.set(...): before or after the clients are built, Baton picks it"
          + " up at the next message. Or run the OpenTelemetry Java agent, or put"
          + " opentelemetry-sdk-extension-autoconfigure on the class path and set -D"
          + AUTOCONFIGURE_PROPERTY + "=true (or " + AUTOCONFIGURE_ENV + "=true)."
          + HAND_AN_INSTANCE + " (logged once per JVM)");
    }
  }

  private static void warnNoop() {
    if (!WARNED_NOOP.get() && LOG.isLoggable(Level.WARNING)
        && WARNED_NOOP.compareAndSet(false, true)) {
      String why = HAS_IS_SET
          ? " Something called GlobalOpenTelemetry.get() before an SDK was registered, which"
              + " registers a no-op instance for good, or a no-op instance was registered. Register"
              + " your SDK before anything calls GlobalOpenTelemetry.get()."
          : " This opentelemetry-api predates GlobalOpenTelemetry.isSet() (1.57.0), so Baton asked"
              + " GlobalOpenTelemetry.get() at the first message, and with nothing registered by"
              + " then that call registers a no-op instance for good. Register your SDK before the"
              + " first message is sent or received, or use opentelemetry-api 1.57.0 or later,"
              + " where Baton waits for it.";
      LOG.warning("Baton: the global OpenTelemetry instance is a no-op one, so Baton records no"
          + " spans (context already in messages still goes through)." + why + HAND_AN_INSTANCE
          + " (logged once per JVM)");
    }
  }

  /** Tests only: forget that the warnings were logged. */
  public static void resetWarnings() {
    WARNED_NONE.set(false);
    WARNED_NOOP.set(false);
  }
}
