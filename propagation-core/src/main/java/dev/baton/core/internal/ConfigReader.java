package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads Baton settings from a {@code Map<String, ?>} whose Baton keys start with {@code baton.}
 * (Kafka hands its interceptors the whole client configuration, so other keys are ignored).
 * Values may be strings, as in a properties file, or typed values ({@code Boolean},
 * {@code Integer}, a {@code List}).
 *
 * <p>One map may configure every transport: each reader accepts every {@code baton.*} key that
 * some Baton module declares (core, Kafka, AMQP, gRPC) and checks every such value, whichever
 * module reads it. An undeclared {@code baton.*} key, or a value that does not parse, fails at
 * once with an {@link IllegalArgumentException} naming the key.
 *
 * <p>For Baton's transport modules; not meant for application code.
 *
 * @since 0.1.0
 */
public final class ConfigReader {

  /** The prefix of every Baton key. */
  public static final String PREFIX = "baton.";

  private final Map<String, ?> config;

  private ConfigReader(Map<String, ?> config) {
    this.config = config;
  }

  /**
   * Checks every {@code baton.*} entry of {@code config} against the settings of every Baton
   * module: the key must be declared, and its value must parse.
   *
   * @param config the configuration, e.g. a Kafka client's
   * @param transportKeys the keys the calling transport reads; each must be a declared Baton
   *     setting (a check on the transport, not on the user's map)
   * @return a reader over {@code config}
   * @throws IllegalArgumentException on an unknown {@code baton.*} key or a value that does not
   *     parse, naming the key
   */
  public static ConfigReader of(Map<String, ?> config, Collection<String> transportKeys) {
    if (config == null) {
      throw new NullPointerException("config == null");
    }
    if (transportKeys != null) {
      for (String k : transportKeys) {
        if (Settings.get(k) == null) {
          throw new IllegalArgumentException(
              "Baton setting '" + k + "' is read by a transport but not declared in core's"
                  + " settings registry (dev.baton.core.internal.Settings)");
        }
      }
    }
    for (Map.Entry<String, ?> e : config.entrySet()) {
      Object k = e.getKey();
      if (!(k instanceof String) || !((String) k).startsWith(PREFIX)) {
        continue;
      }
      Settings.Setting s = Settings.get(k);
      if (s == null) {
        throw new IllegalArgumentException(
            "Unknown Baton setting '" + k + "'; known settings: " + Settings.keys());
      }
      if (e.getValue() != null) {
        check(s, e.getValue());
      }
    }
    return new ConfigReader(config);
  }

  /**
   * Builds the core settings from this map's core keys ({@code docs/configuration.md}). The
   * {@code OpenTelemetry} is the map's {@value BatonTracing#OPEN_TELEMETRY} entry; without one, the
   * settings follow {@link GlobalOpenTelemetry}, looked up when the first message passes and never
   * locked ({@link BatonTracing#builder()}).
   *
   * @return the settings
   * @throws IllegalArgumentException when a value is out of bounds
   */
  public BatonTracing batonTracing() {
    OpenTelemetry otel = instance(BatonTracing.OPEN_TELEMETRY, OpenTelemetry.class);
    BatonTracing.Builder b = otel != null ? BatonTracing.builder(otel) : BatonTracing.builder();
    b.inboundPolicy(
        enumValue(BatonTracing.INBOUND_POLICY, InboundPolicy.class, InboundPolicy.CONTINUE));
    b.inboundBaggage(list(BatonTracing.BAGGAGE_INBOUND, List.of("*")));
    b.outboundBaggage(list(BatonTracing.BAGGAGE_OUTBOUND, List.of("*")));
    b.headerMaxLength(
        integer(
            BatonTracing.HEADER_MAX_LENGTH,
            Settings.DEFAULT_HEADER_MAX_LENGTH,
            Settings.MIN_HEADER_MAX_LENGTH,
            Settings.MAX_HEADER_MAX_LENGTH));
    b.metricsEnabled(bool(BatonTracing.METRICS_ENABLED, true));
    for (String key :
        List.of(
            BatonTracing.METRICS_MESSAGES_ENABLED,
            BatonTracing.METRICS_OPERATION_DURATION_ENABLED,
            BatonTracing.METRICS_PROCESS_DURATION_ENABLED,
            BatonTracing.METRICS_WAIT_ENABLED,
            BatonTracing.METRICS_RPC_ENABLED)) {
      b.metricEnabled(key, bool(key, true));
    }
    return b.build();
  }

  private static void check(Settings.Setting s, Object v) {
    switch (s.type()) {
      case BOOLEAN:
        parseBool(s.key(), v);
        break;
      case INTEGER:
        parseInt(s.key(), v, s.min(), s.max());
        break;
      case LIST:
        parseList(s.key(), v);
        break;
      case CHOICE:
        parseChoice(s.key(), v, s.choices());
        break;
      case INSTANCE:
        checkInstance(s.key(), v, s.instanceType());
        break;
      default:
        throw new AssertionError(s.type());
    }
  }

  /**
   * Returns the raw value of {@code key}, or {@code null}.
   *
   * @param key the setting
   * @return the raw value
   */
  public Object raw(String key) {
    return config.get(key);
  }

  /**
   * Returns whether {@code key} is set.
   *
   * @param key the setting
   * @return true if the map holds a non-null value for it
   */
  public boolean has(String key) {
    return config.get(key) != null;
  }

