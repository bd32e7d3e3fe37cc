package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.context.Context;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaggageTest {

  final Propagation<TestCarrier> all =
      Propagation.of(BatonTracing.create(OpenTelemetry.noop()), TestCarrier.ADAPTER);

  private Baggage extract(Propagation<TestCarrier> p, String... fields) {
    TestCarrier c = new TestCarrier();
    for (String f : fields) {
      c.add("baggage", f);
    }
    return Baggage.fromContext(p.extract(Context.root(), c));
  }

  @Test
  void parsesMembersWithOwsPropertiesAndPercentEncoding() {
    Baggage b = extract(all, " user = alice%20smith ; prop1=x , tenant=acme", "n=%E2%82%AC");
    assertThat(b.getEntryValue("user")).isEqualTo("alice smith");
    assertThat(b.asMap().get("user").getMetadata().getValue()).isEqualTo("prop1=x");
    assertThat(b.getEntryValue("tenant")).isEqualTo("acme");
    assertThat(b.getEntryValue("n")).isEqualTo("\u20ac");
  }

  @Test
  void invalidUtf8AfterDecodingBecomesReplacementCharacter() {
    assertThat(extract(all, "k=%FF").getEntryValue("k")).isEqualTo("\ufffd");
  }

  @Test
  void invalidMembersAreSkippedOthersKept() {
    Baggage b = extract(all, "good=1,bad key=2,=3,novalue,x=a\"b,pct=%G1,ok=2");
    assertThat(b.asMap().keySet()).containsExactlyInAnyOrder("good", "ok");
  }

  @Test
  void atMost64MembersAreAccepted() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 70; i++) {
      sb.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    }
    Baggage b = extract(all, sb.toString());
    assertThat(b.size()).isEqualTo(64);
    assertThat(b.getEntryValue("k63")).isEqualTo("v");
    assertThat(b.getEntryValue("k64")).isNull();
  }

  @Test
  void atMost8192BytesAndNeverAPartialMember() {
    // 9 members of ~1000 bytes: the ninth would cross 8192 bytes
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 9; i++) {
      sb.append(i == 0 ? "" : ",").append("k").append(i).append('=').append("v".repeat(1000));
    }
    Propagation<TestCarrier> p =
        Propagation.of(BatonTracing.builder(OpenTelemetry.noop()).headerMaxLength(16384).build(), TestCarrier.ADAPTER);
    Baggage b = extract(p, sb.toString());
    assertThat(b.size()).isEqualTo(8);
    b.forEach((k, e) -> assertThat(e.getValue()).hasSize(1000));
  }

  @Test
  void injectEncodesAndRespectsLimits() {
    TestCarrier encoded = new TestCarrier();
    all.inject(
        Context.root().with(Baggage.builder().put("user", "alice smith,%;").put("bad key", "x").build()),
        encoded);
    assertThat(encoded.only("baggage")).isEqualTo("user=alice%20smith%2C%25%3B");

    BaggageBuilder bb = Baggage.builder();
    for (int i = 0; i < 70; i++) {
      bb.put("k" + i, "v");
    }
    TestCarrier out = new TestCarrier();
    all.inject(Context.root().with(bb.build()), out);
    String header = out.only("baggage");
    assertThat(header.split(",")).hasSize(64);
    // round trip
    TestCarrier again = new TestCarrier().add("baggage", "user=alice%20smith%2C%25%3B");
    assertThat(Baggage.fromContext(all.extract(Context.root(), again)).getEntryValue("user"))
        .isEqualTo("alice smith,%;");
  }

  @Test
  void eachBaggageObjectIsWrittenWithItsOwnMembersWhenSendsAlternate() {
    Baggage alice = Baggage.builder().put("user", "alice").build();
    Baggage bob = Baggage.builder().put("user", "bob").put("tier", "gold").build();
    Baggage empty = Baggage.empty();
    // one request's baggage reused for several sends, then another's, then the first again:
    // the header encoded for one object never goes out with another
    boolean[] written = {true, true, true, false, true};
    Baggage[] sent = {alice, alice, bob, empty, alice};
    for (int i = 0; i < sent.length; i++) {
      TestCarrier out = new TestCarrier().add("baggage", "stale=1");
      all.inject(Context.root().with(sent[i]), out);
      if (!written[i]) {
        assertThat(out.all("baggage")).as("send %d", i).isEmpty();
      } else {
        assertThat(out.all("baggage")).as("send %d", i).hasSize(1);
        assertThat(Baggage.fromContext(all.extract(Context.root(), out)).asMap())
            .as("send %d", i).isEqualTo(sent[i].asMap());
      }
    }
  }

  @Test
  void injectNeverWritesAPartialMemberOverTheByteLimit() {
    BaggageBuilder bb = Baggage.builder();
    for (int i = 0; i < 10; i++) {
      bb.put("k" + i, "v".repeat(1000));
    }
    TestCarrier out = new TestCarrier();
    all.inject(Context.root().with(bb.build()), out);
    String header = out.only("baggage");
    assertThat(header.length()).isLessThanOrEqualTo(8192);
    for (String member : header.split(",")) {
      assertThat(member).matches("k\\d=v{1000}");
    }
  }

  @Test
  void allowListsFilterEachDirection() {
    BatonTracing baton =
        BatonTracing.builder(OpenTelemetry.noop())
            .inboundBaggage(List.of("tenant.*", "region"))
            .outboundBaggage(List.of("tenant.id"))
            .build();
    Propagation<TestCarrier> p = Propagation.of(baton, TestCarrier.ADAPTER);
    Baggage in = extract(p, "tenant.id=1,tenant.tier=gold,region=eu,user.email=a@b");
    assertThat(in.asMap().keySet()).containsExactlyInAnyOrder("tenant.id", "tenant.tier", "region");

    TestCarrier out = new TestCarrier();
    p.inject(Context.root().with(in), out);
    assertThat(out.only("baggage")).isEqualTo("tenant.id=1");
  }

  @Test
  void anEmptyAllowListPassesNothing() {
    BatonTracing baton =
        BatonTracing.builder(OpenTelemetry.noop()).inboundBaggage(List.of()).outboundBaggage(List.of()).build();
    Propagation<TestCarrier> p = Propagation.of(baton, TestCarrier.ADAPTER);
    assertThat(extract(p, "a=1").isEmpty()).isTrue();
    TestCarrier out = new TestCarrier().add("baggage", "stale=1");
    p.inject(Context.root().with(Baggage.builder().put("a", "1").build()), out);
    assertThat(out.all("baggage")).isEmpty();
  }
}
