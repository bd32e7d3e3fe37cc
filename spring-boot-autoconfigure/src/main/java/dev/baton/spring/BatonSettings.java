package dev.baton.spring;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.Settings;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The {@code baton.*} settings of the application's environment ({@code application.yml},
 * system properties, environment variables, with Spring's relaxed binding), as the map of
 * {@code baton.*} keys every Baton transport already parses ({@code docs/configuration.md}). The
 * transports' own {@code fromConfig} methods do the parsing and the validation, so a value fails
 * here exactly as it fails in a Kafka client configuration. Immutable.
 */
final class BatonSettings {

  /** Spring-only switches: not passed to the transports. */
  static final String ENABLED = "baton.enabled";
  static final String KAFKA_ENABLED = "baton.kafka.enabled";
  static final String AMQP_ENABLED = "baton.amqp.enabled";
  static final String GRPC_ENABLED = "baton.grpc.enabled";

  static final String KAFKA_PREFIX = "baton.kafka.";
  static final String AMQP_PREFIX = "baton.amqp.";
  static final String GRPC_PREFIX = "baton.grpc.";

  /**
   * Every key of docs/configuration.md that a property can carry, the Spring switches included:
   * core's settings registry, so a key added there is bound here too.
   */
  static final Set<String> KEYS = Set.copyOf(Settings.propertyKeys());

  private static final Set<String> SWITCHES =
      Set.of(ENABLED, KAFKA_ENABLED, AMQP_ENABLED, GRPC_ENABLED);
  private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("baton");
  private static final Pattern INDEX = Pattern.compile("(\\[\\d+\\])+$");

  private final Map<String, Object> values;

  private BatonSettings(Map<String, Object> values) {
    this.values = values;
  }

  /**
   * Reads every Baton key set in {@code environment}.
   *
   * @throws IllegalArgumentException on a {@code baton.*} property Baton does not know (outside
   *     the operating system's environment variables, where {@code BATON_*} may mean other things)
   */
  static BatonSettings bind(Environment environment) {
    rejectUnknownKeys(environment);
    Binder binder = Binder.get(environment);
    Map<String, Object> values = new LinkedHashMap<>();
    for (String key : KEYS) {
      if (SWITCHES.contains(key)) {
        continue;
      }
      if (Settings.isList(key)) {
        String raw = environment.getProperty(key);
        if (raw != null) {
          values.put(key, raw); // "" means "none", which a list binding would lose
        } else {
          binder.bind(key, Bindable.listOf(String.class)).ifBound(v -> values.put(key, v));
        }
      } else {
        binder.bind(key, String.class).ifBound(v -> values.put(key, v));
      }
    }
    return new BatonSettings(values);
  }

  private static void rejectUnknownKeys(Environment environment) {
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      Object underlying = source.getUnderlyingSource();
      if (!(source instanceof IterableConfigurationPropertySource)
          || (underlying instanceof PropertySource
              && StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(
                  ((PropertySource<?>) underlying).getName()))) {
        continue;
      }
      IterableConfigurationPropertySource iterable = (IterableConfigurationPropertySource) source;
      for (ConfigurationPropertyName name : (Iterable<ConfigurationPropertyName>)
          iterable.filter(ROOT::isAncestorOf).stream()::iterator) {
        String key = INDEX.matcher(name.toString()).replaceAll("");
        if (!KEYS.contains(key)) {
          String where =
              underlying instanceof PropertySource
                  ? " (in " + ((PropertySource<?>) underlying).getName() + ")"
                  : "";
          throw new IllegalArgumentException(
              "Unknown Baton setting '" + key + "'" + where + "; known settings: "
                  + new TreeSet<>(KEYS));
        }
      }
    }
  }

  /**
   * The transport keys starting with {@code prefix}, on top of {@code baton}'s core settings and
   * {@code OpenTelemetry}: what a transport's {@code fromConfig} takes.
   */
  Map<String, Object> forTransport(String prefix, BatonTracing baton) {
    Map<String, Object> map = new HashMap<>(baton.config());
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        map.put(e.getKey(), e.getValue());
      }
    }
    return map;
  }

  /** The core keys that are set (no transport key, no switch). */
  Map<String, Object> core() {
    Map<String, Object> map = new HashMap<>();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(KAFKA_PREFIX) && !key.startsWith(AMQP_PREFIX)
          && !key.startsWith(GRPC_PREFIX)) {
        map.put(key, e.getValue());
      }
    }
    return map;
  }

  @Override
  public String toString() {
    return "BatonSettings" + values;
  }
}
