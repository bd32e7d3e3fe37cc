package dev.baton.testing.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generators of hostile W3C header values, shared by the fuzz properties of the core and of every
 * transport, and the independent reading of a {@code traceparent} that those properties compare
 * Baton's parsing with. Written from the W3C Trace Context and
 * Baggage specifications, not from Baton's code.
 */
public final class W3CFuzz {

  /** The three W3C header names. */
  public static final String[] W3C = {"traceparent", "tracestate", "baggage"};
  private static final String HEX = "0123456789abcdef";
  private static final String TOKEN_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
  private static final String[] ESCAPES = {"%20", "%2C", "%3B", "%E2%82%AC", "%FF", "%C3", "%G1", "%", "%2"};

  /** The whole grammar of a valid traceparent, any version. */
  public static final Pattern TRACEPARENT =
      Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?", Pattern.DOTALL);

  private W3CFuzz() {}

  // ---- names ----

  /** A header name: usually a W3C one (in any casing), else a neighbour of one or junk. */
  public static String name(Entropy e) {
    switch (e.nextInt(12)) {
      case 0: case 1: case 2: case 3:
        return e.pick(W3C);
      case 4:
        return casing(e, e.pick(W3C));
      case 5:
        return e.pick(new String[] {"b3", "uber-trace-id", "x-b3-traceid", "ot-baggage-x"});
      case 6:
        return e.ascii(12);
      case 7:
        return e.text(8);
      case 8:
        return e.pick(W3C) + e.pick(new String[] {" ", "-bin", "\u0000", "s"});
      default:
        return "app-" + e.nextInt(4);
    }
  }

  /** {@code s} with random letters upper-cased. */
  public static String casing(Entropy e, String s) {
    char[] c = s.toCharArray();
    for (int i = 0; i < c.length; i++) {
      if (e.nextBoolean()) {
        c[i] = Character.toUpperCase(c[i]);
      }
    }
    return new String(c);
  }

  /** A value for a field called {@code name}: usually one that nearly fits the field. */
  public static String valueFor(Entropy e, String name, boolean asciiBaggageProperties) {
    String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
    if (e.oneIn(6)) {
      return e.oneIn(2) ? e.text(80) : e.ascii(120);
    }
    if (n.startsWith("traceparent")) {
      return traceparent(e);
    }
    if (n.startsWith("tracestate")) {
      return tracestate(e);
    }
    if (n.startsWith("baggage")) {
      return baggage(e, asciiBaggageProperties);
    }
    return e.oneIn(3) ? traceparent(e) : e.ascii(40);
  }

