package dev.baton.examples;

/**
 * A problem the person running the demo can fix (a port in use, a broker that does not answer, a
 * bad option): its message is printed as it is, without a stack trace, and the demo exits with a
 * non-zero code.
 */
final class DemoFailure extends Exception {

  private static final long serialVersionUID = 1L;

  DemoFailure(String message) {
    super(message);
  }

  DemoFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
