package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same application with {@code baton.kafka.enabled=false} and {@code baton.amqp.enabled=false}
 * on the real brokers: the chain still works, and Baton neither makes a span nor writes a header.
 */
@SpringBootTest(
    classes = {ChainApp.class, SwitchedOffTest.Telemetry.class},
    properties = {
      "spring.kafka.consumer.auto-offset-reset=earliest",
      "baton.kafka.enabled=false",
      "baton.amqp.enabled=false"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SwitchedOffTest {

  static final InMemoryTelemetry TELEMETRY = InMemoryTelemetry.create();
  static final String TOPIC = TestBrokers.unique("untraced-orders");
  static final String QUEUE = TestBrokers.unique("baton-spring-untraced");

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    TestBrokers.register(registry);
    registry.add("test.topic", () -> TOPIC);
    registry.add("test.batch-topic", () -> TOPIC + "-batch");
    registry.add("test.queue", () -> QUEUE);
    registry.add("test.direct-queue", () -> QUEUE + "-direct");
    registry.add("test.group", () -> TestBrokers.unique("group"));
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Telemetry {
    @Bean
    OpenTelemetry openTelemetry() {
      return TELEMETRY.openTelemetry();
    }
  }

  @Autowired KafkaTemplate<String, String> kafka;
  @Autowired ChainApp.Listeners listeners;

  @AfterAll
  static void close() {
    TELEMETRY.close();
  }

  @Test
  void nothingIsTracedAndNoHeaderIsWritten() throws Exception {
    kafka.send(TOPIC, "o-1", "order-1").get(30, TimeUnit.SECONDS);
    Message delivered = listeners.notifications.poll(30, TimeUnit.SECONDS);
    assertThat(delivered).isNotNull();
    Thread.sleep(200);

    assertThat(TELEMETRY.startedSpans()).isZero();
    ConsumerRecord<String, String> record = listeners.orders.poll(1, TimeUnit.SECONDS);
    assertThat(record).isNotNull();
    assertThat(record.headers().headers("traceparent")).isEmpty();
    assertThat(delivered.getMessageProperties().getHeaders()).doesNotContainKey("traceparent");
  }
}
