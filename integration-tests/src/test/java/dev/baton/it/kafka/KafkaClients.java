package dev.baton.it.kafka;

import dev.baton.it.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producer and consumer configurations for the Kafka integration tests. */
final class KafkaClients {

  private KafkaClients() {}

  static Map<String, Object> producerConfig(KafkaBroker kafka, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.putAll(extra);
    return config;
  }

  static KafkaProducer<String, String> stringProducer(KafkaBroker kafka, Map<String, Object> extra) {
    return new KafkaProducer<>(
        producerConfig(kafka, extra), new StringSerializer(), new StringSerializer());
  }

  static KafkaProducer<byte[], byte[]> bytesProducer(KafkaBroker kafka, Map<String, Object> extra) {
    return new KafkaProducer<>(
        producerConfig(kafka, extra), new ByteArraySerializer(), new ByteArraySerializer());
  }

  static Map<String, Object> consumerConfig(KafkaBroker kafka, Map<String, Object> extra) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
    config.putAll(extra);
    return config;
  }

  static KafkaConsumer<String, String> stringConsumer(KafkaBroker kafka, Map<String, Object> extra) {
    return new KafkaConsumer<>(
        consumerConfig(kafka, extra), new StringDeserializer(), new StringDeserializer());
  }

  static KafkaConsumer<byte[], byte[]> bytesConsumer(KafkaBroker kafka, Map<String, Object> extra) {
    return new KafkaConsumer<>(
        consumerConfig(kafka, extra), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Polls until {@code expected} records arrived or 30 s passed. */
  static <K, V> List<ConsumerRecord<K, V>> poll(KafkaConsumer<K, V> consumer, String topic, int expected) {
    consumer.subscribe(List.of(topic));
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (records.size() < expected && System.nanoTime() < deadline) {
      for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
        records.add(r);
      }
    }
    if (records.size() < expected) {
      throw new AssertionError("got " + records.size() + " of " + expected + " records from " + topic);
    }
    return records;
  }
}
