package dev.baton.examples;

import com.rabbitmq.client.ConnectionFactory;
import dev.baton.testing.EmbeddedKafkaBroker;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds or starts the demo's brokers. Kafka: {@code BATON_KAFKA_BOOTSTRAP}, else an embedded
 * KRaft broker. RabbitMQ: {@code BATON_AMQP_URI}, else a local RabbitMQ on 127.0.0.1:5672 if it
 * accepts guest/guest, else an embedded Qpid Broker-J ({@code BATON_AMQP_URI=embedded} forces
 * that).
 */
final class DemoBrokers implements AutoCloseable {

  static final String KAFKA_ENV = "BATON_KAFKA_BOOTSTRAP";
  static final String AMQP_ENV = "BATON_AMQP_URI";
  private static final String LOCAL_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672";

  private final List<AutoCloseable> started = new ArrayList<>();
  private String kafkaBootstrap;
  private String kafkaDescription;
  private String amqpUri;
  private String amqpDescription;

  private DemoBrokers() {}

  static DemoBrokers start() throws Exception {
    DemoBrokers brokers = new DemoBrokers();
    try {
      brokers.startKafka();
      brokers.startAmqp();
      return brokers;
    } catch (Exception e) {
      brokers.close();
      throw e;
    }
  }

  private void startKafka() throws Exception {
    String external = env(KAFKA_ENV);
    if (external != null) {
      kafkaBootstrap = external;
      kafkaDescription = "Kafka at " + external + " (" + KAFKA_ENV + ")";
      return;
    }
    EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
    started.add(kafka);
    kafkaBootstrap = kafka.bootstrapServers();
    kafkaDescription = "embedded KRaft Kafka broker at " + kafkaBootstrap;
  }

  private void startAmqp() throws Exception {
    String external = env(AMQP_ENV);
    if (external != null && !external.equals("embedded")) {
      amqpUri = external;
      amqpDescription = "RabbitMQ at " + external.replaceAll("//[^@/]*@", "//") + " (" + AMQP_ENV + ")";
      return;
    }
    if (external == null && answers(LOCAL_RABBITMQ)) {
      amqpUri = LOCAL_RABBITMQ;
      amqpDescription = "RabbitMQ at 127.0.0.1:5672";
      return;
    }
    EmbeddedAmqpBroker amqp = EmbeddedAmqpBroker.start();
    started.add(amqp);
    amqpUri = amqp.uri();
    amqpDescription = "embedded Qpid Broker-J (AMQP 0-9-1) at " + amqpUri.replaceAll("//[^@/]*@", "//");
  }

  String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  ConnectionFactory amqp() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqpUri);
    factory.setConnectionTimeout(5_000);
    return factory;
  }

  String describe() {
    return kafkaDescription + "; " + amqpDescription;
  }

  /** Stops what was started here, newest first. */
  @Override
  public void close() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    started.clear();
  }

  private static boolean answers(String uri) {
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri);
      factory.setConnectionTimeout(1_000);
      factory.setAutomaticRecoveryEnabled(false);
      factory.newConnection("baton-demo-probe").close();
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
