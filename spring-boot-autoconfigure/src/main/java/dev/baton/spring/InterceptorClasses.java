package dev.baton.spring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Adds a class to a Kafka client's {@code interceptor.classes} value without losing the
 * interceptors already there. Kafka accepts the value as a comma-separated string, a {@code Class},
 * or a list of names and classes.
 */
final class InterceptorClasses {

  private InterceptorClasses() {}

  /** {@code existing} with {@code added} appended, or {@code existing} if it already names it. */
  static Object append(Object existing, Class<?> added) {
    String name = added.getName();
    List<Object> out = new ArrayList<>();
    if (existing instanceof String) {
      for (String part : ((String) existing).split(",")) {
        String trimmed = part.trim();
        if (!trimmed.isEmpty()) {
          out.add(trimmed);
        }
      }
    } else if (existing instanceof Collection) {
      out.addAll((Collection<?>) existing);
    } else if (existing != null) {
      out.add(existing);
    }
    for (Object o : out) {
      if (o == added || name.equals(o) || (o instanceof String && name.equals(((String) o).trim()))) {
        return existing;
      }
    }
    out.add(name);
    if (existing == null || existing instanceof String) {
      return String.join(",", out.stream().map(Object::toString).toList());
    }
    return out;
  }
}
