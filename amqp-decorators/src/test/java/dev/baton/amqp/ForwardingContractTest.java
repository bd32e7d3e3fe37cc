package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.RecoverableChannel;
import com.rabbitmq.client.RecoverableConnection;
import com.rabbitmq.client.WriteListener;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * amqp-client adds methods to {@code Channel} and {@code Connection} over time. A forwarding base
 * that misses one would silently run the interface's default (or fail to compile only for
 * abstract ones), so these tests check by reflection that every method of the channel interfaces
 * and their super-interfaces is declared by the forwarding class, and that every method of the
 * channel and connection interfaces really reaches the delegate and returns what it returned. The
 * traced connection is a proxy, which forwards by construction; the tests prove it does.
 */
class ForwardingContractTest {

  @Test
  void forwardingAndRoutingChannelsTogetherDeclareEveryChannelMethod() {
    assertThat(missing(Channel.class, RoutingChannel.class, ForwardingChannel.class)).isEmpty();
  }

  @Test
  void forwardingChannelLeavesTheRoutedOverloadsToRoutingChannel() {
    for (Method m : RoutingChannel.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers())) {
        assertThat(declares(ForwardingChannel.class, m)).as(m.toGenericString()).isFalse();
      }
    }
  }

  @Test
  void recoverableChannelWrapperDeclaresTheRecoverableMethods() {
    assertThat(missing(RecoverableChannel.class, RecoverableTracingChannel.class,
        TracingChannel.class, RoutingChannel.class, ForwardingChannel.class)).isEmpty();
  }

  @Test
  void everyChannelMethodReachesTheDelegateWithItsArguments() throws Exception {
    List<String> calls = new ArrayList<>();
    Channel delegate = recording(Channel.class, calls);
    Channel forwarding = new RoutingChannel(delegate) {
      @Override
      void publish(String exchange, String routingKey, boolean mandatory, boolean immediate,
          AMQP.BasicProperties props, byte[] body, ByteBuffer buffer, WriteListener listener) {
        throw new AssertionError("routed");
      }

      @Override
      String consume(String queue, boolean autoAck, String consumerTag, boolean noLocal,
          boolean exclusive, Map<String, Object> arguments, Consumer callback) {
        throw new AssertionError("routed");
      }

      @Override
      GetResponse get(String queue, boolean autoAck) {
        throw new AssertionError("routed");
      }

      @Override
      void settle(int kind, long deliveryTag, boolean multiple, boolean requeue) {
        throw new AssertionError("routed");
      }

      @Override
      void queueDeclared(String queue, boolean serverNamed, boolean exclusive, boolean autoDelete) {
        throw new AssertionError("routed");
      }

      @Override
      void queueDeleted(String queue) {
        throw new AssertionError("routed");
      }
    };
    // The routed overloads are RoutingChannel's (and TracingChannelTest's) business.
    List<Method> forwarded = new ArrayList<>();
    for (Method m : Channel.class.getMethods()) {
      if (!declares(RoutingChannel.class, m)) {
        forwarded.add(m);
      }
    }
    assertEveryMethodForwards(forwarded, forwarding, calls);
  }

  @Test
  void everyConnectionMethodReachesTheDelegateWithItsArguments() throws Exception {
    for (Class<? extends Connection> type :
        List.of(Connection.class, RecoverableConnection.class)) {
      List<String> calls = new ArrayList<>();
      Connection traced = AmqpTracing.create(OpenTelemetry.noop()).wrap(recording(type, calls));
      assertThat(traced instanceof RecoverableConnection)
          .as("recoverable exactly when the wrapped connection is")
          .isEqualTo(type == RecoverableConnection.class);
      assertEveryMethodForwards(Arrays.asList(type.getMethods()), traced, calls);
    }
  }

  @Test
  void routingChannelSendsOnlyPublishConsumeGetSettleAndQueueOverloadsToOneMethodEach() {
    assertThat(publicMethods(RoutingChannel.class))
        .containsExactlyInAnyOrder(
            "basicPublish", "basicConsume", "basicGet", "basicAck", "basicNack", "basicReject",
            // reported after the call, no spans: only to know which queues are temporary
            "queueDeclare", "queueDeclareNoWait", "queueDelete", "queueDeleteNoWait");
  }

  @Test
  void tracingChannelOverridesOnlyPublishConsumeGetSettleAndQueueBookkeeping() {
    assertThat(publicMethods(TracingChannel.class)).containsExactly("getConnection");
    Set<String> routed = new TreeSet<>();
    for (Method m : TracingChannel.class.getDeclaredMethods()) {
      try {
        RoutingChannel.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
        routed.add(m.getName());
      } catch (NoSuchMethodException e) {
        // not one of the routed operations
      }
    }
    assertThat(routed)
        .containsExactlyInAnyOrder(
            "publish", "consume", "get", "settle", "queueDeclared", "queueDeleted");
  }

  private static Set<String> publicMethods(Class<?> type) {
    Set<String> names = new TreeSet<>();
    for (Method m : type.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers())) {
        names.add(m.getName());
      }
    }
    return names;
  }

  @Test
  void tracedConnectionTracesTheChannelsItCreates() throws Exception {
    FakeChannel fake = new FakeChannel();
    InvocationHandler creating =
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "createChannel":
              return fake.channel;
            case "openChannel":
              return Optional.of(fake.channel);
            case "toString":
              return "plain";
            default:
              throw new AssertionError(method.getName());
          }
        };
    Connection delegate =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, creating);
    AmqpTracing amqp = AmqpTracing.create(OpenTelemetry.noop());
    Connection traced = amqp.wrap(delegate);
    assertThat(amqp.wrap(traced)).isSameAs(traced);
    List<Channel> channels =
        List.of(
            traced.createChannel(),
            traced.createChannel(7),
            traced.openChannel().orElseThrow(),
            traced.openChannel(7).orElseThrow());
    for (Channel channel : channels) {
      assertThat(channel).isInstanceOf(TracingChannel.class);
      assertThat(channel.getConnection()).isSameAs(traced);
    }
    // The proxy's own identity, as a class's would be; its other methods return the delegate's
    // results unchanged (everyConnectionMethodReachesTheDelegateWithItsArguments).
    assertThat(traced.equals(traced)).isTrue();
    assertThat(traced.equals(delegate)).isFalse();
    assertThat(traced.hashCode()).isEqualTo(System.identityHashCode(traced));
    assertThat(traced.toString()).isEqualTo("TracingConnection{plain}");
  }

  @Test
  void theConnectionsOwnExceptionsPassThroughTheProxyUnchanged() {
    IOException refused = new IOException("channel max reached");
    IllegalStateException closed = new IllegalStateException("connection closed");
    InvocationHandler failing =
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "createChannel":
              throw refused;
            case "getServerProperties":
              throw closed;
            case "toString":
              return "failing";
            default:
              throw new AssertionError(method.getName());
          }
        };
    for (Class<? extends Connection> type : List.of(Connection.class, RecoverableConnection.class)) {
      Connection delegate =
          (Connection)
              Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, failing);
      Connection traced = AmqpTracing.create(OpenTelemetry.noop()).wrap(delegate);
      assertThatThrownBy(traced::createChannel).isSameAs(refused);
      assertThatThrownBy(traced::getServerProperties).isSameAs(closed);
      // The recoverable one is a TracingConnection too (it used to print as
      // RecoverableTracingConnection).
      assertThat(traced.toString()).isEqualTo("TracingConnection{failing}");
    }
  }

  /** Methods of {@code iface} (and its super-interfaces) that none of {@code classes} declares. */
  private static List<String> missing(Class<?> iface, Class<?>... classes) {
    List<String> missing = new ArrayList<>();
    for (Method m : iface.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      boolean found = false;
      for (Class<?> c : classes) {
        try {
          Method declared = c.getDeclaredMethod(m.getName(), m.getParameterTypes());
          found = !Modifier.isAbstract(declared.getModifiers());
        } catch (NoSuchMethodException e) {
          // keep looking
        }
        if (found) {
          break;
        }
      }
      if (!found) {
        missing.add(m.toGenericString());
      }
    }
    return missing;
  }

  @SuppressWarnings("unchecked")
  private static <T> T recording(Class<T> type, List<String> calls) {
    InvocationHandler h =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return method.getName().equals("toString") ? "recording" : null;
          }
          calls.add(signature(method, args));
          return result(method);
        };
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
  }

  private static boolean declares(Class<?> type, Method m) {
    try {
      type.getDeclaredMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static void assertEveryMethodForwards(
      List<Method> methods, Object forwarding, List<String> calls) throws Exception {
    for (Method m : methods) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Object[] args = sampleArgs(m.getParameterTypes());
      calls.clear();
      Object returned = m.invoke(forwarding, args);
      assertThat(calls).as(m.toGenericString()).containsExactly(signature(m, args));
      assertThat(returned).as(m.toGenericString()).isEqualTo(result(m));
    }
  }

  private static String signature(Method m, Object[] args) {
    return m.getName() + Arrays.toString(m.getParameterTypes())
        + Arrays.deepToString(args == null ? new Object[0] : args);
  }

  /** Distinct, recognisable arguments so a forwarder that swaps two of them is caught. */
  private static Object[] sampleArgs(Class<?>[] types) {
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == int.class) {
        args[i] = 100 + i;
      } else if (t == long.class) {
        args[i] = 1000L + i;
      } else if (t == boolean.class) {
        args[i] = i % 2 == 0;
      } else if (t == String.class) {
        args[i] = "arg" + i;
      } else {
        args[i] = null;
      }
    }
    return args;
  }

  /** What the recording delegate returns: recognisable where the type allows, else empty. */
  private static Object result(Method m) {
    Class<?> type = m.getReturnType();
    if (type == boolean.class) {
      return true;
    }
    if (type == int.class) {
      return 42;
    }
    if (type == long.class) {
      return 4200L;
    }
    if (type == String.class) {
      return "result of " + m.getName();
    }
    if (type == Map.class) {
      return Map.of("result of", m.getName());
    }
    if (type == Optional.class) {
      return Optional.empty();
    }
    return null;
  }
}
