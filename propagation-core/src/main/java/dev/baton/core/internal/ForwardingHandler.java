package dev.baton.core.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * What every {@link Proxy} Baton wraps a client object in shares: the proxy stands for one
 * wrapped object, equals only itself ({@code equals} and {@code hashCode} by identity), prints as
 * the handler's name around the wrapped object, and {@link #forward} calls the wrapped object,
 * throwing its own exception unchanged. A subclass says in {@link #handle} which calls it adds
 * behaviour to and forwards the rest. Kafka's wrapped consumer and AMQP's wrapped connection are
 * such proxies: both interfaces are large and called per poll or per channel, never per message.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise.
 *
 * @param <T> the wrapped interface
 */
public abstract class ForwardingHandler<T> implements InvocationHandler {

  /** The wrapped object every call goes to. */
  protected final T delegate;

  /** @param delegate the wrapped object */
  protected ForwardingHandler(T delegate) {
    this.delegate = delegate;
  }

  @Override
  public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        default:
          return getClass().getSimpleName() + "{" + delegate + "}";
      }
    }
    return handle(proxy, method, args);
  }

  /**
   * One call of the proxied interface (never an {@code Object} method).
   *
   * @param proxy the proxy called
   * @param method the interface method
   * @param args its arguments, {@code null} when none
   * @return what the proxy returns
   * @throws Throwable what the proxy throws: the wrapped object's own exception, unchanged
   */
  protected abstract Object handle(Object proxy, Method method, Object[] args) throws Throwable;

  /**
   * Calls {@code method} on the wrapped object. Limit of every JDK proxy: a checked exception the
   * interface method does not declare (only a client that throws one by trickery could) reaches
   * the caller wrapped in an {@link java.lang.reflect.UndeclaredThrowableException}; every
   * exception the method declares, and every unchecked one, is thrown unchanged.
   *
   * @param method the interface method
   * @param args its arguments
   * @return what the wrapped object returned
   * @throws Throwable what the wrapped object threw, unchanged
   */
  protected final Object forward(Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * Makes the proxy this handler answers for: it implements {@code type} (of the class loader
   * that defines {@code type}) and nothing else.
   *
   * @param type the interface the proxy implements
   * @param <P> that interface
   * @return the proxy
   */
  protected final <P> P newProxy(Class<P> type) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, this));
  }
}
