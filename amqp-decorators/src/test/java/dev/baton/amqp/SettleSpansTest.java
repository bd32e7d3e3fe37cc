package dev.baton.amqp;

import static dev.baton.core.internal.SemConv.MESSAGING_BATCH_MESSAGE_COUNT;
import static dev.baton.core.internal.SemConv.MESSAGING_DESTINATION_NAME;
import static dev.baton.core.internal.SemConv.MESSAGING_MESSAGE_CONVERSATION_ID;
import static dev.baton.core.internal.SemConv.MESSAGING_MESSAGE_ID;
import static dev.baton.core.internal.SemConv.MESSAGING_OPERATION_NAME;
import static dev.baton.core.internal.SemConv.MESSAGING_OPERATION_TYPE;
import static dev.baton.core.internal.SemConv.MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG;
import static dev.baton.core.internal.SemConv.MESSAGING_SYSTEM;
import static dev.baton.core.internal.SemConv.SERVER_ADDRESS;
import static dev.baton.core.internal.SemConv.SERVER_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Settle spans (semantic conventions v1.44, RabbitMQ settle span): the destination of the message
 * settled, whichever thread acks it, and {@code messaging.batch.message_count} only on the batch
 * form ({@code multiple=true}).
 */
class SettleSpansTest {

  private final InMemoryTelemetry tracing =
      InMemoryTelemetry.create(TextMapPropagator.noop());
  private final FakeChannel fake = new FakeChannel();
  private final Channel channel =
      AmqpTracing.builder(tracing.openTelemetry()).settleSpans(true).build().wrap(fake.channel);

  @AfterEach
  void noScopeLeaks() {
    assertThat(Context.current()).isSameAs(Context.root());
    tracing.close();
  }