  /** What a carrier holds for {@code text}: String, bytes (good or broken), a CharSequence, or junk. */
  public static Object raw(Entropy e, String text) {
    if (e.oneIn(4)) {
      text = pad(e, text);
    }
    switch (e.nextInt(10)) {
      case 0: case 1: case 2: case 3:
        return text;
      case 4: case 5:
        return text.getBytes(StandardCharsets.UTF_8);
      case 6:
        return text.getBytes(StandardCharsets.ISO_8859_1);
      case 7: {
        byte[] good = text.getBytes(StandardCharsets.UTF_8);
        byte[] bad = e.bytes(4);
        byte[] all = new byte[good.length + bad.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(bad, 0, all, good.length, bad.length);
        return all;
      }
      case 8:
        return new StringBuilder(text);
      default:
        return e.pick(new Object[] {null, 42, Boolean.TRUE, new byte[0], "", e.bytes(64)});
    }
  }

  private static String pad(Entropy e, String s) {
    String[] ows = {" ", "\t", "  \t", ""};
    return e.pick(ows) + s + e.pick(ows);
  }

  // ---- traceparent ----

  /** A traceparent: valid in any version, or with a broken part, an odd suffix or mutations. */
  public static String traceparent(Entropy e) {
    String version = e.oneIn(3) ? hex(e, 2) : "00";
    if (e.oneIn(10)) {
      version = e.pick(new String[] {"ff", "FF", "0g", "", "000", "-1"});
    }
    String traceId = e.oneIn(12) ? "00000000000000000000000000000000" : hex(e, 32);
    String spanId = e.oneIn(12) ? "0000000000000000" : hex(e, 16);
    String flags = e.oneIn(4) ? hex(e, 2) : e.pick(new String[] {"00", "01", "02", "03"});
    StringBuilder tp = new StringBuilder(64)
        .append(version).append('-').append(traceId).append('-').append(spanId).append('-').append(flags);
    if (e.oneIn(4)) {
      tp.append(e.pick(new String[] {"-", "-what-the-future-holds", "x", "-" + e.ascii(20)}));
    }
    int mutations = e.oneIn(2) ? 0 : 1 + e.nextInt(3);
    for (int i = 0; i < mutations && tp.length() > 0; i++) {
      int at = e.nextInt(tp.length());
      switch (e.nextInt(6)) {
        case 0: tp.deleteCharAt(at); break;
        case 1: tp.insert(at, e.pick(new String[] {"0", "a", "-", " ", "G"})); break;
        case 2: tp.setCharAt(at, Character.toUpperCase(tp.charAt(at))); break;
        case 3: tp.setCharAt(at, e.pick(new Character[] {'g', 'z', '_', '\t', '\u00e9', '-'})); break;
        case 4: tp.setLength(at); break;
        default: tp.append(',').append(traceparentValid(e)); break;
      }
    }
    return tp.toString();
  }

  /** A valid version-00 traceparent. */
  public static String traceparentValid(Entropy e) {
    return "00-" + nonZeroHex(e, 32) + "-" + nonZeroHex(e, 16) + "-0" + HEX.charAt(e.nextInt(4));
  }

  /** {@code n} lower-case hex digits. */
  public static String hex(Entropy e, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = HEX.charAt(e.nextInt(16));
    }
    return new String(c);
  }

  /** {@code n} lower-case hex digits, not all zero. */
  public static String nonZeroHex(Entropy e, int n) {
    String h = hex(e, n);
    return h.chars().allMatch(ch -> ch == '0') ? h.substring(1) + "1" : h;
  }

  // ---- tracestate ----

