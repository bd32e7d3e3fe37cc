package dev.baton.grpc;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.SemConv;
import io.grpc.Metadata;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The allow-list of request metadata keys recorded as {@code rpc.request.metadata.<key>}
 * string-array attributes (the conventions' opt-in attribute; the values are every value the key
 * carries, in order). Both {@code Metadata.Key}s and attribute keys are built once, here.
 * Binary ({@code -bin}) keys cannot be captured. Immutable.
 */
final class MetadataCapture {

  static final String ATTRIBUTE_PREFIX = SemConv.RPC_REQUEST_METADATA_PREFIX;
  static final MetadataCapture NONE = new MetadataCapture(List.of());

  private final Metadata.Key<String>[] keys;
  private final AttributeKey<List<String>>[] attributes;

  @SuppressWarnings("unchecked")
  private MetadataCapture(List<String> names) {
    keys = new Metadata.Key[names.size()];
    attributes = new AttributeKey[names.size()];
    for (int i = 0; i < names.size(); i++) {
      keys[i] = Metadata.Key.of(names.get(i), Metadata.ASCII_STRING_MARSHALLER);
      attributes[i] = AttributeKey.stringArrayKey(ATTRIBUTE_PREFIX + names.get(i));
    }
  }

  /**
   * Validates and normalizes (lower-cases) the names.
   *
   * @throws IllegalArgumentException on a binary, empty or illegal name
   */
  static MetadataCapture of(Collection<String> names) {
    Set<String> normalized = new LinkedHashSet<>();
    for (String n : names) {
      if (n == null) {
        throw new NullPointerException("metadata key == null");
      }
      String k = n.trim().toLowerCase(Locale.ROOT);
      if (k.isEmpty()) {
        throw new IllegalArgumentException("metadata key is empty");
      }
      if (k.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        throw new IllegalArgumentException(
            "binary metadata key cannot be captured: '" + n + "'");
      }
      try {
        Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a valid gRPC metadata key: '" + n + "'", e);
      }
      normalized.add(k);
    }
    return normalized.isEmpty() ? NONE : new MetadataCapture(new ArrayList<>(normalized));
  }

  boolean isEmpty() {
    return keys.length == 0;
  }

  /** Adds an attribute for each allowed key {@code headers} carries. */
  void applyTo(SpanBuilder builder, Metadata headers) {
    if (keys.length == 0 || headers == null) {
      return;
    }
    try {
      for (int i = 0; i < keys.length; i++) {
        Iterable<String> values = headers.getAll(keys[i]);
        if (values != null) {
          List<String> list = new ArrayList<>(2);
          for (String v : values) {
            list.add(v);
          }
          builder.setAttribute(attributes[i], list);
        }
      }
    } catch (RuntimeException e) {
      Faults.report("grpc metadata capture", e);
    }
  }

  List<String> names() {
    List<String> out = new ArrayList<>(keys.length);
    for (Metadata.Key<String> k : keys) {
      out.add(k.name());
    }
    return out;
  }
}
