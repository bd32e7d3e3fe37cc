package dev.baton.grpc;

import dev.baton.core.internal.HeaderCarrier;
import io.grpc.Metadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * gRPC {@link Metadata} as a Baton header carrier. Only ASCII metadata takes part: {@code -bin}
 * keys are never listed, read or written, because trace context is text.
 *
 * <p>{@code Metadata.Key}s for the propagator's fields are built once, with the tracing object;
 * any other name (asked for by a configured B3 or Jaeger propagator, say) gets its key built on
 * first use and cached, up to {@link #MAX_CACHED} names. Thread-safe.
 */
final class MetadataCarrier implements HeaderCarrier<Metadata> {

  /** Bound on lazily cached keys, so odd header names cannot grow the cache without end. */
  static final int MAX_CACHED = 256;

  private static final String BINARY_SUFFIX = Metadata.BINARY_HEADER_SUFFIX;

  private final Map<String, Metadata.Key<String>> fieldKeys;
  private final ConcurrentHashMap<String, Metadata.Key<String>> otherKeys =
      new ConcurrentHashMap<>();

  /**
   * @param fields the propagator's fields, whose keys are built now
   */
  MetadataCarrier(Collection<String> fields) {
    Map<String, Metadata.Key<String>> keys = new HashMap<>();
    for (String f : fields) {
      if (f != null && !f.endsWith(BINARY_SUFFIX)) {
        keys.put(f, Metadata.Key.of(f, Metadata.ASCII_STRING_MARSHALLER));
      }
    }
    this.fieldKeys = Map.copyOf(keys);
  }

  /** Returns the ASCII key for {@code name}, or {@code null} for a binary or invalid name. */
  Metadata.Key<String> key(String name) {
    Metadata.Key<String> key = fieldKeys.get(name);
    if (key != null) {
      return key;
    }
    if (name.endsWith(BINARY_SUFFIX)) {
      return null;
    }
    key = otherKeys.get(name);
    if (key != null) {
      return key;
    }
    try {
      key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    } catch (IllegalArgumentException e) {
      // Not a legal metadata name: no such field can exist, so it reads as absent.
      return null;
    }
    if (otherKeys.size() < MAX_CACHED) {
      Metadata.Key<String> raced = otherKeys.putIfAbsent(name, key);
      if (raced != null) {
        key = raced;
      }
    }
    return key;
  }

  /** gRPC lowercases every metadata key, so no other casing is ever worth a look. */
  @Override
  public boolean namesAreLowercase() {
    return true;
  }

  @Override
  public Iterable<String> keys(Metadata carrier) {
    // Metadata.keys() copies into a new set; drop the binary names from that copy.
    Set<String> all = carrier.keys();
    List<String> text = new ArrayList<>(all.size());
    for (String k : all) {
      if (!k.endsWith(BINARY_SUFFIX)) {
        text.add(k);
      }
    }
    return text;
  }

  @Override
  public Iterable<?> fields(Metadata carrier, String name) {
    Metadata.Key<String> key = key(name);
    if (key == null) {
      return Collections.emptyList();
    }
    Iterable<String> values = carrier.getAll(key);
    return values == null ? Collections.emptyList() : values;
  }

  @Override
  public void replace(Metadata carrier, String name, String value) {
    Metadata.Key<String> key = key(name);
    if (key == null) {
      return;
    }
    carrier.removeAll(key);
    if (value != null) {
      carrier.put(key, value);
    }
  }
}
