package dev.baton.amqp;

import static dev.baton.core.internal.SemConv.ERROR_TYPE;
import static dev.baton.core.internal.SemConv.MESSAGING_DESTINATION_NAME;
import static dev.baton.core.internal.SemConv.MESSAGING_MESSAGE_BODY_SIZE;
import static dev.baton.core.internal.SemConv.MESSAGING_MESSAGE_CONVERSATION_ID;
import static dev.baton.core.internal.SemConv.MESSAGING_MESSAGE_ID;
import static dev.baton.core.internal.SemConv.MESSAGING_OPERATION_NAME;
import static dev.baton.core.internal.SemConv.MESSAGING_OPERATION_TYPE;
import static dev.baton.core.internal.SemConv.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY;
import static dev.baton.core.internal.SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG;
import static dev.baton.core.internal.SemConv.MESSAGING_SYSTEM;
import static dev.baton.core.internal.SemConv.SERVER_ADDRESS;
import static dev.baton.core.internal.SemConv.SERVER_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.CancelCallback;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.ConsumerShutdownSignalCallback;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.RecoverableChannel;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The decorator against a fake channel: fast, exact, no broker. */
class TracingChannelTest {

  private static final String PARENT_TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final InMemoryTelemetry tracing =
      InMemoryTelemetry.create(TextMapPropagator.noop());
  private final FakeChannel fake = new FakeChannel();
  private final AmqpTracing amqp = AmqpTracing.create(tracing.openTelemetry());
  private final Channel channel = amqp.wrap(fake.channel);

  @AfterEach
  void noScopeLeaks() {
    assertThat(Context.current()).isSameAs(Context.root());
    tracing.close();
  }

  @Test
  void publishWritesStringContextIntoACopyAndKeepsEveryOtherProperty() throws Exception {
    Map<String, Object> userHeaders = new LinkedHashMap<>();
    userHeaders.put("tenant", "acme");
    userHeaders.put("traceparent", "00-11111111111111111111111111111111-2222222222222222-01");
    userHeaders.put("count", 3);
    Date timestamp = new Date(1_700_000_000_000L);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .contentEncoding("gzip")
            .headers(userHeaders)
            .deliveryMode(2)
            .priority(5)
            .correlationId("conv-1")
            .replyTo("replies")
            .expiration("60000")
            .messageId("msg-1")
            .timestamp(timestamp)
            .type("order.created")
            .userId("guest")
            .appId("checkout")
            .clusterId("c1")
            .build();
    Span parent = tracing.openTelemetry().getTracer("test").spanBuilder("parent").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      channel.basicPublish("orders", "created", props, new byte[] {1, 2, 3});
    } finally {
      parent.end();
    }

    SpanData publish = tracing.awaitSpans("publish orders", SpanKind.PRODUCER, 1, Duration.ofSeconds(1)).get(0);
    assertThat(publish.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(publish.getAttributes().asMap())
        .isEqualTo(
            Attributes.builder()
                .put(MESSAGING_SYSTEM, "rabbitmq")
                .put(MESSAGING_OPERATION_TYPE, "send")
                .put(MESSAGING_OPERATION_NAME, "publish")
                .put(MESSAGING_DESTINATION_NAME, "orders:created")
                .put(SERVER_ADDRESS, "broker.test")
                .put(SERVER_PORT, 5671L)
                .put(MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, "created")
                .put(MESSAGING_MESSAGE_ID, "msg-1")
                .put(MESSAGING_MESSAGE_CONVERSATION_ID, "conv-1")
                .put(MESSAGING_MESSAGE_BODY_SIZE, 3L)
                .build()
                .asMap());

    AMQP.BasicProperties sent = fake.publishedProps;
    assertThat(sent).isNotSameAs(props);
    assertThat(sent.getContentType()).isEqualTo("application/json");
    assertThat(sent.getContentEncoding()).isEqualTo("gzip");
    assertThat(sent.getDeliveryMode()).isEqualTo(2);
    assertThat(sent.getPriority()).isEqualTo(5);
    assertThat(sent.getCorrelationId()).isEqualTo("conv-1");
    assertThat(sent.getReplyTo()).isEqualTo("replies");
    assertThat(sent.getExpiration()).isEqualTo("60000");
    assertThat(sent.getMessageId()).isEqualTo("msg-1");
    assertThat(sent.getTimestamp()).isEqualTo(timestamp);
    assertThat(sent.getType()).isEqualTo("order.created");
    assertThat(sent.getUserId()).isEqualTo("guest");
    assertThat(sent.getAppId()).isEqualTo("checkout");
    assertThat(sent.getClusterId()).isEqualTo("c1");
    // amqp-client keeps headers in a HashMap: order is not part of the contract.
    assertThat(sent.getHeaders()).containsOnlyKeys("tenant", "traceparent", "count");
    assertThat(sent.getHeaders()).containsEntry("tenant", "acme").containsEntry("count", 3);
    assertThat(sent.getHeaders().get("traceparent"))
        .isInstanceOf(String.class)
        .asString()
        .startsWith("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-");
    // The application's own table is untouched: it may reuse it.
    assertThat(userHeaders)
        .containsEntry("traceparent", "00-11111111111111111111111111111111-2222222222222222-01")
        .hasSize(3);
    assertThat(fake.publishedBody).isEqualTo(new byte[] {1, 2, 3});
  }

