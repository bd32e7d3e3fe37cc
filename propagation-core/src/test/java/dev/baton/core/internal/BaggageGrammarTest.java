package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.BaggageEntryMetadata;
import io.opentelemetry.context.Context;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Keys, values and properties are held to the W3C Baggage grammar in both directions, and the
 * limits are counted in bytes: nothing that is not printable ASCII ever reaches the next hop.
 */
class BaggageGrammarTest {

  static final String INJECTION = "p=\r\n X-Injected: 1";

  final Propagation<TestCarrier> propagation =
      Propagation.of(BatonTracing.create(OpenTelemetry.noop()), TestCarrier.ADAPTER);

  private static Baggage parse(String header) {
    Baggage b = W3CBaggage.parse(header, BaggageFilter.ALL);
    return b == null ? Baggage.empty() : b;
  }

  private static String metadata(Baggage b, String key) {
    return b.asMap().get(key).getMetadata().getValue();
  }

  private String injected(Baggage baggage) {
    TestCarrier out = new TestCarrier();
    propagation.inject(Context.root().with(baggage), out);
    return out.only("baggage");
  }

  private static void assertPrintableAscii(String header) {
    for (int i = 0; i < header.length(); i++) {
      assertThat((int) header.charAt(i)).as("char %d of %s", i, header).isBetween(0x20, 0x7e);
    }
  }

  @Test
  void aMemberWhosePropertyCarriesALineBreakIsDroppedOnTheWayIn() {
    Baggage b = parse("k=v;" + INJECTION + ",ok=1");
    assertThat(b.asMap().keySet()).containsExactly("ok");
  }

  @Test
  void propertiesOfProgrammaticBaggageThatBreakTheGrammarAreNeverWritten() {
    Baggage crlf = Baggage.builder().put("k", "v", BaggageEntryMetadata.create(INJECTION)).build();
    assertThat(injected(crlf)).isEqualTo("k=v");
    Baggage nonAscii =
        Baggage.builder()
            .put("k", "v", BaggageEntryMetadata.create("prop=caf\u00e9"))
            .put("ok", "1", BaggageEntryMetadata.create(" p1 = x ;p2"))
            .build();
    String header = injected(nonAscii);
    assertThat(header).isEqualTo("k=v,ok=1;p1=x;p2");
    assertPrintableAscii(header);
  }

  @Test
  void nonAsciiPropertiesFromUtf8BytesAreDroppedOnTheWayIn() {
    // Kafka and AMQP headers are bytes, decoded as UTF-8 before the baggage parser sees them.
    TestCarrier in =
        new TestCarrier()
            .add("baggage", "k=v;prop=caf\u00e9,ok=1;p".getBytes(StandardCharsets.UTF_8));
    Baggage b = Baggage.fromContext(propagation.extract(Context.root(), in));
    assertThat(b.asMap().keySet()).containsExactly("ok");
    String header = injected(b);
    assertThat(header).isEqualTo("ok=1;p");
    assertPrintableAscii(header);
  }

  @Test
  void propertiesFollowTheGrammarAndLoseOnlyTheirWhitespace() {
    Baggage b = parse("a=1;p,b=2 ; p = x ;q\t,c=3;p=x=y;q=,d=4;p;p");
    assertThat(metadata(b, "a")).isEqualTo("p");
    assertThat(metadata(b, "b")).isEqualTo("p=x;q");
    assertThat(metadata(b, "c")).isEqualTo("p=x=y;q=");
    assertThat(metadata(b, "d")).isEqualTo("p;p");
    for (String bad :
        new String[] {
          "k=v;", "k=v;;p", "k=v;p q", "k=v;p=\"x\"", "k=v;=x", "k=v;p=x y", "k=v;p=a\\b",
          "k=v;p=\u00e9", "k=v;p\u0001", "k=v p", "k=v;p=x;", "k\u00e9=v", "k=v\u00e9"
        }) {
      assertThat(parse(bad + ",ok=1").asMap().keySet()).as(bad).containsExactly("ok");
    }
  }

  @Test
  void outgoingBaggageIsCountedInBytesAndStaysWithin8192() {
    // Nine members of 806 characters, 1006 bytes each: by characters all of them would fit.
    BaggageBuilder bb = Baggage.builder();
    for (int i = 0; i < 9; i++) {
      bb.put("k" + i, "v".repeat(600), BaggageEntryMetadata.create("p=" + "\u00e9".repeat(200)));
    }
    bb.put("ascii", "v", BaggageEntryMetadata.create("p=" + "x".repeat(60)));
    String header = injected(bb.build());
    assertThat(header.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(8192);
    assertPrintableAscii(header);
    for (String member : header.split(",")) {
      assertThat(member).matches("k\\d=v{600}|ascii=v;p=x{60}");
    }
  }

  @Test
  void incomingHeadersAreCappedInBytesNotCharacters() {
    // 300 characters, 600 bytes in UTF-8: over a 512-byte cap whether it came as text or bytes.
    String value = "\u00e9".repeat(300);
    CarrierGetter<TestCarrier> getter =
        new CarrierGetter<>(TestCarrier.ADAPTER, 512, java.util.Set.of());
    assertThat(getter.get(new TestCarrier().add("k", value), "k")).isNull();
    assertThat(getter.get(new TestCarrier().add("k", value.getBytes(StandardCharsets.UTF_8)), "k"))
        .isNull();
    String half = "\u00e9".repeat(200); // 400 bytes: fits alone, not joined with itself
    assertThat(getter.get(new TestCarrier().add("k", half), "k")).isEqualTo(half);
    assertThat(getter.get(new TestCarrier().add("k", half).add("k", half), "k")).isNull();
  }

  @Test
  void incomingBaggageKeepsWholeMembersWithin8192BytesAnd64Members() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 9; i++) {
      sb.append(i == 0 ? "" : " , ").append("k").append(i).append(" = ").append("v".repeat(1000));
    }
    Baggage b = parse(sb.toString());
    assertThat(b.size()).isEqualTo(8);
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      many.append("bad key=1,").append("k").append(i).append("=v,");
    }
    Baggage capped = parse(many.toString());
    assertThat(capped.size()).isEqualTo(64);
    assertThat(capped.getEntryValue("k63")).isEqualTo("v");
  }
}
