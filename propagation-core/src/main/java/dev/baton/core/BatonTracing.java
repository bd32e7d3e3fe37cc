package dev.baton.core;

import dev.baton.core.internal.BaggageFilter;
import dev.baton.core.internal.BatonPropagator;
import dev.baton.core.internal.Settings;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Baton's settings, built once from an {@link OpenTelemetry} instance and shared by every
 * transport: the propagator (W3C Trace Context Level 2 and W3C Baggage, beside whatever else the
 * instance propagates), the {@link InboundPolicy}, the baggage allow-lists and the header size
 * cap. Immutable and thread-safe.
 *
 * <p>Most users never touch this class: each transport's entry point ({@code KafkaTracing},
 * {@code AmqpTracing}, {@code GrpcTracing}) takes an {@code OpenTelemetry} or a {@code baton.*}
 * configuration map and builds one.
 *
 * <pre>{@code
 * BatonTracing baton = BatonTracing.builder(openTelemetry)
 *     .inboundPolicy(InboundPolicy.LINK)
 *     .inboundBaggage(List.of("tenant.*"))
 *     .build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class BatonTracing {

  /** {@code continue}, {@code link} or {@code ignore}; default {@code continue}. */
  public static final String INBOUND_POLICY = "baton.inbound.policy";
  /** Baggage keys accepted from incoming messages; default {@code *} (all). */
  public static final String BAGGAGE_INBOUND = "baton.baggage.inbound.allow";
  /** Baggage keys written to outgoing messages; default {@code *} (all). */
  public static final String BAGGAGE_OUTBOUND = "baton.baggage.outbound.allow";
  /** Largest header value read, in UTF-8 bytes; default 8192, from 512 to 1048576. */
  public static final String HEADER_MAX_LENGTH = "baton.header.max.length";
  /** An {@code OpenTelemetry} instance (programmatic maps only); default the global one. */
  public static final String OPEN_TELEMETRY = "baton.opentelemetry";

  static final int DEFAULT_HEADER_MAX_LENGTH = Settings.DEFAULT_HEADER_MAX_LENGTH;
  static final int MIN_HEADER_MAX_LENGTH = Settings.MIN_HEADER_MAX_LENGTH;
  static final int MAX_HEADER_MAX_LENGTH = Settings.MAX_HEADER_MAX_LENGTH;

  private final OpenTelemetry openTelemetry;
  private final InboundPolicy inboundPolicy;
  private final BaggageFilter inboundBaggage;
  private final BaggageFilter outboundBaggage;
  private final int headerMaxLength;
  private final BatonPropagator propagator;

  private BatonTracing(Builder b) {
    this.openTelemetry = b.openTelemetry;
    this.inboundPolicy = b.inboundPolicy;
    this.inboundBaggage = b.inboundBaggage;
    this.outboundBaggage = b.outboundBaggage;
    this.headerMaxLength = b.headerMaxLength;
    this.propagator =
        BatonPropagator.create(
            openTelemetry.getPropagators().getTextMapPropagator(),
            inboundBaggage,
            outboundBaggage,
            headerMaxLength);
  }

  /**
   * Returns Baton with default settings on {@code openTelemetry}.
   *
   * @param openTelemetry the OpenTelemetry instance spans and propagators come from
   * @return the settings
   */
  public static BatonTracing create(OpenTelemetry openTelemetry) {
    return builder(openTelemetry).build();
  }

  /**
   * Returns a builder on {@code openTelemetry}.
   *
   * @param openTelemetry the OpenTelemetry instance spans and propagators come from
   * @return a new builder
   */
  public static Builder builder(OpenTelemetry openTelemetry) {
    return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry == null"));
  }

  /**
   * Returns these settings as {@code baton.*} keys (the {@code OpenTelemetry} instance included),
   * for transports configured through a map, such as Kafka's interceptors; read back, they build
   * equal settings.
   *
   * @return a new, modifiable map
   */
  public Map<String, Object> config() {
    Map<String, Object> map = new HashMap<>();
    map.put(OPEN_TELEMETRY, openTelemetry);
    map.put(INBOUND_POLICY, inboundPolicy.name());
    map.put(BAGGAGE_INBOUND, inboundBaggage.toString());
    map.put(BAGGAGE_OUTBOUND, outboundBaggage.toString());
    map.put(HEADER_MAX_LENGTH, headerMaxLength);
    return map;
  }

  /**
   * Returns the OpenTelemetry instance.
   *
   * @return the instance
   */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /**
   * Returns the propagator Baton injects and extracts with, for carriers Baton has no adapter
   * for. Values read through the caller's getter pass the same rules as on every transport
   * (control characters make a value absent, optional whitespace is trimmed, values over
   * {@link #headerMaxLength()} bytes are absent) before any propagator parses them.
   *
   * @return the propagator
   */
  public TextMapPropagator propagator() {
    return propagator;
  }

  /**
   * Returns the inbound policy.
   *
   * @return the policy
   */
  public InboundPolicy inboundPolicy() {
    return inboundPolicy;
  }

  /**
   * Returns the largest header value Baton reads.
   *
   * @return the cap, in UTF-8 bytes
   */
  public int headerMaxLength() {
    return headerMaxLength;
  }

  @Override
  public String toString() {
    return "BatonTracing{inboundPolicy=" + inboundPolicy + ", inboundBaggage=" + inboundBaggage
        + ", outboundBaggage=" + outboundBaggage + ", headerMaxLength=" + headerMaxLength + "}";
  }

  /**
   * Builds {@link BatonTracing}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private InboundPolicy inboundPolicy = InboundPolicy.CONTINUE;
    private BaggageFilter inboundBaggage = BaggageFilter.ALL;
    private BaggageFilter outboundBaggage = BaggageFilter.ALL;
    private int headerMaxLength = DEFAULT_HEADER_MAX_LENGTH;

    private Builder(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
    }

    /**
     * Sets what receivers do with incoming context; default {@link InboundPolicy#CONTINUE}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder inboundPolicy(InboundPolicy policy) {
      this.inboundPolicy = Objects.requireNonNull(policy, "policy == null");
      return this;
    }

    /**
     * Sets the baggage keys accepted from incoming messages: exact keys, prefixes ending in
     * {@code *}, or {@code *} for all (the default). An empty list accepts none.
     *
     * @param allowedKeys the allow-list
     * @return this builder
     */
    public Builder inboundBaggage(List<String> allowedKeys) {
      this.inboundBaggage = BaggageFilter.of(Objects.requireNonNull(allowedKeys, "allowedKeys == null"));
      return this;
    }

    /**
     * Sets the baggage keys written to outgoing messages, in the same form as
     * {@link #inboundBaggage(List)}; default all.
     *
     * @param allowedKeys the allow-list
     * @return this builder
     */
    public Builder outboundBaggage(List<String> allowedKeys) {
      this.outboundBaggage = BaggageFilter.of(Objects.requireNonNull(allowedKeys, "allowedKeys == null"));
      return this;
    }

    /**
     * Sets the largest header value Baton reads, in UTF-8 bytes (longer ones count as absent);
     * default 8192.
     *
     * @param maxLength from 512 to 1048576
     * @return this builder
     */
    public Builder headerMaxLength(int maxLength) {
      if (maxLength < MIN_HEADER_MAX_LENGTH || maxLength > MAX_HEADER_MAX_LENGTH) {
        throw new IllegalArgumentException(
            "headerMaxLength must be from " + MIN_HEADER_MAX_LENGTH + " to "
                + MAX_HEADER_MAX_LENGTH + ": " + maxLength);
      }
      this.headerMaxLength = maxLength;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     */
    public BatonTracing build() {
      return new BatonTracing(this);
    }
  }
}
