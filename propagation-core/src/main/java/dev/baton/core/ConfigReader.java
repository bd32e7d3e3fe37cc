package dev.baton.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads Baton settings from a {@code Map<String, ?>} whose Baton keys start with {@code baton.}
 * (Kafka hands its interceptors the whole client configuration, so other keys are ignored).
 * Values may be strings, as in a properties file, or typed values ({@code Boolean},
 * {@code Integer}, a {@code List}). An unknown {@code baton.*} key, or a value that does not
 * parse, fails at once with an {@link IllegalArgumentException} naming the key.
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
   * Checks that every {@code baton.*} key in {@code config} is one of the core's keys or one of
   * {@code transportKeys}.
   *
   * @param config the configuration, e.g. a Kafka client's
   * @param transportKeys the keys the calling transport understands
   * @return a reader over {@code config}
   * @throws IllegalArgumentException on an unknown {@code baton.*} key
   */
  public static ConfigReader of(Map<String, ?> config, Collection<String> transportKeys) {
    if (config == null) {
      throw new NullPointerException("config == null");
    }
    Set<String> known = new TreeSet<>(BatonTracing.CORE_KEYS);
    known.addAll(transportKeys);
    for (Object k : config.keySet()) {
      if (k instanceof String && ((String) k).startsWith(PREFIX) && !known.contains(k)) {
        throw new IllegalArgumentException(
            "Unknown Baton setting '" + k + "'; known settings: " + known);
      }
    }
    return new ConfigReader(config);
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
    Object v = config.get(key);
    if (v == null) {
      return defaultValue;
    }
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
    Object v = config.get(key);
    if (v == null) {
      return defaultValue;
    }
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

  /**
   * Reads a comma-separated list (or a {@code Collection} of strings). An empty string is an
   * empty list.
   *
   * @param key the setting
   * @param defaultValue used when the key is absent
   * @return the entries, trimmed, without empty ones
   */
  public List<String> list(String key, List<String> defaultValue) {
    Object v = config.get(key);
    if (v == null) {
      return defaultValue;
    }
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
    Object v = config.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (type.isInstance(v)) {
      return type.cast(v);
    }
    String s = v.toString().trim().toUpperCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw bad(key, v, "one of " + names);
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
    if (!type.isInstance(v)) {
      throw bad(key, v.getClass().getName(), "an instance of " + type.getName());
    }
    return type.cast(v);
  }

  private static IllegalArgumentException bad(String key, Object value, String expected) {
    return new IllegalArgumentException(
        "Invalid value for Baton setting '" + key + "': '" + value + "' (expected " + expected
            + ")");
  }

  static List<String> listOf(String... items) {
    return List.copyOf(Arrays.asList(items));
  }
}
