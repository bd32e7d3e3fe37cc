package dev.baton.core.internal;

import dev.baton.testing.InMemoryTelemetry;
import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an untrusted sender can and cannot do: under {@code LINK} it cannot make our spans children
 * of its trace; baggage outside the allow-list never crosses, either way; oversized baggage is cut
 * at whole members per the W3C limits; a flood of headers costs bounded time and memory.
 */
class TrustTest {

  static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  final InMemoryTelemetry otel = InMemoryTelemetry.create();

  @Test
  void underLinkAnOutsideProducerCannotParentOurSpans() {
    Propagation<TestCarrier> p = Propagation.of(BatonTracing.builder(otel.openTelemetry()).inboundPolicy(InboundPolicy.LINK)
        .build(), TestCarrier.ADAPTER);
    Inbound inbound = p.inbound(Context.root(), new TestCarrier().add("traceparent", TP));
    Span span = inbound.applyTo(otel.openTelemetry().getTracer("t").spanBuilder("process").setSpanKind(SpanKind.CONSUMER))
        .startSpan();
    span.end();
    SpanData data = otel.spans().get(0);
    assertThat(data.getTraceId()).isNotEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(data.getParentSpanContext().isValid()).isFalse();
    assertThat(data.getLinks()).hasSize(1);
    assertThat(data.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo("b7ad6b7169203331");
  }

  @Test
  void baggageOutsideTheAllowListNeverCrossesEitherWay() {
    BatonTracing baton = BatonTracing.builder(otel.openTelemetry())
        .inboundBaggage(List.of("tenant.*")).outboundBaggage(List.of("tenant.id")).build();
    Propagation<TestCarrier> p = Propagation.of(baton, TestCarrier.ADAPTER);
    Context in = p.extract(Context.root(), new TestCarrier().add("traceparent", TP)
        .add("baggage", "tenant.id=acme,user.email=a%40b.example,tenant.region=eu"));
    assertThat(Baggage.fromContext(in).asMap()).containsOnlyKeys("tenant.id", "tenant.region");

    Baggage local = Baggage.builder().put("tenant.id", "acme").put("tenant.region", "eu")
        .put("user.email", "a@b.example").build();
    TestCarrier out = new TestCarrier();
    p.inject(Context.root().with(Span.fromContext(in)).with(local), out);
    assertThat(out.only("baggage")).isEqualTo("tenant.id=acme");
  }

  @Test
  void oversizedBaggageIsCutAtWholeMembers() {
    Propagation<TestCarrier> p = Propagation.of(BatonTracing.create(otel.openTelemetry()), TestCarrier.ADAPTER);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 80; i++) {
      many.append(i == 0 ? "" : ",").append("k").append(i).append("=v").append(i);
    }
    Baggage kept = Baggage.fromContext(p.extract(Context.root(), new TestCarrier().add("baggage", many.toString())));
    assertThat(kept.size()).isEqualTo(64);
    for (int i = 0; i < 64; i++) {
      assertThat(kept.getEntryValue("k" + i)).isEqualTo("v" + i);
    }

    String big = "x".repeat(3000);
    String header = "a=" + big + ",b=" + big + ",c=" + big + ",d=small";
    Baggage cut = Baggage.fromContext(
        Propagation.of(BatonTracing.builder(otel.openTelemetry()).headerMaxLength(1 << 14).build(), TestCarrier.ADAPTER)
            .extract(Context.root(), new TestCarrier().add("baggage", header)));
    assertThat(cut.asMap()).containsOnlyKeys("a", "b", "d");
    assertThat(cut.getEntryValue("a")).isEqualTo(big);

    TestCarrier out = new TestCarrier();
    p.inject(Context.root().with(Baggage.builder().put("a", big).put("b", big).put("c", big).put("d", "small").build()), out);
    String written = out.only("baggage");
    assertThat(written.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(8192);
    assertThat(written.split(",")).allSatisfy(m -> assertThat(m).matches("[abcd]=(x{3000}|small)"));
  }

  @Test
  void aHeaderFloodCostsBoundedTimeAndMemory() {
    Propagation<TestCarrier> p = Propagation.of(BatonTracing.create(otel.openTelemetry()), TestCarrier.ADAPTER);
    byte[] megabyte = new byte[1 << 20];
    java.util.Arrays.fill(megabyte, (byte) 'a');
    TestCarrier flood = new TestCarrier();
    for (int i = 0; i < 5000; i++) {
      String name = i % 5 == 0 ? "traceparent" : i % 5 == 1 ? "baggage" : i % 5 == 2 ? "TraceState" : "x-" + i;
      flood.add(name, i % 50 == 0 ? megabyte : (i % 2 == 0 ? TP : "k" + i + "=v"));
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int warm = 0; warm < 3; warm++) {
      p.extract(Context.root(), flood);
    }
    long thread = Thread.currentThread().getId();
    long allocatedBefore = threads.getThreadAllocatedBytes(thread);
    long started = System.nanoTime();
    Context ctx = p.extract(Context.root(), flood);
    long millis = (System.nanoTime() - started) / 1_000_000;
    long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
    System.out.printf("[baton-reliability] header flood: 5000 fields, 100 of 1 MiB: %d ms, %d KiB allocated%n",
        millis, allocated / 1024);
    assertThat(Span.fromContext(ctx).getSpanContext().isValid()).as("duplicated traceparent: no parent").isFalse();
    assertThat(millis).isLessThan(1_000);
    assertThat(allocated).as("no copy of the megabyte values").isLessThan(4L << 20);
  }
}
