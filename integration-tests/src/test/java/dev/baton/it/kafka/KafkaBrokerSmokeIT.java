package dev.baton.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Kafka fixture works with the kafka-clients of the running execution (4.4, 4.0 and 3.9). */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaBrokerSmokeIT {

  @Test
  void producesAndConsumesOneRecord(KafkaBroker kafka) throws Exception {
    String topic = "smoke-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);

    try (KafkaProducer<String, String> producer = producer(kafka)) {
      RecordMetadata sent = producer.send(new ProducerRecord<>(topic, "key", "hello"))
          .get(30, TimeUnit.SECONDS);
      assertThat(sent.offset()).isZero();
    }

    assertThat(consumeAll(kafka, topic, 1)).singleElement().satisfies(record -> {
      assertThat(record.key()).isEqualTo("key");
      assertThat(record.value()).isEqualTo("hello");
    });
  }

  @Test
  void survivesAStopAndRestartOfTheBroker(KafkaBroker kafka) throws Exception {
    String topic = "restart-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    try (KafkaProducer<String, String> producer = producer(kafka)) {
      producer.send(new ProducerRecord<>(topic, "before")).get(30, TimeUnit.SECONDS);

      kafka.stop();
      kafka.restart();

      // the same producer reconnects to the same address; the topic and its data survived
      RecordMetadata after = producer.send(new ProducerRecord<>(topic, "after"))
          .get(60, TimeUnit.SECONDS);
      assertThat(after.offset()).isEqualTo(1);
    }
    assertThat(consumeAll(kafka, topic, 2)).extracting(ConsumerRecord::value)
        .containsExactly("before", "after");
  }

  private static KafkaProducer<String, String> producer(KafkaBroker kafka) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        ProducerConfig.LINGER_MS_CONFIG, 0),
        new StringSerializer(), new StringSerializer());
  }

  // Subscribes with a fresh group (this exercises the group coordinator) and polls until
  // `expected` records arrived or 30 s passed.
  private static List<ConsumerRecord<String, String>> consumeAll(
      KafkaBroker kafka, String topic, int expected) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}
