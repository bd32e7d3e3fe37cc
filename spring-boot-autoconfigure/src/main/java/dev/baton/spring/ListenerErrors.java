package dev.baton.spring;

/**
 * What a listener span records when the listener fails. Spring wraps the listener's exception in
 * its own {@code ListenerExecutionFailedException} (Kafka's and AMQP's); the span records the
 * listener's exception, the one {@code error.type} should name.
 */
final class ListenerErrors {

  private static final String KAFKA_WRAPPER =
      "org.springframework.kafka.listener.ListenerExecutionFailedException";
  private static final String AMQP_WRAPPER =
      "org.springframework.amqp.rabbit.support.ListenerExecutionFailedException";

  private ListenerErrors() {}

  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t != null && t.getCause() != null && t.getCause() != t) {
      String name = t.getClass().getName();
      if (!name.equals(KAFKA_WRAPPER) && !name.equals(AMQP_WRAPPER)) {
        break;
      }
      t = t.getCause();
    }
    return t;
  }
}
