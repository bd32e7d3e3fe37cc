package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingHandlerTest {

  /** Upper-cases what {@code get} returns; forwards everything else. */
  static final class Shouting extends ForwardingHandler<List<String>> {
    Shouting(List<String> delegate) {
      super(delegate);
    }

    @Override
    protected Object handle(Object proxy, Method method, Object[] args) throws Throwable {
      Object result = forward(method, args);
      return method.getName().equals("get") ? ((String) result).toUpperCase() : result;
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> proxy(List<String> delegate) {
    return (List<String>)
        Proxy.newProxyInstance(
            List.class.getClassLoader(), new Class<?>[] {List.class}, new Shouting(delegate));
  }

  @Test
  void callsReachTheWrappedObjectAndTheSubclassChangesOnlyWhatItNames() {
    List<String> delegate = new ArrayList<>();
    List<String> list = proxy(delegate);
    assertThat(list.add("a")).isTrue();
    assertThat(delegate).containsExactly("a");
    assertThat(list.get(0)).isEqualTo("A");
    assertThat(list.size()).isEqualTo(1);
  }

  @Test
  void objectMethodsAnswerByTheProxysIdentityAndNameTheHandler() {
    List<String> delegate = new ArrayList<>(List.of("x"));
    List<String> list = proxy(delegate);
    List<String> other = proxy(delegate);
    assertThat(list.equals(list)).isTrue();
    assertThat(list.equals(other)).isFalse();
    assertThat(list.equals(delegate)).isFalse();
    assertThat(list.hashCode()).isEqualTo(System.identityHashCode(list));
    assertThat(list.toString()).isEqualTo("Shouting{[x]}");
  }

  @Test
  void theWrappedObjectsExceptionIsThrownUnchanged() {
    List<String> list = proxy(List.of());
    assertThatThrownBy(() -> list.add("a")).isExactlyInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> list.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
