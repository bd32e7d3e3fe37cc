package com.example.quickstart;

import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka, configured by properties alone: the interceptors find the OpenTelemetry SDK registered
 * globally, the producer writes the trace into the record's headers, and the consumer's loop body
 * runs inside each record's {@code process} span.
 */
final class KafkaHop {

  private KafkaHop() {}

  /** Sends one record in the current trace and returns the trace id its handler saw. */
  static String run(String bootstrapServers) throws Exception {
    String topic = "quickstart-" + UUID.randomUUID();
    // tag::kafka-producer[]
    Properties producerProps = new Properties();
    producerProps.put("bootstrap.servers", bootstrapServers);
    producerProps.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    producerProps.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    producerProps.put("interceptor.classes", "dev.baton.kafka.TracingProducerInterceptor");
    // end::kafka-producer[]
    // tag::kafka-consumer[]
    Properties consumerProps = new Properties();
    consumerProps.put("bootstrap.servers", bootstrapServers);
    consumerProps.put("group.id", "quickstart");
    consumerProps.put("auto.offset.reset", "earliest");
    consumerProps.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    consumerProps.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    consumerProps.put("interceptor.classes", "dev.baton.kafka.TracingConsumerInterceptor");
    consumerProps.put("baton.kafka.consumer.process.spans", "true");
    // end::kafka-consumer[]

    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      producer.send(new ProducerRecord<>(topic, "order-42", "placed")).get();
    }
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String traceId = null;
      while (traceId == null && System.nanoTime() < deadline) {
        // tag::kafka-loop[]
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          // runs inside "process <topic>", a child of the producer's "send <topic>" span
          traceId = Span.current().getSpanContext().getTraceId();
        }
        // end::kafka-loop[]
      }
      if (traceId != null) {
        return traceId;
      }
    }
    throw new IllegalStateException("no record arrived on " + topic + " within 30 s");
  }
}
