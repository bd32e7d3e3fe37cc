package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every {@code baton.*} setting of every Baton module, declared once: its type, default, bounds
 * and which module reads it. One settings map configures every transport, so each transport's
 * reader accepts every key declared here and rejects only keys declared nowhere.
 *
 * <p>The transports' keys are declared here as data (names, defaults, bounds); core never depends
 * on a transport. {@link ConfigReader} checks, in tests (assertions on), that what a transport
 * reads matches what is declared, and {@code docs/configuration.md} is checked against this table.
 */
public final class Settings {

  /** The module that reads a setting; {@link #CORE} settings apply to every transport. */
  enum Module {
    CORE,
    KAFKA,
    AMQP,
    GRPC,
    /** Read by {@code baton-spring-boot-autoconfigure} only: which parts it wires. */
    SPRING
  }

  /** How a value is written. */
  enum Type {
    /** {@code true}/{@code false} in any case, or a {@code Boolean}. */
    BOOLEAN,
    /** A decimal integer within bounds, or an {@code Integer}/{@code Long}/{@code Short}. */
    INTEGER,
    /** A comma-separated list, or a {@code Collection} of strings. */
    LIST,
    /** One of a fixed set of names, in any case, or the enum constant itself. */
    CHOICE,
    /** An object of a given class (programmatic maps only). */
    INSTANCE
  }

  /**
   * One declared setting.
   *
   * @param key the {@code baton.*} name
   * @param module the module that reads it
   * @param type how its value is written
   * @param defaultValue Boolean, Integer, List of String, or the lowercase choice; {@code null} for
   *     INSTANCE
   * @param min the smallest INTEGER value
   * @param max the largest INTEGER value
   * @param choices lowercase names, CHOICE only
   * @param instanceType INSTANCE only
   * @param documentedDefault how the default reads in {@code docs/configuration.md}
   */
  record Setting(
      String key,
      Module module,
      Type type,
      Object defaultValue,
      int min,
      int max,
      List<String> choices,
      Class<?> instanceType,
      String documentedDefault) {

    @Override
    public String toString() {
      return key;
    }
  }

  public static final int DEFAULT_HEADER_MAX_LENGTH = 8192;
  public static final int MIN_HEADER_MAX_LENGTH = 512;
  public static final int MAX_HEADER_MAX_LENGTH = 1 << 20;

  private static final Map<String, Setting> ALL;

  static {
    Map<String, Setting> m = new LinkedHashMap<>();
    // core: read through BatonTracing by every transport
    choice(m, BatonTracing.INBOUND_POLICY, Module.CORE, "continue", "continue", "link", "ignore");
    list(m, BatonTracing.BAGGAGE_INBOUND, Module.CORE, "*");
    list(m, BatonTracing.BAGGAGE_OUTBOUND, Module.CORE, "*");
    integer(m, BatonTracing.HEADER_MAX_LENGTH, Module.CORE, DEFAULT_HEADER_MAX_LENGTH,
        MIN_HEADER_MAX_LENGTH, MAX_HEADER_MAX_LENGTH);
    put(m, new Setting(BatonTracing.OPEN_TELEMETRY, Module.CORE, Type.INSTANCE, null, 0, 0,
        List.of(), OpenTelemetry.class, "GlobalOpenTelemetry"));
    bool(m, BatonTracing.METRICS_ENABLED, Module.CORE, true);
    bool(m, BatonTracing.METRICS_MESSAGES_ENABLED, Module.CORE, true);
    bool(m, BatonTracing.METRICS_OPERATION_DURATION_ENABLED, Module.CORE, true);
    bool(m, BatonTracing.METRICS_PROCESS_DURATION_ENABLED, Module.CORE, true);
    bool(m, BatonTracing.METRICS_WAIT_ENABLED, Module.CORE, true);
    bool(m, BatonTracing.METRICS_RPC_ENABLED, Module.CORE, true);
    // kafka-interceptors (KafkaSettings)
    choice(m, "baton.kafka.producer.span.end", Module.KAFKA, "ack", "ack", "send");
    integer(m, "baton.kafka.producer.inflight.max", Module.KAFKA, 10_000, 1, 1_000_000);
    bool(m, "baton.kafka.consumer.receive.spans", Module.KAFKA, false);
    bool(m, "baton.kafka.consumer.process.spans", Module.KAFKA, false);
    bool(m, "baton.kafka.capture.message.key", Module.KAFKA, false);
    // amqp-decorators (AmqpTracing)
    bool(m, "baton.amqp.settle.spans", Module.AMQP, false);
    bool(m, "baton.amqp.publish.end.on.confirm", Module.AMQP, false);
    integer(m, "baton.amqp.publish.max.pending.confirms", Module.AMQP, 10_000, 1, 1_000_000);
    // grpc-interceptors (GrpcTracing)
    bool(m, "baton.grpc.message.events", Module.GRPC, false);
    list(m, "baton.grpc.metadata.capture", Module.GRPC);

    bool(m, "baton.enabled", Module.SPRING, true);
    bool(m, "baton.kafka.enabled", Module.SPRING, true);
    bool(m, "baton.amqp.enabled", Module.SPRING, true);
    bool(m, "baton.grpc.enabled", Module.SPRING, true);
    ALL = Collections.unmodifiableMap(m);
  }