  @Test
  void aSingleSettleNamesItsMessagesQueueAndDestinationOnAnyThread() throws Exception {
    channel.basicConsume("billing", false, (tag, d) -> {}, tag -> {});
    Consumer billing = fake.consumer;
    deliver(billing, 1, "orders", "created", "m-1");
    deliver(billing, 2, "orders", "created", "m-2");

    channel.basicAck(1, false); // outside the callback, as a worker thread would
    channel.basicNack(2, false, true);
    channel.basicReject(77, false); // never delivered through Baton

    List<SpanData> settles = settles();
    assertThat(settles).extracting(SpanData::getName)
        .containsExactly("ack billing", "nack billing", "reject");
    assertThat(settles.get(0).getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(settles.get(0).getAttributes().asMap())
        .isEqualTo(
            Attributes.builder()
                .put(MESSAGING_SYSTEM, "rabbitmq")
                .put(MESSAGING_OPERATION_TYPE, "settle")
                .put(MESSAGING_OPERATION_NAME, "ack")
                .put(MESSAGING_DESTINATION_NAME, "orders:created:billing")
                .put(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 1L)
                .put(MESSAGING_MESSAGE_ID, "m-1")
                .put(MESSAGING_MESSAGE_CONVERSATION_ID, "conv")
                .put(SERVER_ADDRESS, "broker.test")
                .put(SERVER_PORT, 5671L)
                .build()
                .asMap());
    assertThat(settles.get(1).getAttributes().get(MESSAGING_MESSAGE_ID)).isEqualTo("m-2");
    assertThat(settles.get(1).getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isNull();
    assertThat(settles.get(2).getAttributes().asMap())
        .isEqualTo(
            Attributes.builder()
                .put(MESSAGING_SYSTEM, "rabbitmq")
                .put(MESSAGING_OPERATION_TYPE, "settle")
                .put(MESSAGING_OPERATION_NAME, "reject")
                .put(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 77L)
                .put(SERVER_ADDRESS, "broker.test")
                .put(SERVER_PORT, 5671L)
                .build()
                .asMap());
  }

  @Test
  void multipleIsABatchCountedOverTheMessagesItSettles() throws Exception {
    channel.basicConsume("billing", false, (tag, d) -> {}, tag -> {});
    Consumer billing = fake.consumer;
    for (long tag = 1; tag <= 5; tag++) {
      deliver(billing, tag, "orders", "created", "m-" + tag);
    }

    channel.basicAck(2, false);
    channel.basicAck(3, true); // 1 and 3: 2 is settled already
    channel.basicNack(5, true, false); // 4 and 5
    channel.basicAck(5, true); // nothing left

    List<SpanData> settles = settles();
    assertThat(settles).extracting(SpanData::getName)
        .containsExactly("ack billing", "ack billing", "nack billing", "ack");
    assertThat(settles.get(0).getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isNull();
    assertThat(settles.get(1).getAttributes().asMap())
        .isEqualTo(
            Attributes.builder()
                .put(MESSAGING_SYSTEM, "rabbitmq")
                .put(MESSAGING_OPERATION_TYPE, "settle")
                .put(MESSAGING_OPERATION_NAME, "ack")
                .put(MESSAGING_DESTINATION_NAME, "orders:created:billing")
                .put(MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG, 3L)
                .put(MESSAGING_BATCH_MESSAGE_COUNT, 2L)
                .put(SERVER_ADDRESS, "broker.test")
                .put(SERVER_PORT, 5671L)
                .build()
                .asMap());
    assertThat(settles.get(2).getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isEqualTo(2L);
    assertThat(settles.get(3).getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isEqualTo(0L);
    assertThat(settles.get(3).getAttributes().get(MESSAGING_DESTINATION_NAME)).isNull();
  }

  @Test
  void aBatchOverSeveralQueuesNamesNoDestinationAndTagZeroMeansEverything() throws Exception {
    channel.basicConsume("a", false, (tag, d) -> {}, tag -> {});
    Consumer a = fake.consumer;
    channel.basicConsume("b", false, (tag, d) -> {}, tag -> {});
    Consumer b = fake.consumer;
    channel.basicConsume("auto", true, (tag, d) -> {}, tag -> {});
    Consumer auto = fake.consumer;
    deliver(a, 1, "", "a", "m-1");
    deliver(auto, 2, "", "auto", "m-2"); // auto-acked: never settled by the application
    deliver(b, 3, "", "b", "m-3");
    deliver(a, 4, "", "a", "m-4");

    channel.basicAck(0, true);

    SpanData ack = settles().get(0);
    assertThat(ack.getName()).isEqualTo("ack");
    assertThat(ack.getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).isEqualTo(3L);
    assertThat(ack.getAttributes().get(MESSAGING_DESTINATION_NAME)).isNull();
  }

  @Test
  void aGetResultIsSettledWithItsQueueAndAnAutoAckedGetIsNotTracked() throws Exception {
    fake.getResponse =
        new GetResponse(new Envelope(1, false, "", "jobs"), props("job-1"), new byte[0], 0);
    channel.basicGet("jobs", false);
    fake.getResponse =
        new GetResponse(new Envelope(2, false, "", "jobs"), props("job-2"), new byte[0], 0);
    channel.basicGet("jobs", true);

    channel.basicAck(1, false);
    channel.basicAck(2, false); // already settled by the broker: unknown to Baton

    List<SpanData> settles = settles();
    assertThat(settles).extracting(SpanData::getName).containsExactly("ack jobs", "ack");
    assertThat(settles.get(0).getAttributes().get(MESSAGING_DESTINATION_NAME)).isEqualTo("jobs");
    assertThat(settles.get(0).getAttributes().get(MESSAGING_MESSAGE_ID)).isEqualTo("job-1");
  }

  @Test
  void aSingleMessagePublishOrDeliveryNeverCarriesABatchCount() throws Exception {
    channel.basicPublish("", "billing", props("p-1"), new byte[0]);
    channel.basicConsume("billing", true, (tag, d) -> {}, tag -> {});
    deliver(fake.consumer, 1, "", "billing", "m-1");
    fake.getResponse =
        new GetResponse(new Envelope(2, false, "", "billing"), props("g-1"), new byte[0], 0);
    channel.basicGet("billing", true);

    assertThat(tracing.spans()).hasSize(3);
    for (SpanData s : tracing.spans()) {
      assertThat(s.getAttributes().get(MESSAGING_BATCH_MESSAGE_COUNT)).as(s.getName()).isNull();
    }
  }

  private List<SpanData> settles() {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : tracing.spans()) {
      if ("settle".equals(s.getAttributes().get(MESSAGING_OPERATION_TYPE))) {
        out.add(s);
      }
    }
    return out;
  }

  private static void deliver(
      Consumer consumer, long tag, String exchange, String routingKey, String messageId)
      throws IOException {
    consumer.handleDelivery(
        "ctag", new Envelope(tag, false, exchange, routingKey), props(messageId), new byte[0]);
  }

  private static AMQP.BasicProperties props(String messageId) {
    return new AMQP.BasicProperties.Builder().messageId(messageId).correlationId("conv").build();
  }
}
