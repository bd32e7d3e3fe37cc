package dev.baton.core;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.baggage.BaggageEntryMetadata;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * W3C Baggage with the specification's limits: at most 64 list-members and 8192 bytes are
 * propagated, whole members only (a member that would cross a limit is dropped, never cut).
 * Values are percent-decoded on the way in (invalid UTF-8 becomes U+FFFD) and percent-encoded on
 * the way out. An invalid member is skipped; the others are kept. Each direction has its own key
 * allow-list, so personal data does not leak across a boundary.
 */
final class W3CBaggage implements TextMapPropagator {

  static final String BAGGAGE = "baggage";
  static final int MAX_MEMBERS = 64;
  static final int MAX_BYTES = 8192;
  private static final List<String> FIELDS = List.of(BAGGAGE);

  private final BaggageFilter inbound;
  private final BaggageFilter outbound;

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
      header = encode(baggage);
    }
    if (header != null) {
      setter.set(carrier, BAGGAGE, header);
    } else if (setter instanceof CarrierSetter) {
      ((CarrierSetter<C>) setter).remove(carrier, BAGGAGE);
    }
  }

  private String encode(Baggage baggage) {
    StringBuilder sb = new StringBuilder(64);
    int[] count = {0};
    baggage.forEach(
        (key, entry) -> {
          if (count[0] >= MAX_MEMBERS || !isToken(key, 0, key.length()) || !outbound.allows(key)) {
            return;
          }
          StringBuilder member = new StringBuilder(key.length() + 16);
          member.append(key).append('=');
          percentEncode(entry.getValue(), member);
          String meta = entry.getMetadata().getValue();
          if (meta != null && !meta.isEmpty()) {
            member.append(';').append(meta);
          }
          int extra = (sb.length() == 0 ? 0 : 1) + member.length();
          if (sb.length() + extra > MAX_BYTES) {
            return; // whole members only
          }
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(member);
          count[0]++;
        });
    return sb.length() == 0 ? null : sb.toString();
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

  /** Parses a (joined) baggage value; {@code null} when no member survives. */
  static Baggage parse(String header, BaggageFilter filter) {
    BaggageBuilder builder = null;
    int members = 0;
    int bytes = 0;
    int len = header.length();
    int start = 0;
    while (start <= len) {
      int comma = header.indexOf(',', start);
      int end = comma < 0 ? len : comma;
      int memberBytes = end - start + (start == 0 ? 0 : 1);
      if (members < MAX_MEMBERS && bytes + memberBytes <= MAX_BYTES) {
        if (addMember(header, start, end, filter, builder == null ? (builder = Baggage.builder()) : builder)) {
          members++;
          bytes += memberBytes;
        }
      }
      if (comma < 0) {
        break;
      }
      start = comma + 1;
    }
    if (builder == null || members == 0) {
      return null;
    }
    Baggage b = builder.build();
    return b.isEmpty() ? null : b;
  }

  private static boolean addMember(
      String h, int from, int to, BaggageFilter filter, BaggageBuilder builder) {
    int semi = h.indexOf(';', from);
    int valueEnd = (semi < 0 || semi > to) ? to : semi;
    int eq = h.indexOf('=', from);
    if (eq < 0 || eq >= valueEnd) {
      return false;
    }
    int ks = skipOws(h, from, eq);
    int ke = trimOws(h, ks, eq);
    if (!isToken(h, ks, ke)) {
      return false;
    }
    int vs = skipOws(h, eq + 1, valueEnd);
    int ve = trimOws(h, vs, valueEnd);
    for (int i = vs; i < ve; i++) {
      if (!isBaggageOctet(h.charAt(i))) {
        return false;
      }
    }
    String value = percentDecode(h, vs, ve);
    if (value == null) {
      return false;
    }
    String key = h.substring(ks, ke);
    if (!filter.allows(key)) {
      return false;
    }
    String meta = "";
    if (valueEnd < to) {
      int ms = skipOws(h, valueEnd + 1, to);
      meta = h.substring(ms, trimOws(h, ms, to));
    }
    builder.put(key, value, BaggageEntryMetadata.create(meta));
    return true;
  }

  private static int skipOws(String s, int from, int to) {
    while (from < to && HeaderValues.isOws(s.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimOws(String s, int from, int to) {
    while (to > from && HeaderValues.isOws(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  /** RFC 7230 token. */
  static boolean isToken(String s, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@code %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E}. */
  private static boolean isBaggageOctet(char c) {
    return c == 0x21
        || (c >= 0x23 && c <= 0x2b)
        || (c >= 0x2d && c <= 0x3a)
        || (c >= 0x3c && c <= 0x5b)
        || (c >= 0x5d && c <= 0x7e);
  }

  private static String percentDecode(String s, int from, int to) {
    if (s.indexOf('%', from) < 0 || s.indexOf('%', from) >= to) {
      return s.substring(from, to);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= to) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    // new String(..., UTF_8) turns invalid sequences into U+FFFD, as the specification asks.
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
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
