package dev.baton.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A RabbitMQ {@link Channel} and its {@link Connection} with no broker behind them, both made with
 * {@link Proxy} and answered by this one handler: {@code basicPublish} only remembers the
 * properties it was given, {@code basicConsume} the consumer; the connection reports
 * 127.0.0.1:5672, so publish spans get their {@code server.*} attributes as with a real
 * connection; everything else answers a default (0, false, {@code null}).
 */
final class FakeChannel implements InvocationHandler {

  private static final InetAddress LOCALHOST;

  static {
    try {
      LOCALHOST = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Connection connection = proxy(Connection.class);

  long published;
  AMQP.BasicProperties lastProperties;
  /** The consumer of the last {@code basicConsume}: a benchmark delivers to it directly. */
  Consumer consumer;

  private FakeChannel() {}

  /** Returns a new fake channel and the handler that records its publishes. */
  static FakeChannel create() {
    return new FakeChannel();
  }

  Channel channel() {
    return proxy(Channel.class);
  }

  private <T> T proxy(Class<T> type) {
    return type.cast(
        Proxy.newProxyInstance(FakeChannel.class.getClassLoader(), new Class<?>[] {type}, this));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) {
    switch (method.getName()) {
      case "basicPublish":
        published++;
        for (Object arg : args) {
          if (arg instanceof AMQP.BasicProperties) {
            lastProperties = (AMQP.BasicProperties) arg;
          }
        }
        return null;
      case "basicConsume":
        for (Object arg : args) {
          if (arg instanceof Consumer) {
            consumer = (Consumer) arg;
          }
        }
        return "ctag-1";
      case "getConnection":
        return connection;
      case "getChannelNumber":
        return 1;
      case "getAddress":
        return LOCALHOST;
      case "getPort":
        return 5672;
      case "isOpen":
        return true;
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      case "toString":
        return "FakeChannel";
      default:
        return defaultValue(method.getReturnType());
    }
  }

  private static Object defaultValue(Class<?> type) {
    if (!type.isPrimitive() || type == void.class) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == double.class) {
      return 0d;
    }
    if (type == float.class) {
      return 0f;
    }
    if (type == char.class) {
      return (char) 0;
    }
    if (type == byte.class) {
      return (byte) 0;
    }
    if (type == short.class) {
      return (short) 0;
    }
    return 0;
  }
}
