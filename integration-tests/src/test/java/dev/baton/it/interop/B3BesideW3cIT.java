package dev.baton.it.interop;

import static dev.baton.it.interop.SimpleGrpc.UNARY;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.baton.amqp.AmqpTracing;
import dev.baton.grpc.GrpcTracing;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An {@code OpenTelemetry} configured with W3C and B3 (single header): Baton's gRPC client and
 * AMQP publisher write {@code b3} beside {@code traceparent}, both naming Baton's own span; Baton's
 * gRPC server and AMQP consumer continue a call or message that carries B3 alone. (Kafka: see
 * {@code dev.baton.it.kafka.KafkaB3BesideW3cIT}.)
 */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class B3BesideW3cIT {

  static final String B3_TRACE_ID = "463ac35c9f6413ad48485a3953bb6124";
  static final String B3_SPAN_ID = "a2fb4a1d1a96d312";
  static final String B3_ONLY = B3_TRACE_ID + "-" + B3_SPAN_ID + "-1";

  final InMemoryTelemetry spans = InMemoryTelemetry.create(TextMapPropagator.composite(
      W3CTraceContextPropagator.getInstance(), B3Propagator.injectingSingleHeader()));

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void theGrpcClientWritesB3BesideTraceparent() throws Exception {
    SimpleGrpc.MetadataCapture seen = new SimpleGrpc.MetadataCapture();
    Server server = null;
    ManagedChannel channel = null;
    try {
      server = SimpleGrpc.start(request -> "ok", seen);
      channel = SimpleGrpc.channel(server, GrpcTracing.create(spans.openTelemetry()).clientInterceptor());
      Span root = spans.openTelemetry().getTracer("it").spanBuilder("it-root").startSpan();
      try (Scope ignored = root.makeCurrent()) {
        assertThat(SimpleGrpc.call(channel, "hi")).isEqualTo("ok");
      } finally {
        root.end();
      }
      SpanData client = spans.awaitSpan(UNARY, SpanKind.CLIENT);
      assertThat(client.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
      assertThat(seen.values("traceparent")).containsExactly(traceparent(client));
      assertThat(seen.values("b3")).containsExactly(b3(client));
    } finally {
      SimpleGrpc.shutdown(channel, server);
    }
  }

  @Test
  void theGrpcServerContinuesACallCarryingOnlyB3() throws Exception {
    AtomicReference<String> traceIdInHandler = new AtomicReference<>();
    Metadata b3Only = new Metadata();
    b3Only.put(Metadata.Key.of("b3", Metadata.ASCII_STRING_MARSHALLER), B3_ONLY);
    Server server = null;
    ManagedChannel channel = null;
    try {
      server = SimpleGrpc.start(request -> {
        traceIdInHandler.set(Span.current().getSpanContext().getTraceId());
        return "ok";
      }, GrpcTracing.create(spans.openTelemetry()).serverInterceptor());
      channel = SimpleGrpc.channel(server, MetadataUtils.newAttachHeadersInterceptor(b3Only));
      assertThat(SimpleGrpc.call(channel, "hi")).isEqualTo("ok");

      SpanData serverSpan = spans.awaitSpan(UNARY, SpanKind.SERVER);
      assertThat(serverSpan.getTraceId()).isEqualTo(B3_TRACE_ID);
      assertThat(serverSpan.getParentSpanId()).isEqualTo(B3_SPAN_ID);
      assertThat(serverSpan.getParentSpanContext().isRemote()).isTrue();
      assertThat(traceIdInHandler.get()).isEqualTo(B3_TRACE_ID);
    } finally {
      SimpleGrpc.shutdown(channel, server);
    }
  }

  @Test
  void theAmqpPublisherWritesB3BesideTraceparent(RabbitBroker rabbit) throws Exception {
    String queue = "baton-it-b3-" + UUID.randomUUID();
    try (Connection connection = rabbit.connectionFactory().newConnection("baton-it-b3-publish")) {
      Channel plain = connection.createChannel();
      plain.queueDeclare(queue, false, false, true, null);
      Channel traced = AmqpTracing.create(spans.openTelemetry()).wrap(connection.createChannel());
      Span root = spans.openTelemetry().getTracer("it").spanBuilder("it-root").startSpan();
      try (Scope ignored = root.makeCurrent()) {
        traced.basicPublish("", queue, new AMQP.BasicProperties(), "m".getBytes(StandardCharsets.UTF_8));
      } finally {
        root.end();
      }
      GetResponse got = awaitMessage(plain, queue);
      SpanData publish = spans.awaitSpan("publish amq.default", SpanKind.PRODUCER);
      assertThat(publish.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
      Map<String, Object> headers = got.getProps().getHeaders();
      assertThat(String.valueOf(headers.get("traceparent"))).isEqualTo(traceparent(publish));
      assertThat(String.valueOf(headers.get("b3"))).isEqualTo(b3(publish));
      plain.queueDelete(queue);
    }
  }

  @Test
  void theAmqpConsumerContinuesAMessageCarryingOnlyB3(RabbitBroker rabbit) throws Exception {
    String queue = "baton-it-b3-" + UUID.randomUUID();
    try (Connection plainConnection = rabbit.connectionFactory().newConnection("baton-it-b3-plain");
        Connection traced = AmqpTracing.create(spans.openTelemetry())
            .wrap(rabbit.connectionFactory().newConnection("baton-it-b3-consume"))) {
      Channel plain = plainConnection.createChannel();
      plain.queueDeclare(queue, false, false, true, null);
      Channel consuming = traced.createChannel();
      BlockingQueue<String> traceIdInHandler = new LinkedBlockingQueue<>();
      consuming.basicConsume(queue, true,
          (tag, delivery) -> traceIdInHandler.add(Span.current().getSpanContext().getTraceId()),
          tag -> {});
      AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
          .headers(Map.of("b3", B3_ONLY)).build();
      plain.basicPublish("", queue, props, "m".getBytes(StandardCharsets.UTF_8));

      assertThat(traceIdInHandler.poll(30, TimeUnit.SECONDS)).isEqualTo(B3_TRACE_ID);
      SpanData process = spans.awaitSpan("process " + queue, SpanKind.CONSUMER);
      assertThat(process.getTraceId()).isEqualTo(B3_TRACE_ID);
      assertThat(process.getParentSpanId()).isEqualTo(B3_SPAN_ID);
      assertThat(process.getParentSpanContext().isRemote()).isTrue();
      plain.queueDelete(queue);
    }
  }

  static GetResponse awaitMessage(Channel channel, String queue) {
    AtomicReference<GetResponse> got = new AtomicReference<>();
    Awaitility.await().atMost(30, TimeUnit.SECONDS)
        .until(() -> {
          got.set(channel.basicGet(queue, true));
          return got.get() != null;
        });
    return got.get();
  }

  static String traceparent(SpanData span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-"
        + span.getSpanContext().getTraceFlags().asHex();
  }

  static String b3(SpanData span) {
    return span.getTraceId() + "-" + span.getSpanId() + "-" + (span.getSpanContext().isSampled() ? "1" : "0");
  }
}
