package dev.baton.benchmarks;

import dev.baton.kafka.KafkaTracing;
import dev.baton.kafka.TracingConsumerInterceptor;
import dev.baton.kafka.TracingProducerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.internal.OpenTelemetryConsumerInterceptor;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.internal.OpenTelemetryProducerInterceptor;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.common.Configurable;

/**
 * Each library's Kafka interceptors, configured the way a client configures them: the library's
 * own properties plus what the producer or consumer adds (its client id, the consumer's group).
 */
final class KafkaInterceptors {

  private static final Map<String, Object> PRODUCER =
      Map.of(ProducerConfig.CLIENT_ID_CONFIG, "bench-producer");
  private static final Map<String, Object> CONSUMER =
      Map.of(
          ConsumerConfig.GROUP_ID_CONFIG, "fulfilment",
          ConsumerConfig.CLIENT_ID_CONFIG, "bench-consumer");

  private KafkaInterceptors() {}

  static ProducerInterceptor<Object, Object> batonProducer(KafkaTracing tracing) {
    return configure(new TracingProducerInterceptor(), tracing.producerProperties(), PRODUCER);
  }

  static ConsumerInterceptor<Object, Object> batonConsumer(KafkaTracing tracing) {
    return configure(new TracingConsumerInterceptor(), tracing.consumerProperties(), CONSUMER);
  }

  static ProducerInterceptor<Object, Object> otelProducer(OpenTelemetry openTelemetry) {
    return configure(
        new OpenTelemetryProducerInterceptor<>(),
        KafkaTelemetry.create(openTelemetry).producerInterceptorConfigProperties(),
        PRODUCER);
  }

  static ConsumerInterceptor<Object, Object> otelConsumer(OpenTelemetry openTelemetry) {
    return configure(
        new OpenTelemetryConsumerInterceptor<>(),
        KafkaTelemetry.create(openTelemetry).consumerInterceptorConfigProperties(),
        CONSUMER);
  }

  private static <I extends Configurable> I configure(
      I interceptor, Map<String, ?> properties, Map<String, Object> client) {
    Map<String, Object> config = new HashMap<>(properties);
    config.putAll(client);
    interceptor.configure(config);
    return interceptor;
  }
}
