package dev.baton.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.internal.SemConv;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.kafka.KafkaTracing;
import dev.baton.kafka.TracingProducerInterceptor;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Baton's producer interceptor behind a wrapper that forwards only
 * {@code onAcknowledgement(RecordMetadata, Exception)}, as Spring's
 * {@code CompositeProducerInterceptor} and {@code KafkaTemplate}'s interceptor hook do, on a real
 * broker. No span waits for an answer that cannot reach it: after {@code flush()}, before
 * {@code close()}, every send span has ended, none marked {@code ack_missing}.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaTwoArgumentAckIT {

  /** kafka-clients 4.1 added onAcknowledgement(metadata, exception, headers). */
  static final boolean HAS_THREE_ARGUMENT_ACK = KafkaClientsVersion.atLeast(4, 1);
  static final AttributeKey<Boolean> ACK_MISSING = AttributeKey.booleanKey("baton.kafka.ack_missing");

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing tracing = KafkaTracing.create(spans.openTelemetry());

  @AfterEach
  void noScopeLeaked() {
    assertThat(Context.current()).isSameAs(Context.root());
  }

  /**
   * A composite interceptor written against the two-argument callback only: on kafka-clients
   * 4.1+ the producer calls its inherited three-argument default, which calls the two-argument
   * one, which forwards without the headers.
   */
  public static final class ForwardsTwoArgumentAcks implements ProducerInterceptor<Object, Object> {
    private final TracingProducerInterceptor delegate = new TracingProducerInterceptor();

    @Override
    public void configure(Map<String, ?> configs) {
      delegate.configure(configs);
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
      return delegate.onSend(record);
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
      delegate.onAcknowledgement(metadata, exception);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  Map<String, Object> behindTheWrapper() {
    Map<String, Object> config = new HashMap<>(tracing.producerProperties());
    config.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, ForwardsTwoArgumentAcks.class.getName());
    return config;
  }

  @Test
  void everySpanHasEndedAfterFlushAndTheFirstCarriesItsAnswer(KafkaBroker kafka) throws Exception {
    String orders = "orders-" + UUID.randomUUID();
    kafka.createTopic(orders, 3);
    int async = 50;
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, behindTheWrapper())) {
      RecordMetadata first =
          producer.send(new ProducerRecord<>(orders, "order-0", "{\"n\":0}")).get(30, TimeUnit.SECONDS);
      for (int i = 1; i <= async; i++) {
        producer.send(new ProducerRecord<>(orders, "order-" + i, "{\"n\":" + i + "}"));
      }
      producer.flush();

      // before close(): nothing is left waiting for an answer
      List<SpanData> sends = spans.spans("send " + orders, SpanKind.PRODUCER);
      assertThat(sends).hasSize(async + 1);
      for (SpanData send : sends) {
        assertThat(send.getAttributes().get(ACK_MISSING)).isNull();
        assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo(orders);
        assertThat(send.getAttributes().get(SemConv.MESSAGING_CLIENT_ID)).startsWith("producer-");
      }
      SpanData firstSend = sends.get(0);
      if (HAS_THREE_ARGUMENT_ACK) {
        // the only record in flight when the first answer came: that answer is certainly its own
        assertThat(firstSend.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(first.offset());
        assertThat(firstSend.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID))
            .isEqualTo(Integer.toString(first.partition()));
        assertThat(firstSend.getAttributes().get(SemConv.MESSAGING_MESSAGE_BODY_SIZE)).isEqualTo(7L);
      } else {
        assertThat(firstSend.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
      }
      // the later ones ended in onSend: no offset, never another record's
      for (SpanData send : sends.subList(1, sends.size())) {
        assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isNull();
      }
    }
    assertThat(spans.spans("send " + orders, SpanKind.PRODUCER)).hasSize(async + 1);
  }

  @Test
  void aFirstSendThatFailsEndsWithItsError(KafkaBroker kafka) throws Exception {
    String orders = "orders-" + UUID.randomUUID();
    kafka.createTopic(orders, 1);
    Map<String, Object> config = behindTheWrapper();
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024);
    try (KafkaProducer<String, String> producer = KafkaClients.stringProducer(kafka, config)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(orders, "x".repeat(10_000))).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(RecordTooLargeException.class);
      producer.send(new ProducerRecord<>(orders, "small")).get(30, TimeUnit.SECONDS);
      producer.flush();
      List<SpanData> sends = spans.spans("send " + orders, SpanKind.PRODUCER);
      assertThat(sends).hasSize(2);
      assertThat(sends).allMatch(s -> s.getAttributes().get(ACK_MISSING) == null);
      if (HAS_THREE_ARGUMENT_ACK) {
        assertThat(sends.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(sends.get(0).getAttributes().get(SemConv.ERROR_TYPE))
            .isEqualTo(RecordTooLargeException.class.getName());
      }
      assertThat(sends.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
  }

  @Test
  void registeredDirectlyTheSpansStillEndOnTheirOwnAnswer(KafkaBroker kafka) throws Exception {
    String orders = "orders-" + UUID.randomUUID();
    kafka.createTopic(orders, 3);
    try (KafkaProducer<String, String> producer =
        KafkaClients.stringProducer(kafka, tracing.producerProperties())) {
      for (int i = 0; i < 20; i++) {
        producer.send(new ProducerRecord<>(orders, "order-" + i, "v" + i));
      }
      producer.flush();
      List<SpanData> sends = spans.spans("send " + orders, SpanKind.PRODUCER);
      assertThat(sends).hasSize(20);
      if (HAS_THREE_ARGUMENT_ACK) {
        assertThat(sends).allMatch(s -> s.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET) != null);
      }
      assertThat(sends).allMatch(s -> s.getAttributes().get(ACK_MISSING) == null);
    }
  }
}
