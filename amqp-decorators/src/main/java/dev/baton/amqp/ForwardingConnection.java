package dev.baton.amqp;

import com.rabbitmq.client.BlockedCallback;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ExceptionHandler;
import com.rabbitmq.client.UnblockedCallback;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Connection} that forwards every call to another one and does nothing else; subclasses
 * override only what they add behaviour to. Every method of {@code Connection} and its
 * super-interfaces is declared here (the {@code ShutdownNotifier} ones in
 * {@link ForwardingShutdownNotifier}), default methods included; {@code ForwardingContractTest}
 * fails when one is not forwarded.
 */
abstract class ForwardingConnection extends ForwardingShutdownNotifier<Connection> implements Connection {

  ForwardingConnection(Connection delegate) {
    super(delegate);
  }

  @Override
  public InetAddress getAddress() {
    return delegate.getAddress();
  }

  @Override
  public int getPort() {
    return delegate.getPort();
  }

  @Override
  public int getChannelMax() {
    return delegate.getChannelMax();
  }

  @Override
  public int getFrameMax() {
    return delegate.getFrameMax();
  }

  @Override
  public int getHeartbeat() {
    return delegate.getHeartbeat();
  }

  @Override
  public Map<String, Object> getClientProperties() {
    return delegate.getClientProperties();
  }

  @Override
  public String getClientProvidedName() {
    return delegate.getClientProvidedName();
  }

  @Override
  public Map<String, Object> getServerProperties() {
    return delegate.getServerProperties();
  }

  @Override
  public Channel createChannel() throws IOException {
    return delegate.createChannel();
  }

  @Override
  public Channel createChannel(int channelNumber) throws IOException {
    return delegate.createChannel(channelNumber);
  }

  @Override
  public Optional<Channel> openChannel() throws IOException {
    return delegate.openChannel();
  }

  @Override
  public Optional<Channel> openChannel(int channelNumber) throws IOException {
    return delegate.openChannel(channelNumber);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public void close(int closeCode, String closeMessage) throws IOException {
    delegate.close(closeCode, closeMessage);
  }

  @Override
  public void close(int timeout) throws IOException {
    delegate.close(timeout);
  }

  @Override
  public void close(int closeCode, String closeMessage, int timeout) throws IOException {
    delegate.close(closeCode, closeMessage, timeout);
  }

  @Override
  public void abort() {
    delegate.abort();
  }

  @Override
  public void abort(int closeCode, String closeMessage) {
    delegate.abort(closeCode, closeMessage);
  }

  @Override
  public void abort(int timeout) {
    delegate.abort(timeout);
  }

  @Override
  public void abort(int closeCode, String closeMessage, int timeout) {
    delegate.abort(closeCode, closeMessage, timeout);
  }

  @Override
  public void addBlockedListener(BlockedListener listener) {
    delegate.addBlockedListener(listener);
  }

  @Override
  public BlockedListener addBlockedListener(
      BlockedCallback blockedCallback,
      UnblockedCallback unblockedCallback) {
    return delegate.addBlockedListener(blockedCallback, unblockedCallback);
  }

  @Override
  public boolean removeBlockedListener(BlockedListener listener) {
    return delegate.removeBlockedListener(listener);
  }

  @Override
  public void clearBlockedListeners() {
    delegate.clearBlockedListeners();
  }

  @Override
  public ExceptionHandler getExceptionHandler() {
    return delegate.getExceptionHandler();
  }

  @Override
  public String getId() {
    return delegate.getId();
  }

  @Override
  public void setId(String id) {
    delegate.setId(id);
  }
}
