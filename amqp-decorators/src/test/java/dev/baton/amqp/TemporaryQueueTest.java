package dev.baton.amqp;

import static dev.baton.core.internal.SemConv.MESSAGING_DESTINATION_NAME;
import static dev.baton.core.internal.SemConv.MESSAGING_MESSAGE_BODY_SIZE;
import static dev.baton.core.internal.SemConv.MESSAGING_OPERATION_NAME;
import static dev.baton.core.internal.SemConv.MESSAGING_OPERATION_TYPE;
import static dev.baton.core.internal.SemConv.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY;
import static dev.baton.core.internal.SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG;
import static dev.baton.core.internal.SemConv.MESSAGING_SYSTEM;
import static dev.baton.core.internal.SemConv.SERVER_ADDRESS;
import static dev.baton.core.internal.SemConv.SERVER_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.baton.core.ProcessingScope;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Temporary and anonymous queues (semantic conventions v1.44): their generated names stay out of
 * span names, which then name only the operation, and the spans say why with
 * {@code messaging.destination.temporary} / {@code messaging.destination.anonymous}.
 */
class TemporaryQueueTest {

  static final AttributeKey<Boolean> TEMPORARY =
      AttributeKey.booleanKey("messaging.destination.temporary");
  static final AttributeKey<Boolean> ANONYMOUS =
      AttributeKey.booleanKey("messaging.destination.anonymous");

  static final String REPLY_TO_KEY = "amq.rabbitmq.reply-to.g1h2AA5yZXBseUA0MjQyNjk";

  private final InMemoryTelemetry tracing =
      InMemoryTelemetry.create(TextMapPropagator.noop());
  private final FakeChannel fake = new FakeChannel();
  private final AmqpTracing amqp = AmqpTracing.builder(tracing.openTelemetry()).settleSpans(true).build();
  private final Channel channel = amqp.wrap(fake.channel);

  @AfterEach
  void noScopeLeaks() {
    assertThat(Context.current()).isSameAs(Context.root());
    tracing.close();
  }

  @Test
  void consumingFromATemporaryOrAnonymousQueueNamesTheSpanAfterTheOperationOnly() throws Exception {
    String serverNamed = channel.queueDeclare().getQueue();
    assertThat(serverNamed).isEqualTo(FakeChannel.SERVER_NAMED);
    channel.queueDeclare("replies-exclusive", false, true, false, null);
    channel.queueDeclare("replies-auto-delete", false, false, true, null);
    channel.queueDeclare("orders", true, false, false, null);

    consumeOne(serverNamed, 1);
    consumeOne("replies-exclusive", 2);
    consumeOne("replies-auto-delete", 3);
    consumeOne("amq.gen-declaredElsewhere", 4);
    consumeOne("amq.rabbitmq.reply-to", 5);
    consumeOne("orders", 6);

    List<SpanData> spans = tracing.spans();
    assertThat(spans).extracting(SpanData::getName)
        .containsExactly("process", "process", "process", "process", "process", "process orders");
    assertFlags(spans.get(0), serverNamed, true, true);
    assertFlags(spans.get(1), "replies-exclusive", true, null);
    assertFlags(spans.get(2), "replies-auto-delete", true, null);
    // Only the broker makes amq.gen- names; whether such a queue is temporary is not known here.
    assertFlags(spans.get(3), "amq.gen-declaredElsewhere", null, true);
    // Direct reply-to: the routing key is the requester's generated reply address.
    assertFlags(spans.get(4), REPLY_TO_KEY + ":amq.rabbitmq.reply-to", true, true);
    assertFlags(spans.get(5), "orders", null, null);
    assertThat(spans.get(0).getAttributes().asMap())
        .isEqualTo(
            Attributes.builder()
                .put(MESSAGING_SYSTEM, "rabbitmq")
                .put(MESSAGING_OPERATION_TYPE, "process")
                .put(MESSAGING_OPERATION_NAME, "process")
                .put(MESSAGING_DESTINATION_NAME, serverNamed)
                .put(TEMPORARY, true)
                .put(ANONYMOUS, true)
                .put(SERVER_ADDRESS, "broker.test")
                .put(SERVER_PORT, 5671L)
                .put(MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, serverNamed)
                .put(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 1L)
                .put(MESSAGING_MESSAGE_BODY_SIZE, 2L)
                .build()
                .asMap());
  }

  @Test
  void aDurableQueueTheBrokerNamedIsAnonymousButNotTemporary() throws Exception {
    String q = channel.queueDeclare("", true, false, false, null).getQueue();
    assertThat(q).isEqualTo(FakeChannel.SERVER_NAMED);
    consumeOne(q, 1);
    SpanData process = tracing.spans().get(0);
    assertThat(process.getName()).isEqualTo("process");
    assertFlags(process, q, null, true);
  }

