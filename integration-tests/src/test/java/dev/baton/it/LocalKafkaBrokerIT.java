package dev.baton.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A dedicated broker runs beside the shared one and goes away when closed. */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LocalKafkaBrokerIT {

  @Test
  void dedicatedBrokerIsSeparateAndAutoCreatesTopics(KafkaBroker shared) throws Exception {
    LocalKafkaBroker dedicated;
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(true)) {
      dedicated = broker;
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.bootstrapServers())
          .startsWith("127.0.0.1:")
          .isNotEqualTo(shared.bootstrapServers());

      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
          new StringSerializer(), new StringSerializer())) {
        RecordMetadata sent = producer.send(new ProducerRecord<>("never-created", "v"))
            .get(30, TimeUnit.SECONDS);
        assertThat(sent.topic()).isEqualTo("never-created");
      }
    }
    assertThat(dedicated.isRunning()).isFalse();
  }
}
