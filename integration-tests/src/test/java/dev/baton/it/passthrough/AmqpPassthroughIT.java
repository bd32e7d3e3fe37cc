package dev.baton.it.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.baton.amqp.AmqpTracing;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A RabbitMQ service in the middle with no SDK (a propagating {@code OpenTelemetry}, W3C Trace
 * Context only): it consumes through a Baton-traced channel and, inside the delivery callback,
 * publishes through it again. Each forwarded message carries its incoming {@code traceparent}
 * unchanged (trace id, parent id and flags, sampled or not), its {@code tracestate} and
 * {@code baggage}, written as strings. Nothing is recorded.
 */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AmqpPassthroughIT {

  static final String TRACESTATE = "vendor=opaque";
  static final String BAGGAGE = "tenant=acme";

  final OpenTelemetry propagating =
      OpenTelemetry.propagating(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
  final AmqpTracing tracing = AmqpTracing.create(propagating);

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void consumeThenPublishKeepsTheIncomingTraceparent(RabbitBroker rabbit) throws Exception {
    String in = "baton-it-pass-in-" + UUID.randomUUID();
    String out = "baton-it-pass-out-" + UUID.randomUUID();
    Map<String, String> incoming = new LinkedHashMap<>();
    incoming.put("sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    incoming.put("unsampled", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
    incoming.put("random", "00-1234567890abcdef1234567890abcdef-1234567890abcdef-03");
    List<Boolean> recordingInHandler = new CopyOnWriteArrayList<>();

    try (Connection plainConnection = rabbit.connectionFactory().newConnection("baton-it-pass-plain");
        Connection middle = tracing.wrap(rabbit.connectionFactory().newConnection("baton-it-pass-middle"))) {
      Channel plain = plainConnection.createChannel();
      plain.queueDeclare(in, false, false, true, null);
      plain.queueDeclare(out, false, false, true, null);
      Channel middleChannel = middle.createChannel();
      middleChannel.basicConsume(in, true, (tag, delivery) -> {
        recordingInHandler.add(Span.current().isRecording());
        middleChannel.basicPublish("", out, new AMQP.BasicProperties.Builder()
            .messageId(delivery.getProperties().getMessageId()).build(), delivery.getBody());
      }, tag -> {});

      for (Map.Entry<String, String> e : incoming.entrySet()) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("traceparent", e.getValue());
        headers.put("tracestate", TRACESTATE);
        headers.put("baggage", BAGGAGE);
        plain.basicPublish("", in, new AMQP.BasicProperties.Builder()
            .messageId(e.getKey()).headers(headers).build(), "m".getBytes(StandardCharsets.UTF_8));
      }

      Map<String, Map<String, Object>> forwarded = new HashMap<>();
      Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> {
        GetResponse got = plain.basicGet(out, true);
        if (got != null) {
          forwarded.put(got.getProps().getMessageId(), got.getProps().getHeaders());
        }
        return forwarded.size() == incoming.size();
      });
      for (Map.Entry<String, String> e : incoming.entrySet()) {
        Map<String, Object> headers = forwarded.get(e.getKey());
        assertThat(String.valueOf(headers.get("traceparent"))).as(e.getKey()).isEqualTo(e.getValue());
        assertThat(String.valueOf(headers.get("tracestate"))).as(e.getKey()).isEqualTo(TRACESTATE);
        assertThat(String.valueOf(headers.get("baggage"))).as(e.getKey()).isEqualTo(BAGGAGE);
      }
      assertThat(recordingInHandler).containsOnly(false).hasSize(incoming.size());
      plain.queueDelete(in);
      plain.queueDelete(out);
    }
  }
}
