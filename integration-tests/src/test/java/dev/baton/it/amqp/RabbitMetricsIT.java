package dev.baton.it.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.baton.amqp.AmqpTracing;
import dev.baton.core.BatonTracing;
import dev.baton.core.ProcessingScope;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Baton's RabbitMQ metrics against the real broker: publishes timed to their confirms, pushed
 * deliveries counted and timed, {@code basicGet} timed, the wait since the {@code timestamp}
 * property, failures with {@code error.type}, and server-named queues kept out of the attributes.
 */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RabbitMetricsIT {

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> TYPE = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

  final InMemoryTelemetry telemetry = InMemoryTelemetry.create();

  @AfterEach
  void close() {
    telemetry.close();
  }

  @Test
  void publishesToConfirmsAndDeliveriesAreCountedAndTimed(RabbitBroker rabbit) throws Exception {
    String suffix = UUID.randomUUID().toString();
    String exchange = "metrics-x-" + suffix;
    String queue = "metrics-q-" + suffix;
    AmqpTracing tracing =
        AmqpTracing.builder(telemetry.openTelemetry()).endPublishOnConfirm(true).build();
    int n = 4;
    try (Connection connection = rabbit.connectionFactory().newConnection("baton-metrics-it")) {
      Channel channel = tracing.wrap(connection.createChannel());
      try {
        channel.exchangeDeclare(exchange, "fanout", false, true, null);
        // not auto-delete: Baton counts auto-delete queues as temporary, without a destination
        channel.queueDeclare(queue, false, false, false, null);
        channel.queueBind(queue, exchange, "");
        channel.confirmSelect();
        for (int i = 0; i < n; i++) {
          // a routing key per message (an order id, say): never an attribute on metrics
          AMQP.BasicProperties props = i == 0
              ? null
              : new AMQP.BasicProperties.Builder().timestamp(new Date()).build();
          channel.basicPublish(exchange, "order." + UUID.randomUUID(), props, "{}".getBytes(UTF_8));
        }
        assertThat(channel.waitForConfirms(10_000)).isTrue();

        AtomicInteger delivered = new AtomicInteger();
        channel.basicConsume(queue, true, new DefaultConsumer(channel) {
          @Override
          public void handleDelivery(
              String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            delivered.incrementAndGet();
          }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.get() == n);
      } finally {
        channel.queueDelete(queue);
        channel.exchangeDelete(exchange);
      }
    }

    Attributes sent = Attributes.of(SYSTEM, "rabbitmq", OPERATION, "publish", DESTINATION, exchange);
    await().atMost(Duration.ofSeconds(10)).until(
        () -> telemetry.counter("messaging.client.sent.messages", sent) == n);
    assertThat(telemetry.attributeSets("messaging.client.sent.messages")).containsExactly(sent);
    HistogramPointData publish = telemetry.histogram("messaging.client.operation.duration",
        Attributes.of(SYSTEM, "rabbitmq", OPERATION, "publish", TYPE, "send",
            DESTINATION, exchange));
    assertThat(publish.getCount()).isEqualTo(n);
    assertThat(publish.getMin()).isGreaterThan(0);

    Attributes process = Attributes.of(SYSTEM, "rabbitmq", OPERATION, "process", DESTINATION, queue);
    await().atMost(Duration.ofSeconds(10)).until(
        () -> telemetry.counter("messaging.client.consumed.messages", process) == n);
    await().atMost(Duration.ofSeconds(10)).until(
        () -> telemetry.histogram("messaging.process.duration", process).getCount() == n);
    assertThat(telemetry.histogram("messaging.process.duration", process).getMin()).isGreaterThan(0);
    // only the messages that carry a timestamp have a wait; whole seconds, so up to 1 s longer
    HistogramPointData waited = telemetry.histogram("baton.messaging.wait.duration", process);
    assertThat(waited.getCount()).isEqualTo(n - 1);
    assertThat(waited.getMin()).isGreaterThanOrEqualTo(0);
    assertThat(telemetry.attributeSets("messaging.process.duration")).containsExactly(process);
  }

  @Test
  void serverNamedQueuesMakeOneSeriesAndFailuresCarryTheirType(RabbitBroker rabbit)
      throws Exception {
    AmqpTracing tracing = AmqpTracing.create(telemetry.openTelemetry());
    int queues = 12;
    try (Connection connection = rabbit.connectionFactory().newConnection("baton-metrics-it")) {
      Channel plain = connection.createChannel();
      Channel channel = tracing.wrap(connection.createChannel());
      List<String> names = new ArrayList<>();
      for (int i = 0; i < queues; i++) {
        // half declared through Baton (known temporary), half elsewhere (known by their name only)
        names.add((i % 2 == 0 ? channel : plain).queueDeclare().getQueue());
      }
      for (String q : names) {
        channel.basicPublish("", q, null, q.getBytes(UTF_8));
      }
      for (String q : names) {
        GetResponse got = await().atMost(Duration.ofSeconds(10))
            .until(() -> channel.basicGet(q, true), Objects::nonNull);
        try (ProcessingScope scope = tracing.startProcessing(got)) {
          if (q.equals(names.get(0))) {
            scope.recordException(new IllegalArgumentException("bad message"));
          }
        }
      }
      plain.close();
    }

    Attributes sent = Attributes.of(SYSTEM, "rabbitmq", OPERATION, "publish", DESTINATION, "amq.default");
    assertThat(telemetry.counter("messaging.client.sent.messages", sent)).isEqualTo(queues);
    assertThat(telemetry.attributeSets("messaging.client.sent.messages")).containsExactly(sent);
    // without confirms a publish is timed over the basicPublish call
    assertThat(telemetry.histogram("messaging.client.operation.duration",
            Attributes.of(SYSTEM, "rabbitmq", OPERATION, "publish", TYPE, "send",
                DESTINATION, "amq.default"))
        .getCount()).isEqualTo(queues);

    Attributes got = Attributes.of(SYSTEM, "rabbitmq", OPERATION, "get");
    assertThat(telemetry.counter("messaging.client.consumed.messages", got)).isEqualTo(queues);
    assertThat(telemetry.attributeSets("messaging.client.consumed.messages")).containsExactly(got);
    HistogramPointData gets = telemetry.histogram("messaging.client.operation.duration",
        Attributes.of(SYSTEM, "rabbitmq", OPERATION, "get", TYPE, "receive"));
    assertThat(gets.getCount()).isGreaterThanOrEqualTo(queues); // and one per empty get
    assertThat(telemetry.attributeSets("messaging.client.operation.duration")).hasSize(2);

    Attributes process = Attributes.of(SYSTEM, "rabbitmq", OPERATION, "process");
    assertThat(telemetry.histogram("messaging.process.duration", process).getCount())
        .isEqualTo(queues - 1);
    assertThat(telemetry.histogram("messaging.process.duration",
            process.toBuilder().put(ERROR, IllegalArgumentException.class.getName()).build())
        .getCount()).isEqualTo(1);
    assertThat(telemetry.points("baton.messaging.wait.duration")).isEmpty(); // no timestamps
  }

  @Test
  void metricsSwitchedOffRecordNothing(RabbitBroker rabbit) throws Exception {
    AmqpTracing tracing = AmqpTracing.builder(
        BatonTracing.builder(telemetry.openTelemetry()).metricsEnabled(false).build()).build();
    try (Connection connection = rabbit.connectionFactory().newConnection("baton-metrics-it")) {
      Channel channel = tracing.wrap(connection.createChannel());
      String q = channel.queueDeclare().getQueue();
      channel.basicPublish("", q, null, "x".getBytes(UTF_8));
      await().atMost(Duration.ofSeconds(10)).until(() -> channel.basicGet(q, true), Objects::nonNull);
    }
    assertThat(telemetry.spans()).isNotEmpty();
    assertThat(telemetry.metrics()).isEmpty();
  }
}
