package dev.baton.amqp;

import static dev.baton.core.internal.SemConv.ERROR_TYPE;
import static dev.baton.core.internal.SemConv.MESSAGING_BATCH_MESSAGE_COUNT;
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

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.RecoverableConnection;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Against the real RabbitMQ ({@code BATON_AMQP_URI}, else 127.0.0.1:5672): every wait is bounded,
 * every queue is unique to its test, expires on its own and is deleted afterwards.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RabbitBrokerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AttributeKey<Boolean> TEMPORARY =
      AttributeKey.booleanKey("messaging.destination.temporary");
  private static final AttributeKey<Boolean> ANONYMOUS =
      AttributeKey.booleanKey("messaging.destination.anonymous");
  private static final String PARENT_TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final InMemoryTelemetry tracing =
      InMemoryTelemetry.create(TextMapPropagator.noop());
  private final AmqpTracing amqp = AmqpTracing.create(tracing.openTelemetry());
  private final List<Connection> connections = new ArrayList<>();
  private final List<String> queues = new ArrayList<>();
  private ConnectionFactory factory;
  private Channel admin;

  @BeforeEach
  void connect() throws IOException {
    factory = Broker.factory();
    admin = open(factory, "admin").createChannel();
  }

  @AfterEach
  void cleanUp() {
    for (String q : queues) {
      try {
        admin.queueDelete(q);
      } catch (Exception e) {
        // already gone with its connection
      }
    }
    for (Connection c : connections) {
      try {
        c.abort(5_000);
      } catch (Exception e) {
        // best effort
      }
    }
    tracing.close();
  }

  @Test
  void publishConsumePublishGetIsOneTraceWithExactParentsAndAttributes() throws Exception {
    Connection connection = amqp.wrap(open(factory, "chain"));
    String first = queue();
    String second = queue();
    Channel producer = connection.createChannel();
    Channel consumer = connection.createChannel();
    Channel poller = connection.createChannel();
    CountDownLatch forwarded = new CountDownLatch(1);
    List<Context> inCallback = new ArrayList<>();
    consumer.basicConsume(first, false, (tag, d) -> {
      inCallback.add(Context.current());
      consumer.basicPublish("", second, props("m2", "c1"), "to-second".getBytes(StandardCharsets.UTF_8));
      consumer.basicAck(d.getEnvelope().getDeliveryTag(), false);
      forwarded.countDown();
    }, tag -> {});

    Span checkout = tracing.openTelemetry().getTracer("test").spanBuilder("checkout").startSpan();
    try (Scope ignored = checkout.makeCurrent()) {
      producer.basicPublish("", first, props("m1", "c1"), "to-first".getBytes(StandardCharsets.UTF_8));
    } finally {
      checkout.end();
    }
    assertThat(forwarded.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("first delivery").isTrue();
    GetResponse response = pollFor(poller, second);
    List<Context> inProcessing = new ArrayList<>();
    amqp.process(response, r -> {
      inProcessing.add(Context.current());
      poller.basicAck(r.getEnvelope().getDeliveryTag(), false);
    });
    assertThat(Context.current()).isSameAs(Context.root());

    SpanData publish1 = only("publish amq.default", SpanKind.PRODUCER, "m1");
    SpanData process1 = tracing.awaitSpans("process " + first, SpanKind.CONSUMER, 1, WAIT).get(0);
    SpanData publish2 = only("publish amq.default", SpanKind.PRODUCER, "m2");
    // pollFor may have polled the queue empty first: the get span that took the message.
    SpanData get = only("get " + second, SpanKind.CLIENT, "m2");
    SpanData process2 = tracing.awaitSpans("process " + second, SpanKind.CONSUMER, 1, WAIT).get(0);
    String traceId = checkout.getSpanContext().getTraceId();

    assertThat(publish1.getTraceId()).isEqualTo(traceId);
    assertThat(publish1.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
    assertThat(process1.getTraceId()).isEqualTo(traceId);
    assertThat(process1.getParentSpanId()).isEqualTo(publish1.getSpanId());
    assertThat(publish2.getTraceId()).isEqualTo(traceId);
    assertThat(publish2.getParentSpanId()).isEqualTo(process1.getSpanId());
    assertThat(process2.getTraceId()).isEqualTo(traceId);
    assertThat(process2.getParentSpanId()).isEqualTo(publish2.getSpanId());
    // The poll itself belongs to the poller (here: no trace), linked to the message.
    assertThat(get.getParentSpanContext().isValid()).isFalse();
    assertThat(get.getLinks()).extracting(l -> l.getSpanContext().getSpanId())
        .containsExactly(publish2.getSpanId());
    assertThat(Span.fromContext(inCallback.get(0)).getSpanContext())
        .isEqualTo(process1.getSpanContext());
    assertThat(Span.fromContext(inProcessing.get(0)).getSpanContext())
        .isEqualTo(process2.getSpanContext());

    Map<AttributeKey<?>, Object> server = Map.of(
        SERVER_ADDRESS, factory.getHost(), SERVER_PORT, (long) factory.getPort());
    assertThat(publish1.getAttributes().asMap()).isEqualTo(with(server, Map.of(
        MESSAGING_SYSTEM, "rabbitmq",
        MESSAGING_OPERATION_TYPE, "send",
        MESSAGING_OPERATION_NAME, "publish",
        MESSAGING_DESTINATION_NAME, first,
        MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, first,
        MESSAGING_MESSAGE_ID, "m1",
        MESSAGING_MESSAGE_CONVERSATION_ID, "c1",
        MESSAGING_MESSAGE_BODY_SIZE, 8L)));
    assertThat(process1.getAttributes().asMap()).isEqualTo(with(server, Map.of(
        MESSAGING_SYSTEM, "rabbitmq",
        MESSAGING_OPERATION_TYPE, "process",
        MESSAGING_OPERATION_NAME, "process",
        MESSAGING_DESTINATION_NAME, first,
        MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, first,
        MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 1L,
        MESSAGING_MESSAGE_ID, "m1",
        MESSAGING_MESSAGE_CONVERSATION_ID, "c1",
        MESSAGING_MESSAGE_BODY_SIZE, 8L)));
    assertThat(get.getAttributes().asMap()).isEqualTo(with(server, Map.of(
        MESSAGING_SYSTEM, "rabbitmq",
        MESSAGING_OPERATION_TYPE, "receive",
        MESSAGING_OPERATION_NAME, "get",
        MESSAGING_DESTINATION_NAME, second,
        MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, second,
        MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 1L,
        MESSAGING_MESSAGE_ID, "m2",
        MESSAGING_MESSAGE_CONVERSATION_ID, "c1",
        MESSAGING_MESSAGE_BODY_SIZE, 9L)));
    assertThat(process2.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(second);
    assertThat(process2.getAttributes().get(SERVER_ADDRESS)).isEqualTo(factory.getHost());
  }

  @Test
  void aThrowingCallbackLeavesItsMessageUnackedAndItIsRedelivered() throws Exception {
    Connection connection = amqp.wrap(open(factory, "throwing"));
    String q = queue();
    Channel failing = connection.createChannel();
    CountDownLatch failed = new CountDownLatch(1);
    IllegalStateException boom = new IllegalStateException("cannot process");
    failing.basicConsume(q, false, (tag, d) -> {
      failed.countDown();
      throw boom;
    }, tag -> {});

    Channel producer = connection.createChannel();
    producer.basicPublish("", q, props("once", null), "work".getBytes(StandardCharsets.UTF_8));
    assertThat(failed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("first delivery").isTrue();

    // amqp-client's default exception handler closes the failing channel: the message, never
    // acked, goes back to the queue and reaches the next consumer.
    BlockingQueue<Delivery> redelivered = new LinkedBlockingQueue<>();
    Channel healthy = connection.createChannel();
    healthy.basicConsume(q, false, (tag, d) -> {
      redelivered.add(d);
      healthy.basicAck(d.getEnvelope().getDeliveryTag(), false);
    }, tag -> {});
    Delivery again = redelivered.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(again).as("redelivery").isNotNull();
    assertThat(again.getEnvelope().isRedeliver()).isTrue();
    assertThat(new String(again.getBody(), StandardCharsets.UTF_8)).isEqualTo("work");

    SpanData publish = only("publish amq.default", SpanKind.PRODUCER, "once");
    List<SpanData> processes = awaitNamed("process " + q, SpanKind.CONSUMER, 2);
    SpanData failedSpan = processes.get(0);
    assertThat(failedSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failedSpan.getAttributes().get(ERROR_TYPE))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(failedSpan.getEvents()).extracting("name").containsExactly("exception");
    SpanData okSpan = processes.get(1);
    assertThat(okSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    for (SpanData s : processes) {
      assertThat(s.getParentSpanId()).isEqualTo(publish.getSpanId());
    }
    awaitEmpty(q);
  }

  /** A 100 kB header: over Baton's 8 KiB cap, under the client's 128 KiB frame. */
  @Test
  void messagesWithoutContextOrWithBadHeadersAreAllConsumed() throws Exception {
    String q = queue();
    Channel plain = open(factory, "plain").createChannel(); // never wrapped
    plain.basicPublish("", q, null, "no-headers".getBytes(StandardCharsets.UTF_8));
    plain.basicPublish("", q, headers("garbage", "traceparent", "00-zz-not-a-trace\u00e9"),
        "garbage".getBytes(StandardCharsets.UTF_8));
    plain.basicPublish("", q, headers("bytes", "traceparent",
            PARENT_TRACEPARENT.getBytes(StandardCharsets.US_ASCII)),
        "bytes".getBytes(StandardCharsets.UTF_8));
    plain.basicPublish("", q, headers("number", "traceparent", 42),
        "number".getBytes(StandardCharsets.UTF_8));
    plain.basicPublish("", q, headers("null", "traceparent", null),
        "null".getBytes(StandardCharsets.UTF_8));
    plain.basicPublish("", q, headers("huge", "traceparent", "x".repeat(100_000)),
        "huge".getBytes(StandardCharsets.UTF_8));

    Channel traced = amqp.wrap(open(factory, "consumer").createChannel());
    BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    traced.basicConsume(q, true, (tag, d) -> bodies.add(new String(d.getBody(),
        StandardCharsets.UTF_8)), tag -> {});
    List<String> received = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String body = bodies.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(body).as("delivery %s of 6, got %s", i + 1, received).isNotNull();
      received.add(body);
    }
    assertThat(received).containsExactly("no-headers", "garbage", "bytes", "number", "null", "huge");

    List<SpanData> spans = awaitNamed("process " + q, SpanKind.CONSUMER, 6);
    for (SpanData s : spans) {
      String id = s.getAttributes().get(MESSAGING_MESSAGE_ID);
      if ("bytes".equals(id)) {
        assertThat(s.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(s.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
      } else {
        assertThat(s.getParentSpanContext().isValid()).as("message %s", id).isFalse();
      }
    }
  }

  @Test
  void aRecoveringConnectionKeepsTracingAfterTheBrokerClosesIt() throws Exception {
    ConnectionFactory recovering = Broker.factory();
    recovering.setAutomaticRecoveryEnabled(true);
    recovering.setTopologyRecoveryEnabled(true);
    Connection connection = amqp.wrap(open(recovering, "recovering"));
    assertThat(connection).isInstanceOf(RecoverableConnection.class);
    String q = queue();
    Channel channel = connection.createChannel();
    assertThat(channel).isInstanceOf(Recoverable.class);
    BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
    channel.basicConsume(q, true, (tag, d) -> bodies.add(new String(d.getBody(),
        StandardCharsets.UTF_8)), tag -> {});
    channel.basicPublish("", q, props("before", null), "before".getBytes(StandardCharsets.UTF_8));
    assertThat(bodies.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("before");

    CountDownLatch recovered = new CountDownLatch(1);
    ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
      @Override
      public void handleRecovery(Recoverable recoverable) {
        recovered.countDown();
      }

      @Override
      public void handleRecoveryStarted(Recoverable recoverable) {}
    });
    String how = Broker.forceClose(
        ((TracingConnection) Proxy.getInvocationHandler(connection)).wrapped());
    System.out.println("RabbitBrokerTest: connection closed by " + how);
    assertThat(recovered.await(30, TimeUnit.SECONDS)).as("recovery after " + how).isTrue();

    channel.basicPublish("", q, props("after", null), "after".getBytes(StandardCharsets.UTF_8));
    assertThat(bodies.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("after " + how)
        .isEqualTo("after");

    SpanData publish = only("publish amq.default", SpanKind.PRODUCER, "after");
    SpanData process = null;
    for (SpanData s : awaitNamed("process " + q, SpanKind.CONSUMER, 2)) {
      if ("after".equals(s.getAttributes().get(MESSAGING_MESSAGE_ID))) {
        process = s;
      }
    }
    assertThat(process).as("process span after recovery").isNotNull();
    assertThat(process.getParentSpanId()).isEqualTo(publish.getSpanId());
    assertThat(process.getTraceId()).isEqualTo(publish.getTraceId());
  }

  @Test
  void publishSpansEndOnTheBrokersConfirm() throws Exception {
    AmqpTracing confirming = AmqpTracing.builder(tracing.openTelemetry()).endPublishOnConfirm(true).build();
    Channel channel = confirming.wrap(open(factory, "confirms").createChannel());
    String q = queue();
    channel.confirmSelect();
    for (int i = 0; i < 5; i++) {
      channel.basicPublish("", q, props("c" + i, null), new byte[] {(byte) i});
    }
    channel.waitForConfirmsOrDie(WAIT.toMillis());
    List<SpanData> spans = awaitNamed("publish amq.default", SpanKind.PRODUCER, 5);
    for (SpanData s : spans) {
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
    assertThat(((TracingChannel) channel).pendingConfirms().size()).isZero();

    // To an exchange that does not exist the broker closes the channel: the waiting span ends.
    channel.basicPublish("no-such-exchange-" + q, "k", props("lost", null), new byte[0]);
    SpanData lost = tracing.awaitSpans("publish no-such-exchange-" + q, SpanKind.PRODUCER, 1, WAIT).get(0);
    assertThat(lost.getAttributes().get(ERROR_TYPE)).isEqualTo("channel_closed");
  }

  @Test
  void anExchangeAndRoutingKeyNameTheDestination() throws Exception {
    String exchange = Broker.unique("ex");
    admin.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, false, true, null);
    String q = queue();
    admin.queueBind(q, exchange, "created");
    Channel channel = amqp.wrap(open(factory, "exchange").createChannel());
    CountDownLatch got = new CountDownLatch(1);
    channel.basicConsume(q, true, (tag, d) -> got.countDown(), tag -> {});
    channel.basicPublish(exchange, "created", null, new byte[0]);
    assertThat(got.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    SpanData publish = tracing.awaitSpans("publish " + exchange, SpanKind.PRODUCER, 1, WAIT).get(0);
    SpanData process = tracing.awaitSpans("process " + q, SpanKind.CONSUMER, 1, WAIT).get(0);
    assertThat(publish.getAttributes().get(MESSAGING_DESTINATION_NAME))
        .isEqualTo(exchange + ":created");
    assertThat(process.getAttributes().get(MESSAGING_DESTINATION_NAME))
        .isEqualTo(exchange + ":created:" + q);
    assertThat(process.getParentSpanId()).isEqualTo(publish.getSpanId());
  }

  /**
   * Request/reply over a server-named reply queue and over direct reply-to: no generated name
   * reaches a span name, and the spans flag the destinations as the conventions say.
   */
  @Test
  void serverNamedAndDirectReplyToQueuesStayOutOfSpanNames() throws Exception {
    AmqpTracing settling = AmqpTracing.builder(tracing.openTelemetry()).settleSpans(true).build();
    Connection connection = settling.wrap(open(factory, "rpc"));
    String requests = queue();
    Channel server = connection.createChannel();
    server.basicConsume(requests, false, (tag, d) -> {
      AMQP.BasicProperties reply = new AMQP.BasicProperties.Builder()
          .messageId("reply-" + d.getProperties().getMessageId())
          .correlationId(d.getProperties().getCorrelationId())
          .build();
      server.basicPublish("", d.getProperties().getReplyTo(), reply, d.getBody());
      server.basicAck(d.getEnvelope().getDeliveryTag(), false);
    }, tag -> {});

    BlockingQueue<Delivery> replies = new LinkedBlockingQueue<>();
    Channel client = connection.createChannel();
    String replyQueue = client.queueDeclare().getQueue();
    assertThat(replyQueue).startsWith("amq.gen-");
    client.basicConsume(replyQueue, false, (tag, d) -> {
      replies.add(d);
      client.basicAck(d.getEnvelope().getDeliveryTag(), false);
    }, tag -> {});
    Channel direct = connection.createChannel();
    direct.basicConsume("amq.rabbitmq.reply-to", true, (tag, d) -> replies.add(d), tag -> {});

    client.basicPublish("", requests, request("r1", replyQueue), new byte[] {1});
    direct.basicPublish("", requests, request("r2", "amq.rabbitmq.reply-to"), new byte[] {2});
    for (int i = 0; i < 2; i++) {
      assertThat(replies.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("reply %s", i + 1).isNotNull();
    }

    SpanData reply1 = only("publish amq.default", SpanKind.PRODUCER, "reply-r1");
    SpanData reply2 = only("publish amq.default", SpanKind.PRODUCER, "reply-r2");
    SpanData process1 = only("process", SpanKind.CONSUMER, "reply-r1");
    SpanData process2 = only("process", SpanKind.CONSUMER, "reply-r2");
    SpanData ack1 = tracing.awaitSpans("ack", SpanKind.CLIENT, 1, WAIT).get(0);
    assertThat(reply1.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(replyQueue);
    assertThat(reply1.getAttributes().get(TEMPORARY)).isTrue();
    assertThat(reply1.getAttributes().get(ANONYMOUS)).isTrue();
    String directKey = reply2.getAttributes().get(MESSAGING_DESTINATION_NAME);
    assertThat(directKey).startsWith("amq.rabbitmq.reply-to.");
    assertThat(reply2.getAttributes().get(TEMPORARY)).isTrue();
    assertThat(reply2.getAttributes().get(ANONYMOUS)).isTrue();
    assertThat(process1.getParentSpanId()).isEqualTo(reply1.getSpanId());
    assertThat(process1.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(replyQueue);
    assertThat(process1.getAttributes().get(TEMPORARY)).isTrue();
    assertThat(process1.getAttributes().get(ANONYMOUS)).isTrue();
    assertThat(process2.getParentSpanId()).isEqualTo(reply2.getSpanId());
    assertThat(process2.getAttributes().get(MESSAGING_DESTINATION_NAME))
        .isEqualTo(directKey + ":amq.rabbitmq.reply-to");
    assertThat(process2.getAttributes().get(TEMPORARY)).isTrue();
    assertThat(ack1.getParentSpanId()).isEqualTo(process1.getSpanId());
    assertThat(ack1.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(replyQueue);
    // The request side keeps its named queue in every span name.
    assertThat(tracing.awaitSpans("ack " + requests, SpanKind.CLIENT, 1, WAIT).get(0)
        .getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(requests);
    assertThat(awaitNamed("process " + requests, SpanKind.CONSUMER, 2)).hasSize(2);
    for (SpanData s : tracing.spans()) {
      assertThat(s.getName()).doesNotContain("amq.gen-").doesNotContain("amq.rabbitmq.reply-to");
    }
  }

  /** Another library wrote {@code Traceparent}: the message leaves with Baton's header only. */
  @Test
  void aRepublishedMessageCarriesOneTraceparentWhateverTheCasingOfTheOldOnes() throws Exception {
    String q = queue();
    Channel traced = amqp.wrap(open(factory, "casing").createChannel());
    Map<String, Object> old = new HashMap<>();
    old.put("Traceparent", PARENT_TRACEPARENT);
    old.put("TRACEPARENT", PARENT_TRACEPARENT);
    old.put("TraceState", "congo=t61rcWkgMzE");
    old.put("tenant", "acme");
    traced.basicPublish("", q,
        new AMQP.BasicProperties.Builder().messageId("recased").headers(old).build(), new byte[0]);

    Channel plain = open(factory, "casing-reader").createChannel(); // never wrapped
    GetResponse got = pollFor(plain, q);
    SpanData publish = only("publish amq.default", SpanKind.PRODUCER, "recased");
    Map<String, Object> headers = got.getProps().getHeaders();
    assertThat(headers).containsOnlyKeys("traceparent", "tenant");
    assertThat(headers.get("traceparent").toString())
        .startsWith("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-");
  }

  @Test
  void settleSpansCarryTheQueuesDestinationAndCountOnlyBatches() throws Exception {
    AmqpTracing settling = AmqpTracing.builder(tracing.openTelemetry()).settleSpans(true).build();
    Channel channel = settling.wrap(open(factory, "settle").createChannel());
    String q = queue();
    for (int i = 1; i <= 3; i++) {
      channel.basicPublish("", q, props("s" + i, null), new byte[] {(byte) i});
    }
    BlockingQueue<Long> tags = new LinkedBlockingQueue<>();
    channel.basicConsume(q, false, (tag, d) -> tags.add(d.getEnvelope().getDeliveryTag()),
        tag -> {});
    List<Long> delivered = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Long tag = tags.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(tag).as("delivery %s", i + 1).isNotNull();
      delivered.add(tag);
    }

    // From this thread, not the callback: Baton still knows which messages these are.
    channel.basicAck(delivered.get(0), false);
    channel.basicAck(delivered.get(2), true);
    awaitEmpty(q);

    List<SpanData> acks = awaitNamed("ack " + q, SpanKind.CLIENT, 2);
    SpanData single = acks.get(0);
    SpanData batch = acks.get(1);
    assertThat(single.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(q);
    assertThat(single.getAttributes().get(MESSAGING_MESSAGE_ID)).isEqualTo("s1");
    assertThat(single.getAttributes().get(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG))
        .isEqualTo(delivered.get(0));
    assertThat(single.getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isNull();
    assertThat(batch.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(q);
    assertThat(batch.getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isEqualTo(2L);
    assertThat(batch.getAttributes().get(MESSAGING_MESSAGE_ID)).isNull();
    assertThat(batch.getAttributes().get(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG))
        .isEqualTo(delivered.get(2));
    for (SpanData s : awaitNamed("process " + q, SpanKind.CONSUMER, 3)) {
      assertThat(s.getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isNull();
    }
  }

  // ---- helpers ----

  private Connection open(ConnectionFactory f, String name) {
    Connection c = Broker.connect(f, Broker.unique(name));
    connections.add(c);
    return c;
  }

  /** A unique durable-enough queue: it expires by itself if a run dies before cleanup. */
  private String queue() throws IOException {
    String q = Broker.unique("q");
    admin.queueDeclare(q, false, false, false, Map.of("x-expires", 120_000));
    queues.add(q);
    return q;
  }

  private GetResponse pollFor(Channel channel, String q) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      GetResponse r = channel.basicGet(q, false);
      if (r != null) {
        return r;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no message on " + q + " within " + WAIT);
  }

  private void awaitEmpty(String q) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long count = -1;
    while (System.nanoTime() < deadline) {
      count = admin.queueDeclarePassive(q).getMessageCount();
      if (count == 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(q + " still holds " + count + " messages");
  }

  private SpanData only(String name, SpanKind kind, String messageId) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (SpanData s : tracing.spans(name, kind)) {
        if (messageId.equals(s.getAttributes().get(MESSAGING_MESSAGE_ID))) {
          return s;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + name + " span for " + messageId + ": " + tracing.spans());
  }

  private List<SpanData> awaitNamed(String name, SpanKind kind, int count) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<SpanData> spans = tracing.spans(name, kind);
    while (spans.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
      spans = tracing.spans(name, kind);
    }
    assertThat(spans).as("%s spans '%s'", kind, name).hasSize(count);
    return spans;
  }

  private static AMQP.BasicProperties props(String messageId, String correlationId) {
    return new AMQP.BasicProperties.Builder()
        .messageId(messageId)
        .correlationId(correlationId)
        .build();
  }

  private static AMQP.BasicProperties request(String messageId, String replyTo) {
    return new AMQP.BasicProperties.Builder()
        .messageId(messageId)
        .correlationId(messageId)
        .replyTo(replyTo)
        .build();
  }

  private static AMQP.BasicProperties headers(String messageId, String key, Object value) {
    Map<String, Object> h = new HashMap<>();
    h.put(key, value);
    return new AMQP.BasicProperties.Builder().messageId(messageId).headers(h).build();
  }

  private static Map<AttributeKey<?>, Object> with(
      Map<AttributeKey<?>, Object> a, Map<AttributeKey<?>, Object> b) {
    Map<AttributeKey<?>, Object> all = new HashMap<>(a);
    all.putAll(b);
    return all;
  }
}
