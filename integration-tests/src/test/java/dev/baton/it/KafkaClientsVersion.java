package dev.baton.it;

import java.lang.reflect.InvocationTargetException;

/**
 * The version of the kafka-clients jar loaded in this JVM, as kafka-clients itself reports it
 * ({@code AppInfoParser.getVersion()}). Tests use it to pick the behaviour they expect, e.g.
 * the 4.1+ {@code onAcknowledgement(RecordMetadata, Exception, Headers)} overload.
 */
public final class KafkaClientsVersion {

  // AppInfoParser moved to an internals package in kafka-clients 4.x
  private static final String[] APP_INFO_PARSERS = {
      "org.apache.kafka.common.utils.internals.AppInfoParser",
      "org.apache.kafka.common.utils.AppInfoParser"};

  private KafkaClientsVersion() {}

  /** E.g. {@code "4.4.0"} or {@code "3.9.1"}. */
  public static String current() {
    for (String name : APP_INFO_PARSERS) {
      try {
        return (String) Class.forName(name).getMethod("getVersion").invoke(null);
      } catch (ClassNotFoundException e) {
        // try the next location
      } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read the kafka-clients version from " + name, e);
      }
    }
    throw new IllegalStateException("kafka-clients is not on the classpath");
  }

  /** Whether the loaded kafka-clients is {@code major.minor} or newer. */
  public static boolean atLeast(int major, int minor) {
    String[] parts = current().split("[.-]");
    int actualMajor = Integer.parseInt(parts[0]);
    int actualMinor = Integer.parseInt(parts[1]);
    return actualMajor > major || (actualMajor == major && actualMinor >= minor);
  }
}
