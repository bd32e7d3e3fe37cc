package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Objects;
import java.util.Set;

/**
 * Injection into and extraction from one carrier type, with Baton's header rules and the settings
 * of the {@link BatonTracing} it came from. Built once per transport and carrier type
 * ({@link #of(BatonTracing, HeaderCarrier)}), then used for every message. Thread-safe.
 * Neither method ever throws.
 *
 * <p>For Baton's transport modules; not meant for application code.
 *
 * @param <C> the carrier type
 * @since 0.1.0
 */
public final class Propagation<C> {

  private final BatonPropagator propagator;
  private final InboundPolicy policy;
  private final CarrierGetter<C> getter;
  private final CarrierGetter<C> hidingGetter;
  private final CarrierSetter<C> setter;
  /** {@link #setter} for a carrier just found to hold no trace field: writes only add. */
  private final CarrierSetter<C> freshSetter;
  private final CarrierSetter<C> hidingSetter;

  /**
   * Makes the injector/extractor for one carrier type with {@code tracing}'s settings. Call once
   * per transport, not per message.
   *
   * @param tracing the settings
   * @param carrier the carrier adapter
   * @param <C> the carrier type
   * @return the propagation for that carrier type
   */
  public static <C> Propagation<C> of(BatonTracing tracing, HeaderCarrier<C> carrier) {
    return new Propagation<>(
        Objects.requireNonNull(tracing, "tracing == null"),
        Objects.requireNonNull(carrier, "carrier == null"));
  }

  private Propagation(BatonTracing tracing, HeaderCarrier<C> carrier) {
    this.propagator = (BatonPropagator) tracing.propagator();
    this.policy = tracing.inboundPolicy();
    int max = tracing.headerMaxLength();
    this.getter = new CarrierGetter<>(carrier, max, Set.of());
    this.hidingGetter = new CarrierGetter<>(carrier, max, BatonPropagator.W3C_FIELDS);
    this.setter = new CarrierSetter<>(carrier, Set.of(), propagator.fields(), false);
    this.freshSetter = new CarrierSetter<>(carrier, Set.of(), propagator.fields(), true);
    this.hidingSetter = new CarrierSetter<>(carrier, BatonPropagator.W3C_FIELDS);
  }

  /**
   * Writes {@code context} into {@code carrier}, replacing any trace headers already there: every
   * field the propagators own is removed first in any other casing ({@code Traceparent},
   * {@code TRACESTATE}…), and each written field replaces the one of the same name.
   *
   * @param context the context to send, usually the producer or client span's
   * @param carrier the outgoing headers
   */
  public void inject(Context context, C carrier) {
    if (carrier == null || context == null) {
      return;
    }
    try {
      boolean fresh = setter.removeStale(carrier);
      propagator.inject(context, carrier, fresh ? freshSetter : setter, hidingSetter);
    } catch (RuntimeException e) {
      Faults.report("inject", e);
    }
  }

  /**
   * Reads the context {@code carrier} brings, on top of {@code base}, ignoring the inbound policy.
   *
   * @param base the context to extract onto
   * @param carrier the incoming headers, may be {@code null}
   * @return {@code base} plus what the carrier brought; {@code base} when it brought nothing valid
   */
  public Context extract(Context base, C carrier) {
    if (base == null) {
      base = Context.root();
    }
    if (carrier == null) {
      return base;
    }
    try {
      int found = getter.scan(carrier);
      if (found == 0 && !propagator.hasOthers()) {
        return base; // no trace header in any casing: one pass over the names, nothing made
      }
      return propagator.extract(base, carrier, getter, hidingGetter, found);
    } catch (RuntimeException e) {
      Faults.report("extract", e);
      return base;
    }
  }

  /**
   * Reads the context {@code carrier} brings and applies the inbound policy to it.
   *
   * @param base the receiver's own context (usually {@code Context.current()})
   * @param carrier the incoming headers, may be {@code null}
   * @return the parent and link for the receiving span
   */
  public Inbound inbound(Context base, C carrier) {
    if (base == null) {
      base = Context.root();
    }
    if (policy == InboundPolicy.IGNORE) {
      // Not even parsed: an ignored context costs nothing.
      return new Inbound(base, SpanContext.getInvalid(), SpanContext.getInvalid());
    }
    return Inbound.of(policy, base, extract(base, carrier));
  }

  /**
   * The getter Baton uses for this carrier type, for code that drives a propagator itself.
   *
   * @return the getter
   */
  public TextMapGetter<C> getter() {
    return getter;
  }

  /**
   * The setter Baton uses for this carrier type: every write replaces.
   *
   * @return the setter
   */
  public TextMapSetter<C> setter() {
    return setter;
  }
}
