package dev.baton.it;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** The cluster named by {@code BATON_KAFKA_BOOTSTRAP}: used as it is, never started or stopped. */
final class ExternalKafkaBroker implements KafkaBroker {

  static final String ENV = "BATON_KAFKA_BOOTSTRAP";

  private final String bootstrapServers;

  private ExternalKafkaBroker(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  static ExternalKafkaBroker connect(String bootstrapServers) {
    try {
      Topics.checkReachable(bootstrapServers, Duration.ofSeconds(10));
    } catch (Exception e) {
      throw new IllegalStateException(ENV + "=" + bootstrapServers + ": no Kafka cluster answers"
          + " there. Start it, or unset " + ENV + " to use a local broker.", e);
    }
    return new ExternalKafkaBroker(bootstrapServers);
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void createTopic(String name, int partitions) {
    Topics.create(bootstrapServers, name, partitions, null);
  }

  @Override
  public void stop() {
    Assumptions.abort("cannot stop the external Kafka cluster " + ENV + "=" + bootstrapServers);
  }

  @Override
  public void restart() {
    Assumptions.abort("cannot restart the external Kafka cluster " + ENV + "=" + bootstrapServers);
  }

  @Override
  public boolean isExternal() {
    return true;
  }

  @Override
  public String toString() {
    return "external Kafka at " + bootstrapServers;
  }
}
