package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

  final InMemoryTelemetry otel =
      InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());

  @Test
  void propertiesNameTheInterceptorAndCarryTheInstanceAndSettings() {
    KafkaTracing tracing = KafkaTracing.builder(otel.openTelemetry()).captureMessageKey(true).receiveSpans(true).build();
    Map<String, Object> producer = tracing.producerProperties();
    assertThat(producer.get("interceptor.classes")).isEqualTo(TracingProducerInterceptor.class.getName());
    assertThat(producer.get("baton.opentelemetry")).isSameAs(otel.openTelemetry());
    assertThat(producer.get("baton.kafka.capture.message.key")).isEqualTo(true);
    assertThat(tracing.consumerProperties().get("interceptor.classes"))
        .isEqualTo(TracingConsumerInterceptor.class.getName());
    KafkaTracing rebuilt = KafkaTracing.fromConfig(tracing.consumerProperties());
    assertThat(rebuilt.settings().captureKey()).isTrue();
    assertThat(rebuilt.settings().receiveSpans()).isTrue();
  }

  @Test
  void aTypoInABatonKeyFailsWhenTheProducerIsConstructed() {
    Properties props = new Properties();
    props.put("bootstrap.servers", "127.0.0.1:9"); // never contacted
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    props.put("interceptor.classes", TracingProducerInterceptor.class.getName());
    props.put("baton.kafka.capture.mesage.key", "true");
    assertThatThrownBy(() -> new KafkaProducer<String, String>(props).close())
        .isInstanceOf(KafkaException.class)
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'baton.kafka.capture.mesage.key'");
  }

  @Test
  void aBadValueFailsWithAPreciseMessage() {
    assertThatThrownBy(() -> KafkaTracing.fromConfig(Map.of("baton.kafka.producer.inflight.max", "0")))
        .hasMessageContaining("baton.kafka.producer.inflight.max")
        .hasMessageContaining("from 1 to 1000000");
    assertThatThrownBy(() -> KafkaTracing.fromConfig(Map.of("baton.kafka.producer.span.end", "later")))
        .hasMessageContaining("[ack, send]");
  }

  @Test
  void registeredByClassNameAloneUsesTheGlobalInstance() {
    TracingProducerInterceptor p = new TracingProducerInterceptor();
    p.configure(Map.of("client.id", "x"));
    p.close();
  }
}
