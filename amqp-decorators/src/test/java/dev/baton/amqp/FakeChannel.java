package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.impl.AMQImpl;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A {@link Channel} without a broker: records calls, answers what a test sets up. */
final class FakeChannel implements InvocationHandler {

  /** The name the fake broker gives a queue declared without one. */
  static final String SERVER_NAMED = "amq.gen-JzTY20BRgKO-HjmUJj0wLg";

  final List<String> calls = new ArrayList<>();
  AMQP.BasicProperties publishedProps;
  Object publishedBody;
  Consumer consumer;
  GetResponse getResponse;
  Throwable failure;
  long nextPublishSeqNo;
  final List<Object> listeners = new ArrayList<>();
  final Channel channel =
      (Channel) Proxy.newProxyInstance(
          Channel.class.getClassLoader(), new Class<?>[] {Channel.class}, this);
  final Connection connection = fakeConnection();

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return method.getName().equals("toString") ? "FakeChannel" : method.invoke(this, args);
    }
    calls.add(method.getName() + Arrays.toString(method.getParameterTypes()));
    switch (method.getName()) {
      case "basicPublish":
        throwFailure();
        publishedProps = (AMQP.BasicProperties) args[args.length == 7 ? 4 : args.length - 2];
        publishedBody = args[args.length == 7 ? 5 : args.length - 1];
        return null;
      case "basicConsume":
        throwFailure();
        consumer = (Consumer) args[args.length - 1];
        return "ctag";
      case "basicGet":
        throwFailure();
        return getResponse;
      case "basicAck":
      case "basicNack":
      case "basicReject":
        throwFailure();
        return null;
      case "getConnection":
        return connection;
      case "queueDeclare":
        // No arguments, or an empty name: the broker names the queue.
        String name = args == null || ((String) args[0]).isEmpty() ? SERVER_NAMED : (String) args[0];
        return new AMQImpl.Queue.DeclareOk(name, 0, 0);
      case "getNextPublishSeqNo":
        return nextPublishSeqNo;
      case "addConfirmListener":
      case "addShutdownListener":
        listeners.add(args[0]);
        return null;
      default:
        return method.getReturnType() == boolean.class ? false : null;
    }
  }

  private void throwFailure() throws Throwable {
    if (failure != null) {
      throw failure;
    }
  }

  private static Connection fakeConnection() {
    InetAddress address;
    try {
      address = InetAddress.getByAddress("broker.test", new byte[] {10, 0, 0, 7});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
    InvocationHandler h =
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "getAddress":
              return address;
            case "getPort":
              return 5671;
            case "toString":
              return "FakeConnection";
            default:
              if (method.getReturnType() == int.class) {
                return 0;
              }
              return method.getReturnType() == boolean.class ? false : null;
          }
        };
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
  }

  /** Rethrows an invocation target's cause, for tests calling through reflection. */
  static Object invoke(Method m, Object target, Object... args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

}
