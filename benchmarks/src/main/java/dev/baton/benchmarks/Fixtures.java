package dev.baton.benchmarks;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;

/** The trace headers and contexts the benchmarks send and receive. */
final class Fixtures {

  static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  static final String TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
  static final String BAGGAGE = "tenant=acme,region=eu-west-1,order.id=4711";

  /** Invalid in every field: uppercase hex, a bad tracestate key, members without '='. */
  static final String GARBAGE_TRACEPARENT =
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01";
  static final String GARBAGE_TRACESTATE = "Rojo=00f067aa0ba902b7,,@@@=x,congo";
  static final String GARBAGE_BAGGAGE = "%%%,=,;;;,tenant,region=eu west=1";

  static final byte[] TRACEPARENT_BYTES = TRACEPARENT.getBytes(StandardCharsets.US_ASCII);

  /** Headers an application puts on its messages anyway. */
  static final String[][] APP_HEADERS = {
    {"content-type", "application/json"},
    {"message-id", "9d2c5a4e-6b1f-4c1e-9a55-0f3b9d2a7c11"},
    {"x-source", "checkout"},
  };

  /** A sampled remote parent with tracestate, as a server continuing a trace has current. */
  static final SpanContext REMOTE_PARENT =
      SpanContext.createFromRemoteParent(
          "4bf92f3577b34da6a3ce929d0e0e4736",
          "00f067aa0ba902b7",
          TraceFlags.getSampled(),
          TraceState.builder().put("rojo", "00f067aa0ba902b7").put("congo", "t61rcWkgMzE").build());

  /** The context current where a message is sent: the remote parent plus three baggage entries. */
  static final Context SENDING_CONTEXT =
      Context.root()
          .with(Span.wrap(REMOTE_PARENT))
          .with(
              Baggage.builder()
                  .put("tenant", "acme")
                  .put("region", "eu-west-1")
                  .put("order.id", "4711")
                  .build());

  private Fixtures() {}
}
