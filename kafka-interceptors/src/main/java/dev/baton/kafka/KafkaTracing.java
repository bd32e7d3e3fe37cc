package dev.baton.kafka;

import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import dev.baton.core.ProcessingScope;
import dev.baton.core.internal.ConfigReader;
import dev.baton.core.internal.Faults;
import dev.baton.core.internal.HeaderCarrier;
import dev.baton.core.internal.Inbound;
import dev.baton.core.internal.Instruments;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.ProcessScope;
import dev.baton.core.internal.Propagation;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Headers;

/**
 * Baton for Kafka: the settings the interceptors run with, and the way to run record processing
 * inside the record's trace.
 *
 * <p>Registering the interceptors by class name is enough for propagation and producer spans:
 *
 * <pre>{@code
 * interceptor.classes=dev.baton.kafka.TracingProducerInterceptor   # producer
 * interceptor.classes=dev.baton.kafka.TracingConsumerInterceptor   # consumer
 * }</pre>
 *
 * They then read {@code baton.*} keys from the client configuration and use
 * {@code GlobalOpenTelemetry}. To hand them an explicit {@code OpenTelemetry}, merge
 * {@link #producerProperties()} / {@link #consumerProperties()} into the client configuration.
 *
 * <p>Processing code runs in a CONSUMER {@code process {topic}} span, child of the record's
 * creation context (per the inbound policy), made current so that whatever the code produces or
 * calls continues the trace:
 *
 * <pre>{@code
 * KafkaTracing kafkaTracing = KafkaTracing.create(openTelemetry);
 * kafkaTracing.process(record, r -> handle(r));
 * }</pre>
 *
 * This works on any thread (hand the record to a worker pool and call it there) and also when the
 * consumer interceptor is not registered: the record's headers are read when processing starts.
 * With the interceptor registered, the span also names the group and client id of the consumer
 * that polled this very record object, while that consumer is open and has not polled more than
 * a few thousand records since (see {@code docs/kafka.md}).
 *
 * <p>Where the loop body runs on the polling thread, the loop itself can run each record in its
 * span: with {@code baton.kafka.consumer.process.spans=true} in the consumer's properties (see
 * {@link Builder#processSpans(boolean)}), or with a consumer built in code and wrapped by
 * {@link #wrap(Consumer)}. Producers built in code can be wrapped too: {@link #wrap(Producer)}.
 *
 * <p>Thread-safe and immutable.
 *
 * @since 0.1.0
 */
public final class KafkaTracing {

  static final String SCOPE = "dev.baton.kafka";
  static final String INTERCEPTOR_CLASSES = "interceptor.classes";

  private final Map<String, Object> config;
  private final BatonTracing baton;
  private final KafkaSettings settings;
  /** The tracer, propagation and metrics of {@code baton.resolved()}, made at the first record. */
  private final Instruments<Headers, MessagingMetrics> instruments;

  private KafkaTracing(Map<String, ?> config) {
    ConfigReader reader = ConfigReader.of(config, KafkaSettings.KEYS);
    this.baton = reader.batonTracing();
    this.instruments =
        new Instruments<>(baton, SCOPE, b -> KafkaHeadersCarrier.INSTANCE, KafkaMetrics::create);
    this.settings = KafkaSettings.from(reader);
    Map<String, Object> own = new HashMap<>();
    for (Map.Entry<String, ?> e : config.entrySet()) {
      if (e.getKey().startsWith(ConfigReader.PREFIX) && e.getValue() != null) {
        own.put(e.getKey(), e.getValue());
      }
    }
    // Without baton.opentelemetry, the clients these properties configure follow the global
    // instance too, found when their first record passes.
    this.config = Collections.unmodifiableMap(own);
  }

