package dev.baton.examples;

import static dev.baton.examples.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaterfallTest {

  @Test
  void rowsFollowTheTreeWithOffsetsDurationsAndProportionalBars() {
    List<SpanData> spans = List.of(
        span("fulfilment-worker", SpanKind.CONSUMER, "process orders", "0000000000000004",
            "0000000000000003", 60, 80),
        span("checkout", SpanKind.SERVER, "checkout.Checkout/PlaceOrder", "0000000000000001", null, 0, 50),
        span("checkout", SpanKind.PRODUCER, "send orders", "0000000000000003", "0000000000000001", 30, 50),
        span("checkout", SpanKind.CLIENT, "inventory.Inventory/Reserve", "0000000000000002",
            "0000000000000001", 10, 20));

    List<TraceView> traces = TraceView.of(spans);
    assertThat(traces).hasSize(1);
    TraceView trace = traces.get(0);
    assertThat(trace.services).containsExactly("checkout", "fulfilment-worker");
    assertThat(trace.durationNanos).isEqualTo(80_000_000L);

    List<String> out = print(trace, false);
    assertThat(out.get(0)).isEqualTo("trace " + TestTraces.TRACE
        + "   4 spans, 2 services (checkout, fulfilment-worker), 80.0 ms");
    assertThat(out.subList(2, 6)).containsExactly(
        "  checkout           SERVER    checkout.Checkout/PlaceOrder      0.00 ms    50.0 ms  |#########################               |",
        "  checkout           CLIENT    |- inventory.Inventory/Reserve    10.0 ms    10.0 ms  |     #####                              |",
        "  checkout           PRODUCER  `- send orders                    30.0 ms    20.0 ms  |               ##########               |",
        "  fulfilment-worker  CONSUMER     `- process orders              60.0 ms    20.0 ms  |                              ##########|");
    assertThat(out).hasSize(6);
  }

  @Test
  void errorsAreMarkedAndTheDeepestErrorIsWhereItStarts() {
    TraceView trace = TraceView.of(TestTraces.failedOrder()).get(0);

    List<String> out = print(trace, false);
    assertThat(out.subList(2, 5)).satisfiesExactly(
        row -> assertThat(row).startsWith("x checkout   SERVER    checkout.Checkout/PlaceOrder")
            .endsWith("|  ERROR UNAVAILABLE: inventory unavailable"),
        row -> assertThat(row).startsWith("x checkout   CLIENT    `- inventory.Inventory/Reserve")
            .endsWith("|  ERROR INTERNAL: stock ledger unavailable"),
        row -> assertThat(row).startsWith("x inventory  SERVER       `- inventory.Inventory/Reserve")
            .contains("|                XXXXXXXXXXXX            |")
            .endsWith("|  ERROR INTERNAL: stock ledger unavailable   " + Waterfall.ORIGIN));
  }

  @Test
  void aServerStatusThatIsNoErrorIsShownWithoutTheMark() {
    SpanData refused = span("inventory", SpanKind.SERVER, "inventory.Inventory/Reserve",
        "0000000000000001", null, 0, 10, StatusData.unset(),
        Attributes.of(AttributeKey.stringKey("rpc.response.status_code"), "FAILED_PRECONDITION"),
        List.of());
    TraceView.Row row = TraceView.of(List.of(refused)).get(0).rows.get(0);
    assertThat(row.error()).isFalse();
    assertThat(row.origin()).isFalse();
    assertThat(row.outcome()).isEqualTo("FAILED_PRECONDITION");
  }

  @Test
  void aSpanWhoseParentIsNotHereIsARoot() {
    SpanData orphan = span("notifier", SpanKind.CONSUMER, "process notifications",
        "0000000000000009", "00000000000000ff", 5, 6);
    SpanData root = span("checkout", SpanKind.SERVER, "checkout.Checkout/PlaceOrder",
        "0000000000000001", null, 0, 10);
    TraceView trace = TraceView.of(List.of(orphan, root)).get(0);
    assertThat(trace.rows).extracting(r -> r.tree() + r.span().getName()).containsExactly(
        "checkout.Checkout/PlaceOrder", "process notifications");
  }

  @Test
  void detailsShowTheSpanIdTheKeyAttributesAndTheException() {
    TraceView trace = TraceView.of(TestTraces.failedOrder()).get(0);
    List<String> out = print(trace, true);
    int inventory = out.indexOf(out.stream().filter(l -> l.startsWith("x inventory")).findFirst().orElseThrow());
    assertThat(out.subList(inventory + 1, out.size())).containsExactly(
        " ".repeat(23) + "span_id=0000000000000003 parent=0000000000000002"
            + "  rpc.response.status_code=INTERNAL",
        " ".repeat(23) + "server.port=4711  error.type=INTERNAL",
        " ".repeat(23) + "exception: java.lang.IllegalStateException: stock ledger read failed");
  }

  @Test
  void durationsReadWell() {
    assertThat(TraceView.millis(420_000)).isEqualTo("0.42 ms");
    assertThat(TraceView.millis(12_345_678)).isEqualTo("12.3 ms");
    assertThat(TraceView.millis(1_240_000_000)).isEqualTo("1.24 s");
  }

  private static List<String> print(TraceView trace, boolean details) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Waterfall.print(trace, details, out);
    }
    return bytes.toString(StandardCharsets.UTF_8).lines().map(l -> l.stripTrailing()).toList();
  }
}
