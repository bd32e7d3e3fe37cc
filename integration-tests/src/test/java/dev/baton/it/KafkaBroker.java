package dev.baton.it;

/**
 * A Kafka cluster that an integration test talks to through its own kafka-clients.
 *
 * <p>Obtained as a test-method (or constructor) parameter with
 * {@code @ExtendWith(KafkaBrokerExtension.class)}: one broker shared by every test of the test
 * JVM. It is {@code BATON_KAFKA_BOOTSTRAP} when that is set, else a local KRaft broker in a
 * child JVM bound to 127.0.0.1. A test that needs a broker of its own starts one with
 * {@link LocalKafkaBroker#start(boolean)}.
 *
 * <p>Thread-safe.
 */
public interface KafkaBroker {

  /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}. */
  String bootstrapServers();

  /**
   * Creates a topic (replication factor 1 on the local broker, the cluster default on an
   * external one) and waits until every partition has a leader. An existing topic is fine.
   */
  void createTopic(String name, int partitions);

  /**
   * Stops the broker; clients keep their bootstrap address and see it as down. Aborts the
   * calling test (reported as skipped) when the cluster is external.
   */
  void stop();

  /**
   * Starts a stopped broker again (or stops, then starts a running one) on the same ports and
   * data: topics and committed offsets survive. Aborts the calling test when the cluster is
   * external.
   */
  void restart();

  /** Whether this is a cluster named by {@code BATON_KAFKA_BOOTSTRAP} (no stop, no restart). */
  boolean isExternal();
}