  /**
   * Returns Kafka tracing with default settings.
   *
   * @param openTelemetry where spans and propagators come from
   * @return the tracing
   */
  public static KafkaTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Returns a builder.
   *
   * @param openTelemetry where spans and propagators come from
   * @return a new builder
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry == null");
    return new Builder(Map.of(BatonTracing.OPEN_TELEMETRY, openTelemetry));
  }

  /**
   * Returns a builder sharing {@code baton}'s settings: its {@code OpenTelemetry}, inbound policy,
   * baggage allow-lists and header cap.
   *
   * <pre>{@code
   * BatonTracing baton = BatonTracing.builder(openTelemetry).inboundPolicy(InboundPolicy.LINK).build();
   * KafkaTracing kafkaTracing = KafkaTracing.builder(baton).build();
   * }</pre>
   *
   * @param baton the shared settings
   * @return a new builder
   */
  public static Builder builder(BatonTracing baton) {
    return new Builder(Objects.requireNonNull(baton, "baton == null").config());
  }

  /**
   * Builds Kafka tracing from a client configuration's {@code baton.*} keys (see
   * {@code docs/kafka.md}); other keys are ignored. Uses the map's {@code baton.opentelemetry}
   * instance, else the one registered with {@code GlobalOpenTelemetry}, looked up when the first
   * record passes (not here) and never locked: see {@link BatonTracing#resolved()}.
   *
   * @param config a Kafka client configuration
   * @return the tracing
   * @throws IllegalArgumentException on an unknown {@code baton.*} key or an invalid value
   */
  public static KafkaTracing fromConfig(Map<String, ?> config) {
    return new KafkaTracing(Objects.requireNonNull(config, "config == null"));
  }

  /**
   * Kafka record headers as a carrier of the core ({@code Propagation.of(baton, headersCarrier())}),
   * for Baton's own modules that read or write trace headers outside the interceptors: the Spring
   * batch listener links each record of a batch through it, with the very header rules the
   * interceptors use. Not meant for application code: {@code HeaderCarrier} lives in
   * {@code dev.baton.core.internal} and carries no compatibility promise.
   *
   * @return the stateless, thread-safe carrier the interceptors use
   * @since 0.1.0
   */
  public static HeaderCarrier<Headers> headersCarrier() {
    return KafkaHeadersCarrier.INSTANCE;
  }

  /**
   * Returns the properties to merge into a producer's configuration: {@code interceptor.classes}
   * naming {@link TracingProducerInterceptor}, and this object's settings including its
   * {@code OpenTelemetry}. If the producer has other interceptors, append Baton's class name to
   * their list instead of replacing it.
   *
   * @return a new, modifiable map
   */
  public Map<String, Object> producerProperties() {
    Map<String, Object> props = new HashMap<>(config);
    props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, TracingProducerInterceptor.class.getName());
    return props;
  }

  /**
   * Returns the properties to merge into a consumer's configuration: {@code interceptor.classes}
   * naming {@link TracingConsumerInterceptor}, and this object's settings.
   *
   * @return a new, modifiable map
   */
  public Map<String, Object> consumerProperties() {
    Map<String, Object> props = new HashMap<>(config);
    props.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, TracingConsumerInterceptor.class.getName());
    return props;
  }

  /**
   * Runs {@code processor} inside a CONSUMER {@code process {topic}} span for {@code record}: the
   * span is a child of the record's creation context (per the inbound policy) and current while
   * the processor runs. An exception of the processor is recorded on the span and rethrown
   * unchanged. Call it on the thread that processes the record.
   *
   * @param record the record
   * @param processor the processing code
   * @param <K> the key type
   * @param <V> the value type
   * @param <E> the checked exception the processor may throw
   * @throws E whatever the processor throws
   */
  public <K, V, E extends Exception> void process(
      ConsumerRecord<K, V> record, RecordProcessor<K, V, E> processor) throws E {
    Objects.requireNonNull(processor, "processor == null");
    ProcessScope.run(startProcessing(record), () -> processor.process(record));
  }

  /**
   * Returns {@code consumer} wrapped so that iterating the records its {@code poll} returns runs
   * each loop body inside that record's CONSUMER {@code process {topic}} span, child of the
   * record's creation context (per the inbound policy), current, ended when the loop takes the
   * next record or finishes:
   *
   * <pre>{@code
   * Consumer<String, String> consumer = kafkaTracing.wrap(new KafkaConsumer<>(props));
   * for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
   *   handle(record); // Span.current() is this record's process span
   * }
   * }</pre>
   *
   * {@code iterator()}, {@code records(TopicPartition)}, {@code records(String)} and
   * {@code forEach} of the returned records do this ({@code forEach} also records an exception of
   * its action on the span); indexed access does not. A span whose loop was left early
   * ({@code break}, {@code return}, an exception) ends at the next {@code poll} or on
   * {@code close}. The records are also noted for {@link #process} (group and client id) and get
   * receive spans when those are enabled. Everything else is forwarded unchanged. For records
   * handed to other threads, use {@link #process} there instead.
   *
   * <p>For consumers built in code; a consumer configured by properties gets the same with
   * {@code baton.kafka.consumer.process.spans=true} and the consumer interceptor. Not thread-safe,
   * like the consumer.
   *
   * @param consumer the consumer
   * @param <K> the key type
   * @param <V> the value type
   * @return the traced consumer
   */
  public <K, V> Consumer<K, V> wrap(Consumer<K, V> consumer) {
    return TracingConsumer.of(Objects.requireNonNull(consumer, "consumer == null"), this);
  }

  /**
   * Returns {@code producer} wrapped so that each {@code send} is a PRODUCER {@code send {topic}}
   * span, child of the current context, whose context goes into the record's headers (replacing
   * trace headers already there), ended by the send's callback with the partition and offset, or
   * with the send's error: on every kafka-clients version, unlike the interceptor, which can do so
   * only on 4.1 and later. Your own callback runs after the span ends, with the context of the
   * {@code send} call current. Everything else is forwarded unchanged.
   *
   * <p>For producers built in code; do not also list {@link TracingProducerInterceptor} in the
   * producer's {@code interceptor.classes}, or each record gets two send spans. Thread-safe, like
   * the producer.
   *
   * @param producer the producer
   * @param <K> the key type
   * @param <V> the value type
   * @return the traced producer
   */
  public <K, V> Producer<K, V> wrap(Producer<K, V> producer) {
    return new TracingProducer<>(Objects.requireNonNull(producer, "producer == null"), this);
  }

  /**
   * Starts the {@code process {topic}} span for {@code record} and makes it current on this
   * thread, for code that cannot use a callback. Close the scope on the same thread, in a
   * try-with-resources block; report a failure with {@link ProcessingScope#recordException}:
   *
   * <pre>{@code
   * try (ProcessingScope scope = kafkaTracing.startProcessing(record)) {
   *   try {
   *     handle(record);
   *   } catch (RuntimeException e) {
   *     scope.recordException(e);
   *     throw e;
   *   }
   * }
   * }</pre>
   *
   * @param record the record
   * @return the open scope
   */
  public ProcessingScope startProcessing(ConsumerRecord<?, ?> record) {
    Objects.requireNonNull(record, "record == null");
    try {
      ConsumerIdentities.Consumer consumer = ConsumerIdentities.of(record);
      Context context = processContext(record, Context.current(), consumer);
      return ProcessScope.open(context, Span.fromContext(context),
          KafkaMetrics.startProcess(metrics(), record, consumer));
    } catch (RuntimeException e) {
      Faults.report("kafka startProcessing", e);
      return ProcessScope.noop();
    }
  }

  /**
   * Starts the {@code process {topic}} span of {@code record}, on top of {@code base} (per the
   * inbound policy), and returns the context that holds it, not yet current. {@code consumer}
   * names the group and client id, or {@code null}.
   */
  Context processContext(
      ConsumerRecord<?, ?> record, Context base, ConsumerIdentities.Consumer consumer) {
    Inbound inbound = instruments.propagation().inbound(base, record.headers());
    SpanBuilder builder =
        Spans.messaging(
            instruments.tracer(), SpanKind.CONSUMER, SemConv.SYSTEM_KAFKA, SemConv.OP_PROCESS, "process",
            record.topic());
    recordAttributes(builder, record, consumer);
    Span span = inbound.applyTo(builder).startSpan();
    return inbound.parent().with(span);
  }

  private void recordAttributes(
      SpanBuilder builder, ConsumerRecord<?, ?> record, ConsumerIdentities.Consumer consumer) {
    builder.setAttribute(
        SemConv.MESSAGING_DESTINATION_PARTITION_ID, SemConv.partitionId(record.partition()));
    builder.setAttribute(SemConv.MESSAGING_KAFKA_OFFSET, record.offset());
    if (record.value() == null) {
      builder.setAttribute(SemConv.MESSAGING_KAFKA_MESSAGE_TOMBSTONE, true);
    }
    if (record.serializedValueSize() >= 0) {
      builder.setAttribute(SemConv.MESSAGING_MESSAGE_BODY_SIZE, (long) record.serializedValueSize());
    }
    if (settings.captureKey()) {
      String key = keyString(record.key());
      if (key != null) {
        builder.setAttribute(SemConv.MESSAGING_KAFKA_MESSAGE_KEY, key);
      }
    }
    if (consumer != null) {
      if (consumer.groupId != null) {
        builder.setAttribute(SemConv.MESSAGING_CONSUMER_GROUP_NAME, consumer.groupId);
      }
      if (consumer.clientId != null) {
        builder.setAttribute(SemConv.MESSAGING_CLIENT_ID, consumer.clientId);
      }
    }
  }

  /** Keys are recorded only when they have a meaningful text form; raw bytes are not. */
  static String keyString(Object key) {
    if (key == null || key instanceof byte[]) {
      return null;
    }
    return key.toString();
  }

  BatonTracing baton() {
    return baton;
  }

  KafkaSettings settings() {
    return settings;
  }

  Tracer tracer() {
    return instruments.tracer();
  }

  /** The metrics of the settings in effect, or {@code null} when none is recorded. */
  MessagingMetrics metrics() {
    return instruments.metrics();
  }

  Propagation<Headers> propagation() {
    return instruments.propagation();
  }

  @Override
  public String toString() {
    return "KafkaTracing{" + baton + "}";
  }

  /**
   * Processing code for one record.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @param <E> the checked exception it may throw
   * @since 0.1.0
   */
  @FunctionalInterface
  public interface RecordProcessor<K, V, E extends Exception> {
    /**
     * Processes {@code record}.
     *
     * @param record the record
     * @throws E on failure
     */
    void process(ConsumerRecord<K, V> record) throws E;
  }

  /**
   * Builds {@link KafkaTracing}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Map<String, Object> config = new HashMap<>();

    private Builder(Map<String, Object> core) {
      config.putAll(core);
    }

    /**
     * Records the record key as {@code messaging.kafka.message.key} (off by default: keys may be
     * personal data).
     *
     * @param capture whether to record keys
     * @return this builder
     */
    public Builder captureMessageKey(boolean capture) {
      return set(KafkaSettings.CAPTURE_KEY, capture);
    }

    /**
     * Makes the consumer interceptor start a {@code poll {topic}} span per topic and batch, linked
     * to every record's context (off by default).
     *
     * @param enabled whether to record receive spans
     * @return this builder
     */
    public Builder receiveSpans(boolean enabled) {
      return set(KafkaSettings.RECEIVE_SPANS, enabled);
    }

    /**
     * Makes iterating the records a consumer's {@code poll} returns run each loop body inside that
     * record's {@code process {topic}} span (off by default): the consumer interceptor returns
     * records whose {@code iterator()}, {@code records(TopicPartition)}, {@code records(String)}
     * and {@code forEach} open the span of each record as the loop takes it and end it when the
     * loop takes the next one or finishes. See {@code docs/kafka.md}.
     *
     * @param enabled whether iterating polled records makes process spans
     * @return this builder
     */
    public Builder processSpans(boolean enabled) {
      return set(KafkaSettings.PROCESS_SPANS, enabled);
    }

    /**
     * Bounds the producer's table of spans waiting for the broker's answer (default 10000). On
     * overflow the oldest span ends, marked {@code baton.kafka.ack_missing}.
     *
     * @param max from 1 to 1000000
     * @return this builder
     */
    public Builder producerInflightMax(int max) {
      return set(KafkaSettings.INFLIGHT_MAX, max);
    }

    /**
     * Ends producer spans in {@code onSend} instead of on the broker's answer (what older clients
     * do anyway).
     *
     * @param endOnSend whether to end producer spans right away
     * @return this builder
     */
    public Builder endProducerSpanOnSend(boolean endOnSend) {
      return set(
          KafkaSettings.PRODUCER_SPAN_END,
          endOnSend ? KafkaSettings.SpanEnd.SEND.name() : KafkaSettings.SpanEnd.ACK.name());
    }

    private Builder set(String key, Object value) {
      config.put(key, value);
      return this;
    }

    /**
     * Builds the tracing.
     *
     * @return the tracing
     * @throws IllegalArgumentException on an invalid setting
     */
    public KafkaTracing build() {
      return new KafkaTracing(config);
    }
  }
}
