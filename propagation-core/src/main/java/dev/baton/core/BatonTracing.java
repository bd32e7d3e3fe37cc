package dev.baton.core;

import dev.baton.core.internal.BaggageFilter;
import dev.baton.core.internal.BatonPropagator;
import dev.baton.core.internal.GlobalTelemetry;
import dev.baton.core.internal.Settings;
import io.opentelemetry.api.GlobalOpenTelemetry;
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
 * <p>Settings built with {@link #builder()} (as the transports do from a {@code baton.*} map without
 * {@value #OPEN_TELEMETRY}) follow {@link GlobalOpenTelemetry}, looked up when the first message
 * passes rather than when the settings are built, so an SDK registered after the clients were
 * built is still found; see {@link #resolved()}.
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
  /**
   * An {@code OpenTelemetry} instance (programmatic maps only); default the global one, looked up
   * when the first message passes.
   */
  public static final String OPEN_TELEMETRY = "baton.opentelemetry";
  /**
   * Whether Baton records metrics; default {@code true}. Metrics are recorded only when the
   * {@code OpenTelemetry} instance has a meter provider that is not the no-op one (see
   * {@code docs/metrics.md}).
   */
  public static final String METRICS_ENABLED = "baton.metrics.enabled";
  /** {@code messaging.client.sent.messages} and {@code messaging.client.consumed.messages}; default {@code true}. */
  public static final String METRICS_MESSAGES_ENABLED = "baton.metrics.messages.enabled";
  /** {@code messaging.client.operation.duration}; default {@code true}. */
  public static final String METRICS_OPERATION_DURATION_ENABLED =
      "baton.metrics.operation.duration.enabled";
  /** {@code messaging.process.duration}; default {@code true}. */
  public static final String METRICS_PROCESS_DURATION_ENABLED =
      "baton.metrics.process.duration.enabled";
  /** {@code baton.messaging.wait.duration}, how long a message waited; default {@code true}. */
  public static final String METRICS_WAIT_ENABLED = "baton.metrics.wait.enabled";
  /** {@code rpc.client.call.duration} and {@code rpc.server.call.duration}; default {@code true}. */
  public static final String METRICS_RPC_ENABLED = "baton.metrics.rpc.enabled";

  /** The per-instrument switches, in the order of the bits of {@code Options.switches}. */
  private static final List<String> METRIC_SWITCHES =
      List.of(
          METRICS_MESSAGES_ENABLED,
          METRICS_OPERATION_DURATION_ENABLED,
          METRICS_PROCESS_DURATION_ENABLED,
          METRICS_WAIT_ENABLED,
          METRICS_RPC_ENABLED);
  private static final int ALL_METRICS = (1 << METRIC_SWITCHES.size()) - 1;

  static final int DEFAULT_HEADER_MAX_LENGTH = Settings.DEFAULT_HEADER_MAX_LENGTH;
  static final int MIN_HEADER_MAX_LENGTH = Settings.MIN_HEADER_MAX_LENGTH;
  static final int MAX_HEADER_MAX_LENGTH = Settings.MAX_HEADER_MAX_LENGTH;

  /**
   * Every setting but the {@code OpenTelemetry} instance: what {@link #resolved()} carries over to
   * the registered global instance.
   *
   * @param switches one bit per {@link #METRIC_SWITCHES} entry: the instruments' own switches
   */
  private record Options(
      InboundPolicy inboundPolicy,
      BaggageFilter inboundBaggage,
      BaggageFilter outboundBaggage,
      int headerMaxLength,
      boolean metricsEnabled,
      int switches) {}

  private final OpenTelemetry openTelemetry;
  private final Options options;
  private final BatonPropagator propagator;

  /** Built by {@link #builder()}: follows the global instance (see {@link #resolved()}). */
  private final boolean global;
  /** {@code global} only: these settings on the registered global instance, once there is one. */
  private volatile BatonTracing resolved;

  private BatonTracing(OpenTelemetry openTelemetry, Options options, boolean global) {
    this.openTelemetry = openTelemetry;
    this.options = options;
    this.global = global;
    this.propagator =
        BatonPropagator.create(
            openTelemetry.getPropagators().getTextMapPropagator(),
            options.inboundBaggage(),
            options.outboundBaggage(),
            options.headerMaxLength());
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
   * Returns a builder whose settings follow {@link GlobalOpenTelemetry}: the instance registered
   * there when the first message passes, never looked up earlier and never locked (see
   * {@link #resolved()}). This is what the transports build from a {@code baton.*} map without
   * {@value #OPEN_TELEMETRY}, such as Kafka interceptors registered by class name.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder(OpenTelemetry.noop(), true);
  }

  /**
   * Returns these settings as {@code baton.*} keys (the {@code OpenTelemetry} instance included,
   * unless these settings follow the global one), for transports configured through a map, such as
   * Kafka's interceptors; read back, they build equal settings.
   *
   * @return a new, modifiable map
   */
  public Map<String, Object> config() {
    Map<String, Object> map = new HashMap<>();
    if (!global) {
      map.put(OPEN_TELEMETRY, openTelemetry);
    }
    map.put(INBOUND_POLICY, options.inboundPolicy().name());
    map.put(BAGGAGE_INBOUND, options.inboundBaggage().toString());
    map.put(BAGGAGE_OUTBOUND, options.outboundBaggage().toString());
    map.put(HEADER_MAX_LENGTH, options.headerMaxLength());
    map.put(METRICS_ENABLED, options.metricsEnabled());
    for (String key : METRIC_SWITCHES) {
      map.put(key, metricSwitchOn(key));
    }
    return map;
  }

  /**
   * Returns the OpenTelemetry instance: for settings that follow the global instance, the global
   * one once it is registered, {@link OpenTelemetry#noop()} until then.
   *
   * @return the instance
   */
  public OpenTelemetry openTelemetry() {
    return resolved().openTelemetry;
  }

  /**
   * Returns the settings in effect now, for transports to call as a message passes. Settings built
   * with an {@code OpenTelemetry} return themselves. Settings that follow the global instance
   * ({@link #builder()}) return, once an instance is registered with {@link GlobalOpenTelemetry},
   * the same settings on it, found once and kept; until then, themselves, on a no-op instance:
   * messages pass without spans, context already in them is still propagated, and Baton logs once
   * per JVM, at WARNING, how to register one. They never call {@code GlobalOpenTelemetry.get()}
   * while nothing is registered (which would lock it to a no-op instance), except when
   * OpenTelemetry's own opt-in autoconfiguration ({@code otel.java.global-autoconfigure.enabled})
   * would then configure the SDK; on opentelemetry-api older than 1.57, which cannot say whether
   * an instance is registered, they call it at the first message. Once resolved, this costs one
   * volatile read.
   *
   * @return these settings, or the same settings on the global instance
   */
  public BatonTracing resolved() {
    if (!global) {
      return this;
    }
    BatonTracing r = resolved;
    if (r != null) {
      return r;
    }
    OpenTelemetry registered = GlobalTelemetry.registered();
    if (registered == null) {
      return this;
    }
    r = new BatonTracing(registered, options, false);
    resolved = r;
    return r;
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
    return resolved().propagator;
  }

  /**
   * Returns the inbound policy.
   *
   * @return the policy
   */
  public InboundPolicy inboundPolicy() {
    return options.inboundPolicy();
  }

  /**
   * Returns whether Baton's metrics are on ({@value #METRICS_ENABLED}).
   *
   * @return whether metrics are wanted
   */
  public boolean metricsEnabled() {
    return options.metricsEnabled();
  }

  /**
   * Returns whether one of Baton's metrics is wanted: {@link #METRICS_ENABLED} and the
   * instrument's own switch are both on. Whether it is then recorded also depends on the
   * {@code OpenTelemetry} instance's meter provider (none is recorded on the no-op one).
   *
   * @param key one of the {@code METRICS_*_ENABLED} keys
   * @return whether the instrument is wanted
   * @throws IllegalArgumentException for any other key
   */
  public boolean metricEnabled(String key) {
    int b = bit(key);
    return options.metricsEnabled() && (options.switches() & b) != 0;
  }

  /** The instrument's own switch, whatever {@link #METRICS_ENABLED} says (for {@link #config()}). */
  private boolean metricSwitchOn(String key) {
    return (options.switches() & bit(key)) != 0;
  }

  private static int bit(String key) {
    int i = METRIC_SWITCHES.indexOf(key);
    if (i < 0) {
      throw new IllegalArgumentException("not a metric switch: " + key + "; one of " + METRIC_SWITCHES);
    }
    return 1 << i;
  }

  /**
   * Returns the largest header value Baton reads.
   *
   * @return the cap, in UTF-8 bytes
   */
  public int headerMaxLength() {
    return options.headerMaxLength();
  }

  @Override
  public String toString() {
    Options o = options;
    return "BatonTracing{" + (global ? "global, " : "") + "inboundPolicy=" + o.inboundPolicy()
        + ", inboundBaggage=" + o.inboundBaggage() + ", outboundBaggage=" + o.outboundBaggage()
        + ", headerMaxLength=" + o.headerMaxLength()
        + ", metrics=" + (o.metricsEnabled() ? Integer.toBinaryString(o.switches()) : "off") + "}";
  }

  /**
   * Builds {@link BatonTracing}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final OpenTelemetry openTelemetry;
    private final boolean global;
    private InboundPolicy inboundPolicy = InboundPolicy.CONTINUE;
    private BaggageFilter inboundBaggage = BaggageFilter.ALL;
    private BaggageFilter outboundBaggage = BaggageFilter.ALL;
    private int headerMaxLength = DEFAULT_HEADER_MAX_LENGTH;
    private boolean metricsEnabled = true;
    private int metrics = ALL_METRICS;

    private Builder(OpenTelemetry openTelemetry) {
      this(openTelemetry, false);
    }

    private Builder(OpenTelemetry openTelemetry, boolean global) {
      this.openTelemetry = openTelemetry;
      this.global = global;
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
     * Turns all of Baton's metrics on or off ({@value #METRICS_ENABLED}); default on.
     *
     * @param enabled whether metrics are recorded
     * @return this builder
     */
    public Builder metricsEnabled(boolean enabled) {
      this.metricsEnabled = enabled;
      return this;
    }

    /**
     * Turns one group of instruments on or off; default on. Has an effect only while
     * {@link #metricsEnabled(boolean)} is on.
     *
     * @param key one of the {@code METRICS_*_ENABLED} keys except {@value #METRICS_ENABLED}
     * @param enabled whether those instruments are recorded
     * @return this builder
     * @throws IllegalArgumentException for any other key
     */
    public Builder metricEnabled(String key, boolean enabled) {
      int b = bit(Objects.requireNonNull(key, "key == null"));
      this.metrics = enabled ? metrics | b : metrics & ~b;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     */
    public BatonTracing build() {
      return new BatonTracing(
          openTelemetry,
          new Options(
              inboundPolicy, inboundBaggage, outboundBaggage, headerMaxLength, metricsEnabled,
              metrics),
          global);
    }
  }
}
