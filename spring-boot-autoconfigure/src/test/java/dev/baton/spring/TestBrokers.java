package dev.baton.spring;

import dev.baton.testing.EmbeddedKafkaBroker;
import dev.baton.testing.LocalRabbitMq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The brokers the Spring Boot tests run on: one in-process KRaft broker for the whole test JVM
 * (started on first use, stopped at exit), and the local RabbitMQ ({@code BATON_AMQP_URI} when
 * set). Names are random, so tests that share the RabbitMQ broker never collide.
 */
final class TestBrokers {

  private static EmbeddedKafkaBroker kafka;

  private TestBrokers() {}

  static synchronized String kafkaBootstrap() {
    if (kafka == null) {
      try {
        kafka = EmbeddedKafkaBroker.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      EmbeddedKafkaBroker started = kafka;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "baton-kafka-stop"));
    }
    return kafka.bootstrapServers();
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Broker addresses, and fast, deterministic listener settings. */
  static void register(DynamicPropertyRegistry registry) {
    registry.add("spring.kafka.bootstrap-servers", TestBrokers::kafkaBootstrap);
    registry.add("spring.rabbitmq.addresses", LocalRabbitMq::uri);
  }
}
