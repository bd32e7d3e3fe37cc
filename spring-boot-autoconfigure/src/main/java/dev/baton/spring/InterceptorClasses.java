package dev.baton.spring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Adds a class to a Kafka client's {@code interceptor.classes} value without losing the
 * interceptors already there. Kafka accepts the value as a comma-separated string, a {@code Class},
 * or a list of names and classes.
 */
final class InterceptorClasses {

  private InterceptorClasses() {}

  /**
   * The settings a Kafka client factory is updated with: Baton's {@code settings} for that client,
   * plus {@code interceptor.classes} (under {@code key}) with {@code interceptor} appended to the
   * factory's {@code configured} value.
   */
  static Map<String, Object> withInterceptor(
      Map<String, Object> settings,
      Map<String, Object> configured,
      String key,
      Class<?> interceptor) {
    settings.put(key, append(configured.get(key), interceptor));
    return settings;
  }

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
