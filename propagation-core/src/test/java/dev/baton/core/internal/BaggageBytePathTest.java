package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.fuzz.FuzzRuns;
import dev.baton.testing.fuzz.W3CFuzz;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageEntry;
import io.opentelemetry.context.Context;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A single {@code baggage} field given as bytes is parsed straight from the bytes. It must give
 * exactly what the general path (decode, trim, join, parse the text) gives: the same members with
 * the same values and properties, or the same absence, under every allow-list and size cap. The
 * general path is forced by a carrier that never answers {@code lastValue}
 * ({@link BytePathEquivalenceTest#GENERAL}); the text a strict
 * reader decodes ({@link W3CFuzz#readable}) parsed as a string is a third, independent reading.
 */
class BaggageBytePathTest {

  /** Counts the walks over the {@code baggage} fields, which the bytes path must not make. */
  static final class Counting extends TestCarrier.Adapter {
    int baggageWalks;

    @Override
    public Iterable<?> fields(TestCarrier c, String key) {
      if (W3CBaggage.BAGGAGE.equals(key)) {
        baggageWalks++;
      }
      return super.fields(c, key);
    }

    /** Looks the field up without {@link #fields}, as Kafka's {@code lastHeader} does. */
    @Override
    public Object lastValue(TestCarrier c, String key) {
      for (int i = c.fields.size() - 1; i >= 0; i--) {
        if (c.fields.get(i).getKey().equals(key)) {
          return c.fields.get(i).getValue();
        }
      }
      return null;
    }
  }

  /** A pair of propagations that differ only in the path they may take, and their settings. */
  static final class Pair {
    final BaggageFilter filter;
    final int cap;
    final Propagation<TestCarrier> fast;
    final Propagation<TestCarrier> general;
    final Counting counting = new Counting();
    final Propagation<TestCarrier> counted;

    Pair(List<String> allow, int cap) {
      BatonTracing tracing =
          BatonTracing.builder(OpenTelemetry.noop()).inboundBaggage(allow).headerMaxLength(cap).build();
      this.filter = BaggageFilter.of(allow);
      this.cap = cap;
      this.fast = Propagation.of(tracing, TestCarrier.ADAPTER);
      this.general = Propagation.of(tracing, BytePathEquivalenceTest.GENERAL);
      this.counted = Propagation.of(tracing, counting);
    }
  }

  static final List<Pair> PAIRS =
      List.of(
          new Pair(List.of("*"), Settings.DEFAULT_HEADER_MAX_LENGTH),
          new Pair(List.of("tenant.*", "user.id", "k"), Settings.DEFAULT_HEADER_MAX_LENGTH),
          new Pair(List.of("*"), 512),
          new Pair(List.of("*"), 32 * 1024));

  static final List<Charset> CHARSETS = List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1);

  static List<String> handPicked() {
    List<String> v = new ArrayList<>();
    v.addAll(
        List.of(
            "tenant=acme,region=eu-west-1,order.id=4711",
            "k=v",
            "tenant.a=1,user.id=2,k=3,other=4",
            "",
            " ",
            "\t \t",
            ",",
            ",,k=v,,",
            " k=v ",
            "\tk=v\t",
            "k = v",
            "k\t=\tv , k2 = v2",
            "k=v,k=w",
            "k=",
            "k= ",
            "=v",
            "k",
            "k v=1",
            "k=v w",
            "k=v=w",
            "k=\"q\"",
            "k=a\\b",
            "k=%20%2C%3B",
            "k=%E2%82%AC",
            "k=%e2%82%ac",
            "k=%FF",
            "k=%C3",
            "k=%C3%A9",
            "k=%G1",
            "k=%",
            "k=%2",
            "k=a%",
            "k=v;p",
            "k=v;p=1",
            "k=v ; p = 1 ; q",
            "k=v;p;",
            "k=v;;p",
            "k=v;",
            "k=v;=1",
            "k=v;p=1=2",
            "k=v;p=\"x\"",
            "k=v;p=a b",
            "k=v;p=%41",
            "k=v;p\t=\t1",
            "k=v;p=1,bad key=1,ok=2",
            "k=v\u0001",
            "k=v\u007f,ok=1",
            "k=v\r\n,ok=1",
            "\u0000",
            "k=caf\u00e9,ok=1",
            "k\u00e9=1,ok=1",
            "ok=1,k=v;p=caf\u00e9",
            "ok=1;\u00e9",
            "\u00e9",
            "k=\u20ac",
            "k=\ud83d\ude00,ok=1",
            "tenant.x=1;p,user.id=%41;q=2,k=\u00e9"));
    // the member limit: 63, 64, 65 and many members, some of them invalid or filtered out
    for (int n : new int[] {63, 64, 65, 100}) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(i == 0 ? "" : ",").append(i % 7 == 3 ? "bad key" : "k" + i).append("=").append(i);
      }
      v.add(sb.toString());
    }
    // the byte limit: members that end just under, at and just over 8192 bytes
    for (int pad : new int[] {-2, -1, 0, 1, 2}) {
      String big = "big=" + "v".repeat(8000);
      int rest = W3CBaggage.MAX_BYTES - big.length() - 1 + pad;
      v.add(big + ",t=" + "w".repeat(Math.max(0, rest - 2)) + ",after=1");
      v.add(" big = " + "v".repeat(8000) + " ; p = 1 , t=" + "w".repeat(Math.max(0, rest - 8)));
    }
    // the header cap (512 in one pair, 8192 by default), with and without outer whitespace
    for (int n = 505; n <= 512; n++) {
      v.add("ok=1,k=" + "x".repeat(n - 7));
    }
    v.add("k=" + "x".repeat(9000));
    v.add("k=" + "x".repeat(9000) + ",ok=1");
    return v;
  }

  @Test
  void handPickedValuesGiveTheSameBaggage() {
    for (Pair p : PAIRS) {
      for (String text : handPicked()) {
        for (Charset cs : CHARSETS) {
          check(p, text.getBytes(cs));
          check(p, pad(" \t", text).getBytes(cs));
        }
      }
    }
  }

  @Test
  void mutatedBytesGiveTheSameBaggage() {
    Random r = new Random(0xBA66A6E);
    byte[][] bases = {
      "tenant=acme,region=eu-west-1,order.id=4711".getBytes(StandardCharsets.US_ASCII),
      "k = a%20b ; p = 1 ; q , user.id=%E2%82%AC".getBytes(StandardCharsets.US_ASCII),
    };
    for (int i = 0; i < 20_000; i++) {
      Pair p = PAIRS.get(r.nextInt(2));
      check(p, mutate(r, bases[r.nextInt(bases.length)]));
    }
  }

  @Test
  void fuzzedBaggageGivesTheSameBaggage() {
    FuzzRuns.run(
        "core baggage bytes path",
        e -> {
          Pair p = PAIRS.get(e.nextInt(PAIRS.size()));
          String text = W3CFuzz.baggage(e, e.nextBoolean());
          Object raw = W3CFuzz.raw(e, text);
          byte[] bytes =
              raw instanceof byte[] ? (byte[]) raw : text.getBytes(e.nextBoolean()
                  ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
          check(p, bytes);
        });
  }

  /** Only a single field of the exact name, as bytes, takes the bytes path; the rest agree too. */
  @Test
  void severalTextOrOtherCasedFieldsGiveTheSameBaggage() {
    byte[] a = "tenant.a=1,k=2".getBytes(StandardCharsets.US_ASCII);
    byte[] b = "user.id=3;p".getBytes(StandardCharsets.US_ASCII);
    List<TestCarrier> carriers = new ArrayList<>();
    carriers.add(new TestCarrier().add("baggage", a).add("baggage", b));
    carriers.add(new TestCarrier().add("Baggage", a));
    carriers.add(new TestCarrier().add("baggage", a).add("BAGGAGE", b));
    carriers.add(new TestCarrier().add("baggage", new byte[] {1}).add("Baggage", b));
    carriers.add(new TestCarrier().add("baggage", null).add("Baggage", b));
    carriers.add(new TestCarrier().add("baggage", "tenant.a=1, k=2 "));
    carriers.add(new TestCarrier().add("baggage", new StringBuilder("k=2")));
    carriers.add(new TestCarrier().add("baggage", 42));
    carriers.add(new TestCarrier().add("x-app", "1").add("baggage", a).add("x-app", "2"));
    for (Pair p : PAIRS) {
      for (TestCarrier c : carriers) {
        assertSameBaggage(p, c, c.fields.toString());
      }
    }
  }

  @Test
  void theBytesPathDoesNotWalkTheFields() {
    Pair p = PAIRS.get(0);
    byte[] value = "tenant=acme,region=eu-west-1,order.id=4711".getBytes(StandardCharsets.US_ASCII);
    Context ctx =
        p.counted.extract(
            Context.root(),
            new TestCarrier().add("x-app", "1").add("baggage", value));
    assertThat(p.counting.baggageWalks).isZero();
    assertThat(Baggage.fromContext(ctx).getEntryValue("region")).isEqualTo("eu-west-1");
    assertThat(Baggage.fromContext(ctx).size()).isEqualTo(3);
  }

  /**
   * Compares the three readings of a carrier holding {@code bytes} as its only {@code baggage}
   * field, and checks that the bytes path was the one taken when it can be.
   */
  private static void check(Pair p, byte[] bytes) {
    TestCarrier c = new TestCarrier().add("x-app", "1").add("baggage", bytes);
    String what = printable(bytes);
    Map<String, BaggageEntry> fast = assertSameBaggage(p, c, what);
    String text = W3CFuzz.readable(bytes, p.cap);
    Baggage parsed = text == null || text.isEmpty() ? null : W3CBaggage.parse(text, p.filter);
    assertThat(fast).as("text reading of %s", what).isEqualTo(parsed == null ? null : parsed.asMap());
    // the bytes path was taken whenever it can be: ASCII within the cap
    p.counting.baggageWalks = 0;
    p.counted.extract(Context.root(), c);
    boolean ascii = bytes.length <= p.cap && HeaderValues.classify(bytes) != HeaderValues.NOT_ASCII;
    assertThat(p.counting.baggageWalks).as("walks for %s", what).isEqualTo(ascii ? 0 : 1);
  }

  private static Map<String, BaggageEntry> assertSameBaggage(Pair p, TestCarrier c, String what) {
    Baggage expected = Baggage.fromContextOrNull(p.general.extract(Context.root(), c));
    Baggage actual = Baggage.fromContextOrNull(p.fast.extract(Context.root(), c));
    assertThat(actual == null).as("absent: %s", what).isEqualTo(expected == null);
    if (expected == null) {
      return null;
    }
    assertThat(actual.asMap()).as(what).isEqualTo(expected.asMap());
    assertThat(actual.size()).as(what).isEqualTo(expected.size());
    return actual.asMap();
  }

  private static String pad(String ows, String s) {
    return ows + s + ows;
  }

  private static byte[] mutate(Random r, byte[] base) {
    byte[] b = base.clone();
    int flips = r.nextInt(4);
    String specials = " ,;=%\t\"\\aZ09";
    for (int f = 0; f < flips; f++) {
      int at = r.nextInt(b.length);
      switch (r.nextInt(3)) {
        case 0:
          b[at] = (byte) r.nextInt(256);
          break;
        case 1:
          b[at] = (byte) r.nextInt(0x80);
          break;
        default:
          b[at] = (byte) specials.charAt(r.nextInt(specials.length()));
      }
    }
    return b;
  }

  private static String printable(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      int c = x & 0xff;
      if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
      if (sb.length() > 300) {
        return sb.append("...(").append(b.length).append(" bytes)").toString();
      }
    }
    return sb.toString();
  }
}
