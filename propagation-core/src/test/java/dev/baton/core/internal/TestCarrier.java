package dev.baton.core.internal;

import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An ordered list of header fields with case-sensitive names, like Kafka record headers. */
final class TestCarrier {

  static final HeaderCarrier<TestCarrier> ADAPTER = new Adapter();

  /** The adapter; a class so that a test can change one method of it. */
  static class Adapter implements HeaderCarrier<TestCarrier> {
    @Override
    public Iterable<String> keys(TestCarrier c) {
      List<String> keys = new ArrayList<>();
      for (Map.Entry<String, Object> e : c.fields) {
        keys.add(e.getKey());
      }
      return keys;
    }

    @Override
    public Iterable<?> fields(TestCarrier c, String key) {
      List<Object> out = new ArrayList<>();
      for (Map.Entry<String, Object> e : c.fields) {
        if (e.getKey().equals(key)) {
          out.add(e.getValue());
        }
      }
      return out;
    }

    @Override
    public void replace(TestCarrier c, String key, String value) {
      c.fields.removeIf(e -> e.getKey().equals(key));
      if (value != null) {
        c.fields.add(new SimpleEntry<>(key, value));
      }
    }
  }

  final List<Map.Entry<String, Object>> fields = new ArrayList<>();

  TestCarrier add(String name, Object value) {
    fields.add(new SimpleEntry<>(name, value));
    return this;
  }

  List<Object> all(String name) {
    List<Object> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : fields) {
      if (e.getKey().equals(name)) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  String only(String name) {
    List<Object> values = all(name);
    if (values.size() > 1) {
      throw new AssertionError(name + " appears " + values.size() + " times: " + values);
    }
    return values.isEmpty() ? null : (String) values.get(0);
  }
}
