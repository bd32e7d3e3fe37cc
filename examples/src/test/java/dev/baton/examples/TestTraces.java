package dev.baton.examples;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/** Hand-made spans for the display tests: times in milliseconds from a fixed epoch. */
final class TestTraces {

  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final long EPOCH = 1_700_000_000_000_000_000L;

  private TestTraces() {}

  static SpanData span(String service, SpanKind kind, String name, String spanId, String parentId,
      long startMillis, long endMillis, StatusData status, Attributes attributes,
      List<EventData> events) {
    return TestSpanData.builder()
        .setSpanContext(SpanContext.create(TRACE, spanId, TraceFlags.getSampled(), TraceState.getDefault()))
        .setParentSpanContext(parentId == null
            ? SpanContext.getInvalid()
            : SpanContext.create(TRACE, parentId, TraceFlags.getSampled(), TraceState.getDefault()))
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service)))
        .setInstrumentationScopeInfo(InstrumentationScopeInfo.create("dev.baton.test"))
        .setName(name)
        .setKind(kind)
        .setStartEpochNanos(EPOCH + startMillis * 1_000_000)
        .setEndEpochNanos(EPOCH + endMillis * 1_000_000)
        .setHasEnded(true)
        .setStatus(status)
        .setAttributes(attributes)
        .setTotalAttributeCount(attributes.size())
        .setEvents(events)
        .setTotalRecordedEvents(events.size())
        .build();
  }

  static SpanData span(String service, SpanKind kind, String name, String spanId, String parentId,
      long startMillis, long endMillis) {
    return span(service, kind, name, spanId, parentId, startMillis, endMillis, StatusData.unset(),
        Attributes.empty(), List.of());
  }

  static StatusData error(String description) {
    return StatusData.create(StatusCode.ERROR, description);
  }

  /**
   * The --fail trace: checkout's server span (0-100 ms, UNAVAILABLE) calls inventory (20-80 ms,
   * INTERNAL), whose server span (40-70 ms) failed with INTERNAL and has an exception event.
   */
  static List<SpanData> failedOrder() {
    EventData exception = EventData.create(EPOCH + 50_000_000L, "exception", Attributes.of(
        AttributeKey.stringKey("exception.type"), "java.lang.IllegalStateException",
        AttributeKey.stringKey("exception.message"), "stock ledger read failed"));
    return List.of(
        span("inventory", SpanKind.SERVER, "inventory.Inventory/Reserve", "0000000000000003",
            "0000000000000002", 40, 70, error("stock ledger unavailable"),
            Attributes.of(AttributeKey.stringKey("error.type"), "INTERNAL",
                AttributeKey.stringKey("rpc.response.status_code"), "INTERNAL",
                AttributeKey.longKey("server.port"), 4711L),
            List.of(exception)),
        span("checkout", SpanKind.SERVER, "checkout.Checkout/PlaceOrder", "0000000000000001",
            null, 0, 100, error("inventory unavailable"),
            Attributes.of(AttributeKey.stringKey("error.type"), "UNAVAILABLE"), List.of()),
        span("checkout", SpanKind.CLIENT, "inventory.Inventory/Reserve", "0000000000000002",
            "0000000000000001", 20, 80, error("stock ledger unavailable"),
            Attributes.of(AttributeKey.stringKey("error.type"), "INTERNAL"), List.of()));
  }
}