  /** A tracestate list: members valid or not, empty members, sometimes more than the limit. */
  public static String tracestate(Entropy e) {
    int members = e.oneIn(8) ? 30 + e.nextInt(12) : e.nextInt(6);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < members; i++) {
      if (i > 0) {
        sb.append(e.oneIn(3) ? " , " : ",");
      }
      if (e.oneIn(10)) {
        continue; // an empty member
      }
      sb.append(tracestateKey(e)).append('=').append(tracestateValue(e));
    }
    return sb.toString();
  }

  private static String tracestateKey(Entropy e) {
    switch (e.nextInt(8)) {
      case 0: return "Vendor";
      case 1: return "";
      case 2: return "k".repeat(257);
      case 3: return "t" + e.nextInt(100) + "@v" + e.nextInt(5);
      case 4: return "foo@bar@baz";
      case 5: return e.ascii(6);
      default: return "v" + e.nextInt(50);
    }
  }

  private static String tracestateValue(Entropy e) {
    switch (e.nextInt(8)) {
      case 0: return "";
      case 1: return "x".repeat(257);
      case 2: return "a=b";
      case 3: return "trailing ";
      case 4: return e.ascii(10);
      default: return "val" + e.nextInt(1000);
    }
  }

  // ---- baggage ----

  /**
   * A baggage value: mostly valid members, some broken, sometimes more than 64 members or 8192
   * bytes. With {@code asciiProperties}, member properties stay printable ASCII (see
   * {@code PropagationFuzzTest} for the disabled property that lifts this).
   */
  public static String baggage(Entropy e, boolean asciiProperties) {
    int members = e.oneIn(6) ? 60 + e.nextInt(20) : e.nextInt(6);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < members; i++) {
      if (i > 0) {
        sb.append(e.oneIn(3) ? " , " : ",");
      }
      sb.append(baggageKey(e)).append(e.oneIn(15) ? "" : "=").append(baggageValue(e));
      if (e.oneIn(5)) {
        sb.append(';').append(asciiProperties ? "p" + e.nextInt(9) + (e.nextBoolean() ? "" : "=" + e.nextInt(99))
            : e.text(12));
      }
    }
    return sb.toString();
  }

  private static String baggageKey(Entropy e) {
    switch (e.nextInt(10)) {
      case 0: return "";
      case 1: return "bad key";
      case 2: return "k\u00e9y";
      case 3: return "tenant." + e.nextInt(5);
      case 4: return "user.id";
      default: {
        int n = 1 + e.nextInt(10);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
          sb.append(TOKEN_CHARS.charAt(e.nextInt(TOKEN_CHARS.length())));
        }
        return sb.toString();
      }
    }
  }

  private static String baggageValue(Entropy e) {
    switch (e.nextInt(10)) {
      case 0: return "";
      case 1: return "v".repeat(e.oneIn(2) ? 200 : 8200);
      case 2: return e.pick(ESCAPES);
      case 3: return "a" + e.pick(ESCAPES) + "b";
      case 4: return "with space";
      case 5: return "\u00e9t\u00e9";
      case 6: return "q\"uote";
      default: return "v" + e.nextInt(10_000);
    }
  }

  // ---- the reference reading of traceparent ----

  /**
   * What a receiver must take as the parent, read straight from the specifications: the
   * {@code traceparent} field (any other casing only when none of that exact name is readable);
   * several readable fields of one name joined with {@code ","}; a field is readable when it is a
   * String/CharSequence or strict UTF-8 bytes, within the size cap, without control characters
   * other than tab; optional whitespace trimmed. Returns the matcher of a valid value, else null.
   */
  public static Matcher expectedParent(List<? extends Map.Entry<String, ?>> c, int maxLength) {
    String value = joined(c, "traceparent", maxLength);
    if (value == null) {
      for (Map.Entry<String, ?> f : c) {
        String k = f.getKey();
        if (k != null && !k.equals("traceparent") && k.equalsIgnoreCase("traceparent")) {
          value = joined(c, k, maxLength);
          break;
        }
      }
    }
    if (value == null) {
      return null;
    }
    Matcher m = TRACEPARENT.matcher(value);
    if (!m.matches()) {
      return null;
    }
    String version = m.group(1);
    if (version.equals("ff") || (version.equals("00") && m.group(5) != null)) {
      return null;
    }
    if (m.group(2).equals("0".repeat(32)) || m.group(3).equals("0".repeat(16))) {
      return null;
    }
    return m;
  }

  private static String joined(List<? extends Map.Entry<String, ?>> c, String name, int maxLength) {
    StringBuilder sb = null;
    for (Map.Entry<String, ?> f : c) {
      if (!name.equals(f.getKey())) {
        continue;
      }
      String v = readable(f.getValue(), maxLength);
      if (v == null) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(v);
      } else {
        sb.append(',').append(v);
        if (sb.length() > maxLength) {
          return null;
        }
      }
    }
    return sb == null ? null : sb.toString();
  }

  /**
   * The text a strict reader gets from a carrier value: a {@code CharSequence} or valid UTF-8 bytes
   * within {@code maxLength}, without control characters other than tab, with optional whitespace
   * trimmed; else {@code null}.
   */
  public static String readable(Object raw, int maxLength) {
    String s;
    if (raw instanceof byte[]) {
      byte[] b = (byte[]) raw;
      if (b.length > maxLength) {
        return null;
      }
      try {
        s = StandardCharsets.UTF_8.newDecoder()
            .decode(java.nio.ByteBuffer.wrap(b)).toString();
      } catch (java.nio.charset.CharacterCodingException ex) {
        return null;
      }
    } else if (raw instanceof CharSequence) {
      s = raw.toString();
      if (s.length() > maxLength) {
        return null;
      }
    } else {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
        return null;
      }
    }
    return s.replaceAll("^[ \t]+|[ \t]+$", "");
  }

  /** The W3C tracestate member grammar (key and value), for checking what Baton kept. */
  public static boolean validTracestateMember(String key, String value) {
    return key.matches("[a-z0-9][a-z0-9_\\-*/@]{0,255}")
        && value.matches("[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");
  }
}
