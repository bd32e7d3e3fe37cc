package dev.baton.examples;

/**
 * The demo's loggers are named after the services ({@code dev.baton.examples.checkout}, ...), so
 * that a log line names the same service as its span's {@code service.name}.
 */
final class Logs {

  /** The prefix of every service's logger name; the service name follows. */
  static final String PREFIX = "dev.baton.examples.";

  private Logs() {}
}