  @Test
  void getProcessAndSettleOnAServerNamedQueueLeaveItsNameOutOfTheSpanNames() throws Exception {
    String q = channel.queueDeclare().getQueue();
    fake.getResponse =
        new GetResponse(new Envelope(9, false, "", q), new AMQP.BasicProperties(), new byte[1], 0);

    GetResponse response = channel.basicGet(q, false);
    try (ProcessingScope ignored = amqp.startProcessing(response)) {
      channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
    }

    List<SpanData> spans = tracing.spans();
    assertThat(spans).extracting(SpanData::getName).containsExactly("get", "ack", "process");
    assertFlags(spans.get(0), q, true, true);
    assertThat(spans.get(0).getKind()).isEqualTo(SpanKind.CLIENT);
    assertFlags(spans.get(2), q, true, true);
    // Settle spans have no temporary/anonymous attributes in the conventions; the name is enough.
    SpanData ack = spans.get(1);
    assertThat(ack.getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo(q);
    assertThat(ack.getAttributes().get(TEMPORARY)).isNull();
    assertThat(ack.getParentSpanId()).isEqualTo(spans.get(2).getSpanId());
  }

  @Test
  void publishingThroughTheDefaultExchangeToATemporaryQueueFlagsTheDestination() throws Exception {
    String serverNamed = channel.queueDeclare().getQueue();
    channel.queueDeclare("replies-exclusive", false, true, false, null);

    channel.basicPublish("", serverNamed, null, new byte[0]);
    channel.basicPublish("", "replies-exclusive", null, new byte[0]);
    channel.basicPublish("", REPLY_TO_KEY, null, new byte[0]);
    channel.basicPublish("", "amq.gen-fromAnotherProcess", null, new byte[0]);
    channel.basicPublish("replies", "amq.gen-fromAnotherProcess", null, new byte[0]);
    channel.basicPublish("", "orders", null, new byte[0]);

    List<SpanData> spans = tracing.spans();
    // The span names the exchange, which is not temporary: the default one stays in the name.
    assertThat(spans).extracting(SpanData::getName)
        .containsExactly("publish amq.default", "publish amq.default", "publish amq.default",
            "publish amq.default", "publish replies", "publish amq.default");
    assertFlags(spans.get(0), serverNamed, true, true);
    assertFlags(spans.get(1), "replies-exclusive", true, null);
    assertFlags(spans.get(2), REPLY_TO_KEY, true, true);
    assertFlags(spans.get(3), "amq.gen-fromAnotherProcess", null, true);
    // Through a named exchange the routing key is only a key: the destination is the exchange.
    assertFlags(spans.get(4), "replies:amq.gen-fromAnotherProcess", null, null);
    assertFlags(spans.get(5), "orders", null, null);
  }

  @Test
  void aDeletedQueueIsForgottenAndADurableRedeclarationIsNotTemporary() throws Exception {
    channel.queueDeclare("scratch", false, true, false, null);
    channel.queueDelete("scratch");
    consumeOne("scratch", 1);
    channel.queueDeclare("work", false, false, true, null);
    channel.queueDeleteNoWait("work", false, false);
    channel.queueDeclare("work", true, false, false, null);
    consumeOne("work", 2);
    channel.queueDeclareNoWait("nowait-exclusive", false, true, false, null);
    consumeOne("nowait-exclusive", 3);

    assertThat(tracing.spans()).extracting(SpanData::getName)
        .containsExactly("process scratch", "process work", "process");
  }

  @Test
  void aTracingWithoutSettleSpansStillKnowsItsTemporaryQueues() throws Exception {
    Channel plain = AmqpTracing.create(tracing.openTelemetry()).wrap(fake.channel);
    String q = plain.queueDeclare().getQueue();
    plain.basicConsume(q, true, (tag, d) -> {}, tag -> {});
    fake.consumer.handleDelivery("ctag", new Envelope(1, false, "", q), null, new byte[0]);
    assertThat(tracing.spans()).extracting(SpanData::getName).containsExactly("process");
  }

  private void consumeOne(String queue, long tag) throws IOException {
    channel.basicConsume(queue, true, (t, d) -> {}, t -> {});
    String routingKey = queue.equals("amq.rabbitmq.reply-to") ? REPLY_TO_KEY : queue;
    fake.consumer.handleDelivery(
        "ctag", new Envelope(tag, false, "", routingKey), null, new byte[] {1, 2});
  }

  private static void assertFlags(
      SpanData span, String destination, Boolean temporary, Boolean anonymous) {
    assertThat(span.getAttributes().get(MESSAGING_DESTINATION_NAME)).as(span.getName())
        .isEqualTo(destination);
    assertThat(span.getAttributes().get(TEMPORARY)).as("temporary " + destination)
        .isEqualTo(temporary);
    assertThat(span.getAttributes().get(ANONYMOUS)).as("anonymous " + destination)
        .isEqualTo(anonymous);
  }
}