  /**
   * Reads a boolean: {@code true}/{@code false} in any case, or a {@code Boolean}.
   *
   * @param key the setting
   * @param defaultValue used when the key is absent
   * @return the value
   */
  public boolean bool(String key, boolean defaultValue) {
    assert declared(key, Settings.Type.BOOLEAN, defaultValue, 0, 0, null);
    Object v = config.get(key);
    return v == null ? defaultValue : parseBool(key, v);
  }

  /**
   * Reads an integer within {@code [min, max]}.
   *
   * @param key the setting
   * @param defaultValue used when the key is absent
   * @param min smallest allowed value
   * @param max largest allowed value
   * @return the value
   */
  public int integer(String key, int defaultValue, int min, int max) {
    assert declared(key, Settings.Type.INTEGER, defaultValue, min, max, null);
    Object v = config.get(key);
    return v == null ? defaultValue : parseInt(key, v, min, max);
  }

  /**
   * Reads a comma-separated list (or a {@code Collection} of strings). An empty string is an
   * empty list.
   *
   * @param key the setting
   * @param defaultValue used when the key is absent
   * @return the entries, trimmed, without empty ones
   */
  public List<String> list(String key, List<String> defaultValue) {
    assert declared(key, Settings.Type.LIST, defaultValue, 0, 0, null);
    Object v = config.get(key);
    return v == null ? defaultValue : parseList(key, v);
  }

  /**
   * Reads an enum constant by name, in any case.
   *
   * @param key the setting
   * @param type the enum type
   * @param defaultValue used when the key is absent
   * @param <E> the enum type
   * @return the value
   */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    assert declared(key, Settings.Type.CHOICE,
        defaultValue == null ? null : defaultValue.name().toLowerCase(Locale.ROOT), 0, 0,
        Settings.names(type));
    Object v = config.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (type.isInstance(v)) {
      return type.cast(v);
    }
    String name = parseChoice(key, v, Settings.names(type));
    return Enum.valueOf(type, name.toUpperCase(Locale.ROOT));
  }

  /**
   * Reads a value that must be an instance of {@code type} (a programmatic map may carry objects).
   *
   * @param key the setting
   * @param type the required type
   * @param <T> the required type
   * @return the value, or {@code null} when absent
   */
  public <T> T instance(String key, Class<T> type) {
    Object v = config.get(key);
    if (v == null) {
      return null;
    }
    checkInstance(key, v, type);
    return type.cast(v);
  }

  private static boolean parseBool(String key, Object v) {
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    String s = v.toString().trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) {
      return true;
    }
    if (s.equals("false")) {
      return false;
    }
    throw bad(key, v, "true or false");
  }

  private static int parseInt(String key, Object v, int min, int max) {
    long n;
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      n = ((Number) v).longValue();
    } else {
      try {
        n = Long.parseLong(v.toString().trim());
      } catch (NumberFormatException e) {
        throw bad(key, v, "an integer from " + min + " to " + max);
      }
    }
    if (n < min || n > max) {
      throw bad(key, v, "an integer from " + min + " to " + max);
    }
    return (int) n;
  }

  private static List<String> parseList(String key, Object v) {
    List<String> out = new ArrayList<>();
    if (v instanceof Collection) {
      for (Object o : (Collection<?>) v) {
        if (o != null && !o.toString().trim().isEmpty()) {
          out.add(o.toString().trim());
        }
      }
    } else if (v instanceof String) {
      for (String part : ((String) v).split(",", -1)) {
        if (!part.trim().isEmpty()) {
          out.add(part.trim());
        }
      }
    } else {
      throw bad(key, v, "a comma-separated list");
    }
    return List.copyOf(out);
  }

  /** Returns the lowercase choice {@code v} names. */
  private static String parseChoice(String key, Object v, List<String> choices) {
    String s = (v instanceof Enum ? ((Enum<?>) v).name() : v.toString())
        .trim().toLowerCase(Locale.ROOT);
    if (!choices.contains(s)) {
      throw bad(key, v, "one of " + choices);
    }
    return s;
  }

  private static void checkInstance(String key, Object v, Class<?> type) {
    if (!type.isInstance(v)) {
      throw bad(key, v.getClass().getName(), "an instance of " + type.getName());
    }
  }

  /**
   * Whether a transport reads {@code key} as it is declared in {@link Settings}: same type,
   * default and bounds. Called in assertions, so a transport that drifts from the registry fails
   * its own tests.
   */
  private static boolean declared(
      String key, Settings.Type type, Object dflt, int min, int max, List<String> choices) {
    Settings.Setting s = Settings.get(key);
    if (s == null) {
      throw new AssertionError("Baton setting '" + key + "' is not declared in Settings");
    }
    boolean same = s.type() == type && Objects.equals(s.defaultValue(), dflt);
    if (type == Settings.Type.INTEGER) {
      same &= s.min() == min && s.max() == max;
    }
    if (type == Settings.Type.CHOICE) {
      same &= s.choices().equals(choices);
    }
    if (!same) {
      throw new AssertionError("Baton setting '" + key + "' is read as " + type + " default "
          + dflt + " [" + min + ", " + max + "] " + choices + " but declared as " + s.type()
          + " default " + s.defaultValue() + " [" + s.min() + ", " + s.max() + "] " + s.choices());
    }
    return true;
  }

  private static IllegalArgumentException bad(String key, Object value, String expected) {
    return new IllegalArgumentException(
        "Invalid value for Baton setting '" + key + "': '" + value + "' (expected " + expected
            + ")");
  }
}
