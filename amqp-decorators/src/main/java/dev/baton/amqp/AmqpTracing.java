package dev.baton.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.RecoverableChannel;
import com.rabbitmq.client.RecoverableConnection;
import dev.baton.core.BatonTracing;
import dev.baton.core.ProcessingScope;
import dev.baton.core.internal.ConfigReader;
import dev.baton.core.internal.Faults;
import dev.baton.core.internal.MapHeaderCarrier;
import dev.baton.core.internal.ProcessScope;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Traces RabbitMQ (amqp-client 5.x) publishing and consuming with OpenTelemetry, carrying W3C
 * trace context in the AMQP message headers. The one entry point of {@code baton-amqp-decorators}.
 *
 * <p>Wrap a {@link Channel}, or a {@link Connection} so that every channel it creates is wrapped:
 *
 * <pre>{@code
 * AmqpTracing amqpTracing = AmqpTracing.create(openTelemetry);
 * Connection connection = amqpTracing.wrap(factory.newConnection());
 * Channel channel = connection.createChannel();
 * channel.basicPublish("orders", "created", props, body);   // PRODUCER "publish orders"
 * channel.basicConsume("billing", false, (tag, delivery) -> {
 *   // runs inside CONSUMER "process billing", child of the publisher's span
 * }, tag -> {});
 * GetResponse response = channel.basicGet("billing", false); // CLIENT "get billing"
 * amqpTracing.process(response, r -> handle(r));             // CONSUMER "process billing"
 * }</pre>
 *
 * <p>What the wrappers do:
 *
 * <ul>
 *   <li>{@code basicPublish} (every overload): a PRODUCER span {@code publish {exchange}} (the
 *       default exchange is named {@code amq.default}), child of the current context; its context
 *       is written as {@code String} headers ({@code traceparent}, {@code tracestate},
 *       {@code baggage}) into a copy of the properties; every other property and header is kept.
 *   <li>{@code basicConsume} (every overload): each delivery runs inside a CONSUMER
 *       {@code process {queue}} span, child of the message's context as the inbound policy says,
 *       current for the whole callback. The other consumer callbacks pass through.
 *   <li>{@code basicGet}: a CLIENT span {@code get {queue}} with a link to the message's context;
 *       process the result with {@link #process(GetResponse, MessageHandler)} or
 *       {@link #startProcessing(GetResponse)}.
 *   <li>{@code basicAck}, {@code basicNack}, {@code basicReject}: CLIENT settle spans, when
 *       {@link Builder#settleSpans(boolean) enabled}.
 * </ul>
 *
 * <p>Exceptions of the application and of amqp-client are recorded on the span and rethrown
 * unchanged; faults of Baton's own never reach the caller. Immutable and thread-safe; build one
 * per application and share it.
 *
 * @since 0.1.0
 */
public final class AmqpTracing {

  /** Setting: {@code true} to make settle spans for ack, nack and reject; default {@code false}. */
  public static final String SETTLE_SPANS = "baton.amqp.settle.spans";

  /**
   * Setting: {@code true} to end a publish span when the broker confirms the message, on
   * channels in confirm mode; default {@code false} (the span ends when {@code basicPublish}
   * returns).
   */
  public static final String PUBLISH_END_ON_CONFIRM = "baton.amqp.publish.end.on.confirm";

  /**
   * Setting: the most publish spans one channel keeps waiting for confirms; default
   * {@value #DEFAULT_MAX_PENDING_CONFIRMS}, from 1 to {@value #MAX_MAX_PENDING_CONFIRMS}.
   */
  public static final String PUBLISH_MAX_PENDING_CONFIRMS =
      "baton.amqp.publish.max.pending.confirms";

  /** Default of {@link #PUBLISH_MAX_PENDING_CONFIRMS}. */
  public static final int DEFAULT_MAX_PENDING_CONFIRMS = 10_000;

  /** Largest value of {@link #PUBLISH_MAX_PENDING_CONFIRMS}. */
  public static final int MAX_MAX_PENDING_CONFIRMS = 1_000_000;

  private static final Set<String> KEYS =
      Set.of(SETTLE_SPANS, PUBLISH_END_ON_CONFIRM, PUBLISH_MAX_PENDING_CONFIRMS);

  private final AmqpSpans spans;

  private AmqpTracing(AmqpSpans spans) {
    this.spans = spans;
  }

  /**
   * Returns AMQP tracing with default settings on {@code openTelemetry}.
   *
   * @param openTelemetry where spans and propagators come from
   * @return the tracing
   */
  public static AmqpTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Returns a builder with Baton's default core settings on {@code openTelemetry}.
   *
   * @param openTelemetry where spans and propagators come from
   * @return a new builder
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(
        BatonTracing.create(Objects.requireNonNull(openTelemetry, "openTelemetry == null")));
  }

  /**
   * Returns a builder on shared core settings (inbound policy, baggage allow-lists, header cap).
   *
   * @param baton the core settings
   * @return a new builder
   */
  public static Builder builder(BatonTracing baton) {
    return new Builder(Objects.requireNonNull(baton, "baton == null"));
  }

  /**
   * Builds AMQP tracing from {@code baton.*} settings: the core ones (see
   * {@code docs/configuration.md}) and {@value #SETTLE_SPANS}, {@value #PUBLISH_END_ON_CONFIRM}
   * and {@value #PUBLISH_MAX_PENDING_CONFIRMS}. Other keys are ignored. The
   * {@code OpenTelemetry} is the map's {@value BatonTracing#OPEN_TELEMETRY} entry, else the one
   * registered with {@code GlobalOpenTelemetry}, looked up at the first message, not here, and never
   * locked (see {@link BatonTracing#resolved()}).
   *
   * @param config the settings; values may be strings or typed values
   * @return the tracing
   * @throws IllegalArgumentException on an unknown {@code baton.*} key or a value that does not
   *     parse, naming the key
   */
  public static AmqpTracing fromConfig(Map<String, ?> config) {
    ConfigReader reader = ConfigReader.of(config, KEYS);
    return builder(reader.batonTracing())
        .settleSpans(reader.bool(SETTLE_SPANS, false))
        .endPublishOnConfirm(reader.bool(PUBLISH_END_ON_CONFIRM, false))
        .maxPendingConfirms(
            reader.integer(
                PUBLISH_MAX_PENDING_CONFIRMS,
                DEFAULT_MAX_PENDING_CONFIRMS,
                1,
                MAX_MAX_PENDING_CONFIRMS))
        .build();
  }

  /**
   * The AMQP headers table as a carrier of the core ({@code Propagation.of(baton, headersCarrier())}),
   * for Baton's own modules that trace a {@code Map<String, Object>} of AMQP headers outside the
   * wrapped channel: the Spring AMQP support reads and writes {@code MessageProperties} headers
   * through it, with the very value rules the channel uses ({@code LongString} read as its raw
   * bytes, {@code String} written). Not meant for application code: {@code MapHeaderCarrier} lives
   * in {@code dev.baton.core.internal} and carries no compatibility promise.
   *
   * @return the stateless, thread-safe carrier the wrapped channel uses
   * @since 0.1.0
   */
  public static MapHeaderCarrier headersCarrier() {
    return AmqpHeaders.INSTANCE;
  }

  /**
   * Returns {@code channel} traced. A channel that is already traced is returned as it is. The
   * result is a {@link RecoverableChannel} exactly when {@code channel} is one; closing it closes
   * {@code channel}.
   *
   * @param channel the channel to trace
   * @return the traced channel
   */
  public Channel wrap(Channel channel) {
    Objects.requireNonNull(channel, "channel == null");
    if (channel instanceof TracingChannel) {
      return channel;
    }
    return TracingChannel.wrap(channel, spans, null, null);
  }

  /**
   * Returns {@code connection} traced: every channel it creates ({@code createChannel},
   * {@code openChannel}) is traced. A connection that is already traced is returned as it is. The
   * result is a {@link RecoverableConnection} exactly when {@code connection} is one; consumers
   * re-subscribed by automatic recovery stay traced.
   *
   * @param connection the connection to trace
   * @return the traced connection
   */
  public Connection wrap(Connection connection) {
    Objects.requireNonNull(connection, "connection == null");
    if (TracingConnection.isTraced(connection)) {
      return connection;
    }
    return TracingConnection.wrap(connection, spans);
  }

  /**
   * Starts a CONSUMER {@code process {queue}} span for a {@code basicGet} result and makes it
   * current until the scope is closed; use it in try-with-resources. The span is a child of the
   * context the message was published in, as the inbound policy says. The queue is known when
   * the response came from a traced channel; otherwise the span is named after
   * {@code {exchange}:{routing key}}.
   *
   * <pre>{@code
   * try (ProcessingScope scope = amqpTracing.startProcessing(response)) {
   *   try {
   *     handle(response);
   *   } catch (RuntimeException e) {
   *     scope.recordException(e);
   *     throw e;
   *   }
   * }
   * }</pre>
   *
   * <p>Close the scope on the thread that started it. Prefer
   * {@link #process(GetResponse, MessageHandler)}, which records exceptions for you.
   *
   * @param response a non-null result of {@code basicGet}
   * @return the scope to close when processing is done
   */
  public ProcessingScope startProcessing(GetResponse response) {
    Objects.requireNonNull(response, "response == null");
    try {
      return spans.startProcessing(response);
    } catch (RuntimeException e) {
      Faults.report("amqp processing scope", e);
      return ProcessScope.noop();
    }
  }

  /**
   * Runs {@code handler} inside a CONSUMER {@code process {queue}} span for a {@code basicGet}
   * result, as {@link #startProcessing(GetResponse)} does; an exception of the handler is recorded
   * on the span and rethrown unchanged. Runs on the calling thread.
   *
   * @param response a non-null result of {@code basicGet}
   * @param handler the processing code
   * @param <E> what the handler may throw
   * @throws E what the handler threw
   */
  public <E extends Throwable> void process(GetResponse response, MessageHandler<E> handler)
      throws E {
    Objects.requireNonNull(handler, "handler == null");
    ProcessScope.run(startProcessing(response), () -> handler.handle(response));
  }

  @Override
  public String toString() {
    return "AmqpTracing{settleSpans=" + spans.settleSpans + ", endPublishOnConfirm="
        + spans.endPublishOnConfirm + ", maxPendingConfirms=" + spans.maxPendingConfirms + "}";
  }

  /**
   * Processing code for one {@code basicGet} result.
   *
   * @param <E> what the code may throw
   * @since 0.1.0
   */
  @FunctionalInterface
  public interface MessageHandler<E extends Throwable> {

    /**
     * Processes the message.
     *
     * @param response the message
     * @throws E when processing fails
     */
    void handle(GetResponse response) throws E;
  }

  /**
   * Builds {@link AmqpTracing}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final BatonTracing baton;
    private boolean settleSpans;
    private boolean endPublishOnConfirm;
    private int maxPendingConfirms = DEFAULT_MAX_PENDING_CONFIRMS;

    private Builder(BatonTracing baton) {
      this.baton = baton;
    }

    /**
     * Makes CLIENT settle spans ({@code ack}, {@code nack}, {@code reject}) for
     * {@code basicAck}, {@code basicNack} and {@code basicReject}; default off. Inside a traced
     * consumer callback they are children of the {@code process} span.
     *
     * @param enabled whether to make settle spans
     * @return this builder
     */
    public Builder settleSpans(boolean enabled) {
      this.settleSpans = enabled;
      return this;
    }

    /**
     * On channels in confirm mode ({@code confirmSelect}), ends each publish span when the broker
     * acks it (or nacks it: an error), instead of when {@code basicPublish} returns; default off.
     * Spans still waiting when the channel closes or the connection is lost end as errors.
     * Channels not in confirm mode are unaffected.
     *
     * @param enabled whether publish spans end on the confirm
     * @return this builder
     */
    public Builder endPublishOnConfirm(boolean enabled) {
      this.endPublishOnConfirm = enabled;
      return this;
    }

    /**
     * Caps the publish spans one channel keeps waiting for confirms; when full, the oldest ends
     * at once with {@code baton.amqp.confirm.evicted=true}. Default
     * {@value AmqpTracing#DEFAULT_MAX_PENDING_CONFIRMS}.
     *
     * @param max from 1 to {@value AmqpTracing#MAX_MAX_PENDING_CONFIRMS}
     * @return this builder
     */
    public Builder maxPendingConfirms(int max) {
      if (max < 1 || max > MAX_MAX_PENDING_CONFIRMS) {
        throw new IllegalArgumentException(
            "maxPendingConfirms must be from 1 to " + MAX_MAX_PENDING_CONFIRMS + ": " + max);
      }
      this.maxPendingConfirms = max;
      return this;
    }

    /**
     * Builds the tracing.
     *
     * @return the tracing
     */
    public AmqpTracing build() {
      return new AmqpTracing(
          new AmqpSpans(baton, settleSpans, endPublishOnConfirm, maxPendingConfirms));
    }
  }
}