  private Settings() {}

  /** Every declared setting, in the order {@code docs/configuration.md} lists them. */
  static Collection<Setting> all() {
    return ALL.values();
  }

  /** The declared setting named {@code key}, or {@code null}. */
  static Setting get(Object key) {
    return ALL.get(key);
  }

  /** The declared keys, in declaration order, for error messages. */
  static List<String> keys() {
    return new ArrayList<>(ALL.keySet());
  }

  /**
   * Every key a text property can carry (all but the programmatic-only instance settings), in
   * declaration order: what a configuration binder such as Spring Boot's accepts.
   *
   * @return a new list
   */
  public static List<String> propertyKeys() {
    List<String> out = new ArrayList<>();
    for (Setting s : ALL.values()) {
      if (s.type() != Type.INSTANCE) {
        out.add(s.key());
      }
    }
    return out;
  }

  /**
   * Returns whether {@code key} is declared and takes a list.
   *
   * @param key the setting
   * @return true for list settings
   */
  public static boolean isList(String key) {
    Setting s = ALL.get(key);
    return s != null && s.type() == Type.LIST;
  }

  private static void choice(
      Map<String, Setting> m, String key, Module module, String dflt, String... choices) {
    put(m, new Setting(key, module, Type.CHOICE, dflt, 0, 0, List.of(choices), null, dflt));
  }

  private static void list(Map<String, Setting> m, String key, Module module, String... dflt) {
    List<String> d = List.of(dflt);
    put(m, new Setting(key, module, Type.LIST, d, 0, 0, List.of(), null,
        d.isEmpty() ? "none" : String.join(",", d)));
  }

  private static void integer(
      Map<String, Setting> m, String key, Module module, int dflt, int min, int max) {
    put(m, new Setting(key, module, Type.INTEGER, dflt, min, max, List.of(), null,
        Integer.toString(dflt)));
  }

  private static void bool(Map<String, Setting> m, String key, Module module, boolean dflt) {
    put(m, new Setting(key, module, Type.BOOLEAN, dflt, 0, 0, List.of(), null,
        Boolean.toString(dflt)));
  }

  private static void put(Map<String, Setting> m, Setting s) {
    if (!s.key().startsWith(ConfigReader.PREFIX) || m.put(s.key(), s) != null) {
      throw new AssertionError("bad or duplicate setting " + s.key());
    }
  }

  /** Lowercase names of an enum's constants. */
  static List<String> names(Class<? extends Enum<?>> type) {
    List<String> names = new ArrayList<>();
    for (Enum<?> e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    return names;
  }
}
