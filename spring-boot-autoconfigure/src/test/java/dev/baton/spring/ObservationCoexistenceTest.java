package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.InMemoryTelemetry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring Boot's own Micrometer observation switched on for KafkaTemplate, the Kafka listeners,
 * RabbitTemplate and the RabbitMQ listeners, with a Micrometer tracer bridged to the same
 * OpenTelemetry SDK: Spring traces, Baton backs off and says so, and the chain is still one trace
 * with one producer span per send and one {@code traceparent} per record.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
    classes = {ChainApp.class, ObservationCoexistenceTest.MicrometerTracing.class},
    properties = {
      "spring.kafka.consumer.auto-offset-reset=earliest",
      "spring.kafka.template.observation-enabled=true",
      "spring.kafka.listener.observation-enabled=true",
      "spring.rabbitmq.template.observation-enabled=true",
      "spring.rabbitmq.listener.simple.observation-enabled=true"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ObservationCoexistenceTest {

  static final InMemoryTelemetry TELEMETRY = InMemoryTelemetry.create();
  static final String TOPIC = TestBrokers.unique("observed-orders");
  static final String QUEUE = TestBrokers.unique("baton-spring-observed");

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    TestBrokers.register(registry);
    registry.add("test.topic", () -> TOPIC);
    registry.add("test.batch-topic", () -> TOPIC + "-batch");
    registry.add("test.queue", () -> QUEUE);
    registry.add("test.direct-queue", () -> QUEUE + "-direct");
    registry.add("test.group", () -> TestBrokers.unique("group"));
  }

  /** What Spring Boot's tracing auto-configuration sets up, on the test's SDK. */
  @TestConfiguration(proxyBeanMethods = false)
  static class MicrometerTracing {
    @Bean
    OpenTelemetry openTelemetry() {
      return TELEMETRY.openTelemetry();
    }

    @Bean
    OtelTracer micrometerTracer(OpenTelemetry otel) {
      return new OtelTracer(
          otel.getTracer("micrometer"), new OtelCurrentTraceContext(), event -> {});
    }

    @Bean
    OtelPropagator micrometerPropagator(OpenTelemetry otel) {
      return new OtelPropagator(otel.getPropagators(), otel.getTracer("micrometer"));
    }

    @Bean
    ObservationRegistry observationRegistry(Tracer tracer, Propagator propagator) {
      ObservationRegistry registry = ObservationRegistry.create();
      registry
          .observationConfig()
          .observationHandler(
              new io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler(
                  new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                  new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                  new DefaultTracingObservationHandler(tracer)));
      return registry;
    }
  }

  @Autowired KafkaTemplate<String, String> kafka;
  @Autowired ChainApp.Listeners listeners;

  @AfterAll
  static void close() {
    TELEMETRY.close();
  }

  @Test
  void springTracesBatonBacksOffAndNothingIsTracedTwice(CapturedOutput output) throws Exception {
    kafka.send(TOPIC, "o-1", "order-1").get(30, TimeUnit.SECONDS);
    Message delivered = listeners.notifications.poll(30, TimeUnit.SECONDS);
    assertThat(delivered).isNotNull();

    // Spring's four spans: Kafka send and receive, RabbitMQ send and receive, one trace
    List<SpanData> spans = TELEMETRY.awaitSpanCount(4, Duration.ofSeconds(30));
    Thread.sleep(200); // anything traced twice would end by now
    spans = TELEMETRY.spans();
    assertThat(spans).noneMatch(s -> s.getInstrumentationScopeInfo().getName().startsWith("dev.baton"));
    assertThat(spans.stream().map(SpanData::getTraceId).distinct()).hasSize(1);
    assertThat(spans.stream().filter(s -> s.getKind() == SpanKind.PRODUCER))
        .as("one producer span per send: %s", names(spans))
        .hasSize(2);
    assertThat(spans.stream().filter(s -> s.getKind() == SpanKind.CONSUMER))
        .as("one consumer span per delivery: %s", names(spans))
        .hasSize(2);

    ConsumerRecord<String, String> record = listeners.orders.poll(1, TimeUnit.SECONDS);
    assertThat(record).isNotNull();
    int traceparents = 0;
    for (Header h : record.headers().headers("traceparent")) {
      traceparents++;
    }
    assertThat(traceparents).isEqualTo(1);

    assertThat(output)
        .contains("Baton: Spring's Micrometer observation traces KafkaTemplate sends")
        .contains("Baton: Spring's Micrometer observation traces the listeners of"
            + " 'kafkaListenerContainerFactory'")
        .contains("Baton: Spring's Micrometer observation traces RabbitTemplate 'rabbitTemplate'")
        .contains("Baton: Spring's Micrometer observation traces the listeners of"
            + " 'rabbitListenerContainerFactory'");
  }

  private static String names(List<SpanData> spans) {
    return spans.stream()
        .map(s -> s.getKind() + " " + s.getName() + " (" + s.getInstrumentationScopeInfo().getName() + ")")
        .collect(Collectors.joining(", "));
  }
}
