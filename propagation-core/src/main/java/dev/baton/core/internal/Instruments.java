package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.trace.Tracer;
import java.util.Objects;
import java.util.function.Function;

/**
 * A transport's tracer, propagation and metrics, taken from {@link BatonTracing#resolved()}: made
 * when the first message asks (not when the client is configured: the global OpenTelemetry may
 * be registered in between), and made once more when settings that follow the global instance
 * find it. Every transport's entry type holds one.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise. Thread-safe: two threads may
 * both make the instruments of new settings; either result serves.
 *
 * @param <C> the carrier type of the propagation
 * @param <M> the transport's metrics type
 */
public final class Instruments<C, M> {

  private final BatonTracing baton;
  private final String scope;
  private final Function<BatonTracing, HeaderCarrier<C>> carrier;
  private final Function<BatonTracing, M> metrics;
  private volatile Made<C, M> made;

  /**
   * Prepares the instruments; nothing is made until the first call.
   *
   * @param baton the settings as configured (possibly following the global instance)
   * @param scope the instrumentation scope name of the tracer
   * @param carrier the carrier adapter for resolved settings
   * @param metrics the transport's metrics for resolved settings; may return {@code null} (none
   *     recorded)
   */
  public Instruments(
      BatonTracing baton,
      String scope,
      Function<BatonTracing, HeaderCarrier<C>> carrier,
      Function<BatonTracing, M> metrics) {
    this.baton = Objects.requireNonNull(baton, "baton == null");
    this.scope = Objects.requireNonNull(scope, "scope == null");
    this.carrier = Objects.requireNonNull(carrier, "carrier == null");
    this.metrics = Objects.requireNonNull(metrics, "metrics == null");
  }

  /** What one resolved settings gave. */
  private static final class Made<C, M> {
    final BatonTracing baton;
    final Tracer tracer;
    final Propagation<C> propagation;
    final M metrics;

    Made(BatonTracing baton, Tracer tracer, Propagation<C> propagation, M metrics) {
      this.baton = baton;
      this.tracer = tracer;
      this.propagation = propagation;
      this.metrics = metrics;
    }
  }

  /** Per message: two volatile reads; made again only when the resolved settings changed. */
  private Made<C, M> made() {
    Made<C, M> current = made;
    BatonTracing now = baton.resolved();
    if (current == null || current.baton != now) {
      current = new Made<>(now, Spans.tracer(now, scope), Propagation.of(now, carrier.apply(now)),
          metrics.apply(now));
      made = current;
    }
    return current;
  }

  /**
   * Returns the tracer of the settings in effect.
   *
   * @return the tracer
   */
  public Tracer tracer() {
    return made().tracer;
  }

  /**
   * Returns the propagation of the settings in effect.
   *
   * @return the propagation
   */
  public Propagation<C> propagation() {
    return made().propagation;
  }

  /**
   * Returns the metrics of the settings in effect.
   *
   * @return the metrics, or {@code null} when none is recorded
   */
  public M metrics() {
    return made().metrics;
  }
}
