package dev.baton.kafka;

import static dev.baton.kafka.KafkaTestSupport.consumed;
import static dev.baton.kafka.KafkaTestSupport.headers;
import static dev.baton.kafka.KafkaTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code KafkaTracing.wrap(Producer)} and {@code wrap(Consumer)}, on kafka-clients' mocks. */
class WrapTest {

  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String PRODUCER_SPAN = "b7ad6b7169203331";
  static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

  final InMemoryTelemetry otel = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing tracing = KafkaTracing.create(otel.openTelemetry());

  @AfterEach
  void noScopeLeft() {
    assertThat(Context.current()).isSameAs(Context.root());
  }

  MockProducer<String, String> mockProducer() {
    return new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
  }

  List<SpanData> spans(SpanKind kind) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : otel.spans()) {
      if (s.getKind() == kind) {
        out.add(s);
      }
    }
    return out;
  }

  @Test
  void aWrappedProducersSendSpanEndsOnTheBrokersAnswer() throws Exception {
    MockProducer<String, String> mock = mockProducer();
    Producer<String, String> producer = tracing.wrap(mock);
    Span checkout = otel.openTelemetry().getTracer("test").spanBuilder("checkout").startSpan();
    AtomicReference<Span> currentInCallback = new AtomicReference<>();
    Future<RecordMetadata> sent;
    try (Scope ignored = checkout.makeCurrent()) {
      sent = producer.send(new ProducerRecord<>("orders", "order-1", "placed"),
          (metadata, exception) -> currentInCallback.set(Span.current()));
    } finally {
      checkout.end();
    }
    assertThat(spans(SpanKind.PRODUCER)).as("waits for the answer").isEmpty();
    ProducerRecord<String, String> out = mock.history().get(0);
    assertThat(values(out.headers(), "traceparent")).hasSize(1);

    assertThat(mock.completeNext()).isTrue();

    SpanData send = spans(SpanKind.PRODUCER).get(0);
    assertThat(send.getName()).isEqualTo("send orders");
    assertThat(send.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
    assertThat(values(out.headers(), "traceparent").get(0))
        .startsWith("00-" + send.getTraceId() + "-" + send.getSpanId() + "-");
    assertThat(send.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(sent.get().offset());
    assertThat(send.getAttributes().get(SemConv.MESSAGING_DESTINATION_PARTITION_ID)).isEqualTo("0");
    assertThat(currentInCallback.get()).as("the callback runs in the sender's context").isSameAs(checkout);
  }

  @Test
  void aFailedSendEndsItsSpanWithTheError() {
    MockProducer<String, String> mock = mockProducer();
    tracing.wrap(mock).send(new ProducerRecord<>("orders", "v"));

    mock.errorNext(new IllegalStateException("broker gone"));

    SpanData send = spans(SpanKind.PRODUCER).get(0);
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(send.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo(IllegalStateException.class.getName());
  }

  @Test
  void aSendThatThrowsEndsItsSpanAndThrowsUnchanged() {
    MockProducer<String, String> mock = mockProducer();
    Producer<String, String> producer = tracing.wrap(mock);
    producer.close();
    assertThat(mock.closed()).isTrue();

    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("orders", "v")))
        .isInstanceOf(IllegalStateException.class);

    SpanData send = spans(SpanKind.PRODUCER).get(0);
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void aWrappedConsumersLoopRunsInProcessSpansAndEveryPollEndsALeftover() {
    MockConsumer<Object, Object> mock = new MockConsumer<>("earliest");
    mock.assign(List.of(ORDERS_0));
    mock.updateBeginningOffsets(Map.of(ORDERS_0, 0L));
    mock.addRecord(consumed("orders", 0, 0L, "k", "v",
        headers("traceparent", "00-" + TRACE + "-" + PRODUCER_SPAN + "-01")));
    mock.addRecord(consumed("orders", 0, 1L, "k", "v", headers()));
    Consumer<Object, Object> consumer = tracing.wrap(mock);

    ConsumerRecords<Object, Object> records = consumer.poll(Duration.ofMillis(10));
    for (ConsumerRecord<Object, Object> r : records) {
      assertThat(Span.current().getSpanContext().getTraceId()).isEqualTo(TRACE);
      break;
    }
    assertThat(Span.current().getSpanContext().getTraceId()).isEqualTo(TRACE);

    assertThat(consumer.poll(Duration.ofMillis(10)).isEmpty()).isTrue();

    assertThat(Context.current()).as("an empty poll ends the leftover too").isSameAs(Context.root());
    SpanData process = spans(SpanKind.CONSUMER).get(0);
    assertThat(process.getName()).isEqualTo("process orders");
    assertThat(process.getParentSpanId()).isEqualTo(PRODUCER_SPAN);
    consumer.close();
    assertThat(mock.closed()).isTrue();
  }

  @Test
  void closingTheWrappedConsumerEndsALeftover() {
    MockConsumer<Object, Object> mock = new MockConsumer<>("earliest");
    mock.assign(List.of(ORDERS_0));
    mock.updateBeginningOffsets(Map.of(ORDERS_0, 0L));
    mock.addRecord(consumed("orders", 0, 0L, "k", "v", headers()));
    Consumer<Object, Object> consumer = tracing.wrap(mock);
    for (ConsumerRecord<Object, Object> r : consumer.poll(Duration.ofMillis(10))) {
      break;
    }
    assertThat(Context.current()).isNotSameAs(Context.root());

    consumer.close(Duration.ofSeconds(1));

    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(spans(SpanKind.CONSUMER)).hasSize(1);
  }

  @Test
  void theWrappedConsumerForwardsEverythingElse() {
    MockConsumer<Object, Object> mock = new MockConsumer<>("earliest");
    Consumer<Object, Object> consumer = tracing.wrap(mock);

    consumer.assign(List.of(ORDERS_0));
    consumer.seek(ORDERS_0, 5L);

    assertThat(mock.assignment()).containsExactly(ORDERS_0);
    assertThat(consumer.position(ORDERS_0)).isEqualTo(5L);
    assertThat(consumer.assignment()).containsExactly(ORDERS_0);
    assertThat(consumer).isEqualTo(consumer).isNotEqualTo(mock);
    assertThat(consumer.hashCode()).isEqualTo(System.identityHashCode(consumer));
    assertThat(consumer.toString()).startsWith("TracingConsumer{");
    assertThatThrownBy(() -> consumer.position(new TopicPartition("other", 0)))
        .as("what the consumer throws comes through unchanged, not wrapped")
        .isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class);
    consumer.close();
  }

  @Test
  void recordsTheInterceptorAlreadyNotedAreNotNotedTwice() {
    TracingConsumerInterceptor interceptor = new TracingConsumerInterceptor();
    java.util.HashMap<String, Object> config = new java.util.HashMap<>(tracing.consumerProperties());
    config.put("group.id", "fulfilment");
    interceptor.configure(config);
    MockConsumer<Object, Object> mock =
        new MockConsumer<>("earliest") {
          @Override
          public synchronized ConsumerRecords<Object, Object> poll(Duration timeout) {
            return interceptor.onConsume(super.poll(timeout)); // as KafkaConsumer calls it
          }
        };
    mock.assign(List.of(ORDERS_0));
    mock.updateBeginningOffsets(Map.of(ORDERS_0, 0L));
    mock.addRecord(consumed("orders", 0, 0L, "k", "v", headers()));
    Consumer<Object, Object> consumer = tracing.wrap(mock);
    try {
      ConsumerRecord<Object, Object> polled = null;
      for (ConsumerRecord<Object, Object> r : consumer.poll(Duration.ofMillis(10))) {
        polled = r;
      }
      tracing.process(polled, r -> {});

      List<SpanData> process = spans(SpanKind.CONSUMER);
      assertThat(process).hasSize(2);
      for (SpanData s : process) {
        assertThat(s.getAttributes().get(SemConv.MESSAGING_CONSUMER_GROUP_NAME))
            .as("the interceptor's consumer, found once").isEqualTo("fulfilment");
      }
    } finally {
      consumer.close();
      interceptor.close();
    }
  }
}