  @Test
  void republishingRemovesTraceHeadersInEveryCasing() throws Exception {
    Map<String, Object> arrived = new HashMap<>();
    arrived.put("Traceparent", LongStringHelper.asLongString(PARENT_TRACEPARENT));
    arrived.put("TRACEPARENT", PARENT_TRACEPARENT);
    arrived.put("traceparent", PARENT_TRACEPARENT);
    arrived.put("TraceState", "congo=t61rcWkgMzE");
    arrived.put("BAGGAGE", "user=alice");
    arrived.put("Tenant", "acme");
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().headers(arrived).build();

    channel.basicPublish("", "work", props, new byte[0]);

    SpanData publish =
        tracing.awaitSpans("publish amq.default", SpanKind.PRODUCER, 1, Duration.ofSeconds(1)).get(0);
    Map<String, Object> sent = fake.publishedProps.getHeaders();
    assertThat(sent).containsOnlyKeys("traceparent", "Tenant");
    assertThat(sent.get("traceparent")).isInstanceOf(String.class).asString()
        .startsWith("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-");
    assertThat(arrived).as("the caller's table is untouched").hasSize(6);
  }

  @Test
  void defaultExchangeIsNamedAmqDefaultAndNullPropertiesGetOnlyHeaders() throws Exception {
    channel.basicPublish("", "work", null, new byte[0]);

    SpanData publish =
        tracing.awaitSpans("publish amq.default", SpanKind.PRODUCER, 1, Duration.ofSeconds(1)).get(0);
    assertThat(publish.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo("work");
    assertThat(publish.getParentSpanContext().isValid()).isFalse();
    AMQP.BasicProperties sent = fake.publishedProps;
    assertThat(sent.getHeaders()).containsOnlyKeys("traceparent");
    assertThat(sent.getHeaders().get("traceparent")).isInstanceOf(String.class);
    assertThat(sent.getContentType()).isNull();
    assertThat(sent.getDeliveryMode()).isNull();
    assertThat(sent.getMessageId()).isNull();
  }

  @Test
  void withNothingToPropagateThePropertiesGoOutUntouched() throws Exception {
    Channel untraced = AmqpTracing.create(OpenTelemetry.noop()).wrap(fake.channel);
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("text/plain").build();

    untraced.basicPublish("", "work", props, new byte[0]);
    assertThat(fake.publishedProps).isSameAs(props);
    assertThat(fake.publishedProps.getHeaders()).isNull();

    untraced.basicPublish("", "work", null, new byte[0]);
    assertThat(fake.publishedProps).isNull();
  }

  @Test
  void everyPublishOverloadRoutesIntoOneTracedPublish() throws Exception {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().build();
    channel.basicPublish("x", "k", props, new byte[1]);
    channel.basicPublish("x", "k", true, props, new byte[2]);
    channel.basicPublish("x", "k", true, false, props, new byte[3]);
    channel.basicPublish("x", "k", true, false, props, ByteBuffer.wrap(new byte[4]), (ok, e) -> {});

    List<SpanData> spans = tracing.awaitSpanCount(4, Duration.ofSeconds(1));
    List<Long> sizes = new ArrayList<>();
    for (SpanData s : spans) {
      assertThat(s.getName()).isEqualTo("publish x");
      sizes.add(s.getAttributes().get(MESSAGING_MESSAGE_BODY_SIZE));
    }
    assertThat(sizes).containsExactly(1L, 2L, 3L, 4L);
    fake.calls.remove("getConnection[]");
    assertThat(fake.calls)
        .containsExactly(
            "basicPublish[class java.lang.String, class java.lang.String, boolean, boolean, "
                + "class com.rabbitmq.client.AMQP$BasicProperties, class [B]",
            "basicPublish[class java.lang.String, class java.lang.String, boolean, boolean, "
                + "class com.rabbitmq.client.AMQP$BasicProperties, class [B]",
            "basicPublish[class java.lang.String, class java.lang.String, boolean, boolean, "
                + "class com.rabbitmq.client.AMQP$BasicProperties, class [B]",
            "basicPublish[class java.lang.String, class java.lang.String, boolean, boolean, "
                + "class com.rabbitmq.client.AMQP$BasicProperties, class java.nio.ByteBuffer, "
                + "interface com.rabbitmq.client.WriteListener]");
  }

  @Test
  void aPublishExceptionIsRecordedAndRethrownUnchanged() {
    IOException failure = new IOException("channel closed");
    fake.failure = failure;

    assertThatThrownBy(() -> channel.basicPublish("x", "k", null, new byte[0])).isSameAs(failure);

    SpanData publish = tracing.spans().get(0);
    assertThat(publish.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(publish.getAttributes().get(ERROR_TYPE)).isEqualTo("java.io.IOException");
    assertThat(publish.getEvents()).extracting("name").containsExactly("exception");
  }

  @Test
  void aDeliveryRunsInsideAProcessSpanChildOfTheMessage() throws Exception {
    AtomicReference<Span> seen = new AtomicReference<>();
    channel.basicConsume("billing", false, (tag, d) -> seen.set(Span.current()), tag -> {});

    deliver(headers("traceparent", LongStringHelper.asLongString(PARENT_TRACEPARENT)));

    SpanData process = tracing.spans().get(0);
    assertThat(process.getName()).isEqualTo("process billing");
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(process.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(process.getParentSpanContext().isRemote()).isTrue();
    assertThat(seen.get().getSpanContext()).isEqualTo(process.getSpanContext());
    assertThat(process.getAttributes().asMap())
        .isEqualTo(
            Attributes.builder()
                .put(MESSAGING_SYSTEM, "rabbitmq")
                .put(MESSAGING_OPERATION_TYPE, "process")
                .put(MESSAGING_OPERATION_NAME, "process")
                .put(MESSAGING_DESTINATION_NAME, "orders:created:billing")
                .put(SERVER_ADDRESS, "broker.test")
                .put(SERVER_PORT, 5671L)
                .put(MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, "created")
                .put(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 42L)
                .put(MESSAGING_MESSAGE_ID, "m-42")
                .put(MESSAGING_MESSAGE_CONVERSATION_ID, "corr-42")
                .put(MESSAGING_MESSAGE_BODY_SIZE, 5L)
                .build()
                .asMap());
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void headerValuesAreReadAsLongStringStringOrBytesAndAnythingElseIsAbsent() throws Exception {
    List<Span> seen = new ArrayList<>();
    channel.basicConsume("q", (tag, d) -> seen.add(Span.current()), tag -> {});
    byte[] bytes = PARENT_TRACEPARENT.getBytes(StandardCharsets.US_ASCII);

    deliver(headers("traceparent", LongStringHelper.asLongString(PARENT_TRACEPARENT)));
    deliver(headers("traceparent", PARENT_TRACEPARENT));
    deliver(headers("traceparent", bytes));
    deliver(headers("traceparent", 12345));
    deliver(headers("traceparent", null));
    deliver(headers("traceparent", List.of(PARENT_TRACEPARENT)));
    deliver(headers("traceparent", "garbage-\u00ff-" + "x".repeat(100_000)));
    deliver(headers("traceparent", new byte[] {(byte) 0xc3, 0x28, 0x00, (byte) 0xff}));
    deliver(null); // no headers table at all

    assertThat(seen).hasSize(9);
    List<SpanData> spans = tracing.spans();
    for (int i = 0; i < 3; i++) {
      assertThat(spans.get(i).getParentSpanId()).as("delivery %s", i).isEqualTo("00f067aa0ba902b7");
    }
    for (int i = 3; i < 9; i++) {
      assertThat(spans.get(i).getParentSpanContext().isValid()).as("delivery %s", i).isFalse();
      assertThat(spans.get(i).getTraceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }
  }

  @Test
  void aCallbackExceptionIsRecordedAndRethrownUnchanged() throws Exception {
    RuntimeException boom = new IllegalStateException("boom");
    IOException io = new IOException("io");
    List<Throwable> toThrow = new ArrayList<>(List.of(boom, io));
    channel.basicConsume(
        "q",
        false,
        (tag, d) -> {
          Throwable t = toThrow.remove(0);
          if (t instanceof IOException) {
            throw (IOException) t;
          }
          throw (RuntimeException) t;
        },
        tag -> {});

    assertThatThrownBy(() -> deliver(null)).isSameAs(boom);
    assertThat(Context.current()).isSameAs(Context.root());
    assertThatThrownBy(() -> deliver(null)).isSameAs(io);
    assertThat(Context.current()).isSameAs(Context.root());

    List<SpanData> spans = tracing.spans();
    assertThat(spans).hasSize(2);
    assertThat(spans.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(spans.get(0).getAttributes().get(ERROR_TYPE))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(spans.get(1).getAttributes().get(ERROR_TYPE)).isEqualTo("java.io.IOException");
  }

  @Test
  void everyConsumeOverloadRoutesIntoTheFullOneWithTheClientDefaults() throws Throwable {
    List<String> delivered = new ArrayList<>();
    DeliverCallback deliver = (tag, d) -> delivered.add(tag);
    CancelCallback cancel = tag -> delivered.add("cancel " + tag);
    ConsumerShutdownSignalCallback shutdown = (tag, sig) -> delivered.add("shutdown " + tag);
    Consumer plain = new com.rabbitmq.client.DefaultConsumer(fake.channel) {
      @Override
      public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] b) {
        delivered.add(tag);
      }
    };
    int overloads = 0;
    for (Method m : Channel.class.getMethods()) {
      if (!m.getName().equals("basicConsume")) {
        continue;
      }
      overloads++;
      Class<?>[] types = m.getParameterTypes();
      Object[] args = new Object[types.length];
      int strings = 0;
      for (int i = 0; i < types.length; i++) {
        Class<?> t = types[i];
        if (t == String.class) {
          args[i] = strings++ == 0 ? "q" : "tag";
        } else if (t == boolean.class) {
          args[i] = false;
        } else if (t == Map.class) {
          args[i] = Map.of("x-priority", 1);
        } else if (t == Consumer.class) {
          args[i] = plain;
        } else if (t == DeliverCallback.class) {
          args[i] = deliver;
        } else if (t == CancelCallback.class) {
          args[i] = cancel;
        } else if (t == ConsumerShutdownSignalCallback.class) {
          args[i] = shutdown;
        }
      }
      fake.calls.clear();
      FakeChannel.invoke(m, channel, args);
      assertThat(fake.calls).as(m.toString()).hasSize(1);
      assertThat(fake.calls.get(0)).as(m.toString()).contains("interface com.rabbitmq.client.Consumer]");
      assertThat(fake.calls.get(0)).as(m.toString()).contains("java.util.Map");
      assertThat(fake.consumer).isInstanceOf(TracingConsumer.class);
      delivered.clear();
      fake.consumer.handleDelivery("t1", envelope(), null, new byte[0]);
      fake.consumer.handleCancel("t1");
      fake.consumer.handleShutdownSignal("t1", new ShutdownSignalException(false, false, null, null));
      assertThat(delivered).as(m.toString()).contains("t1");
    }
    assertThat(overloads).isEqualTo(20);
  }

  @Test
  void theOtherConsumerCallbacksPassThroughUntouched() throws Exception {
    List<String> calls = new ArrayList<>();
    ShutdownSignalException sig = new ShutdownSignalException(false, false, null, null);
    channel.basicConsume("q", new Consumer() {
      @Override
      public void handleConsumeOk(String tag) {
        calls.add("consumeOk " + tag + " " + Span.current().getSpanContext().isValid());
      }

      @Override
      public void handleCancelOk(String tag) {
        calls.add("cancelOk " + tag);
      }

      @Override
      public void handleCancel(String tag) {
        calls.add("cancel " + tag);
      }

      @Override
      public void handleShutdownSignal(String tag, ShutdownSignalException s) {
        calls.add("shutdown " + tag + " " + (s == sig));
      }

      @Override
      public void handleRecoverOk(String tag) {
        calls.add("recoverOk " + tag);
      }

      @Override
      public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] b) {}
    });
    Consumer traced = fake.consumer;
    traced.handleConsumeOk("a");
    traced.handleCancelOk("b");
    traced.handleCancel("c");
    traced.handleShutdownSignal("d", sig);
    traced.handleRecoverOk("e");

    assertThat(calls)
        .containsExactly("consumeOk a false", "cancelOk b", "cancel c", "shutdown d true",
            "recoverOk e");
    assertThat(tracing.spans()).isEmpty();
  }

  @Test
  void getMakesAReceiveSpanLinkedToTheMessageAndProcessingContinuesItsTrace() throws Exception {
    fake.getResponse =
        new GetResponse(
            new Envelope(7, false, "", "jobs"),
            new AMQP.BasicProperties.Builder()
                .messageId("job-7")
                .headers(headers("traceparent", LongStringHelper.asLongString(PARENT_TRACEPARENT)))
                .build(),
            new byte[] {9, 9},
            3);

    GetResponse response = channel.basicGet("jobs", false);
    AtomicReference<Span> inside = new AtomicReference<>();
    amqp.process(response, r -> inside.set(Span.current()));

    assertThat(response.getMessageCount()).isEqualTo(3);
    assertThat(response.getBody()).isEqualTo(new byte[] {9, 9});
    List<SpanData> spans = tracing.spans();
    SpanData get = spans.get(0);
    assertThat(get.getName()).isEqualTo("get jobs");
    assertThat(get.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(get.getParentSpanContext().isValid()).isFalse();
    assertThat(get.getLinks()).hasSize(1);
    assertThat(get.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(get.getAttributes().asMap())
        .isEqualTo(
            Attributes.builder()
                .put(MESSAGING_SYSTEM, "rabbitmq")
                .put(MESSAGING_OPERATION_TYPE, "receive")
                .put(MESSAGING_OPERATION_NAME, "get")
                .put(MESSAGING_DESTINATION_NAME, "jobs")
                .put(SERVER_ADDRESS, "broker.test")
                .put(SERVER_PORT, 5671L)
                .put(MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, "jobs")
                .put(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 7L)
                .put(MESSAGING_MESSAGE_ID, "job-7")
                .put(MESSAGING_MESSAGE_BODY_SIZE, 2L)
                .build()
                .asMap());
    SpanData process = spans.get(1);
    assertThat(process.getName()).isEqualTo("process jobs");
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(inside.get().getSpanContext()).isEqualTo(process.getSpanContext());
  }

  @Test
  void anEmptyQueueGivesAnEndedGetSpanAndNull() throws Exception {
    assertThat(channel.basicGet("empty", true)).isNull();
    assertThat(tracing.spans()).extracting(SpanData::getName).containsExactly("get empty");
  }

  @Test
  void processingScopeAndCallbackRecordTheExceptionAndRestoreTheContext() throws Exception {
    GetResponse response =
        new GetResponse(new Envelope(1, false, "ex", "rk"), null, new byte[0], 0);
    IOException failure = new IOException("handler failed");

    assertThatThrownBy(() -> amqp.process(response, r -> {
      throw failure;
    })).isSameAs(failure);
    assertThat(Context.current()).isSameAs(Context.root());

    try (dev.baton.core.ProcessingScope scope = amqp.startProcessing(response)) {
      assertThat(Span.current()).isSameAs(scope.span());
      scope.recordException(new IllegalStateException("x"));
    }
    assertThat(Context.current()).isSameAs(Context.root());

    List<SpanData> spans = tracing.spans();
    assertThat(spans).extracting(SpanData::getName).containsExactly("process ex:rk", "process ex:rk");
    assertThat(spans.get(0).getAttributes().get(ERROR_TYPE)).isEqualTo("java.io.IOException");
    assertThat(spans.get(1).getAttributes().get(ERROR_TYPE))
        .isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void settleSpansAreOffByDefaultAndChildrenOfProcessingWhenOn() throws Exception {
    channel.basicAck(1, false);
    assertThat(tracing.spans()).isEmpty();

    Channel settling = AmqpTracing.builder(tracing.openTelemetry()).settleSpans(true).build().wrap(fake.channel);
    settling.basicConsume("billing", false, (tag, d) -> {
      settling.basicAck(d.getEnvelope().getDeliveryTag(), false);
    }, tag -> {});
    deliver(null);
    settling.basicNack(5, true, true);
    settling.basicReject(6, false);

    List<SpanData> spans = tracing.spans();
    assertThat(spans).extracting(SpanData::getName)
        .containsExactly("ack billing", "process billing", "nack", "reject");
    SpanData ack = spans.get(0);
    assertThat(ack.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(ack.getAttributes().get(MESSAGING_DESTINATION_NAME))
        .isEqualTo("orders:created:billing");
    assertThat(ack.getParentSpanId()).isEqualTo(spans.get(1).getSpanId());
    assertThat(ack.getAttributes().get(MESSAGING_OPERATION_TYPE)).isEqualTo("settle");
    assertThat(ack.getAttributes().get(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG)).isEqualTo(42L);
    assertThat(spans.get(2).getAttributes().get(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG))
        .isEqualTo(5L);
  }

  @Test
  void linkPolicyStartsANewTraceLinkedToTheMessage() throws Exception {
    Channel linking =
        AmqpTracing.builder(
                BatonTracing.builder(tracing.openTelemetry()).inboundPolicy(InboundPolicy.LINK).build())
            .build()
            .wrap(fake.channel);
    linking.basicConsume("q", (tag, d) -> {}, tag -> {});
    deliver(headers("traceparent", PARENT_TRACEPARENT));

    SpanData process = tracing.spans().get(0);
    assertThat(process.getParentSpanContext().isValid()).isFalse();
    assertThat(process.getTraceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(process.getLinks()).extracting(l -> l.getSpanContext().getSpanId())
        .containsExactly("00f067aa0ba902b7");
  }

  @Test
  void wrappingKeepsRecoverabilityAndIsIdempotent() {
    assertThat(channel).isNotInstanceOf(RecoverableChannel.class);
    assertThat(amqp.wrap(channel)).isSameAs(channel);
    assertThat(channel.getConnection()).isSameAs(fake.connection);
    assertThatThrownBy(() -> amqp.wrap((Channel) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("channel == null");
  }

  private void deliver(Map<String, Object> headers) throws IOException {
    fake.consumer.handleDelivery(
        "ctag",
        envelope(),
        new AMQP.BasicProperties.Builder()
            .headers(headers)
            .messageId("m-42")
            .correlationId("corr-42")
            .build(),
        "hello".getBytes(StandardCharsets.UTF_8));
  }

  private static Envelope envelope() {
    return new Envelope(42, false, "orders", "created");
  }

  private static Map<String, Object> headers(String key, Object value) {
    Map<String, Object> h = new HashMap<>();
    h.put(key, value);
    return h;
  }
}
