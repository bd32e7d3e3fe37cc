package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.ConfirmCallback;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ReturnCallback;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Channel} that forwards every call to another one and does nothing else, in the manner of
 * gRPC's {@code ForwardingClientCall}: subclasses override only what they add behaviour to.
 *
 * <p>Every method of {@code Channel} and its super-interfaces is declared here, default methods
 * included, so a call always reaches the delegate's own implementation; except the overloads that
 * {@link RoutingChannel}, the only subclass, sends to one method per operation (publish, consume,
 * get, ack, nack, reject, queue declare and delete), which it declares itself. amqp-client adds
 * methods over time; {@code ForwardingContractTest} fails when one is declared by neither.
 */
abstract class ForwardingChannel implements Channel {

  final Channel delegate;

  ForwardingChannel(Channel delegate) {
    this.delegate = delegate;
  }

  @Override
  public void addShutdownListener(ShutdownListener listener) {
    delegate.addShutdownListener(listener);
  }

  @Override
  public void removeShutdownListener(ShutdownListener listener) {
    delegate.removeShutdownListener(listener);
  }

  @Override
  public ShutdownSignalException getCloseReason() {
    return delegate.getCloseReason();
  }

  @Override
  public void notifyListeners() {
    delegate.notifyListeners();
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public int getChannelNumber() {
    return delegate.getChannelNumber();
  }

  @Override
  public Connection getConnection() {
    return delegate.getConnection();
  }

  @Override
  public void close() throws IOException, TimeoutException {
    delegate.close();
  }

  @Override
  public void close(int closeCode, String closeMessage) throws IOException, TimeoutException {
    delegate.close(closeCode, closeMessage);
  }

  @Override
  public void abort() throws IOException {
    delegate.abort();
  }

  @Override
  public void abort(int closeCode, String closeMessage) throws IOException {
    delegate.abort(closeCode, closeMessage);
  }

  @Override
  public void addReturnListener(ReturnListener listener) {
    delegate.addReturnListener(listener);
  }

  @Override
  public ReturnListener addReturnListener(ReturnCallback returnCallback) {
    return delegate.addReturnListener(returnCallback);
  }

  @Override
  public boolean removeReturnListener(ReturnListener listener) {
    return delegate.removeReturnListener(listener);
  }

  @Override
  public void clearReturnListeners() {
    delegate.clearReturnListeners();
  }

  @Override
  public void addConfirmListener(ConfirmListener listener) {
    delegate.addConfirmListener(listener);
  }

  @Override
  public ConfirmListener addConfirmListener(
      ConfirmCallback ackCallback,
      ConfirmCallback nackCallback) {
    return delegate.addConfirmListener(ackCallback, nackCallback);
  }

  @Override
  public boolean removeConfirmListener(ConfirmListener listener) {
    return delegate.removeConfirmListener(listener);
  }

  @Override
  public void clearConfirmListeners() {
    delegate.clearConfirmListeners();
  }

  @Override
  public Consumer getDefaultConsumer() {
    return delegate.getDefaultConsumer();
  }

  @Override
  public void setDefaultConsumer(Consumer consumer) {
    delegate.setDefaultConsumer(consumer);
  }

  @Override
  public void basicQos(int prefetchSize, int prefetchCount, boolean global) throws IOException {
    delegate.basicQos(prefetchSize, prefetchCount, global);
  }

  @Override
  public void basicQos(int prefetchCount, boolean global) throws IOException {
    delegate.basicQos(prefetchCount, global);
  }

  @Override
  public void basicQos(int prefetchCount) throws IOException {
    delegate.basicQos(prefetchCount);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(String exchange, String type) throws IOException {
    return delegate.exchangeDeclare(exchange, type);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      BuiltinExchangeType type) throws IOException {
    return delegate.exchangeDeclare(exchange, type);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      String type,
      boolean durable) throws IOException {
    return delegate.exchangeDeclare(exchange, type, durable);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      BuiltinExchangeType type,
      boolean durable) throws IOException {
    return delegate.exchangeDeclare(exchange, type, durable);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      String type,
      boolean durable,
      boolean autoDelete,
      Map<String, Object> arguments) throws IOException {
    return delegate.exchangeDeclare(exchange, type, durable, autoDelete, arguments);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      BuiltinExchangeType type,
      boolean durable,
      boolean autoDelete,
      Map<String, Object> arguments) throws IOException {
    return delegate.exchangeDeclare(exchange, type, durable, autoDelete, arguments);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      String type,
      boolean durable,
      boolean autoDelete,
      boolean internal,
      Map<String, Object> arguments) throws IOException {
    return delegate.exchangeDeclare(exchange, type, durable, autoDelete, internal, arguments);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclare(
      String exchange,
      BuiltinExchangeType type,
      boolean durable,
      boolean autoDelete,
      boolean internal,
      Map<String, Object> arguments) throws IOException {
    return delegate.exchangeDeclare(exchange, type, durable, autoDelete, internal, arguments);
  }

  @Override
  public void exchangeDeclareNoWait(
      String exchange,
      String type,
      boolean durable,
      boolean autoDelete,
      boolean internal,
      Map<String, Object> arguments) throws IOException {
    delegate.exchangeDeclareNoWait(exchange, type, durable, autoDelete, internal, arguments);
  }

  @Override
  public void exchangeDeclareNoWait(
      String exchange,
      BuiltinExchangeType type,
      boolean durable,
      boolean autoDelete,
      boolean internal,
      Map<String, Object> arguments) throws IOException {
    delegate.exchangeDeclareNoWait(exchange, type, durable, autoDelete, internal, arguments);
  }

  @Override
  public AMQP.Exchange.DeclareOk exchangeDeclarePassive(String exchange) throws IOException {
    return delegate.exchangeDeclarePassive(exchange);
  }

  @Override
  public AMQP.Exchange.DeleteOk exchangeDelete(
      String exchange,
      boolean ifUnused) throws IOException {
    return delegate.exchangeDelete(exchange, ifUnused);
  }

  @Override
  public void exchangeDeleteNoWait(String exchange, boolean ifUnused) throws IOException {
    delegate.exchangeDeleteNoWait(exchange, ifUnused);
  }

  @Override
  public AMQP.Exchange.DeleteOk exchangeDelete(String exchange) throws IOException {
    return delegate.exchangeDelete(exchange);
  }

  @Override
  public AMQP.Exchange.BindOk exchangeBind(
      String destination,
      String source,
      String routingKey) throws IOException {
    return delegate.exchangeBind(destination, source, routingKey);
  }

  @Override
  public AMQP.Exchange.BindOk exchangeBind(
      String destination,
      String source,
      String routingKey,
      Map<String, Object> arguments) throws IOException {
    return delegate.exchangeBind(destination, source, routingKey, arguments);
  }

  @Override
  public void exchangeBindNoWait(
      String destination,
      String source,
      String routingKey,
      Map<String, Object> arguments) throws IOException {
    delegate.exchangeBindNoWait(destination, source, routingKey, arguments);
  }

  @Override
  public AMQP.Exchange.UnbindOk exchangeUnbind(
      String destination,
      String source,
      String routingKey) throws IOException {
    return delegate.exchangeUnbind(destination, source, routingKey);
  }

  @Override
  public AMQP.Exchange.UnbindOk exchangeUnbind(
      String destination,
      String source,
      String routingKey,
      Map<String, Object> arguments) throws IOException {
    return delegate.exchangeUnbind(destination, source, routingKey, arguments);
  }

  @Override
  public void exchangeUnbindNoWait(
      String destination,
      String source,
      String routingKey,
      Map<String, Object> arguments) throws IOException {
    delegate.exchangeUnbindNoWait(destination, source, routingKey, arguments);
  }

  @Override
  public AMQP.Queue.DeclareOk queueDeclarePassive(String queue) throws IOException {
    return delegate.queueDeclarePassive(queue);
  }

  @Override
  public AMQP.Queue.BindOk queueBind(
      String queue,
      String exchange,
      String routingKey) throws IOException {
    return delegate.queueBind(queue, exchange, routingKey);
  }

  @Override
  public AMQP.Queue.BindOk queueBind(
      String queue,
      String exchange,
      String routingKey,
      Map<String, Object> arguments) throws IOException {
    return delegate.queueBind(queue, exchange, routingKey, arguments);
  }

  @Override
  public void queueBindNoWait(
      String queue,
      String exchange,
      String routingKey,
      Map<String, Object> arguments) throws IOException {
    delegate.queueBindNoWait(queue, exchange, routingKey, arguments);
  }

  @Override
  public AMQP.Queue.UnbindOk queueUnbind(
      String queue,
      String exchange,
      String routingKey) throws IOException {
    return delegate.queueUnbind(queue, exchange, routingKey);
  }

  @Override
  public AMQP.Queue.UnbindOk queueUnbind(
      String queue,
      String exchange,
      String routingKey,
      Map<String, Object> arguments) throws IOException {
    return delegate.queueUnbind(queue, exchange, routingKey, arguments);
  }

  @Override
  public AMQP.Queue.PurgeOk queuePurge(String queue) throws IOException {
    return delegate.queuePurge(queue);
  }

  @Override
  public void basicCancel(String consumerTag) throws IOException {
    delegate.basicCancel(consumerTag);
  }

  @Override
  public AMQP.Basic.RecoverOk basicRecover() throws IOException {
    return delegate.basicRecover();
  }

  @Override
  public AMQP.Basic.RecoverOk basicRecover(boolean requeue) throws IOException {
    return delegate.basicRecover(requeue);
  }

  @Override
  public AMQP.Tx.SelectOk txSelect() throws IOException {
    return delegate.txSelect();
  }

  @Override
  public AMQP.Tx.CommitOk txCommit() throws IOException {
    return delegate.txCommit();
  }

  @Override
  public AMQP.Tx.RollbackOk txRollback() throws IOException {
    return delegate.txRollback();
  }

  @Override
  public AMQP.Confirm.SelectOk confirmSelect() throws IOException {
    return delegate.confirmSelect();
  }

  @Override
  public long getNextPublishSeqNo() {
    return delegate.getNextPublishSeqNo();
  }

  @Override
  public boolean waitForConfirms() throws InterruptedException {
    return delegate.waitForConfirms();
  }

  @Override
  public boolean waitForConfirms(long timeout) throws InterruptedException, TimeoutException {
    return delegate.waitForConfirms(timeout);
  }

  @Override
  public void waitForConfirmsOrDie() throws IOException, InterruptedException {
    delegate.waitForConfirmsOrDie();
  }

  @Override
  public void waitForConfirmsOrDie(
      long timeout) throws IOException, InterruptedException, TimeoutException {
    delegate.waitForConfirmsOrDie(timeout);
  }

  @Override
  public void asyncRpc(Method method) throws IOException {
    delegate.asyncRpc(method);
  }

  @Override
  public Command rpc(Method method) throws IOException {
    return delegate.rpc(method);
  }

  @Override
  public long messageCount(String queue) throws IOException {
    return delegate.messageCount(queue);
  }

  @Override
  public long consumerCount(String queue) throws IOException {
    return delegate.consumerCount(queue);
  }

  @Override
  public CompletableFuture<Command> asyncCompletableRpc(Method method) throws IOException {
    return delegate.asyncCompletableRpc(method);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + delegate + "}";
  }
}
