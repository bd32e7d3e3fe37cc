package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Baton's W3C Trace Context and Baggage, plus whatever else the {@code OpenTelemetry} instance is
 * configured with (B3, Jaeger, …). The others run first and never see or write the W3C fields
 * (Baton's parsing is the stricter, conformant one); Baton's W3C values are applied last, so they
 * win when both find a parent.
 *
 * <p>Used directly (through {@link BatonTracing#propagator()}), it reads the caller's getter
 * through {@link CallerTextMap}, so the header rules of every transport apply there too.
 */
public final class BatonPropagator implements TextMapPropagator {

  static final Set<String> W3C_FIELDS =
      Set.of(W3CTraceContext.TRACEPARENT, W3CTraceContext.TRACESTATE, W3CBaggage.BAGGAGE);

  private final TextMapPropagator others;
  private final boolean hasOthers;
  private final W3CBaggage baggage;
  private final int maxLength;
  private final List<String> fields;

  /**
   * Baton's propagator over the {@code OpenTelemetry} instance's own: W3C Trace Context, and W3C
   * Baggage filtered by the two allow-lists; header values over {@code maxLength} UTF-8 bytes are
   * absent.
   *
   * @param configured the instance's propagator, may be {@code null}
   * @param inboundBaggage the baggage keys accepted from incoming carriers
   * @param outboundBaggage the baggage keys written to outgoing carriers
   * @param maxLength the header size cap
   * @return the propagator
   */
  public static BatonPropagator create(
      TextMapPropagator configured,
      BaggageFilter inboundBaggage,
      BaggageFilter outboundBaggage,
      int maxLength) {
    return new BatonPropagator(
        configured, new W3CBaggage(inboundBaggage, outboundBaggage), maxLength);
  }

  BatonPropagator(TextMapPropagator configured, W3CBaggage baggage, int maxLength) {
    this.others = configured == null ? TextMapPropagator.noop() : configured;
    this.baggage = baggage;
    this.maxLength = maxLength;
    Set<String> all = new LinkedHashSet<>(W3CTraceContext.INSTANCE.fields());
    all.addAll(baggage.fields());
    List<String> extra = new ArrayList<>();
    for (String f : others.fields()) {
      if (!W3C_FIELDS.contains(f)) {
        extra.add(f);
      }
    }
    all.addAll(extra);
    this.hasOthers = !extra.isEmpty();
    this.fields = List.copyOf(all);
  }

  @Override
  public List<String> fields() {
    return fields;
  }

  @Override
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    if (setter == null) {
      return;
    }
    inject(context, carrier, setter, hasOthers ? CallerTextMap.hidingSetter(setter) : setter);
  }

  /** Injects with {@code hiding} for the other propagators and {@code setter} for W3C. */
  <C> void inject(Context context, C carrier, TextMapSetter<C> setter, TextMapSetter<C> hiding) {
    if (hasOthers) {
      try {
        others.inject(context, carrier, hiding);
      } catch (RuntimeException e) {
        Faults.report("inject (configured propagators)", e);
      }
    }
    W3CTraceContext.INSTANCE.inject(context, carrier, setter);
    baggage.inject(context, carrier, setter);
  }

  @Override
  public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
    if (getter == null) {
      return context == null ? Context.root() : context;
    }
    TextMapGetter<C> checked = CallerTextMap.getter(getter, maxLength, false);
    return extract(
        context,
        carrier,
        checked,
        hasOthers ? CallerTextMap.getter(getter, maxLength, true) : checked);
  }

  /** Extracts with {@code hiding} for the other propagators and {@code getter} for W3C. */
  <C> Context extract(Context context, C carrier, TextMapGetter<C> getter, TextMapGetter<C> hiding) {
    Context ctx = extractOthers(context, carrier, hiding);
    ctx = W3CTraceContext.INSTANCE.extract(ctx, carrier, getter);
    return baggage.extract(ctx, carrier, getter);
  }

  /**
   * {@link #extract(Context, Object, TextMapGetter, TextMapGetter)} for Baton's own getter, which
   * has already looked at the carrier's names ({@code found}, from {@link CarrierGetter#scan}):
   * a W3C field that is not there in any casing is not asked for.
   */
  <C> Context extract(
      Context context, C carrier, CarrierGetter<C> getter, TextMapGetter<C> hiding, int found) {
    Context ctx = extractOthers(context, carrier, hiding);
    if ((found & CarrierGetter.TRACEPARENT_ANY) != 0) {
      ctx = W3CTraceContext.INSTANCE.extract(ctx, carrier, getter, found);
    }
    return (found & CarrierGetter.BAGGAGE_ANY) != 0
        ? baggage.extract(ctx, carrier, getter, found)
        : ctx;
  }

  private <C> Context extractOthers(Context context, C carrier, TextMapGetter<C> hiding) {
    if (!hasOthers) {
      return context;
    }
    try {
      return others.extract(context, carrier, hiding);
    } catch (RuntimeException e) {
      Faults.report("extract (configured propagators)", e);
      return context;
    }
  }

  /** Whether propagators other than W3C are configured (B3, Jaeger…). */
  boolean hasOthers() {
    return hasOthers;
  }

  @Override
  public String toString() {
    return "BatonPropagator{others=" + others + ", " + baggage + "}";
  }
}
