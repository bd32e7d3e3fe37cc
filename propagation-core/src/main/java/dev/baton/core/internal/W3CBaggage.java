package dev.baton.core.internal;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.BaggageEntry;
import io.opentelemetry.api.baggage.BaggageEntryMetadata;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * W3C Baggage with the specification's limits: at most 64 list-members and 8192 bytes (UTF-8) are
 * propagated in each direction, whole members only (a member that would cross a limit is dropped,
 * never cut).
 *
 * <p>On the way in, every member is checked against the specification's grammar: the key a
 * token, the value baggage-octets (then percent-decoded; invalid UTF-8 becomes U+FFFD), each
 * property {@code key} or {@code key=value} of the same grammar, optional whitespace around each
 * part. A member that does not conform is skipped, the others kept; properties are kept with the
 * whitespace removed. The header is parsed in one pass: every character is looked at a bounded
 * number of times.
 *
 * <p>On the way out, keys that are not tokens are dropped, values are percent-encoded, and
 * properties (OpenTelemetry's entry metadata, opaque text any code may set) are written only
 * when they conform to the property grammar; otherwise the member goes without them. So nothing
 * but printable ASCII is ever written: no control character, no header injection into the next
 * hop. Each direction has its own key allow-list, so personal data does not leak across a
 * boundary.
 */
final class W3CBaggage implements TextMapPropagator {

  static final String BAGGAGE = "baggage";
  static final int MAX_MEMBERS = 64;
  static final int MAX_BYTES = 8192;
  private static final List<String> FIELDS = List.of(BAGGAGE);

  private final BaggageFilter inbound;
  private final BaggageFilter outbound;
  /**
   * The last baggage written and its header: a request's context holds one {@code Baggage}
   * object, so every message sent on its behalf reuses the header of the first.
   */
  private LastEncoded<Baggage> last;

  W3CBaggage(BaggageFilter inbound, BaggageFilter outbound) {
    this.inbound = inbound;
    this.outbound = outbound;
  }

  @Override
  public List<String> fields() {
    return FIELDS;
  }

  @Override
  public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
    if (context == null || setter == null) {
      return;
    }
    Baggage baggage = Baggage.fromContextOrNull(context);
    String header = null;
    if (baggage != null && !baggage.isEmpty() && !outbound.allowsNone()) {
      LastEncoded<Baggage> e = last;
      if (!LastEncoded.holds(e, baggage)) {
        e = new LastEncoded<>(baggage, encode(baggage, outbound));
        last = e;
      }
      header = e.header();
    }
    if (header != null) {
      setter.set(carrier, BAGGAGE, header);
    } else if (setter instanceof CarrierSetter) {
      ((CarrierSetter<C>) setter).remove(carrier, BAGGAGE);
    }
  }

  /** The header for {@code baggage}; {@code null} when no member may be sent. */
  static String encode(Baggage baggage, BaggageFilter filter) {
    Encoder encoder = new Encoder(filter);
    baggage.forEach(encoder);
    return encoder.header.length() == 0 ? null : encoder.header.toString();
  }

  /** Writes members while they fit the limits. A class, not a lambda: no capture per message. */
  private static final class Encoder implements BiConsumer<String, BaggageEntry> {
    private final BaggageFilter filter;
    private final StringBuilder header = new StringBuilder(64);
    private int members;
    private long bytes;

    Encoder(BaggageFilter filter) {
      this.filter = filter;
    }

    @Override
    public void accept(String key, BaggageEntry entry) {
      if (members >= MAX_MEMBERS
          || key == null
          || entry == null
          || !isToken(key, 0, key.length())
          || !filter.allows(key)) {
        return;
      }
      int mark = header.length();
      if (mark > 0) {
        header.append(',');
      }
      header.append(key).append('=');
      percentEncode(entry.getValue(), header);
      String meta = entry.getMetadata() == null ? null : entry.getMetadata().getValue();
      if (meta != null && !meta.isEmpty()) {
        String properties = normalizeProperties(meta, 0, meta.length());
        if (properties != null) {
          header.append(';').append(properties);
        }
      }
      // Everything appended is ASCII by now, but count bytes, as the limit is stated.
      long added = HeaderValues.utf8Length(header, mark, header.length(), MAX_BYTES);
      if (bytes + added > MAX_BYTES) {
        header.setLength(mark); // whole members only
        return;
      }
      bytes += added;
      members++;
    }
  }

  @Override
  public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
    if (context == null) {
      context = Context.root();
    }
    if (getter == null || inbound.allowsNone()) {
      return context;
    }
    String header = getter.get(carrier, BAGGAGE);
    if (header == null || header.isEmpty()) {
      return context;
    }
    Baggage parsed = parse(header, inbound);
    return parsed == null ? context : context.with(parsed);
  }

  /**
   * {@link #extract} for Baton's own getter, knowing from {@code found} ({@link CarrierGetter#scan})
   * whether the carrier holds a single {@code baggage} field under the exact name. When it does and
   * the field is bytes, ASCII and within the cap, the parser reads the bytes themselves: no
   * decoded or joined string, no walk over the fields of that name. The outcome is the one the
   * decoded text would give; anything else (several fields, text, a non-ASCII byte) goes the
   * general way.
   */
  <C> Context extract(Context context, C carrier, CarrierGetter<C> getter, int found) {
    byte[] raw = (found & CarrierGetter.BAGGAGE_SINGLE) != 0 && !inbound.allowsNone()
        ? getter.singleBytes(carrier, BAGGAGE, Integer.MAX_VALUE)
        : null;
    int kind = raw == null ? HeaderValues.NOT_ASCII : HeaderValues.classify(raw);
    if (kind == HeaderValues.NOT_ASCII) {
      return extract(context, carrier, getter);
    }
    // Absent (a control byte) or ASCII; outer whitespace needs no trimming: members are trimmed.
    if (context == null) {
      context = Context.root();
    }
    Baggage parsed = kind == HeaderValues.ASCII ? parse(new AsciiBytes(raw), inbound) : null;
    return parsed == null ? context : context.with(parsed);
  }

  /**
   * A byte array known to hold ASCII only, read as the text it decodes to: one char per byte.
   * Slices become strings directly.
   */
  private static final class AsciiBytes implements CharSequence {
    private final byte[] b;

    AsciiBytes(byte[] b) {
      this.b = b;
    }

    @Override
    public int length() {
      return b.length;
    }

    @Override
    public char charAt(int index) {
      return (char) b[index];
    }

    @Override
    public String subSequence(int start, int end) {
      return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * Parses a (joined) baggage value in one pass; {@code null} when no member survives. Members
   * are read up to the next comma (neither values nor properties may hold one); each is checked
   * by scanning its own characters only. (A {@code CharSequence}: a {@code String} from the
   * general path, the raw bytes of a single ASCII field from the fast one, and in a test a
   * sequence that counts the characters read.)
   */
  static Baggage parse(CharSequence header, BaggageFilter filter) {
    BaggageBuilder builder = null;
    int members = 0;
    long bytes = 0;
    int len = header.length();
    int start = 0;
    while (start <= len && members < MAX_MEMBERS) {
      int end = start;
      while (end < len && header.charAt(end) != ',') {
        end++;
      }
      int from = skipOws(header, start, end);
      int to = trimOws(header, from, end);
      if (from < to) {
        // A valid member is ASCII, so its length is its size in bytes.
        long memberBytes = (to - from) + (members == 0 ? 0 : 1);
        if (bytes + memberBytes <= MAX_BYTES) {
          if (builder == null) {
            builder = Baggage.builder();
          }
          if (addMember(header, from, to, filter, builder)) {
            members++;
            bytes += memberBytes;
          }
        }
      }
      start = end + 1;
    }
    if (builder == null || members == 0) {
      return null;
    }
    Baggage b = builder.build();
    return b.isEmpty() ? null : b;
  }

  /**
   * Checks and adds the member {@code h[from, to)} (no outer whitespace):
   * {@code key OWS "=" OWS value *( OWS ";" OWS property )}.
   */
  private static boolean addMember(
      CharSequence h, int from, int to, BaggageFilter filter, BaggageBuilder builder) {
    int ke = tokenEnd(h, from, to);
    if (ke == from) {
      return false;
    }
    int i = skipOws(h, ke, to);
    if (i == to || h.charAt(i) != '=') {
      return false;
    }
    int vs = skipOws(h, i + 1, to);
    int ve = vs;
    boolean percent = false;
    while (ve < to && isBaggageOctet(h.charAt(ve))) {
      if (h.charAt(ve) == '%') {
        // Checked here, so a malformed escape costs no allocation.
        if (ve + 2 >= to || hexValue(h.charAt(ve + 1)) < 0 || hexValue(h.charAt(ve + 2)) < 0) {
          return false;
        }
        percent = true;
        ve += 2;
      }
      ve++;
    }
    i = skipOws(h, ve, to);
    String meta = "";
    if (i < to) {
      if (h.charAt(i) != ';') {
        return false; // a character no value may hold
      }
      meta = normalizeProperties(h, i + 1, to);
      if (meta == null) {
        return false;
      }
    }
    String key = h.subSequence(from, ke).toString();
    if (!filter.allows(key)) {
      return false;
    }
    String value = percent ? percentDecode(h, vs, ve) : h.subSequence(vs, ve).toString();
    // create("") makes a new object per member; empty() is one shared instance, equal to it
    BaggageEntryMetadata metadata =
        meta.isEmpty() ? BaggageEntryMetadata.empty() : BaggageEntryMetadata.create(meta);
    builder.put(key, value, metadata);
    return true;
  }

  /**
   * Checks {@code s[from, to)} as {@code OWS property *( OWS ";" OWS property ) OWS}, each
   * property {@code key OWS "=" OWS value} or {@code key}; returns the properties joined by
   * {@code ;} without whitespace, or {@code null} when they do not conform (an empty property, a
   * control character or any non-ASCII character included).
   */
  static String normalizeProperties(CharSequence s, int from, int to) {
    StringBuilder out = null;
    int i = from;
    while (true) {
      i = skipOws(s, i, to);
      int ks = i;
      int ke = tokenEnd(s, ks, to);
      if (ke == ks) {
        return null;
      }
      i = skipOws(s, ke, to);
      int vs = -1;
      int ve = -1;
      if (i < to && s.charAt(i) == '=') {
        vs = skipOws(s, i + 1, to);
        ve = vs;
        while (ve < to && isBaggageOctet(s.charAt(ve))) {
          ve++;
        }
        i = skipOws(s, ve, to);
      }
      if (out == null) {
        out = new StringBuilder(to - from);
      } else {
        out.append(';');
      }
      out.append(s, ks, ke);
      if (vs >= 0) {
        out.append('=').append(s, vs, ve);
      }
      if (i == to) {
        return out.toString();
      }
      if (s.charAt(i) != ';') {
        return null;
      }
      i++;
    }
  }

  private static int skipOws(CharSequence s, int from, int to) {
    while (from < to && HeaderValues.isOws(s.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimOws(CharSequence s, int from, int to) {
    while (to > from && HeaderValues.isOws(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  /** The end of the token starting at {@code from}; {@code from} when there is none. */
  private static int tokenEnd(CharSequence s, int from, int to) {
    int i = from;
    while (i < to && isTokenChar(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** RFC 7230 token. */
  static boolean isToken(CharSequence s, int from, int to) {
    return from < to && tokenEnd(s, from, to) == to;
  }

  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || (c < 0x80 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
  }

  /** {@code %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E}. */
  private static boolean isBaggageOctet(char c) {
    return c == 0x21
        || (c >= 0x23 && c <= 0x2b)
        || (c >= 0x2d && c <= 0x3a)
        || (c >= 0x3c && c <= 0x5b)
        || (c >= 0x5d && c <= 0x7e);
  }

  /** Decodes {@code s[from, to)}: baggage-octets whose {@code %} escapes are all well formed. */
  private static String percentDecode(CharSequence s, int from, int to) {
    byte[] out = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%') {
        out[n++] = (byte) (hexValue(s.charAt(i + 1)) << 4 | hexValue(s.charAt(i + 2)));
        i += 2;
      } else {
        out[n++] = (byte) c;
      }
    }
    // new String(..., UTF_8) turns invalid sequences into U+FFFD, as the specification asks.
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  /** The value of an ASCII hex digit (either case), or -1. */
  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static void percentEncode(String value, StringBuilder out) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c < 0x80 && c != '%' && isBaggageOctet((char) c)) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
  }

  @Override
  public String toString() {
    return "BatonW3CBaggage{inbound=" + inbound + ", outbound=" + outbound + "}";
  }
}
